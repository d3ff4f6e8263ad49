package genaicostprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-genai/otelcol-genai/internal/estimate"
	"github.com/otelcol-genai/otelcol-genai/internal/fixtures"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor/internal/metadatatest"
)

const (
	inHello   = `[{"role":"user","parts":[{"type":"text","content":"hello world"}]}]`                          // 2 tokens, 11 bytes
	outPartly = `[{"role":"assistant","parts":[{"type":"text","content":"The capital of France is Paris."}]}]` // 7 tokens, 31 bytes
)

// streamNoUsage is an OpenAI chat stream abandoned before its usage chunk,
// as the OpenTelemetry conventions record it: the prompt and the text
// received so far, no token counts.
func streamNoUsage(extra map[string]any) map[string]any {
	a := map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
		"gen_ai.request.stream": true, "gen_ai.input.messages": inHello, "gen_ai.output.messages": outPartly,
	}
	for k, v := range extra {
		if v == nil {
			delete(a, k)
			continue
		}
		a[k] = v
	}
	return a
}

func TestEstimateWithoutUsage(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Attributes.CostPerMeter = true })
	out := h.run(
		span{name: "stream", trace: 1, id: 1, attrs: streamNoUsage(nil)},
		span{name: "claude", trace: 2, id: 1, attrs: streamNoUsage(map[string]any{
			"gen_ai.provider.name": "anthropic", "gen_ai.request.model": "claude-sonnet-4-5"})},
		span{name: "prompt-only", trace: 3, id: 1, attrs: streamNoUsage(map[string]any{"gen_ai.output.messages": nil})},
		span{name: "no-text", trace: 4, id: 1, attrs: streamNoUsage(map[string]any{"gen_ai.output.messages": nil, "gen_ai.input.messages": nil})},
		span{name: "reported", trace: 5, id: 1, attrs: streamNoUsage(map[string]any{"gen_ai.cost.total_cost": 0.01})},
		span{name: "unknown", trace: 6, id: 1, attrs: streamNoUsage(map[string]any{"gen_ai.request.model": "acme-llm-9000"})},
	)

	// o200k_base: 2 input and 7 output tokens, priced as measured usage
	// is: 2 x 0.15 + 7 x 0.60 per million = $0.0000045.
	s := out["stream"]
	assert.Equal(t, "priced", get(t, s, genaiconv.Status))
	assert.Equal(t, true, get(t, s, genaiconv.Estimated))
	assert.Equal(t, "estimated:tokenizer:o200k_base", get(t, s, genaiconv.Reason))
	assert.Regexp(t, `^openai/gpt-4o-mini#[0-9a-f]{8}$`, get(t, s, genaiconv.Card))
	assert.Equal(t, "0.0000045", amount(t, s, genaiconv.CostAmount))
	assert.Equal(t, "USD", get(t, s, genaiconv.CostCurrency))
	assert.Equal(t, "local", get(t, s, genaiconv.CostSource))
	assert.Equal(t, int64(2), get(t, s, "genai_cost.usage.input"))
	assert.Equal(t, int64(7), get(t, s, "genai_cost.usage.output"))
	assert.Nil(t, get(t, s, "genai_cost.usage.cache_read"), "no cache split")
	assert.Equal(t, "0.0000042", amount(t, s, "genai_cost.cost.output"))

	// Ratio: ceil(11/4) = 3 input, ceil(31/4) = 8 output tokens at $3 and
	// $15 per million: $0.000129.
	c := out["claude"]
	assert.Equal(t, "priced", get(t, c, genaiconv.Status))
	assert.Equal(t, "estimated:ratio", get(t, c, genaiconv.Reason))
	assert.Equal(t, true, get(t, c, genaiconv.Estimated))
	assert.Equal(t, int64(3), get(t, c, "genai_cost.usage.input"))
	assert.Equal(t, int64(8), get(t, c, "genai_cost.usage.output"))
	assert.Equal(t, "0.000129", amount(t, c, genaiconv.CostAmount))

	// Without the text of both sides, or with a reported cost, or without
	// a price: as before, no estimate.
	for name, want := range map[string][2]string{
		"prompt-only": {"unpriced", "no_usage"}, "no-text": {"unpriced", "no_usage"},
		"reported": {"provider_reported", "no_usage"}, "unknown": {"unpriced", "unknown_model"},
	} {
		assert.Equal(t, want[0], get(t, out[name], genaiconv.Status), name)
		assert.Equal(t, want[1], get(t, out[name], genaiconv.Reason), name)
		assert.Nil(t, get(t, out[name], genaiconv.Estimated), name)
		assert.Nil(t, get(t, out[name], genaiconv.CostAmount), name)
		assert.Nil(t, get(t, out[name], "genai_cost.usage.input"), name)
	}

	// Estimates are counted apart, with their method as the reason.
	metadatatest.AssertEqualProcessorGenaiCostSpans(t, h.tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("status", "priced"), attribute.String("reason", "estimated:tokenizer:o200k_base"), attribute.Bool("estimated", true))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("status", "priced"), attribute.String("reason", "estimated:ratio"), attribute.Bool("estimated", true))},
		{Value: 2, Attributes: attribute.NewSet(attribute.String("status", "unpriced"), attribute.String("reason", "no_usage"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("status", "provider_reported"), attribute.String("reason", "no_usage"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("status", "unpriced"), attribute.String("reason", "unknown_model"))},
	}, metricdatatest.IgnoreTimestamp())
}

