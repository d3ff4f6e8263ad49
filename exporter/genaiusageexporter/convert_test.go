package genaiusageexporter

import (
	"context"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-genai/otelcol-genai/config/pricing"
	"github.com/otelcol-genai/otelcol-genai/internal/fixtures"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
	"github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor"
)

func testConverter(t testing.TB, cfg *Config) *converter {
	cat, err := pricing.Load(true, nil)
	require.NoError(t, err)
	if cfg == nil {
		cfg = createDefaultConfig().(*Config)
	}
	return newConverter(cat, cfg.dimensionSources())
}

// priceTraces runs td through a real genai_cost processor with its
// default configuration.
func priceTraces(t testing.TB, tds ...ptrace.Traces) []ptrace.Traces {
	f := genaicostprocessor.NewFactory()
	sink := &consumertest.TracesSink{}
	p, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(f.Type()), f.CreateDefaultConfig(), sink)
	require.NoError(t, err)
	for _, td := range tds {
		require.NoError(t, p.ConsumeTraces(context.Background(), td))
	}
	require.NoError(t, p.Shutdown(context.Background()))
	return sink.AllTraces()
}

// Every billable span the processor handled becomes one record, with the
// processor's exact cost and token counts; nothing else does.
func TestRecordsFromFixtures(t *testing.T) {
	fxs, err := fixtures.Load("captured", "written")
	require.NoError(t, err)
	conv := testConverter(t, nil)
	total := 0
	for _, fx := range fxs {
		out := priceTraces(t, fx.Traces)
		require.Len(t, out, 1, fx.Name)
		var want []fixtures.SpanResult
		for _, s := range fixtures.Summarise(out[0]) {
			if genaiconv.Billable(s.Status) {
				want = append(want, s)
			}
		}
		recs := recordsOf(conv, nil, out[0])
		require.Len(t, recs, len(want), fx.Name)
		total += len(recs)
		for i, r := range recs {
			s := want[i]
			assert.Equal(t, s.Status, r.Status, fx.Name)
			for m := meter.Meter(0); m < meter.Count; m++ {
				assert.Equal(t, s.Usage[m.String()], r.Tokens[m], "%s %s", fx.Name, m)
			}
			local, priced := s.LocalCost()
			switch {
			case priced:
				assert.Equal(t, local, r.Cost, fx.Name)
				assert.Equal(t, "USD", r.Currency, fx.Name)
				assert.Equal(t, genaiconv.SourceLocal, r.CostSource, fx.Name)
				assert.NotEmpty(t, r.Card, fx.Name)
				var parts money.Nanos
				for _, c := range r.CostByMeter {
					parts += c
				}
				assert.Equal(t, r.Cost, parts, "%s: the parts add up to the cost", fx.Name)
			case s.Status == genaiconv.StatusProviderReported:
				assert.NotEmpty(t, r.Currency, fx.Name)
				assert.True(t, r.HasReported || r.CostSource == genaiconv.SourceProvider, fx.Name)
			default:
				assert.Zero(t, r.Cost, "%s: no $0 for an unpriced call", fx.Name)
				assert.Empty(t, r.Currency, fx.Name)
			}
			assert.NotEmpty(t, r.Provider, fx.Name)
			assert.NotEmpty(t, r.Model, fx.Name)
			assert.False(t, r.Start.IsZero(), fx.Name)
			assert.GreaterOrEqual(t, r.CacheSaved, money.Nanos(0), fx.Name)
		}
	}
	assert.Greater(t, total, 80, "the fixtures hold many billable calls")
}

func TestCacheSavedAtListRates(t *testing.T) {
	// gpt-4o-mini: input $0.15/M, cached input $0.075/M (list rates).
	td := llmTraces(func(a pcommon.Map) {
		a.PutStr("gen_ai.provider.name", "openai")
		a.PutStr("gen_ai.response.model", "gpt-4o-mini")
		a.PutInt("gen_ai.usage.input_tokens", 10_000)
		a.PutInt("gen_ai.usage.cache_read_input_tokens", 8_000)
		a.PutInt("gen_ai.usage.output_tokens", 100)
	})
	recs := recordsOf(testConverter(t, nil), nil, priceTraces(t, td)[0])
	require.Len(t, recs, 1)
	r := recs[0]
	assert.Equal(t, genaiconv.StatusPriced, r.Status)
	assert.Equal(t, int64(2_000), r.Tokens[meter.Input], "input includes the cache for OpenAI")
	assert.Equal(t, int64(8_000), r.Tokens[meter.CacheRead])
	// 8000 * (0.15 - 0.075) / 1e6 = $0.0006
	assert.Equal(t, money.Nanos(600_000), r.CacheSaved)
	// 2000*0.15 + 8000*0.075 + 100*0.6 = 300 + 600 + 60 micro-dollars
	assert.Equal(t, money.Nanos(960_000), r.Cost)
	assert.Equal(t, money.Nanos(300_000), r.CostByMeter[meter.Input])
	assert.Equal(t, money.Nanos(600_000), r.CostByMeter[meter.CacheRead])
	assert.Equal(t, money.Nanos(60_000), r.CostByMeter[meter.Output])
	assert.Equal(t, "openai", r.Provider)
	assert.Equal(t, "gpt-4o-mini", r.Model)
}

