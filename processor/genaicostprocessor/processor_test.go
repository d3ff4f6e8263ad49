package genaicostprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor/internal/metadata"
	"github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor/internal/metadatatest"
)

// harness runs spans through a real processor built by the factory.
type harness struct {
	t    *testing.T
	proc processor.Traces
	sink *consumertest.TracesSink
	tel  *componenttest.Telemetry
}

func newHarness(t *testing.T, mutate ...func(*Config)) *harness {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	for _, m := range mutate {
		m(cfg)
	}
	require.NoError(t, cfg.Validate())
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	sink := new(consumertest.TracesSink)
	proc, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(tel), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, proc.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, proc.Shutdown(context.Background())) })
	return &harness{t: t, proc: proc, sink: sink, tel: tel}
}

// span describes a test span.
type span struct {
	name      string
	trace, id byte
	parent    byte
	scope     string
	start     time.Time
	attrs     map[string]any
}

var noon = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// run sends the spans as one batch and returns the output spans by name.
func (h *harness) run(spans ...span) map[string]pcommon.Map {
	h.t.Helper()
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "test")
	for _, s := range spans {
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName(s.scope)
		sp := ss.Spans().AppendEmpty()
		sp.SetName(s.name)
		sp.SetTraceID(pcommon.TraceID{s.trace, 1})
		sp.SetSpanID(pcommon.SpanID{s.id, 1})
		if s.parent != 0 {
			sp.SetParentSpanID(pcommon.SpanID{s.parent, 1})
		}
		start := s.start
		if start.IsZero() {
			start = noon
		}
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Second)))
		require.NoError(h.t, sp.Attributes().FromRaw(s.attrs))
	}
	require.NoError(h.t, h.proc.ConsumeTraces(context.Background(), td))
	all := h.sink.AllTraces()
	out := map[string]pcommon.Map{}
	last := all[len(all)-1]
	for i := 0; i < last.ResourceSpans().Len(); i++ {
		for j := 0; j < last.ResourceSpans().At(i).ScopeSpans().Len(); j++ {
			sps := last.ResourceSpans().At(i).ScopeSpans().At(j).Spans()
			for k := 0; k < sps.Len(); k++ {
				out[sps.At(k).Name()] = sps.At(k).Attributes()
			}
		}
	}
	return out
}

func get(t *testing.T, m pcommon.Map, k string) any {
	t.Helper()
	v, ok := m.Get(k)
	if !ok {
		return nil
	}
	return v.AsRaw()
}

func amount(t *testing.T, m pcommon.Map, k string) string {
	t.Helper()
	v, ok := m.Get(k)
	require.True(t, ok, "missing %s", k)
	n, ok := money.FromFloat64(v.Double())
	require.True(t, ok)
	return n.String()
}

func openaiChat(extra map[string]any) map[string]any {
	a := map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
		"gen_ai.response.model": "gpt-4o-mini-2024-07-18", "gen_ai.usage.input_tokens": 1200,
		"gen_ai.usage.cache_read.input_tokens": 200, "gen_ai.usage.output_tokens": 300,
	}
	for k, v := range extra {
		a[k] = v
	}
	return a
}

func TestPricedSpan(t *testing.T) {
	h := newHarness(t)
	out := h.run(span{name: "chat", trace: 1, id: 1, attrs: openaiChat(nil)})["chat"]
	// 1000 x 0.15 + 200 x 0.075 + 300 x 0.60 per million = $0.000345
	assert.Equal(t, "0.000345", amount(t, out, genaiconv.CostAmount))
	assert.Equal(t, "USD", get(t, out, genaiconv.CostCurrency))
	assert.Equal(t, "local", get(t, out, genaiconv.CostSource))
	assert.Equal(t, "priced", get(t, out, genaiconv.Status))
	assert.Regexp(t, `^openai/gpt-4o-mini#[0-9a-f]{8}$`, get(t, out, genaiconv.Card))
	assert.Equal(t, int64(1000), get(t, out, "genai_cost.usage.input"))
	assert.Equal(t, int64(200), get(t, out, "genai_cost.usage.cache_read"))
	assert.Equal(t, int64(300), get(t, out, "genai_cost.usage.output"))
	assert.Nil(t, get(t, out, "genai_cost.usage.cache_write_5m"), "zero meters are not written")
	assert.Nil(t, get(t, out, genaiconv.Reason))
	assert.Nil(t, get(t, out, "genai_cost.cost.input"), "per-meter cost is opt-in")
	// The span's own attributes are untouched.
	assert.Equal(t, int64(1200), get(t, out, "gen_ai.usage.input_tokens"))
}

