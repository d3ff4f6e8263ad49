// Package charge turns what a call costs at list prices into what the
// organisation pays, in the currency it reports in: the contract term in
// force (package contract), then the conversion at the exchange rate in
// force at the call's start (package fx). The genai_usage exporter
// charges every record it builds from a span, and a repricing charges
// stored records again the same way.
//
// Amounts in different currencies are never added: a record converted is
// wholly in the reporting currency, with the rate it was converted at
// and its amount before; a record that cannot be converted (no rate in
// force) keeps its own currency, and the sums show it apart.
//
// Rounding: every amount is rounded once per step, half to even, to the
// nano. The contract's multiplier and the conversion apply to each
// meter's amount, and a total is the sum of its parts; an amount without
// parts (a provider's reported cost) is converted whole.
package charge

import (
	"errors"
	"fmt"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/contract"
	"github.com/otelcol-genai/otelcol-genai/internal/cost"
	"github.com/otelcol-genai/otelcol-genai/internal/fx"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// Charger charges records. The zero value charges nothing: the actual
// cost is the list cost, in the catalog's currency.
type Charger struct {
	// Terms are the contract terms; nil for none.
	Terms *contract.Set
	// Currency is the reporting currency, "" to keep each call's own;
	// Rates converts into it.
	Currency string
	Rates    *fx.Table
	// Card finds a price card by id, for the terms that set rates.
	Card func(id string) *catalog.Card
}

// The errors of Apply. The record is charged as far as it could be.
var (
	// ErrNoCard: the term in force sets rates and the call's price card
	// is unknown here, so the term could not apply: the actual cost is
	// the list cost, and the record names no contract.
	ErrNoCard = errors.New("the contract term sets rates and the call's price card is not in this collector's catalog")
	// ErrNoRate: no exchange rate was in force; the record keeps the
	// currency it was priced in.
	ErrNoRate = errors.New("no exchange rate")
)

// Apply charges r, whose Cost, CostByMeter, Currency and CacheSaved hold
// its list price (as the processor priced it, or a reported cost), and
// sets ListCost, Contract, Multiplier and, when it converts, FXRate,
// SourceCost and SourceCurrency. A record charged before is charged
// again only from its list amounts, in the currency it was priced in.
func (c *Charger) Apply(r *usage.Record) error {
	r.ListCost, r.Contract, r.Multiplier = r.Cost, "", ""
	r.FXRate, r.SourceCost, r.SourceCurrency = "", 0, ""
	if r.Currency == "" || genaiconv.Unpriced(r.Status) {
		return nil
	}
	list := r.CostByMeter
	var errs []error
	if t := c.Terms.Find(r); t != nil {
		if err := c.applyTerm(t, r); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Currency != "" && r.Currency != c.Currency {
		if err := c.convert(r, &list); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (c *Charger) applyTerm(t *contract.Term, r *usage.Record) error {
	if t.SetsRates() {
		var card *catalog.Card
		if c.Card != nil && r.CostSource == genaiconv.SourceLocal {
			card = c.Card(r.Card)
		}
		if card == nil || card.Currency != r.Currency {
			return fmt.Errorf("contract %s: %w (%s)", t.ID, ErrNoCard, r.Card)
		}
		priced := cost.Compute(t.Rates(card), &r.Tokens)
		r.Cost, r.CostByMeter = priced.Total, priced.ByMeter
	} else {
		r.Cost = scaleParts(&r.CostByMeter, r.Cost, t.Apply)
	}
	r.Contract, r.Multiplier = t.ID, t.Multiplier
	return nil
}

func (c *Charger) convert(r *usage.Record, list *[meter.Count]money.Nanos) error {
	if c.Rates == nil {
		return fmt.Errorf("%w from %s to %s: no rates are configured", ErrNoRate, r.Currency, c.Currency)
	}
	rate, err := c.Rates.Rate(r.Currency, c.Currency, r.Start)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoRate, err)
	}
	r.SourceCost, r.SourceCurrency, r.FXRate = r.Cost, r.Currency, rate.String()
	r.Cost = scaleParts(&r.CostByMeter, r.Cost, rate.Convert)
	r.ListCost = scaleParts(list, r.ListCost, rate.Convert)
	r.CacheSaved = rate.Convert(r.CacheSaved)
	r.Currency = c.Currency
	return nil
}

// scaleParts applies f to each part and returns their sum; with no
// parts, f of the total.
func scaleParts(parts *[meter.Count]money.Nanos, total money.Nanos, f func(money.Nanos) money.Nanos) money.Nanos {
	var sum money.Nanos
	split := false
	for m := range parts {
		if parts[m] != 0 {
			parts[m] = f(parts[m])
			sum += parts[m]
			split = true
		}
	}
	if !split {
		return f(total)
	}
	return sum
}
