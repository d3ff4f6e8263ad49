package genaiusageexporter

import (
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// rejectedMessage begins what exporterhelper logs, at error level with a
// stack trace, for every request it refuses: under overload (a full
// queue) that is a line per request, thousands a second, for a refusal
// the client retries and otelcol_exporter_enqueue_failed_spans counts.
const rejectedMessage = "Exporting failed. Rejecting data."

// refusalLogEvery is how often a refusal is logged at most.
const refusalLogEvery = time.Minute

// limitRefusalLogs wraps the logger given to exporterhelper so that it
// logs refusals once a minute, with the number left unlogged since, and
// without the stack trace; every other line passes as it is.
func limitRefusalLogs(l *zap.Logger, now func() time.Time) *zap.Logger {
	state := &refusalState{now: now}
	return l.WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core { return &refusalCore{Core: c, s: state} }))
}

type refusalState struct {
	now func() time.Time

	mu     sync.Mutex
	last   time.Time
	unsaid int
}

// refusalCore is a zapcore.Core that thins the refusal lines.
type refusalCore struct {
	zapcore.Core
	s *refusalState
}

func (c *refusalCore) With(fields []zapcore.Field) zapcore.Core {
	return &refusalCore{Core: c.Core.With(fields), s: c.s}
}

func (c *refusalCore) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if !c.Enabled(ent.Level) {
		return ce
	}
	return ce.AddCore(ent, c)
}

func (c *refusalCore) Write(ent zapcore.Entry, fields []zapcore.Field) error {
	if !strings.HasPrefix(ent.Message, rejectedMessage) {
		return c.Core.Write(ent, fields)
	}
	s := c.s
	s.mu.Lock()
	now := s.now()
	if !s.last.IsZero() && now.Sub(s.last) < refusalLogEvery {
		s.unsaid++
		s.mu.Unlock()
		return nil
	}
	unsaid, since := s.unsaid, now.Sub(s.last)
	s.last, s.unsaid = now, 0
	s.mu.Unlock()
	ent.Stack = "" // a refusal is load, not a bug
	fields = append(fields, zap.Int("refusals_not_logged", unsaid), zap.Duration("logged_at_most_every", refusalLogEvery))
	if unsaid > 0 {
		fields = append(fields, zap.Duration("since_last_logged", since))
	}
	return c.Core.Write(ent, fields)
}