func TestNotGenAIUntouched(t *testing.T) {
	h := newHarness(t)
	in := map[string]any{"http.request.method": "GET", "server.address": "api.openai.com", "gen_ai.conversation.id": "c"}
	out := h.run(span{name: "GET", trace: 1, id: 1, attrs: in})["GET"]
	assert.Equal(t, in, out.AsRaw())
}

func TestStatuses(t *testing.T) {
	h := newHarness(t)
	out := h.run(
		span{name: "agent", trace: 1, id: 1, attrs: map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.usage.input_tokens": 99}},
		span{name: "unknown", trace: 2, id: 1, attrs: openaiChat(map[string]any{"gen_ai.response.model": "acme-llm-9000", "gen_ai.request.model": "acme-llm-9000"})},
		span{name: "no-usage", trace: 3, id: 1, attrs: map[string]any{"gen_ai.operation.name": "chat", "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o"}},
		span{name: "invalid", trace: 4, id: 1, attrs: openaiChat(map[string]any{"gen_ai.usage.output_tokens": "-3"})},
		span{name: "no-provider", trace: 5, id: 1, attrs: map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "my-model", "gen_ai.usage.input_tokens": 5}},
	)
	assert.Equal(t, map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.usage.input_tokens": int64(99), genaiconv.Status: "not_billable"}, out["agent"].AsRaw())
	assert.Equal(t, "unpriced", get(t, out["unknown"], genaiconv.Status))
	assert.Equal(t, "unknown_model", get(t, out["unknown"], genaiconv.Reason))
	assert.Equal(t, "openai", get(t, out["unknown"], genaiconv.Provider))
	assert.Nil(t, get(t, out["unknown"], genaiconv.CostAmount), "never a silent $0")
	assert.Equal(t, int64(1000), get(t, out["unknown"], "genai_cost.usage.input"), "usage is known even when the price is not")
	assert.Equal(t, "unpriced", get(t, out["no-usage"], genaiconv.Status))
	assert.Equal(t, "no_usage", get(t, out["no-usage"], genaiconv.Reason))
	assert.Equal(t, "invalid", get(t, out["invalid"], genaiconv.Status))
	assert.Equal(t, "negative:gen_ai.usage.output_tokens", get(t, out["invalid"], genaiconv.Reason))
	assert.Nil(t, get(t, out["invalid"], genaiconv.CostAmount))
	assert.Equal(t, "unknown_provider", get(t, out["no-provider"], genaiconv.Reason))

	metadatatest.AssertEqualProcessorGenaiCostSpans(t, h.tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("status", "not_billable"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("status", "unpriced"), attribute.String("reason", "unknown_model"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("status", "unpriced"), attribute.String("reason", "no_usage"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("status", "unpriced"), attribute.String("reason", "unknown_provider"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("status", "invalid"), attribute.String("reason", "negative"))},
	}, metricdatatest.IgnoreTimestamp())
}

func TestPartial(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Usage.CacheWriteTTL = "1h" })
	// gpt-4o-mini has no 1-hour cache-write rate.
	out := h.run(span{name: "chat", trace: 1, id: 1, attrs: openaiChat(map[string]any{"gen_ai.usage.cache_write.input_tokens": 100})})["chat"]
	assert.Equal(t, "partial", get(t, out, genaiconv.Status))
	assert.Equal(t, "unpriced_meter:cache_write_1h", get(t, out, genaiconv.Reason))
	// 900 x 0.15 + 200 x 0.075 + 300 x 0.6; the 100 cache writes are not priced.
	assert.Equal(t, "0.00033", amount(t, out, genaiconv.CostAmount))
}

func TestEffectiveDateOfSpanStart(t *testing.T) {
	h := newHarness(t)
	o3 := map[string]any{"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.response.model": "o3",
		"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 1000}
	out := h.run(
		span{name: "before", trace: 1, id: 1, start: time.Date(2025, 6, 9, 23, 0, 0, 0, time.UTC), attrs: o3},
		span{name: "after", trace: 2, id: 1, start: time.Date(2025, 6, 10, 1, 0, 0, 0, time.UTC), attrs: o3},
	)
	assert.Equal(t, "0.05", amount(t, out["before"], genaiconv.CostAmount)) // 10 + 40 per Mtok
	assert.Equal(t, "0.01", amount(t, out["after"], genaiconv.CostAmount))  // 2 + 8 per Mtok
	assert.NotEqual(t, get(t, out["before"], genaiconv.Card), get(t, out["after"], genaiconv.Card))
}

func TestTierAndCacheClassesAnthropicExclusive(t *testing.T) {
	h := newHarness(t)
	// OpenLIT reports Anthropic's input exclusive of cache; 150k + 60k
	// cached crosses the 200k tier of Sonnet 4.5.
	out := h.run(span{name: "chat", trace: 1, id: 1, scope: "openlit.otel.tracing", attrs: map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic", "gen_ai.response.model": "claude-sonnet-4-5-20250929",
		"gen_ai.usage.input_tokens": 150_000, "gen_ai.usage.cache_read.input_tokens": 60_000, "gen_ai.usage.output_tokens": 2000,
	}})["chat"]
	// 150000 x 6 + 60000 x 0.6 + 2000 x 22.5 per million.
	assert.Equal(t, "0.981", amount(t, out, genaiconv.CostAmount))
	assert.Equal(t, int64(150_000), get(t, out, "genai_cost.usage.input"))
}

