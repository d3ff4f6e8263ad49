package normalize

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-genai/otelcol-genai/internal/fixtures"
)

func TestTier(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "null": "", " ": "",
		"default": "standard", "auto": "standard", "standard": "standard", "on_demand": "standard", "standard_only": "standard",
		"Default": "standard", "STANDARD": "standard", "ON_DEMAND": "standard",
		"batch": "batch", "flex": "flex", "priority": "priority", "scale": "scale", "fast": "fast",
		"PRIORITY": "priority", " flex ": "flex", "ON_DEMAND_PRIORITY": "priority", "on_demand_flex": "flex",
		"ultrafast": "ultrafast", "Provisioned_Throughput": "provisioned_throughput",
	} {
		assert.Equal(t, want, Tier(in), "%q", in)
	}
}

func TestServiceTierKeys(t *testing.T) {
	base := func(extra map[string]any) map[string]any {
		a := map[string]any{"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-5",
			"gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 5}
		for k, v := range extra {
			a[k] = v
		}
		return a
	}
	cases := []struct {
		name  string
		attrs map[string]any
		tier  string
		geo   string
	}{
		{"none", nil, "", ""},
		{"openai response", map[string]any{"openai.response.service_tier": "flex"}, "flex", ""},
		{"openai request only", map[string]any{"openai.request.service_tier": "priority"}, "priority", ""},
		{"response wins", map[string]any{"openai.request.service_tier": "auto", "openai.response.service_tier": "flex"}, "flex", ""},
		{"served default for asked flex", map[string]any{"openai.request.service_tier": "flex", "openai.response.service_tier": "default"}, "standard", ""},
		{"old names", map[string]any{"gen_ai.openai.request.service_tier": "auto", "gen_ai.openai.response.service_tier": "scale"}, "scale", ""},
		{"old request name", map[string]any{"gen_ai.openai.request.service_tier": "flex"}, "flex", ""},
		{"new name beats old", map[string]any{"gen_ai.openai.response.service_tier": "default", "openai.response.service_tier": "priority"}, "priority", ""},
		{"anthropic", map[string]any{"anthropic.request.service_tier": "auto", "anthropic.response.service_tier": "batch"}, "batch", ""},
		{"anthropic request", map[string]any{"anthropic.request.service_tier": "standard_only"}, "standard", ""},
		{"openinference params", map[string]any{"llm.invocation_parameters": `{"model": "gpt-5", "service_tier": "flex", "stream": true}`}, "flex", ""},
		{"params lose to attribute", map[string]any{"llm.invocation_parameters": `{"service_tier": "flex"}`, "openai.response.service_tier": "default"}, "standard", ""},
		{"anthropic fast and geo", map[string]any{"llm.invocation_parameters": `{"max_tokens": 1024, "speed": "fast", "inference_geo": "us"}`}, "fast", "us"},
		{"global geo", map[string]any{"llm.invocation_parameters": `{"inference_geo": "global"}`}, "", ""},
		{"fast only over standard", map[string]any{"anthropic.response.service_tier": "batch", "llm.invocation_parameters": `{"speed": "fast"}`}, "batch", ""},
		{"vercel openai", map[string]any{"ai.response.providerMetadata": `{"openai":{"responseId":"resp_1","serviceTier":"flex"}}`}, "flex", ""},
		{"vercel google", map[string]any{"ai.response.providerMetadata": `{"google":{"usageMetadata":null,"serviceTier":"PRIORITY"}}`}, "priority", ""},
		{"vercel anthropic usage", map[string]any{"ai.response.providerMetadata": `{"anthropic":{"usage":{"service_tier":"standard","inference_geo":"us","speed":"fast"}}}`}, "fast", "us"},
		{"not a string", map[string]any{"llm.invocation_parameters": `{"service_tier": null}`}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := scan(t, "chat", base(tc.attrs))
			require.True(t, ok)
			assert.Equal(t, tc.tier, c.ServiceTier)
			assert.Equal(t, tc.geo, c.InferenceGeo)
		})
	}
}

func TestServiceTierOnlyOnCalls(t *testing.T) {
	// An agent span is not priced: its tier is not read.
	c, ok := scan(t, "invoke_agent", map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.usage.input_tokens": 10,
		"openai.response.service_tier": "flex"})
	require.True(t, ok)
	assert.Equal(t, Aggregate, c.Kind)
	assert.Empty(t, c.ServiceTier)
	// A span with a tier and nothing else of a call is not a GenAI span.
	_, ok = scan(t, "x", map[string]any{"openai.response.service_tier": "flex", "anthropic.request.service_tier": "auto"})
	assert.False(t, ok)
	// The exporter's description does not read it either.
	var d Call
	require.True(t, Scan(attrs(t, map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "m", "openai.response.service_tier": "flex"}),
		"chat", &Options{Describe: true}, new(Scratch), &d))
	assert.Empty(t, d.ServiceTier)
}

// TestServiceTierCapturedFixtures reads the tier from what real libraries
// emitted: the OpenLIT OpenAI spans (openai.response.service_tier
// "default"), the Anthropic SDK's own spans (anthropic.response.service_tier
// "standard"), the Vercel AI SDK's provider metadata (Anthropic's
// usage.service_tier, OpenAI's serviceTier); and from the same spans with
// only the tier changed (testdata/traces/written/tiers).
func TestServiceTierCapturedFixtures(t *testing.T) {
	fs, err := fixtures.Load("captured", "written/tiers")
	require.NoError(t, err)
	opts := &Options{MaxTokens: 100_000_000, MaxCost: lim.MaxCost}
	tiers := map[string]map[string]int{} // fixture -> tier -> calls
	for _, f := range fs {
		fixtures.ForEachSpan(f.Traces, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, s ptrace.Span) {
			var c Call
			if !Scan(s.Attributes(), s.Name(), opts, new(Scratch), &c) || c.Kind != Inference || c.ServiceTier == "" {
				return
			}
			if tiers[f.Name] == nil {
				tiers[f.Name] = map[string]int{}
			}
			tiers[f.Name][c.ServiceTier]++
		})
	}
	for name, want := range map[string]map[string]int{
		"captured/openlit-openai-chat-cached":                         {"standard": 1},
		"captured/openlit-openai-responses-stream":                    {"standard": 1},
		"captured/anthropic-sdk-messages-cache":                       {"standard": 1},
		"captured/anthropic-sdk-messages-cache-stream":                {"standard": 1},
		"captured/vercel-ai6-anthropic-generatetext-cache":            {"standard": 1},
		"captured/vercel-ai6-openai-generatetext":                     {"standard": 1},
		"written/tiers/anthropic-sdk-messages-cache-batch":            {"batch": 1},
		"written/tiers/anthropic-sdk-messages-cache-priority":         {"priority": 1},
		"written/tiers/openlit-openai-responses-cached-flex":          {"flex": 1},
		"written/tiers/openlit-openai-chat-cached-batch":              {"batch": 1},
		"written/tiers/vercel-ai6-anthropic-generatetext-cache-batch": {"batch": 1},
	} {
		assert.Equal(t, want, tiers[name], name)
	}
	for name, got := range tiers {
		for tier := range got {
			if name[:len("captured/")] == "captured/" {
				assert.Equal(t, "standard", tier, "%s: every captured call was served at the standard tier", name)
			}
		}
	}
}
