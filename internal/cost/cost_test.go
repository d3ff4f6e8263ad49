package cost

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

func card(t *testing.T, rates string) *catalog.Card {
	t.Helper()
	c, err := catalog.Load(catalog.Source{Name: "t.yaml", Data: []byte("catalog_version: 1\nproviders:\n  - id: p\n    models:\n      - id: m\n        prices:\n          - " + rates + "\n")})
	require.NoError(t, err)
	return c.Provider("p").Match("m").Cards[0]
}

func usage(kv map[meter.Meter]int64) *meter.Counts {
	var u meter.Counts
	for k, v := range kv {
		u[k] = v
	}
	return &u
}

// usd parses a decimal amount for expectations.
func usd(t *testing.T, s string) money.Nanos {
	t.Helper()
	n, err := money.ParseDecimal(s)
	require.NoError(t, err)
	return n
}

func TestInputOutput(t *testing.T) {
	c := card(t, "rates: {input_mtok: 2.5, output_mtok: 10}")
	r := Compute(c, usage(map[meter.Meter]int64{meter.Input: 1000, meter.Output: 500}))
	assert.Equal(t, usd(t, "0.0075"), r.Total) // 1000*2.5e-6 + 500*1e-5
	assert.Equal(t, usd(t, "0.0025"), r.ByMeter[meter.Input])
	assert.Equal(t, usd(t, "0.005"), r.ByMeter[meter.Output])
	assert.False(t, r.Partial())
}

func TestCacheClasses(t *testing.T) {
	c := card(t, "rates: {input_mtok: 3, cache_read_mtok: 0.3, cache_write_mtok: 3.75, cache_write_1h_mtok: 6, output_mtok: 15}")
	r := Compute(c, usage(map[meter.Meter]int64{
		meter.Input: 100, meter.CacheRead: 2000, meter.CacheWrite5m: 500, meter.CacheWrite1h: 1000, meter.Output: 250,
	}))
	want := map[meter.Meter]string{
		meter.Input:        "0.0003",   // 100 * 3e-6
		meter.CacheRead:    "0.0006",   // 2000 * 0.3e-6
		meter.CacheWrite5m: "0.001875", // 500 * 3.75e-6
		meter.CacheWrite1h: "0.006",    // 1000 * 6e-6
		meter.Output:       "0.00375",  // 250 * 15e-6
	}
	var sum money.Nanos
	for m, s := range want {
		assert.Equal(t, usd(t, s), r.ByMeter[m], m.String())
		sum += usd(t, s)
	}
	assert.Equal(t, sum, r.Total)
}

func TestLongContextTierRepricesWholeRequest(t *testing.T) {
	c := card(t, `rates: {input_mtok: 3, cache_read_mtok: 0.3, output_mtok: 15}
            tiers: [{above: 200000, rates: {input_mtok: 6, cache_read_mtok: 0.6, output_mtok: 22.5}}]`)
	// Input measured with cache: 150k uncached + 50k cached = 200k -> base.
	r := Compute(c, usage(map[meter.Meter]int64{meter.Input: 150_000, meter.CacheRead: 50_000, meter.Output: 1000}))
	assert.Equal(t, int64(0), r.TierAbove)
	assert.Equal(t, usd(t, "0.45")+usd(t, "0.015")+usd(t, "0.015"), r.Total)
	// One more cached token crosses the threshold: every token at tier rates.
	r = Compute(c, usage(map[meter.Meter]int64{meter.Input: 150_000, meter.CacheRead: 50_001, meter.Output: 1000}))
	assert.Equal(t, int64(200_000), r.TierAbove)
	assert.Equal(t, usd(t, "0.9"), r.ByMeter[meter.Input])
	assert.Equal(t, usd(t, "0.0300006"), r.ByMeter[meter.CacheRead])
	assert.Equal(t, usd(t, "0.0225"), r.ByMeter[meter.Output])
}