// llmTraces is one OpenAI-style chat span under a resource; set adds
// attributes.
func llmTraces(set func(pcommon.Map)) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "checkout")
	rs.Resource().Attributes().PutStr("deployment.environment.name", "prod")
	rs.Resource().Attributes().PutStr("tenant.id", "acme")
	s := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s.SetName("chat gpt-4o-mini")
	s.SetKind(ptrace.SpanKindClient)
	s.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	s.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, 8})
	start := time.Date(2026, 11, 20, 10, 0, 0, 123_456_789, time.UTC)
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(1500 * time.Millisecond)))
	a := s.Attributes()
	a.PutStr("gen_ai.operation.name", "chat")
	a.PutStr("gen_ai.request.model", "gpt-4o-mini")
	set(a)
	return td
}

func TestRecordFields(t *testing.T) {
	td := llmTraces(func(a pcommon.Map) {
		a.PutStr("gen_ai.provider.name", "openai")
		a.PutStr("gen_ai.response.model", "gpt-4o-mini-2024-07-18")
		a.PutInt("gen_ai.usage.input_tokens", 100)
		a.PutInt("gen_ai.usage.output_tokens", 10)
		a.PutStr("user.id", "u-42")
		a.PutStr("session.id", "s-1")
		a.PutStr("traceloop.association.properties.session_type", "heartbeat")
		a.PutStr("ai.telemetry.functionId", "summarise")
		a.PutBool("gen_ai.request.stream", true)
		a.PutDouble("gen_ai.response.time_to_first_chunk", 0.25)
		a.PutStr("gen_ai.response.id", "chatcmpl-1")
		a.PutStr("error.type", "RateLimitError")
	})
	recs := recordsOf(testConverter(t, nil), nil, priceTraces(t, td)[0])
	require.Len(t, recs, 1)
	r := recs[0]
	assert.Equal(t, time.Date(2026, 11, 20, 10, 0, 0, 123_000_000, time.UTC), r.Start, "identity at the millisecond")
	assert.Equal(t, 1500*time.Millisecond, r.Duration, "the duration keeps its precision")
	assert.Equal(t, 250*time.Millisecond, r.TTFT)
	assert.True(t, r.Streaming)
	assert.Equal(t, "checkout", r.Service)
	assert.Equal(t, "prod", r.Environment)
	assert.Equal(t, usage.Dimensions{User: "u-42", Tenant: "acme", Session: "s-1", SessionType: "heartbeat", Feature: "summarise"}, r.Dims)
	assert.Equal(t, "gpt-4o-mini", r.RequestModel)
	assert.Equal(t, "gpt-4o-mini-2024-07-18", r.ResponseModel)
	assert.Equal(t, "chat", r.Operation)
	assert.Equal(t, "RateLimitError", r.ErrorType)
	assert.Equal(t, "chatcmpl-1", r.ResponseID)
	assert.Equal(t, strconv.FormatInt(r.Start.UnixMilli(), 10)+"-0102030405060708090a0b0c0d0e0f10-0102030405060708", r.ID())
	assert.Equal(t, int64(1795168800123), r.Start.UnixMilli())
}

func TestDimensionsConfigAndHash(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Dimensions = map[string]DimensionConfig{
		"user":   {Hash: true, HashKey: "k"},
		"tenant": {Attributes: []string{"org"}},
	}
	conv := testConverter(t, cfg)
	td := llmTraces(func(a pcommon.Map) {
		a.PutStr("gen_ai.provider.name", "openai")
		a.PutInt("gen_ai.usage.input_tokens", 1)
		a.PutStr("enduser.id", "alice@example.com")
		a.PutInt("org", 7) // numbers are text here
	})
	r := recordsOf(conv, nil, priceTraces(t, td)[0])[0]
	assert.Equal(t, "7", r.Dims.Tenant, "the configured attribute replaces the defaults (tenant.id on the resource is ignored)")
	assert.Len(t, r.Dims.User, 32)
	assert.NotContains(t, r.Dims.User, "alice")
	again := recordsOf(conv, nil, priceTraces(t, td)[0])[0]
	assert.Equal(t, r.Dims.User, again.Dims.User, "the same id hashes the same")
	cfg.Dimensions["user"] = DimensionConfig{Hash: true, HashKey: "other"}
	other := recordsOf(testConverter(t, cfg), nil, priceTraces(t, td)[0])[0]
	assert.NotEqual(t, r.Dims.User, other.Dims.User, "the key matters")
}