func TestOverridesAndAliases(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Pricing.Files = []string{"testdata/prices-override.yaml"}
		c.Aliases.Models = map[string]string{"Prod-GPT4o": "gpt-4o"}
		c.Aliases.Providers = map[string]string{"my-gateway": "openai"}
		c.Attributes.CostPerMeter = true
	})
	out := h.run(
		span{name: "negotiated", trace: 1, id: 1, attrs: openaiChat(nil)},
		span{name: "azure deployment", trace: 2, id: 1, attrs: map[string]any{"gen_ai.operation.name": "chat", "gen_ai.provider.name": "azure.ai.openai",
			"gen_ai.request.model": "prod-gpt4o", "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 100}},
		span{name: "gateway", trace: 3, id: 1, attrs: map[string]any{"gen_ai.operation.name": "chat", "gen_ai.system": "my-gateway",
			"gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 100}},
		span{name: "selfhosted", trace: 4, id: 1, attrs: map[string]any{"gen_ai.operation.name": "chat", "gen_ai.system": "vllm-acme",
			"gen_ai.request.model": "acme-llm-70b", "gen_ai.usage.input_tokens": 1_000_000, "gen_ai.usage.output_tokens": 1_000_000}},
	)
	// 1000 x 0.12 + 200 x 0.06 + 300 x 0.48 per million.
	assert.Equal(t, "0.000276", amount(t, out["negotiated"], genaiconv.CostAmount))
	assert.Equal(t, "0.00012", amount(t, out["negotiated"], "genai_cost.cost.input"))
	assert.Equal(t, "0.000144", amount(t, out["negotiated"], "genai_cost.cost.output"))
	// gpt-4o: 2.5 in, 10 out.
	assert.Equal(t, "0.0035", amount(t, out["azure deployment"], genaiconv.CostAmount))
	assert.Equal(t, "0.0035", amount(t, out["gateway"], genaiconv.CostAmount))
	// 0.01 + 0.02 + a 0.0005 request fee.
	assert.Equal(t, "0.0305", amount(t, out["selfhosted"], genaiconv.CostAmount))
	assert.Equal(t, "0.0005", amount(t, out["selfhosted"], "genai_cost.cost.request"))
}

func TestReportedCosts(t *testing.T) {
	h := newHarness(t)
	out := h.run(
		span{name: "semconv", trace: 1, id: 1, attrs: openaiChat(map[string]any{"gen_ai.usage.cost.amount": 0.0004,
			"gen_ai.usage.cost.currency": "USD", "gen_ai.usage.cost.source": "provider"})},
		span{name: "litellm", trace: 2, id: 1, attrs: openaiChat(map[string]any{"gen_ai.cost.total_cost": 0.00035})},
		span{name: "openlit", trace: 3, id: 1, attrs: openaiChat(map[string]any{"gen_ai.usage.cost": 0.00036})},
		span{name: "bad", trace: 4, id: 1, attrs: openaiChat(map[string]any{"gen_ai.usage.cost": "lots"})},
		span{name: "no-currency", trace: 5, id: 1, attrs: openaiChat(map[string]any{"gen_ai.usage.cost.amount": 0.5})},
	)
	s := out["semconv"]
	assert.Equal(t, "provider_reported", get(t, s, genaiconv.Status))
	assert.Equal(t, "0.0004", amount(t, s, genaiconv.CostAmount), "kept as reported")
	assert.Equal(t, "provider", get(t, s, genaiconv.CostSource))
	assert.Equal(t, "0.000345", amount(t, s, genaiconv.ComputedAmount), "the local price beside it")

	l := out["litellm"]
	assert.Equal(t, "provider_reported", get(t, l, genaiconv.Status))
	assert.Equal(t, "0.00035", amount(t, l, genaiconv.ReportedAmount))
	assert.Equal(t, "USD", get(t, l, genaiconv.ReportedCurrency))
	assert.Equal(t, "0.000345", amount(t, l, genaiconv.CostAmount))
	assert.Equal(t, 0.00035, get(t, l, "gen_ai.cost.total_cost"), "the original attribute is kept")

	assert.Equal(t, "0.00036", amount(t, out["openlit"], genaiconv.ReportedAmount))

	b := out["bad"]
	assert.Equal(t, "priced", get(t, b, genaiconv.Status))
	assert.Equal(t, "reported_cost_ignored:not_a_number:gen_ai.usage.cost", get(t, b, genaiconv.Reason))
	assert.Equal(t, "0.000345", amount(t, b, genaiconv.CostAmount))

	n := out["no-currency"]
	assert.Equal(t, 0.5, get(t, n, genaiconv.CostAmount), "an emitter's attribute is never overwritten")
	assert.Equal(t, "0.000345", amount(t, n, genaiconv.ComputedAmount))
	assert.Equal(t, "reported_cost_ignored:no_currency:gen_ai.usage.cost.currency", get(t, n, genaiconv.Reason))
}

func TestDuplicatesAcrossBatches(t *testing.T) {
	h := newHarness(t)
	framework := span{name: "framework", trace: 7, id: 1, attrs: openaiChat(nil)}
	sdk := span{name: "sdk", trace: 7, id: 2, parent: 1, attrs: openaiChat(nil)}
	// The child arrives first, the parent in a later batch.
	assert.Equal(t, "priced", get(t, h.run(sdk)["sdk"], genaiconv.Status))
	p := h.run(framework)["framework"]
	assert.Equal(t, "duplicate", get(t, p, genaiconv.Status))
	assert.Equal(t, pcommon.SpanID{2, 1}.String(), get(t, p, genaiconv.DuplicateOf))
	assert.Nil(t, get(t, p, genaiconv.CostAmount))
	assert.Nil(t, get(t, p, "genai_cost.usage.input"), "a duplicate carries no usage to count again")

	// Parent first: the decision already made stands.
	h2 := newHarness(t)
	assert.Equal(t, "priced", get(t, h2.run(framework)["framework"], genaiconv.Status))
	assert.Equal(t, "duplicate", get(t, h2.run(sdk)["sdk"], genaiconv.Status))

	// Same batch: the inner span wins.
	h3 := newHarness(t)
	out := h3.run(framework, sdk)
	assert.Equal(t, "duplicate", get(t, out["framework"], genaiconv.Status))
	assert.Equal(t, "priced", get(t, out["sdk"], genaiconv.Status))

	// Dedup off: both priced (documented double count).
	h4 := newHarness(t, func(c *Config) { c.Billing.Dedup.Enabled = false })
	out = h4.run(framework, sdk)
	assert.Equal(t, "priced", get(t, out["framework"], genaiconv.Status))
	assert.Equal(t, "priced", get(t, out["sdk"], genaiconv.Status))
}

func TestTokensOff(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Attributes.Tokens = false })
	out := h.run(span{name: "chat", trace: 1, id: 1, attrs: openaiChat(nil)})["chat"]
	assert.Nil(t, get(t, out, "genai_cost.usage.input"))
	assert.Equal(t, "0.000345", amount(t, out, genaiconv.CostAmount))
}

func TestAmountTelemetry(t *testing.T) {
	h := newHarness(t)
	h.run(span{name: "a", trace: 1, id: 1, attrs: openaiChat(nil)}, span{name: "b", trace: 2, id: 1, attrs: openaiChat(nil)})
	metadatatest.AssertEqualProcessorGenaiCostAmount(t, h.tel, []metricdata.DataPoint[int64]{{Value: 690_000}}, metricdatatest.IgnoreTimestamp())
}

func TestProcessorNeverFailsOnHostileValues(t *testing.T) {
	h := newHarness(t)
	weird := []any{nil, "", "\x00", []any{1, "a"}, map[string]any{"x": map[string]any{}}, 1e308, -1e308, int64(-1 << 63), true, []byte{0xff}}
	var spans []span
	for i, v := range weird {
		spans = append(spans, span{name: "w", trace: byte(i + 1), id: 1, attrs: map[string]any{
			"gen_ai.operation.name": v, "gen_ai.provider.name": v, "gen_ai.request.model": v, "gen_ai.response.model": v,
			"gen_ai.usage.input_tokens": v, "gen_ai.usage.output_tokens": v, "gen_ai.response.id": v, "gen_ai.usage.cost.amount": v,
			"gen_ai.usage.cost.currency": v, "ai.operationId": v, "gen_ai.usage.input_token_details": v,
		}})
	}
	h.run(spans...)
	assert.Len(t, h.sink.AllTraces(), 1)
	_ = processortest.NewNopSettings(metadata.Type)
}