func TestFallbacksAreDocumentedRates(t *testing.T) {
	// No cache rates: reads and 5m writes bill as input; no 1h rate: partial.
	c := card(t, "rates: {input_mtok: 2, output_mtok: 8}")
	r := Compute(c, usage(map[meter.Meter]int64{meter.Input: 1000, meter.CacheRead: 1000, meter.CacheWrite5m: 1000, meter.CacheWrite1h: 1000, meter.Output: 10}))
	assert.Equal(t, usd(t, "0.002"), r.ByMeter[meter.CacheRead])
	assert.Equal(t, usd(t, "0.002"), r.ByMeter[meter.CacheWrite5m])
	assert.Equal(t, money.Nanos(0), r.ByMeter[meter.CacheWrite1h])
	assert.True(t, r.Partial())
	assert.True(t, r.Unpriced.Has(meter.CacheWrite1h))
	assert.Equal(t, usd(t, "0.006")+usd(t, "0.00008"), r.Total)
}

func TestReasoningBilledAsOutputUnlessPricedApart(t *testing.T) {
	u := usage(map[meter.Meter]int64{meter.Input: 100, meter.Output: 1000, meter.Reasoning: 800})
	asOutput := Compute(card(t, "rates: {input_mtok: 1, output_mtok: 4}"), u)
	assert.Equal(t, usd(t, "0.004"), asOutput.ByMeter[meter.Output], "reasoning is inside output: 1000 tokens, never 1800")
	assert.Equal(t, money.Nanos(0), asOutput.ByMeter[meter.Reasoning])
	apart := Compute(card(t, "rates: {input_mtok: 1, output_mtok: 4, output_reasoning_mtok: 3.5}"), u)
	assert.Equal(t, usd(t, "0.0008"), apart.ByMeter[meter.Output]) // 200 visible tokens
	assert.Equal(t, usd(t, "0.0028"), apart.ByMeter[meter.Reasoning])
}

func TestModalities(t *testing.T) {
	// Audio priced apart; image tokens at text rate when no image rate.
	c := card(t, "rates: {input_mtok: 2.5, cache_read_mtok: 1.25, output_mtok: 10, input_audio_mtok: 40, cache_audio_read_mtok: 2.5, output_audio_mtok: 80}")
	r := Compute(c, usage(map[meter.Meter]int64{
		meter.Input: 1000, meter.InputAudio: 400, meter.InputImage: 100,
		meter.CacheRead: 500, meter.CacheReadAudio: 200,
		meter.Output: 300, meter.OutputAudio: 100,
	}))
	assert.Equal(t, usd(t, "0.0015"), r.ByMeter[meter.Input]) // 600 text+image tokens
	assert.Equal(t, usd(t, "0.016"), r.ByMeter[meter.InputAudio])
	assert.Equal(t, usd(t, "0.000375"), r.ByMeter[meter.CacheRead]) // 300 text tokens
	assert.Equal(t, usd(t, "0.0005"), r.ByMeter[meter.CacheReadAudio])
	assert.Equal(t, usd(t, "0.002"), r.ByMeter[meter.Output])
	assert.Equal(t, usd(t, "0.008"), r.ByMeter[meter.OutputAudio])
	assert.False(t, r.Partial())

	// Audio without an audio rate is not billed as text: partial.
	r = Compute(card(t, "rates: {input_mtok: 2.5, output_mtok: 10}"), usage(map[meter.Meter]int64{meter.Input: 1000, meter.InputAudio: 400, meter.Output: 10}))
	assert.True(t, r.Unpriced.Has(meter.InputAudio))
	assert.Equal(t, usd(t, "0.0015")+usd(t, "0.0001"), r.Total)

	// A subset larger than its meter is clamped, never billed twice.
	r = Compute(c, usage(map[meter.Meter]int64{meter.Input: 100, meter.InputAudio: 400}))
	assert.Equal(t, money.Nanos(0), r.ByMeter[meter.Input])
	assert.Equal(t, usd(t, "0.004"), r.ByMeter[meter.InputAudio])
}