func TestOnlyBillableSpansBecomeRecords(t *testing.T) {
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for i, st := range []string{"", genaiconv.StatusPriced, genaiconv.StatusDuplicate, genaiconv.StatusNotBillable, genaiconv.StatusInvalid, genaiconv.StatusUnpriced, "bogus"} {
		s := spans.AppendEmpty()
		s.SetSpanID(pcommon.SpanID{byte(i + 1)})
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		if st != "" {
			s.Attributes().PutStr(genaiconv.Status, st)
		}
	}
	recs := recordsOf(testConverter(t, nil), nil, td)
	var got []string
	for _, r := range recs {
		got = append(got, r.Status)
	}
	assert.Equal(t, []string{genaiconv.StatusPriced, genaiconv.StatusInvalid, genaiconv.StatusUnpriced}, got)
}

// Hostile attribute values never break a record: text is valid UTF-8 and
// bounded, odd types are ignored, bad amounts are not money.
func TestHostileAttributes(t *testing.T) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutEmptyMap("service.name").PutStr("x", "y")
	s := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	a := s.Attributes()
	a.PutStr(genaiconv.Status, genaiconv.StatusPriced)
	a.PutStr("user.id", "\xff\xfe"+string(make([]byte, 5000)))
	a.PutStr(genaiconv.Card, "no-slash")
	a.PutDouble(genaiconv.CostAmount, -5)
	a.PutStr(genaiconv.ReportedAmount, "1e400")
	a.PutInt(genaiconv.TokensKey(meter.Input), -3)
	a.PutStr("gen_ai.response.time_to_first_chunk", "NaN")
	a.PutEmptySlice("gen_ai.request.stream")
	recs := recordsOf(testConverter(t, nil), nil, td)
	require.Len(t, recs, 1)
	r := recs[0]
	assert.Empty(t, r.Service)
	assert.LessOrEqual(t, len(r.Dims.User), usage.MaxTextLen)
	assert.True(t, utf8Valid(r.Dims.User))
	assert.Zero(t, r.Cost)
	assert.False(t, r.HasReported)
	assert.Zero(t, r.Tokens[meter.Input])
	assert.Zero(t, r.TTFT)
	assert.False(t, r.Streaming)
	assert.Equal(t, "no-slash", r.Card)
	assert.Empty(t, r.Provider)
}

// An emitter's own cost in any form the processor accepts reaches the
// record as the processor read it: here a string with more decimals than
// nanos hold, which both take at its nearest nano.
func TestEmitterCostReadAsTheProcessorReadsIt(t *testing.T) {
	td := llmTraces(func(a pcommon.Map) {
		a.PutStr("gen_ai.provider.name", "openai")
		a.PutInt("gen_ai.usage.input_tokens", 1000)
		a.PutInt("gen_ai.usage.output_tokens", 100)
		a.PutStr(genaiconv.CostAmount, "0.0025000000004")
		a.PutStr(genaiconv.CostCurrency, "USD")
		a.PutStr(genaiconv.CostSource, "provider")
	})
	priced := priceTraces(t, td)[0]
	attrs := priced.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
	_, computed := attrs.Get(genaiconv.ComputedAmount)
	require.True(t, computed, "the processor kept the emitter's cost and priced the call beside it")
	recs := recordsOf(testConverter(t, nil), nil, priced)
	require.Len(t, recs, 1)
	assert.True(t, recs[0].HasReported)
	assert.Equal(t, money.Nanos(2_500_000), recs[0].Reported)
	assert.Equal(t, "USD", recs[0].ReportedCurrency)
}

// A record's provider and model are its card's, whatever the model id holds
// (OpenRouter's "~anthropic/claude-haiku-latest"), also for a card this
// process never loaded (priced by another collector).
func TestProviderAndModelFromTheCard(t *testing.T) {
	td := llmTraces(func(a pcommon.Map) {
		a.PutStr("gen_ai.provider.name", "openrouter")
		a.PutStr("gen_ai.request.model", "~anthropic/claude-haiku-latest")
		a.PutInt("gen_ai.usage.input_tokens", 1000)
		a.PutInt("gen_ai.usage.output_tokens", 100)
	})
	priced := priceTraces(t, td)[0]
	recs := recordsOf(testConverter(t, nil), nil, priced)
	require.Len(t, recs, 1)
	assert.Equal(t, genaiconv.StatusPriced, recs[0].Status)
	assert.Equal(t, "openrouter", recs[0].Provider)
	assert.Equal(t, "~anthropic/claude-haiku-latest", recs[0].Model)

	attrs := priced.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
	attrs.PutStr(genaiconv.Card, "acme/~team/model@v2@2026-01-01~0900-1700#0badf00d")
	recs = recordsOf(testConverter(t, nil), nil, priced)
	require.Len(t, recs, 1)
	assert.Equal(t, "acme", recs[0].Provider)
	assert.Equal(t, "~team/model@v2", recs[0].Model)
}

