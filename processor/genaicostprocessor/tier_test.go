package genaicostprocessor

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-genai/otelcol-genai/internal/fixtures"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor/internal/metadatatest"
)

// TestServiceTierSelectsVariant: the tier that served the call picks the
// card's variant; the card written is the variant's.
func TestServiceTierSelectsVariant(t *testing.T) {
	h := newHarness(t)
	out := h.run(
		span{name: "standard", trace: 1, id: 1, attrs: openaiChat(map[string]any{"openai.response.service_tier": "default"})},
		span{name: "batch", trace: 2, id: 1, attrs: openaiChat(map[string]any{"openai.request.service_tier": "auto", "openai.response.service_tier": "batch"})},
		span{name: "asked", trace: 3, id: 1, attrs: openaiChat(map[string]any{"gen_ai.openai.request.service_tier": "auto"})},
	)
	// 1000 x 0.15 + 200 x 0.075 + 300 x 0.60 per million = $0.000345; batch halves it.
	assert.Equal(t, "0.000345", amount(t, out["standard"], genaiconv.CostAmount))
	assert.Equal(t, "standard", get(t, out["standard"], genaiconv.ServiceTier))
	assert.Regexp(t, `^openai/gpt-4o-mini#[0-9a-f]{8}$`, get(t, out["standard"], genaiconv.Card))
	assert.Equal(t, "0.0001725", amount(t, out["batch"], genaiconv.CostAmount))
	assert.Equal(t, "batch", get(t, out["batch"], genaiconv.ServiceTier), "the response's tier wins over the request's")
	assert.Regexp(t, `^openai/gpt-4o-mini\+batch#[0-9a-f]{8}$`, get(t, out["batch"], genaiconv.Card))
	assert.Equal(t, "priced", get(t, out["batch"], genaiconv.Status))
	assert.Equal(t, "standard", get(t, out["asked"], genaiconv.ServiceTier), `"auto" asked, nothing served: standard`)
	assert.Equal(t, "0.000345", amount(t, out["asked"], genaiconv.CostAmount))
}

