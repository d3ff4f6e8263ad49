package genaiusageexporter

import (
	"sync"
	"time"

	"go.uber.org/zap"
)

// badInput tells, at most once a minute, of the spans whose records had
// to be mended (usage.Record.Sanitize: a cost per meter that did not add
// up, a currency that is no ISO 4217 code) or could not be kept (a start
// time from a broken clock): a sender that does it once does it for every
// span, and a line per span would drown the log.
type badInput struct {
	logger *zap.Logger
	now    func() time.Time

	mu                  sync.Mutex
	last                time.Time
	sanitized, rejected int
}

// badInputEvery is how often badInput logs at most.
const badInputEvery = time.Minute

func (b *badInput) note(sanitized, rejected int) {
	if sanitized == 0 && rejected == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sanitized += sanitized
	b.rejected += rejected
	now := b.now()
	if now.Sub(b.last) < badInputEvery {
		return
	}
	b.logger.Warn("Spans with bad values: records mended or not kept (counted in otelcol_exporter_genai_usage_records{result=\"rejected\"})",
		zap.Int("mended", b.sanitized), zap.Int("rejected_start_time", b.rejected),
		zap.String("mended_means", "per-meter costs that did not add up were dropped; a cost in a currency that is no ISO 4217 code made the call invalid"),
		zap.String("rejected_means", "start and end times before 2000 or more than a day ahead of this collector's clock"),
		zap.Duration("since_last_report", now.Sub(b.last)))
	b.last, b.sanitized, b.rejected = now, 0, 0
}
