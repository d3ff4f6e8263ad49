package charge

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/contract"
	"github.com/otelcol-genai/otelcol-genai/internal/cost"
	"github.com/otelcol-genai/otelcol-genai/internal/fx"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// A small catalog: gpt-4o-mini at its public list prices.
var testCatalog = `catalog_version: 1
currency: USD
providers:
  - id: openai
    models:
      - id: gpt-4o-mini
        match: [{exact: gpt-4o-mini}]
        prices:
          - rates: {input_mtok: 0.15, cache_read_mtok: 0.075, output_mtok: 0.6}
`

// Rates as the ECB states them (1 EUR = x USD), on business days only.
var testRates = `date,base,quote,rate
2026-11-27,EUR,USD,1.0500
2026-11-30,EUR,USD,1.0823
2026-12-01,EUR,USD,1.0790
2026-11-30,EUR,GBP,0.8312
`

func setup(t *testing.T, terms []contract.Config, currency string) (*Charger, *catalog.Card) {
	t.Helper()
	cat, err := catalog.Load(catalog.Source{Name: "test", Data: []byte(testCatalog)})
	require.NoError(t, err)
	card := cat.Provider("openai").Match("gpt-4o-mini").Cards[0]
	set, err := contract.New(terms)
	require.NoError(t, err)
	table, err := fx.Load([]fx.Source{{Name: "rates.csv", Data: []byte(testRates)}})
	require.NoError(t, err)
	return &Charger{Terms: set, Currency: currency, Rates: table, Card: func(id string) *catalog.Card {
		if id == card.ID {
			return card
		}
		return nil
	}}, card
}

// call is a gpt-4o-mini call priced as the processor prices it: 1M
// input, 200k cached, 100k output at list prices.
func call(t *testing.T, card *catalog.Card, at time.Time, user string) usage.Record {
	r := usage.Record{Start: at, Provider: "openai", Model: "gpt-4o-mini", Status: genaiconv.StatusPriced,
		CostSource: genaiconv.SourceLocal, Currency: "USD", Card: card.ID, TraceID: [16]byte{1}, SpanID: [8]byte{1}}
	r.Dims.User = user
	r.Tokens[meter.Input], r.Tokens[meter.CacheRead], r.Tokens[meter.Output] = 1_000_000, 200_000, 100_000
	p := cost.Compute(card, &r.Tokens)
	r.Cost, r.CostByMeter = p.Total, p.ByMeter
	r.CacheSaved = cost.CacheSaved(card, &r.Tokens)
	require.Equal(t, money.Nanos(225_000_000), r.Cost, "0.15 + 0.015 + 0.06")
	return r
}

func day(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) }

func TestNothingConfigured(t *testing.T) {
	ch, card := setup(t, nil, "")
	r := call(t, card, day(15, 10), "alice")
	want := r
	require.NoError(t, ch.Apply(&r))
	want.ListCost = want.Cost
	assert.Equal(t, want, r)
	assert.NoError(t, (&Charger{}).Apply(&r), "the zero value charges nothing")
	assert.Equal(t, want, r)
}

