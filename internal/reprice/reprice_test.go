package reprice

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/charge"
	"github.com/otelcol-genai/otelcol-genai/internal/contract"
	"github.com/otelcol-genai/otelcol-genai/internal/cost"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// oldCatalog priced the calls; newCatalog lowers gpt-4o-mini's output
// price from 2026-11-15, adds a model, and has batch prices.
const oldCatalog = `catalog_version: 1
providers:
  - id: openai
    models:
      - id: gpt-4o-mini
        match: [{exact: gpt-4o-mini}]
        prices:
          - rates: {input_mtok: 0.15, cache_read_mtok: 0.075, output_mtok: 0.6}
`

const newCatalog = `catalog_version: 1
providers:
  - id: openai
    models:
      - id: gpt-4o-mini
        match: [{exact: gpt-4o-mini}]
        prices:
          - rates: {input_mtok: 0.15, cache_read_mtok: 0.075, output_mtok: 0.6}
            variants: {batch: {multiplier: 0.5}}
          - from: 2026-11-15
            rates: {input_mtok: 0.15, cache_read_mtok: 0.075, output_mtok: 0.5}
            variants: {batch: {multiplier: 0.5}}
      - id: acme-llm-9000
        match: [{exact: acme-llm-9000}]
        prices:
          - rates: {input_mtok: 1, output_mtok: 2}
`

func load(t *testing.T, yaml string) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Load(catalog.Source{Name: "test", Data: []byte(yaml)})
	require.NoError(t, err)
	return cat
}

// ingested is a call as the processor and exporter stored it with the
// old catalog: 1M input, 100k output tokens.
func ingested(t *testing.T, at time.Time, model string) usage.Record {
	r := usage.Record{Start: at, Provider: "openai", Model: model, Status: genaiconv.StatusUnpriced, Reason: "unknown_model",
		CostSource: genaiconv.SourceLocal, TraceID: [16]byte{1}, SpanID: [8]byte{1}}
	r.Tokens[meter.Input], r.Tokens[meter.Output] = 1_000_000, 100_000
	if m := load(t, oldCatalog).Provider("openai").Match(model); m != nil {
		card := m.CardAt(at)
		p := cost.Compute(card, &r.Tokens)
		r.Status, r.Reason, r.Card, r.Cost, r.CostByMeter, r.Currency = genaiconv.StatusPriced, "", card.ID, p.Total, p.ByMeter, card.Currency
	}
	r.ListCost = r.Cost
	return r
}

func TestNewPriceFromItsDate(t *testing.T) {
	p := &Pricer{Catalog: load(t, newCatalog)}
	before := ingested(t, time.Date(2026, 11, 14, 23, 59, 0, 0, time.UTC), "gpt-4o-mini")
	r := before
	assert.False(t, p.Reprice(&r), "before the new price: the same amounts, the same card id")
	assert.Equal(t, before, r)

	r = ingested(t, time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC), "gpt-4o-mini")
	require.Equal(t, money.Nanos(210_000_000), r.Cost, "0.15 + 0.06")
	assert.True(t, p.Reprice(&r))
	assert.Equal(t, money.Nanos(200_000_000), r.Cost, "0.15 + 0.05")
	assert.Equal(t, money.Nanos(200_000_000), r.ListCost)
	assert.Contains(t, r.Card, "openai/gpt-4o-mini@2026-11-15")
	assert.NoError(t, r.Check(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)))
	again := r
	assert.False(t, p.Reprice(&again), "repricing twice changes nothing")
}

func TestUnpricedBecomesPriced(t *testing.T) {
	p := &Pricer{Catalog: load(t, newCatalog)}
	r := ingested(t, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), "acme-llm-9000")
	require.Equal(t, genaiconv.StatusUnpriced, r.Status)
	assert.True(t, p.Reprice(&r))
	assert.Equal(t, genaiconv.StatusPriced, r.Status)
	assert.Empty(t, r.Reason)
	assert.Equal(t, money.Nanos(1_200_000_000), r.Cost, "1 + 0.2")
	assert.Equal(t, "USD", r.Currency)
}

func TestServiceTierPricedWithItsVariant(t *testing.T) {
	p := &Pricer{Catalog: load(t, newCatalog)}
	r := ingested(t, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), "gpt-4o-mini")
	r.ServiceTier, r.Status, r.Reason, r.Cost, r.ListCost, r.Currency, r.Card = "batch", genaiconv.StatusUnpriced, "unpriced_service_tier:batch", 0, 0, "", ""
	r.CostByMeter = [meter.Count]money.Nanos{}
	assert.True(t, p.Reprice(&r))
	assert.Equal(t, money.Nanos(100_000_000), r.Cost, "half of 0.2")
	assert.Contains(t, r.Card, "+batch")
	r.ServiceTier = "flex" // no price for it: left as it is
	r.Status, r.Cost, r.Currency, r.Card = genaiconv.StatusUnpriced, 0, "", ""
	before := r
	assert.False(t, p.Reprice(&r))
	assert.Equal(t, before, r)
}

func TestLeftAsTheyAre(t *testing.T) {
	p := &Pricer{Catalog: load(t, newCatalog)}
	at := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	for _, r := range []usage.Record{
		{Start: at, Status: genaiconv.StatusInvalid, Reason: "negative:gen_ai.usage.input_tokens", Model: "gpt-4o-mini", Provider: "openai"},
		{Start: at, Status: genaiconv.StatusUnpriced, Reason: "no_usage", Model: "gpt-4o-mini", Provider: "openai"},
		{Start: at, Status: genaiconv.StatusPriced, Model: "gone-model", Provider: "openai", Cost: 5, ListCost: 5, Currency: "USD", CostSource: "local", Card: "openai/gone-model#00000000",
			Tokens: meter.Counts{meter.Input: 10}},
	} {
		before := r
		assert.False(t, p.Reprice(&r), "%+v", before)
		assert.Equal(t, before, r)
	}
}

// A provider's reported amount is charged again with the terms now.
func TestProviderAmountChargedAgain(t *testing.T) {
	terms, err := contract.New([]contract.Config{{Name: "router", From: "2026-01-01", Match: map[string]string{"provider": "openrouter"}, Multiplier: "0.9"}})
	require.NoError(t, err)
	p := &Pricer{Catalog: load(t, newCatalog), Charge: &charge.Charger{Terms: terms}}
	r := usage.Record{Start: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Provider: "openrouter", Model: "x", Status: genaiconv.StatusProviderReported,
		CostSource: genaiconv.SourceProvider, Cost: 1_000_000, ListCost: 1_000_000, Currency: "USD", TraceID: [16]byte{1}, SpanID: [8]byte{1}}
	assert.True(t, p.Reprice(&r))
	assert.Equal(t, money.Nanos(900_000), r.Cost)
	assert.Equal(t, money.Nanos(1_000_000), r.ListCost)
	assert.Equal(t, "router@2026-01-01", r.Contract)
	assert.False(t, p.Reprice(&r), "charged from its list amount again: the same")
}
