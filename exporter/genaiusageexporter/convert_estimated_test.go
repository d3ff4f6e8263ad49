package genaiusageexporter

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
)

// A call the processor priced from estimated usage (the span carries the
// text, not the usage) makes a record marked estimated; a measured one
// does not.
func TestEstimatedOnTheRecord(t *testing.T) {
	estimated := llmTraces(func(a pcommon.Map) {
		a.PutStr("gen_ai.provider.name", "openai")
		a.PutStr("gen_ai.request.model", "gpt-4o-mini")
		a.PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"hello world"}]}]`)
		a.PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"The capital of France is Paris."}]}]`)
	})
	measured := llmTraces(func(a pcommon.Map) {
		a.PutStr("gen_ai.provider.name", "openai")
		a.PutStr("gen_ai.request.model", "gpt-4o-mini")
		a.PutInt("gen_ai.usage.input_tokens", 2)
		a.PutInt("gen_ai.usage.output_tokens", 7)
	})
	recs := recordsOf(testConverter(t, nil), nil, priceTraces(t, estimated)[0])
	recs = append(recs, recordsOf(testConverter(t, nil), nil, priceTraces(t, measured)[0])...)
	require.Len(t, recs, 2)
	assert.True(t, recs[0].Estimated)
	assert.Equal(t, genaiconv.StatusPriced, recs[0].Status)
	assert.Equal(t, "estimated:tokenizer:o200k_base", recs[0].Reason)
	assert.Equal(t, int64(2), recs[0].Tokens[meter.Input])
	assert.Equal(t, int64(7), recs[0].Tokens[meter.Output])
	assert.False(t, recs[1].Estimated)
	assert.Equal(t, recs[1].Cost, recs[0].Cost, "the same tokens, the same price")
}
