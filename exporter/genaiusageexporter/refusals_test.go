package genaiusageexporter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// Refusals under overload are logged once a minute with the count left
// unsaid, without a stack trace; other lines are untouched.
func TestRefusalLogsAreThinned(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	clock := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)
	l := limitRefusalLogs(zap.New(core, zap.AddStacktrace(zapcore.ErrorLevel)), func() time.Time { return clock }).With(zap.String("otelcol.component.id", "genai_usage"))
	for range 1000 {
		l.Error(rejectedMessage+" Try enabling sending_queue to survive temporary failures.", zap.Error(assert.AnError), zap.Int("rejected_items", 100))
	}
	l.Error("something else")
	clock = clock.Add(30 * time.Second)
	l.Error(rejectedMessage)
	clock = clock.Add(31 * time.Second)
	l.Error(rejectedMessage)

	entries := logs.All()
	require.Len(t, entries, 3)
	assert.Contains(t, entries[0].Message, rejectedMessage)
	assert.Empty(t, entries[0].Stack, "a refusal is load, not a bug")
	assert.Equal(t, int64(0), entries[0].ContextMap()["refusals_not_logged"])
	assert.Equal(t, "genai_usage", entries[0].ContextMap()["otelcol.component.id"])
	assert.Equal(t, "something else", entries[1].Message)
	assert.NotEmpty(t, entries[1].Stack, "other errors keep their stack")
	assert.Equal(t, int64(1000), entries[2].ContextMap()["refusals_not_logged"], "999 of the burst and one 30 s later")
}