// A contract renegotiated mid-month: 10 % off until the 15th, 20 % off
// from then, and a team with its own rates from the 20th.
func TestContractChangesMidMonth(t *testing.T) {
	ch, card := setup(t, []contract.Config{
		{Name: "research-rates", From: "2026-11-20", Match: map[string]string{"user": "res-*"}, Rates: map[string]string{"input_mtok": "0.10", "output_mtok": "0.40"}},
		{Name: "openai-enterprise", From: "2026-11-01", To: "2026-11-15", Match: map[string]string{"provider": "openai"}, Multiplier: "0.9"},
		{Name: "openai-enterprise", From: "2026-11-15", Match: map[string]string{"provider": "openai", "model": "gpt-4o*"}, Multiplier: "0.8"},
	}, "")
	for _, c := range []struct {
		at           time.Time
		user         string
		cost         money.Nanos
		contract, mu string
	}{
		{day(1, 0).Add(-time.Nanosecond), "alice", 225_000_000, "", ""}, // before any term
		{day(1, 0), "alice", 202_500_000, "openai-enterprise@2026-11-01", "0.9"},
		{day(14, 23), "alice", 202_500_000, "openai-enterprise@2026-11-01", "0.9"},
		{day(15, 0), "alice", 180_000_000, "openai-enterprise@2026-11-15", "0.8"}, // To is exclusive
		{day(19, 12), "res-bob", 180_000_000, "openai-enterprise@2026-11-15", "0.8"},
		// 1M x 0.10 + 200k cached at the card's 0.075 + 100k x 0.40 = 0.1 + 0.015 + 0.04
		{day(20, 0), "res-bob", 155_000_000, "research-rates@2026-11-20", ""},
		{day(28, 0), "alice", 180_000_000, "openai-enterprise@2026-11-15", "0.8"},
	} {
		r := call(t, card, c.at, c.user)
		require.NoError(t, ch.Apply(&r))
		assert.Equal(t, c.cost, r.Cost, "%v %s", c.at, c.user)
		assert.Equal(t, money.Nanos(225_000_000), r.ListCost, "the list cost stays")
		assert.Equal(t, c.contract, r.Contract)
		assert.Equal(t, c.mu, r.Multiplier)
		assert.Equal(t, "USD", r.Currency)
		assert.NoError(t, r.Check(day(30, 0)), "parts add up to the actual cost")
	}
}

func TestMultiplierRoundsEachPartHalfToEven(t *testing.T) {
	ch, card := setup(t, []contract.Config{{Name: "odd", From: "2026-01-01", Multiplier: "0.5"}}, "")
	r := call(t, card, day(2, 0), "")
	r.CostByMeter = [meter.Count]money.Nanos{}
	r.CostByMeter[meter.Input], r.CostByMeter[meter.Output] = 3, 5 // 1.5 -> 2, 2.5 -> 2
	r.Cost = 8
	require.NoError(t, ch.Apply(&r))
	assert.Equal(t, money.Nanos(2), r.CostByMeter[meter.Input])
	assert.Equal(t, money.Nanos(2), r.CostByMeter[meter.Output])
	assert.Equal(t, money.Nanos(4), r.Cost, "the sum of the parts, not half of 8 rounded apart")
	// A cost without parts (a provider's) is scaled whole.
	r = usage.Record{Start: day(2, 0), Status: genaiconv.StatusProviderReported, CostSource: genaiconv.SourceProvider, Cost: 7, Currency: "USD"}
	require.NoError(t, ch.Apply(&r))
	assert.Equal(t, money.Nanos(4), r.Cost, "3.5 -> 4")
	assert.Equal(t, money.Nanos(7), r.ListCost)
}