func utf8Valid(s string) bool { return utf8.ValidString(s) }

// recordsOf is appendRecords at the current time, without its counts.
func recordsOf(c *converter, recs []usage.Record, td ptrace.Traces) []usage.Record {
	out, _, _ := c.appendRecords(recs, td, time.Now())
	return out
}

// What import refuses, ingest mends or counts: a record from a span holds
// what every stored record holds (usage.Record.Check).
func TestSpansMadeIntoSoundRecords(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	add := func(id byte, start, end time.Time) pcommon.Map {
		s := spans.AppendEmpty()
		s.SetTraceID(pcommon.TraceID{1, id})
		s.SetSpanID(pcommon.SpanID{id})
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(end))
		s.Attributes().PutStr(genaiconv.Status, genaiconv.StatusPriced)
		return s.Attributes()
	}
	ok := now.Add(-time.Hour)
	// A currency that is no ISO 4217 code: the amount is unusable.
	a := add(1, ok, ok.Add(time.Second))
	a.PutStr(genaiconv.CostAmount, "5")
	a.PutStr(genaiconv.CostCurrency, "XXXXXXXX' OR 1=1")
	// Parts that do not add up to the cost: the cost stands, the parts go.
	a = add(2, ok, ok.Add(time.Second))
	a.PutStr(genaiconv.CostAmount, "1")
	a.PutStr(genaiconv.CostCurrency, "USD")
	a.PutStr(genaiconv.CostSource, genaiconv.SourceLocal)
	a.PutStr(genaiconv.CostKey(meter.Input), "7")
	// A start in year 1 with a sound end: the end is the record's time.
	add(3, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), ok)
	// Start and end in 9999: no record, counted.
	add(4, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 1, 1, 0, 0, 1, 0, time.UTC))

	recs, sanitized, rejected := testConverter(t, nil).appendRecords(nil, td, now)
	require.Len(t, recs, 3)
	assert.Equal(t, 2, sanitized)
	assert.Equal(t, 1, rejected)
	for i := range recs {
		assert.NoError(t, recs[i].Check(now), "record %d", i)
	}
	assert.Equal(t, genaiconv.StatusInvalid, recs[0].Status)
	assert.Equal(t, usage.ReasonBadCost, recs[0].Reason)
	assert.Zero(t, recs[0].Cost)
	assert.Empty(t, recs[0].Currency)
	assert.Equal(t, money.Nanos(1_000_000_000), recs[1].Cost)
	assert.Equal(t, [meter.Count]money.Nanos{}, recs[1].CostByMeter)
	assert.Equal(t, ok, recs[2].Start)
}

// The service tier the processor wrote is on the record, and the card of
// a variant names its model: a batch call is half the standard price.
func TestServiceTierOnTheRecord(t *testing.T) {
	call := func(tier string) ptrace.Traces {
		return llmTraces(func(a pcommon.Map) {
			a.PutStr("gen_ai.provider.name", "anthropic")
			a.PutStr("gen_ai.response.model", "claude-sonnet-4-5-20250929")
			a.PutInt("gen_ai.usage.input_tokens", 1000)
			a.PutInt("gen_ai.usage.output_tokens", 100)
			if tier != "" {
				a.PutStr("anthropic.response.service_tier", tier)
			}
		})
	}
	var recs []usage.Record
	for _, tier := range []string{"", "standard", "batch", "priority"} {
		recs = append(recs, recordsOf(testConverter(t, nil), nil, priceTraces(t, call(tier))[0])...)
	}
	require.Len(t, recs, 4)
	assert.Empty(t, recs[0].ServiceTier)
	assert.Equal(t, "standard", recs[1].ServiceTier)
	assert.Equal(t, "batch", recs[2].ServiceTier)
	assert.Equal(t, "priority", recs[3].ServiceTier)
	assert.Equal(t, recs[0].Cost, recs[1].Cost)
	assert.Equal(t, recs[0].Cost/2, recs[2].Cost)
	assert.Regexp(t, `^anthropic/claude-sonnet-4-5(@[0-9-]+)?\+batch#`, recs[2].Card)
	assert.Equal(t, "anthropic", recs[2].Provider)
	assert.Equal(t, "claude-sonnet-4-5", recs[2].Model)
	assert.Equal(t, genaiconv.StatusUnpriced, recs[3].Status)
	assert.Equal(t, "unpriced_service_tier:priority", recs[3].Reason)
	assert.Equal(t, "anthropic", recs[3].Provider)
}
