package api

import (
	"net/http"
	"time"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/charge"
	"github.com/otelcol-genai/otelcol-genai/internal/cost"
	"github.com/otelcol-genai/otelcol-genai/internal/fx"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// The routes of the built-in usage page (internal/ui): its settings, and
// how one record's amount was computed. The page itself is Options.Page.

// UIOptions are the settings the page reads from GET /api/v1/usage/ui.
type UIOptions struct {
	// TraceURLTemplate links a trace id to a tracing UI; {trace_id} is
	// replaced. Empty: trace ids are not links.
	TraceURLTemplate string
}

func (h *handler) uiConfig(_ *http.Request, p *params) (any, error) {
	if err := p.done(); err != nil {
		return nil, err
	}
	return struct {
		TraceURLTemplate string `json:"trace_url_template"`
	}{h.opt.UI.TraceURLTemplate}, nil
}

// rateJSON is a rate of a card: the price of Per units in the card's
// currency, exact.
type rateJSON struct {
	Price string `json:"price"`
	Per   int64  `json:"per"`
}

type tierJSON struct {
	Above int64               `json:"above"`
	Rates map[string]rateJSON `json:"rates"`
}

// cardJSON is a price card: its rates by catalog key (input_mtok, ...).
type cardJSON struct {
	ID       string              `json:"id"`
	Provider string              `json:"provider"`
	Model    string              `json:"model"`
	Currency string              `json:"currency"`
	From     *time.Time          `json:"from,omitempty"`
	Window   string              `json:"window,omitempty"`
	Base     map[string]rateJSON `json:"base"`
	Tiers    []tierJSON          `json:"tiers"`
}

func rates(r *catalog.Rates) map[string]rateJSON {
	out := map[string]rateJSON{}
	for m := meter.Meter(0); m < meter.Count; m++ {
		if r[m].Set {
			out[catalog.RateKey(m)] = rateJSON{Price: r[m].Price.Nanos.String(), Per: r[m].Price.Per}
		}
	}
	return out
}

func toCardJSON(c *catalog.Card) *cardJSON {
	out := &cardJSON{ID: c.ID, Provider: c.Provider, Model: c.Model, Currency: c.Currency, Base: rates(&c.Base), Tiers: []tierJSON{}}
	if !c.From.IsZero() {
		t := c.From.UTC()
		out.From = &t
	}
	if c.Window != nil {
		clock := func(s int) string { return time.Unix(int64(s), 0).UTC().Format("1504") }
		out.Window = clock(c.Window.Start) + "-" + clock(c.Window.End)
	}
	for i := range c.Tiers {
		out.Tiers = append(out.Tiers, tierJSON{Above: c.Tiers[i].Above, Rates: rates(&c.Tiers[i].Rates)})
	}
	return out
}

// lineJSON is how one meter was billed (cost.Line).
type lineJSON struct {
	Meter    string    `json:"meter"`
	Tokens   int64     `json:"tokens"`
	RatedAs  string    `json:"rated_as"`
	RateKey  string    `json:"rate_key"`
	Rate     *rateJSON `json:"rate,omitempty"`
	Amount   string    `json:"amount"`
	Unpriced bool      `json:"unpriced,omitempty"`
}

// pricing answers how a record's amount was computed: the card it was
// priced with (when this process knows it), the tier, each meter's tokens,
// rate and amount, and the total beside the stored and the reported cost.
func (h *handler) pricing(r *http.Request, p *params) (any, error) {
	if err := p.done(); err != nil {
		return nil, err
	}
	rec, err := h.s.Record(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	j := toJSON(&rec)
	out := struct {
		ID               string     `json:"id"`
		PriceCard        string     `json:"price_card,omitempty"`
		CardFound        bool       `json:"card_found"`
		Card             *cardJSON  `json:"card,omitempty"`
		TierAbove        int64      `json:"tier_above"`
		Lines            []lineJSON `json:"lines"`
		Computed         *string    `json:"computed,omitempty"`
		Cost             string     `json:"cost"`
		Currency         string     `json:"currency"`
		CostSource       string     `json:"cost_source,omitempty"`
		Matches          bool       `json:"matches"`
		ReportedCost     *string    `json:"reported_cost,omitempty"`
		ReportedCurrency string     `json:"reported_currency,omitempty"`
		// How the list cost became the cost, as stored.
		ListCost   string          `json:"list_cost,omitempty"`
		Contract   *contractJSON   `json:"contract,omitempty"`
		Conversion *conversionJSON `json:"conversion,omitempty"`
		// Recharged is what the configuration in force now makes of the
		// computed list price (contract terms, then conversion): what a
		// repricing would store. Omitted without the card.
		Recharged *rechargedJSON `json:"recharged,omitempty"`
	}{ID: j.ID, PriceCard: rec.Card, Lines: []lineJSON{}, Cost: j.Cost, Currency: j.Currency, CostSource: j.CostSource,
		ReportedCost: j.ReportedCost, ReportedCurrency: j.ReportedCurrency, ListCost: j.ListCost}
	if rec.Contract != "" {
		out.Contract = &contractJSON{ID: rec.Contract, Multiplier: rec.Multiplier}
	}
	if rec.FXRate != "" {
		conv := &conversionJSON{Rate: rec.FXRate, SourceCost: j.SourceCost, SourceCurrency: rec.SourceCurrency, Legs: []legJSON{}}
		if rate, err := fx.ParseRate(rec.FXRate); err == nil {
			for _, l := range rate.Legs() {
				conv.Legs = append(conv.Legs, legJSON{Base: l.Base, Quote: l.Quote, Rate: l.Rate, Date: l.Date.Format(time.RFC3339), Inverted: l.Inverted})
			}
		}
		out.Conversion = conv
	}
	var card *catalog.Card
	if rec.Card != "" && h.opt.Card != nil {
		card = h.opt.Card(rec.Card)
	}
	if card == nil {
		return out, nil
	}
	res, lines := cost.Explain(card, &rec.Tokens)
	out.CardFound, out.Card, out.TierAbove = true, toCardJSON(card), res.TierAbove
	for _, l := range lines {
		lj := lineJSON{Meter: l.Meter.String(), Tokens: l.Tokens, RatedAs: l.RatedAs.String(), RateKey: catalog.RateKey(l.RatedAs),
			Amount: l.Amount.String(), Unpriced: l.Unpriced}
		if !l.Unpriced {
			lj.Rate = &rateJSON{Price: l.Rate.Nanos.String(), Per: l.Rate.Per}
		}
		out.Lines = append(out.Lines, lj)
	}
	total := res.Total.String()
	out.Computed = &total
	listCurrency := rec.Currency
	if rec.SourceCurrency != "" {
		listCurrency = rec.SourceCurrency
	}
	// The stored list cost is the card's price, converted when the record
	// was.
	stored, ok := listCost(&rec)
	out.Matches = ok && card.Currency == listCurrency && res.Total == stored
	if rec.CostSource != genaiconv.SourceLocal {
		return out, nil // a provider's amount: no card made it
	}
	again := rec
	again.Cost, again.CostByMeter, again.Currency = res.Total, res.ByMeter, card.Currency
	again.CacheSaved = cost.CacheSaved(card, &rec.Tokens)
	var ch *charge.Charger
	if h.opt.Charge != nil {
		ch = h.opt.Charge()
	}
	if ch == nil {
		ch = &charge.Charger{}
	}
	rc := &rechargedJSON{}
	if err := ch.Apply(&again); err != nil {
		rc.Problem = err.Error()
	}
	rc.ListCost, rc.Cost, rc.Currency, rc.Contract, rc.FXRate = again.ListCost.String(), again.Cost.String(), again.Currency, again.Contract, again.FXRate
	rc.Same = again.Cost == rec.Cost && again.ListCost == rec.ListCost && again.Currency == rec.Currency &&
		again.Contract == rec.Contract && again.FXRate == rec.FXRate
	out.Recharged = rc
	return out, nil
}

// listCost is the record's list cost in the currency it was priced in:
// before conversion, the list cost itself; after, the price card's
// total is compared with the cost before conversion only when no
// contract applied (a contract changes the cost, not the list).
func listCost(r *usage.Record) (money.Nanos, bool) {
	switch {
	case r.FXRate == "":
		return r.ListCost, true
	case r.Contract == "":
		return r.SourceCost, true
	}
	return 0, false // not stored: the recharged block shows it
}

type contractJSON struct {
	ID         string `json:"id"`
	Multiplier string `json:"multiplier,omitempty"`
}

type conversionJSON struct {
	Rate           string    `json:"rate"`
	Legs           []legJSON `json:"legs"`
	SourceCost     string    `json:"source_cost"`
	SourceCurrency string    `json:"source_currency"`
}

type legJSON struct {
	Base     string `json:"base"`
	Quote    string `json:"quote"`
	Rate     string `json:"rate"`
	Date     string `json:"date"`
	Inverted bool   `json:"inverted"`
}

type rechargedJSON struct {
	ListCost string `json:"list_cost"`
	Cost     string `json:"cost"`
	Currency string `json:"currency"`
	Contract string `json:"contract,omitempty"`
	FXRate   string `json:"fx_rate,omitempty"`
	// Same: a repricing with the configuration in force would change
	// nothing of the record's amounts.
	Same    bool   `json:"same"`
	Problem string `json:"problem,omitempty"`
}