func TestRequestFee(t *testing.T) {
	withFee := Compute(card(t, "rates: {input_mtok: 1, output_mtok: 1, requests_kcount: 5}"), usage(map[meter.Meter]int64{meter.Input: 1000, meter.Request: 1}))
	assert.Equal(t, usd(t, "0.005"), withFee.ByMeter[meter.Request])
	assert.Equal(t, usd(t, "0.006"), withFee.Total)
	noFee := Compute(card(t, "rates: {input_mtok: 1, output_mtok: 1}"), usage(map[meter.Meter]int64{meter.Input: 1000, meter.Request: 1}))
	assert.False(t, noFee.Partial(), "a card without a request fee charges none")
}

func TestMissingCoreRateIsPartial(t *testing.T) {
	r := Compute(card(t, "rates: {input_mtok: 0.02}"), usage(map[meter.Meter]int64{meter.Input: 1000, meter.Output: 5}))
	assert.True(t, r.Unpriced.Has(meter.Output))
	assert.Equal(t, usd(t, "0.00002"), r.Total)
}

func TestFreeModelIsZeroNotUnpriced(t *testing.T) {
	r := Compute(card(t, "rates: {input_mtok: 0, output_mtok: 0}"), usage(map[meter.Meter]int64{meter.Input: 1000, meter.Output: 5}))
	assert.False(t, r.Partial())
	assert.Equal(t, money.Nanos(0), r.Total)
}

func TestTotalIsSumOfParts(t *testing.T) {
	c := card(t, "rates: {input_mtok: 0.00875, cache_read_mtok: 0.0021875, output_mtok: 0.035}")
	for n := int64(1); n < 2000; n += 7 {
		r := Compute(c, usage(map[meter.Meter]int64{meter.Input: n, meter.CacheRead: 3 * n, meter.Output: n / 2}))
		var sum money.Nanos
		for _, v := range r.ByMeter {
			sum += v
		}
		require.Equal(t, sum, r.Total)
	}
}

func BenchmarkCompute(b *testing.B) {
	c, err := catalog.Load(catalog.Source{Name: "t.yaml", Data: []byte(`catalog_version: 1
providers:
  - id: p
    models:
      - id: m
        prices:
          - rates: {input_mtok: 3, cache_read_mtok: 0.3, cache_write_mtok: 3.75, output_mtok: 15}
            tiers: [{above: 200000, rates: {input_mtok: 6, cache_read_mtok: 0.6, cache_write_mtok: 7.5, output_mtok: 22.5}}]
`)})
	if err != nil {
		b.Fatal(err)
	}
	card := c.Provider("p").Match("m").Cards[0]
	u := meter.Counts{meter.Input: 1200, meter.CacheRead: 30000, meter.Output: 800, meter.Request: 1}
	b.ReportAllocs()
	for b.Loop() {
		_ = Compute(card, &u)
	}
}

func TestExplainListsEachMeterAsBilled(t *testing.T) {
	// No cache read rate: reads bill at the input rate; no 1h rate: unpriced;
	// reasoning priced apart is split out of output.
	c := card(t, "rates: {input_mtok: 2, output_mtok: 8, output_reasoning_mtok: 6}")
	u := usage(map[meter.Meter]int64{meter.Input: 1000, meter.CacheRead: 500, meter.CacheWrite1h: 10, meter.Output: 300, meter.Reasoning: 100})
	res, lines := Explain(c, u)
	assert.Equal(t, Compute(c, u), res, "Explain prices as Compute does")
	var sum money.Nanos
	got := map[meter.Meter]Line{}
	for _, l := range lines {
		got[l.Meter] = l
		sum += l.Amount
	}
	assert.Equal(t, res.Total, sum)
	assert.Equal(t, Line{Meter: meter.Input, Tokens: 1000, RatedAs: meter.Input, Rate: money.Price{Nanos: usd(t, "2"), Per: 1_000_000}, Amount: usd(t, "0.002")}, got[meter.Input])
	assert.Equal(t, meter.Input, got[meter.CacheRead].RatedAs)
	assert.Equal(t, usd(t, "0.001"), got[meter.CacheRead].Amount)
	assert.True(t, got[meter.CacheWrite1h].Unpriced)
	assert.Equal(t, int64(200), got[meter.Output].Tokens, "reasoning split out")
	assert.Equal(t, int64(100), got[meter.Reasoning].Tokens)
	assert.Len(t, lines, 5)
}
