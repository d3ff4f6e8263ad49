package api

import (
	"net/http"
	"time"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/cost"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
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
	}{ID: j.ID, PriceCard: rec.Card, Lines: []lineJSON{}, Cost: j.Cost, Currency: j.Currency, CostSource: j.CostSource,
		ReportedCost: j.ReportedCost, ReportedCurrency: j.ReportedCurrency}
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
	out.Matches = card.Currency == rec.Currency && res.Total == rec.Cost
	return out, nil
}
