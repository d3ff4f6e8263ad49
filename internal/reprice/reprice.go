// Package reprice prices a stored usage record again: with the catalog
// and the contract terms and exchange rates in force now, at the prices
// in force at the call's time. It is what a repricing run applies to each
// record of its range.
//
// What is repriced, and what is left as it is:
//   - a call priced here (cost source local), priced in part, or
//     unpriced for want of a model, a price at its time or a price of its
//     service tier: priced again from its token counts with the card in
//     force at its start, at its service tier and with the modifiers its
//     old card named (the inference geography), then charged (contract,
//     conversion);
//   - a call charged from a provider's reported amount: charged again
//     from that amount (a converted one only when no contract applied,
//     since the amount before the contract is not kept);
//   - an invalid call, one without usage, or one whose model the catalog
//     does not know now: left as it is. A call priced before is never made
//     unpriced by a repricing.
package reprice

import (
	"strings"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/charge"
	"github.com/otelcol-genai/otelcol-genai/internal/cost"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// Pricer prices records again.
type Pricer struct {
	Catalog *catalog.Catalog
	// Charge charges the list price; nil charges nothing.
	Charge *charge.Charger
}

// Reprice prices r again in place and reports whether any amount, the
// card, the status or the charging of r changed.
func (p *Pricer) Reprice(r *usage.Record) bool {
	before := *r
	switch {
	case r.CostSource == genaiconv.SourceProvider && r.Card == "":
		if !providerList(r) {
			return false
		}
	case repriceable(r):
		if !p.price(r) {
			*r = before
			return false
		}
	default:
		return false
	}
	ch := p.Charge
	if ch == nil {
		ch = &charge.Charger{}
	}
	_ = ch.Apply(r) // charged as far as it can be, as at ingest
	return changed(&before, r)
}

// repriceable reports whether r's price comes from a card, or could.
func repriceable(r *usage.Record) bool {
	switch r.Status {
	case genaiconv.StatusPriced, genaiconv.StatusPartial, genaiconv.StatusProviderReported:
		return r.CostSource == genaiconv.SourceLocal
	case genaiconv.StatusUnpriced:
		return r.Reason == "unknown_model" || r.Reason == "unknown_provider" || r.Reason == "no_price_at_time" ||
			strings.HasPrefix(r.Reason, "unpriced_service_tier")
	}
	return false
}

// price prices r's tokens with the card in force at its start; false if
// there is none.
func (p *Pricer) price(r *usage.Record) bool {
	if p.Catalog == nil || r.Tokens == (meter.Counts{}) {
		return false
	}
	q := catalog.Query{Model: r.Model}
	if r.Provider != "" {
		q.Providers = []string{r.Provider}
	}
	res := p.Catalog.Resolve(q)
	if res.Model == nil && r.ResponseModel != "" {
		q.Model = r.ResponseModel
		res = p.Catalog.Resolve(q)
	}
	if res.Model == nil {
		return false
	}
	card := res.Model.CardAt(r.Start)
	if card == nil {
		return false
	}
	var modifiers []string
	if _, _, variants, ok := catalog.ParseCardIDVariants(r.Card); ok {
		for _, v := range variants {
			if strings.Contains(v, ":") {
				modifiers = append(modifiers, v)
			}
		}
	}
	card, ok := card.Variant(r.ServiceTier, modifiers...)
	if !ok {
		return false // still no price for its tier
	}
	priced := cost.Compute(card, &r.Tokens)
	r.Card, r.Provider, r.Model = card.ID, card.Provider, card.Model
	r.Cost, r.CostByMeter, r.Currency, r.CostSource = priced.Total, priced.ByMeter, card.Currency, genaiconv.SourceLocal
	r.CacheSaved = cost.CacheSaved(card, &r.Tokens)
	switch {
	case r.Status == genaiconv.StatusProviderReported:
	case priced.Partial():
		r.Status, r.Reason = genaiconv.StatusPartial, genaiconv.PartialReason(priced.Unpriced)
	default:
		r.Status = genaiconv.StatusPriced
		if !strings.HasPrefix(r.Reason, "estimated:") { // an estimate keeps its method
			r.Reason = ""
		}
	}
	return true
}

// providerList restores a provider-charged record's amount before it was
// charged; false when it is not kept.
func providerList(r *usage.Record) bool {
	switch {
	case r.Currency == "":
		return false
	case r.FXRate == "":
		r.Cost = r.ListCost
	case r.Contract == "":
		r.Cost, r.Currency = r.SourceCost, r.SourceCurrency
	default:
		return false
	}
	r.CostByMeter, r.CacheSaved = [meter.Count]money.Nanos{}, 0
	return true
}

// changed reports whether what a repricing writes differs.
func changed(a, b *usage.Record) bool {
	return a.Provider != b.Provider || a.Model != b.Model || a.Status != b.Status || a.Reason != b.Reason ||
		a.Card != b.Card || a.CostSource != b.CostSource || a.CostByMeter != b.CostByMeter || a.Cost != b.Cost ||
		a.Currency != b.Currency || a.CacheSaved != b.CacheSaved || a.ListCost != b.ListCost || a.Contract != b.Contract ||
		a.Multiplier != b.Multiplier || a.FXRate != b.FXRate || a.SourceCost != b.SourceCost || a.SourceCurrency != b.SourceCurrency
}