func TestEstimateOff(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Usage.Estimate = false })
	s := h.run(span{name: "stream", trace: 1, id: 1, attrs: streamNoUsage(nil)})["stream"]
	assert.Equal(t, "unpriced", get(t, s, genaiconv.Status))
	assert.Equal(t, "no_usage", get(t, s, genaiconv.Reason))
	assert.Nil(t, get(t, s, genaiconv.Estimated))
}

// A span with usage never has its text read or tokenized, however much
// text it carries.
func TestUsageNeverTokenized(t *testing.T) {
	h := newHarness(t)
	before := estimate.TokenizedBytes()
	spans := make([]span, 0, 50)
	for i := range 50 {
		spans = append(spans, span{name: "chat", trace: byte(i + 1), id: 1, attrs: openaiChat(map[string]any{
			"gen_ai.input.messages": inHello, "gen_ai.output.messages": outPartly,
			"gen_ai.prompt.0.content": "hello world", "gen_ai.completion.0.content": "hi",
		})})
	}
	out := h.run(spans...)
	assert.Equal(t, "priced", get(t, out["chat"], genaiconv.Status))
	assert.Nil(t, get(t, out["chat"], genaiconv.Estimated))
	assert.Equal(t, before, estimate.TokenizedBytes(), "spans with usage were tokenized")

	h.run(span{name: "stream", trace: 99, id: 1, attrs: streamNoUsage(nil)})
	assert.Equal(t, before+int64(len("hello world")+len("The capital of France is Paris.")), estimate.TokenizedBytes())
}

// The captured spans with their usage removed (testdata/traces/written/
// estimates) are all priced from estimates, each with its method; their
// golden files hold the exact counts.
func TestEstimatesOnRealSpans(t *testing.T) {
	fs, err := fixtures.Load("written/estimates")
	require.NoError(t, err)
	require.NotEmpty(t, fs)
	for _, f := range fs {
		for _, r := range fixtures.Summarise(runFixture(t, f.Traces)) {
			if !genaiconv.Billable(r.Status) {
				continue
			}
			assert.True(t, r.Estimated, "%s: %s: %+v", f.Name, r.Name, r)
			assert.Contains(t, []string{"priced", "partial"}, r.Status, "%s: %s", f.Name, r.Name)
			assert.Regexp(t, `^estimated:(tokenizer:(o200k|cl100k)_base|ratio)$`, r.Reason, "%s: %s", f.Name, r.Name)
		}
	}
}