// Amounts are converted at the rate in force at the call's start: the
// weekend uses Friday's.
func TestConversionAtCallTime(t *testing.T) {
	ch, card := setup(t, []contract.Config{{Name: "ent", From: "2026-01-01", Multiplier: "0.8"}}, "EUR")
	for _, c := range []struct {
		at   time.Time
		rate string
		// the actual parts 0.12, 0.012, 0.048 USD divided by the rate,
		// each rounded half to even to the nano, then summed
		cost, list money.Nanos
	}{
		// Saturday 28th: Friday 27th's 1.05. 120000000/1.05 = 114285714.28
		// -> 114285714; 12000000/1.05 = 11428571.43 -> 11428571;
		// 48000000/1.05 = 45714285.71 -> 45714286. List: 150000000/1.05
		// = 142857142.86 -> 142857143; 15000000/1.05 -> 14285714.29 ->
		// 14285714; 60000000/1.05 = 57142857.14 -> 57142857.
		{day(28, 12), "USD>EUR:EUR/USD=1.0500@2026-11-27", 114285714 + 11428571 + 45714286, 142857143 + 14285714 + 57142857},
		// Monday 30th: 1.0823. 120000000/1.0823 = 110874988.45 -> 110874988;
		// 12000000/1.0823 = 11087498.85 -> 11087499; 48000000/1.0823 =
		// 44349995.38 -> 44349995. List: 138593735.56 -> 138593736;
		// 13859373.56 -> 13859374; 55437494.23 -> 55437494.
		{day(30, 9), "USD>EUR:EUR/USD=1.0823@2026-11-30", 110874988 + 11087499 + 44349995, 138593736 + 13859374 + 55437494},
	} {
		r := call(t, card, c.at, "")
		require.NoError(t, ch.Apply(&r))
		assert.Equal(t, "EUR", r.Currency)
		assert.Equal(t, c.rate, r.FXRate)
		assert.Equal(t, c.cost, r.Cost, "%v", c.at)
		assert.Equal(t, c.list, r.ListCost, "%v", c.at)
		assert.Equal(t, money.Nanos(180_000_000), r.SourceCost, "the actual cost before conversion")
		assert.Equal(t, "USD", r.SourceCurrency)
		assert.Equal(t, "ent@2026-01-01", r.Contract)
		assert.NoError(t, r.Check(day(30, 23)))
		parsed, err := fx.ParseRate(r.FXRate)
		require.NoError(t, err)
		assert.Equal(t, r.Cost, parsed.Convert(money.Nanos(120_000_000))+parsed.Convert(12_000_000)+parsed.Convert(48_000_000),
			"the stored rate reproduces the amount")
	}
}

func TestNoRateKeepsTheCallsCurrency(t *testing.T) {
	ch, card := setup(t, nil, "EUR")
	r := call(t, card, day(20, 0), "") // before the first rate (the 27th)
	err := ch.Apply(&r)
	require.ErrorIs(t, err, ErrNoRate)
	assert.Equal(t, "USD", r.Currency, "never a made-up conversion")
	assert.Equal(t, money.Nanos(225_000_000), r.Cost)
	assert.Empty(t, r.FXRate)
	assert.NoError(t, r.Check(day(30, 0)))

	gbp, _ := setup(t, nil, "GBP")
	r = call(t, card, day(30, 12), "")
	require.NoError(t, gbp.Apply(&r))
	assert.Equal(t, "USD>GBP:EUR/USD=1.0823@2026-11-30;EUR/GBP=0.8312@2026-11-30", r.FXRate, "a cross rate through EUR")
	assert.Equal(t, "GBP", r.Currency)
}

func TestRatesTermNeedsTheCard(t *testing.T) {
	ch, card := setup(t, []contract.Config{{Name: "r", From: "2026-01-01", Rates: map[string]string{"input_mtok": "0.1"}}}, "")
	r := call(t, card, day(2, 0), "")
	r.Card = "openai/gpt-4o-mini#ffffffff" // priced by another catalog
	err := ch.Apply(&r)
	require.ErrorIs(t, err, ErrNoCard)
	assert.Equal(t, r.ListCost, r.Cost, "charged at list price")
	assert.Empty(t, r.Contract, "and names no contract")
}

func TestUnpricedStaysUnpriced(t *testing.T) {
	ch, _ := setup(t, []contract.Config{{Name: "all", From: "2026-01-01", Multiplier: "0.5"}}, "EUR")
	r := usage.Record{Start: day(30, 0), Status: genaiconv.StatusUnpriced, Reason: "unknown_model"}
	require.NoError(t, ch.Apply(&r))
	assert.Equal(t, usage.Record{Start: day(30, 0), Status: genaiconv.StatusUnpriced, Reason: "unknown_model"}, r)
}

// Charging a record again from its list amounts gives the same result:
// what a repricing relies on.
func TestApplyIsRepeatable(t *testing.T) {
	ch, card := setup(t, []contract.Config{{Name: "ent", From: "2026-01-01", Multiplier: "0.85"}}, "EUR")
	a := call(t, card, day(30, 12), "")
	b := a
	require.NoError(t, ch.Apply(&a))
	require.NoError(t, ch.Apply(&b))
	assert.Equal(t, a, b)
}