// TestUnknownServiceTierIsUnpriced: a tier the catalog has no price for
// leaves the call unpriced, never priced at the standard price.
func TestUnknownServiceTierIsUnpriced(t *testing.T) {
	h := newHarness(t)
	out := h.run(
		span{name: "flex", trace: 1, id: 1, attrs: openaiChat(map[string]any{"openai.response.service_tier": "flex"})},
		span{name: "odd", trace: 2, id: 1, attrs: openaiChat(map[string]any{"openai.response.service_tier": "UltraFast"})},
		span{name: "reported", trace: 3, id: 1, attrs: openaiChat(map[string]any{"openai.response.service_tier": "priority", "gen_ai.usage.cost": 0.01})},
	)
	for name, tier := range map[string]string{"flex": "flex", "odd": "ultrafast"} {
		s := out[name]
		assert.Equal(t, "unpriced", get(t, s, genaiconv.Status), name)
		assert.Equal(t, "unpriced_service_tier:"+tier, get(t, s, genaiconv.Reason), name)
		assert.Equal(t, tier, get(t, s, genaiconv.ServiceTier), name)
		assert.Equal(t, "openai", get(t, s, genaiconv.Provider), name)
		assert.Nil(t, get(t, s, genaiconv.Card), name)
		assert.Nil(t, get(t, s, genaiconv.CostAmount), name)
	}
	s := out["reported"]
	assert.Equal(t, "provider_reported", get(t, s, genaiconv.Status))
	assert.Equal(t, "unpriced_service_tier:priority", get(t, s, genaiconv.Reason))
	assert.Equal(t, "0.01", amount(t, s, genaiconv.ReportedAmount))
	assert.Nil(t, get(t, s, genaiconv.CostAmount), "no local price at the wrong tier")

	// The metric's reason is the category, never the tier's text.
	metadatatest.AssertEqualProcessorGenaiCostSpans(t, h.tel, []metricdata.DataPoint[int64]{
		{Value: 2, Attributes: attribute.NewSet(attribute.String("status", "unpriced"), attribute.String("reason", "unpriced_service_tier"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("status", "provider_reported"), attribute.String("reason", "unpriced_service_tier"))},
	}, metricdatatest.IgnoreTimestamp())
}

// TestInferenceGeoUplift: Anthropic's inference_geo "us", read from the
// request parameters, prices the geo:us variant; a model without that
// variant is priced as it is.
func TestInferenceGeoUplift(t *testing.T) {
	h := newHarness(t)
	chat := func(model string) map[string]any {
		return map[string]any{
			"openinference.span.kind": "LLM", "llm.provider": "anthropic", "llm.model_name": model,
			"llm.token_count.prompt": 100_000, "llm.token_count.completion": 10_000,
			"llm.invocation_parameters": `{"max_tokens": 1024, "inference_geo": "us", "service_tier": "auto"}`,
		}
	}
	out := h.run(span{name: "opus46", trace: 1, id: 1, attrs: chat("claude-opus-4-6")},
		span{name: "sonnet45", trace: 2, id: 1, attrs: chat("claude-sonnet-4-5")})
	// 100k x 5 + 10k x 25 per million = 0.75, times 1.1.
	assert.Equal(t, "0.825", amount(t, out["opus46"], genaiconv.CostAmount))
	assert.Regexp(t, `^anthropic/claude-opus-4-6(@[0-9-]+)?\+geo:us#`, get(t, out["opus46"], genaiconv.Card))
	assert.Equal(t, "standard", get(t, out["opus46"], genaiconv.ServiceTier))
	// 100k x 3 + 10k x 15 per million, no geo variant.
	assert.Equal(t, "0.45", amount(t, out["sonnet45"], genaiconv.CostAmount))
	assert.Regexp(t, `^anthropic/claude-sonnet-4-5#`, get(t, out["sonnet45"], genaiconv.Card))
}

// TestTierFixtures: captured spans with only their tier value changed
// (testdata/traces/written/tiers) are priced at the tier's variant, or
// left unpriced where the catalog has no price for the tier.
func TestTierFixtures(t *testing.T) {
	fs, err := fixtures.Load("written/tiers")
	require.NoError(t, err)
	want := map[string]struct{ status, reason, tier, card string }{
		"anthropic-sdk-messages-cache-batch":            {"priced", "", "batch", "anthropic/claude-sonnet-4-5+batch"},
		"anthropic-sdk-messages-cache-priority":         {"unpriced", "unpriced_service_tier:priority", "priority", ""},
		"openlit-openai-responses-cached-flex":          {"provider_reported", "unpriced_service_tier:flex", "flex", ""},
		"openlit-openai-chat-cached-batch":              {"provider_reported", "", "batch", "openai/gpt-4o-mini+batch"},
		"vercel-ai6-anthropic-generatetext-cache-batch": {"priced", "", "batch", "anthropic/claude-sonnet-4-5+batch"},
	}
	require.Len(t, fs, len(want))
	for _, f := range fs {
		name := filepath.Base(f.Name)
		w, ok := want[name]
		require.True(t, ok, name)
		t.Run(name, func(t *testing.T) {
			// The standard-tier capture this fixture was copied from.
			orig := map[string]fixtures.SpanResult{}
			src := strings.TrimSuffix(name, "-"+w.tier)
			data, err := os.ReadFile(filepath.Join("testdata", "golden", "captured", src+".json"))
			require.NoError(t, err)
			var golden []fixtures.SpanResult
			require.NoError(t, json.Unmarshal(data, &golden))
			for _, r := range golden {
				orig[r.Name] = r
			}
			calls := 0
			for _, r := range fixtures.Summarise(runFixture(t, f.Traces)) {
				if r.ServiceTier == "" {
					assert.Equal(t, orig[r.Name], r, "a span without a tier is priced as before")
					continue
				}
				calls++
				assert.Equal(t, w.tier, r.ServiceTier)
				assert.Equal(t, w.status, r.Status)
				assert.Equal(t, w.reason, r.Reason)
				assert.Equal(t, w.card, r.Card)
				o := orig[r.Name]
				assert.Equal(t, "standard", o.ServiceTier)
				if w.card == "" {
					assert.Empty(t, r.Cost)
					continue
				}
				std, ok := o.LocalCost()
				require.True(t, ok)
				got, ok := r.LocalCost()
				require.True(t, ok)
				assert.Equal(t, std/2, got, "batch is half the standard price")
				assert.Zero(t, std%2)
			}
			assert.Equal(t, 1, calls)
		})
	}
}
