package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-genai/otelcol-genai/internal/cost"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// priceFlags are price's flags besides the model and the catalog.
type priceFlags struct {
	tokens      meter.Counts
	contracts   string
	rates       listFlag
	maxAge      time.Duration
	currency    string
	service     string
	environment string
	dims        repeatFlag
	asJSON      bool
}

func (p *priceFlags) register(f *cmdFlags) {
	for m := meter.Meter(0); m < meter.Count; m++ {
		def := int64(0)
		if m == meter.Request {
			def = 1 // the processor counts 1 per call
		}
		f.Int64Var(&p.tokens[m], flagName(m), def, meterHelp[m])
	}
	f.Int64Var(&p.tokens[meter.CacheWrite5m], "cache-write", 0, "same as --cache-write-5m")
	f.StringVar(&p.contracts, "contracts", "", "YAML `FILE` of contract terms: a list as under the genai_usage exporter's contracts: (docs/pricing.md)")
	f.Var(&p.rates, "rates", "exchange-rate `FILE`s as the exporter's exchange_rates.files (CSV, YAML or the ECB's files); needs --currency")
	f.DurationVar(&p.maxAge, "max-age", 0, "as the exporter's exchange_rates.max_age: a newest rate older than this at the call's time is not used (0: no limit)")
	f.StringVar(&p.currency, "currency", "", "the reporting currency to convert into (ISO 4217, EUR); needs --rates")
	f.StringVar(&p.service, "service", "", "the call's service.name, for contract terms that match on service")
	f.StringVar(&p.environment, "environment", "", "the call's deployment environment, for contract terms that match on environment")
	f.Var(&p.dims, "dim", "an attribution dimension NAME=VALUE for contract matches ("+strings.Join(usage.DimensionNames[:], ", ")+"); repeat")
	f.BoolVar(&p.asJSON, "json", false, "print JSON")
}

// meterHelp says what each meter's flag counts (package meter).
var meterHelp = [meter.Count]string{
	meter.Input:          "uncached input tokens, every modality",
	meter.CacheRead:      "input tokens read from a prompt cache",
	meter.CacheWrite5m:   "input tokens written to a 5-minute cache",
	meter.CacheWrite1h:   "input tokens written to a 1-hour cache",
	meter.Output:         "output tokens, reasoning included",
	meter.Reasoning:      "reasoning tokens, a part of --output",
	meter.InputAudio:     "audio tokens, a part of --input",
	meter.CacheReadAudio: "audio tokens, a part of --cache-read",
	meter.OutputAudio:    "audio tokens, a part of --output",
	meter.InputImage:     "image tokens, a part of --input",
	meter.CacheReadImage: "image tokens, a part of --cache-read",
	meter.OutputImage:    "image tokens, a part of --output",
	meter.InputVideo:     "video tokens, a part of --input",
	meter.OutputVideo:    "video tokens, a part of --output",
	meter.WebSearch:      "web search tool calls",
	meter.Request:        "requests; the processor counts 1 per call",
}

// flagName is a meter's flag: its name with dashes (--cache-read).
func flagName(m meter.Meter) string { return strings.ReplaceAll(m.String(), "_", "-") }

func (p *priceFlags) check() error {
	for m := meter.Meter(0); m < meter.Count; m++ {
		if p.tokens[m] < 0 {
			return fmt.Errorf("--%s: %d is negative", flagName(m), p.tokens[m])
		}
	}
	switch {
	case p.currency != "" && !usage.IsCurrency(p.currency):
		return fmt.Errorf("--currency: %q is not an ISO 4217 code such as EUR", p.currency)
	case p.currency != "" && len(p.rates) == 0:
		return errors.New("--currency needs --rates: amounts are converted at the rate in force at the call's time")
	case p.currency == "" && len(p.rates) > 0:
		return errors.New("--rates needs --currency, the currency to convert into")
	case p.maxAge < 0:
		return fmt.Errorf("--max-age: %v is negative", p.maxAge)
	}
	for _, d := range p.dims {
		k, _, ok := strings.Cut(d, "=")
		if !ok || !slices.Contains(usage.DimensionNames[:], k) {
			return fmt.Errorf("--dim %q: want NAME=VALUE with NAME one of %s", d, strings.Join(usage.DimensionNames[:], ", "))
		}
	}
	return nil
}

func (p *priceFlags) dimensions() usage.Dimensions {
	var d usage.Dimensions
	fields := map[string]*string{"user": &d.User, "tenant": &d.Tenant, "department": &d.Department, "session": &d.Session,
		"session_type": &d.SessionType, "feature": &d.Feature, "api_key": &d.APIKey}
	for _, kv := range p.dims {
		k, v, _ := strings.Cut(kv, "=")
		*fields[k] = v
	}
	return d
}

func runPrice(args []string, stdout, stderr io.Writer) int {
	f := newFlags("price", "price --model M [--provider P] [--at TIME] [--tier T] [--geo G] --input N --output N ... [--contracts FILE] [--rates FILE --currency CUR] [--json]",
		`Prices one call's usage, given as canonical meter counts (--input is uncached
input; cache reads and writes are apart from it; reasoning, audio and image
counts are parts of input, cache reads or output), with the card the
genai_cost processor would use at --at: each meter's tokens, the rate that
applied and its amount (rounded half to even to the nano), and the list
total. With --contracts and/or --rates and --currency, the call is then
charged as the genai_usage exporter charges its record: the contract term in
force that matches, then the conversion at the exchange rate in force.
Amounts are exact decimals.`)
	var m modelFlags
	m.register(f)
	var cf catalogFlags
	cf.register(f.FlagSet)
	var p priceFlags
	p.register(f)
	if code, ok := f.parseNone(args, stdout, stderr); !ok {
		return code
	}
	at, err := m.check(now())
	if err == nil {
		err = cf.check()
	}
	if err == nil {
		err = p.check()
	}
	if err != nil {
		return f.usageError(stderr, "%v", err)
	}
	cat, err := cf.load()
	if err != nil {
		return fail(stderr, "price", err)
	}
	ch, err := p.charger(cat)
	if err != nil {
		return fail(stderr, "price", err)
	}
	l, err := find(cat, &m, at)
	if err != nil {
		return fail(stderr, "price", err)
	}
	sayNotes(stderr, l.notes)
	card := l.priced
	res, lines := cost.Explain(card, &p.tokens)
	// The record as the exporter builds it from the processor's span.
	r := usage.Record{
		Start: at, Service: p.service, Environment: p.environment, Dims: p.dimensions(),
		Provider: card.Provider, Model: card.Model, Status: genaiconv.StatusPriced,
		Tokens: p.tokens, Cost: res.Total, CostByMeter: res.ByMeter, Currency: card.Currency,
		CacheSaved: cost.CacheSaved(card, &p.tokens), CostSource: genaiconv.SourceLocal,
		Card: card.ID, ServiceTier: m.tier,
	}
	if res.Partial() {
		r.Status = genaiconv.StatusPartial
	}
	listSaved := r.CacheSaved
	chargeErr := ch.Apply(&r)
	out := priceOutOf(&r, res, lines, at)
	out.ListCurr, out.CacheSaved = card.Currency, listSaved.String()
	var code int
	if p.asJSON {
		code = writeJSON(stdout, stderr, out)
	} else {
		code = emit(stdout, stderr, "price", out.text())
	}
	if code != exitOK {
		return code
	}
	if chargeErr != nil {
		// Charged as far as it could be, as the exporter does, but the
		// amount is not what was asked for.
		return fail(stderr, "price", chargeErr)
	}
	return exitOK
}

// priceOut is a priced call as shown.
type priceOut struct {
	Provider    string    `json:"provider"`
	Model       string    `json:"model"`
	Card        string    `json:"card"`
	At          string    `json:"at"`
	ServiceTier string    `json:"service_tier,omitempty"`
	Status      string    `json:"status"`
	Lines       []lineOut `json:"lines"`
	TierAbove   int64     `json:"tier_above,omitempty"`
	Unpriced    []string  `json:"unpriced,omitempty"`
	ListTotal   string    `json:"list_total"`
	ListCurr    string    `json:"list_currency"`
	// CacheSaved is what prompt caching saved, at list prices.
	CacheSaved string     `json:"cache_saved"`
	Charged    *chargeOut `json:"charged,omitempty"`
}

// lineOut is how one meter was billed.
type lineOut struct {
	Meter   string `json:"meter"`
	Tokens  int64  `json:"tokens"`
	RatedAs string `json:"rated_as,omitempty"` // the fallback meter whose rate applied
	Key     string `json:"key,omitempty"`
	Rate    string `json:"rate,omitempty"`
	Per     string `json:"per,omitempty"`
	Amount  string `json:"amount,omitempty"`
	// Actual is the meter's amount once charged, in the charged currency.
	Actual   string `json:"actual,omitempty"`
	Unpriced bool   `json:"unpriced,omitempty"`
}

// chargeOut is the call charged as the exporter charges it.
type chargeOut struct {
	Contract       string `json:"contract,omitempty"`
	Multiplier     string `json:"multiplier,omitempty"`
	FXRate         string `json:"fx_rate,omitempty"`
	Cost           string `json:"cost"`
	ListCost       string `json:"list_cost"`
	Currency       string `json:"currency"`
	SourceCost     string `json:"source_cost,omitempty"`
	SourceCurrency string `json:"source_currency,omitempty"`
	CacheSaved     string `json:"cache_saved"`
}

// priceOutOf shows record r, charged, with the list price res and its
// lines.
func priceOutOf(r *usage.Record, res cost.Result, lines []cost.Line, at time.Time) *priceOut {
	out := &priceOut{Provider: r.Provider, Model: r.Model, Card: r.Card, At: at.Format(time.RFC3339), ServiceTier: r.ServiceTier,
		Status: r.Status, TierAbove: res.TierAbove, ListTotal: res.Total.String()}
	charged := r.Contract != "" || r.FXRate != ""
	for _, ln := range lines {
		lo := lineOut{Meter: ln.Meter.String(), Tokens: ln.Tokens, Unpriced: ln.Unpriced}
		if ln.Unpriced {
			out.Unpriced = append(out.Unpriced, ln.Meter.String())
		} else {
			k := keyOf(ln.RatedAs)
			lo.Key, lo.Rate, lo.Per, lo.Amount = k.key, rateText(k, ln.Rate), k.unitName(), ln.Amount.String()
			if ln.RatedAs != ln.Meter {
				lo.RatedAs = ln.RatedAs.String()
			}
			if charged {
				lo.Actual = r.CostByMeter[ln.Meter].String()
			}
		}
		out.Lines = append(out.Lines, lo)
	}
	if charged {
		c := &chargeOut{Contract: r.Contract, Multiplier: r.Multiplier, FXRate: r.FXRate,
			Cost: r.Cost.String(), ListCost: r.ListCost.String(), Currency: r.Currency, CacheSaved: r.CacheSaved.String()}
		if r.SourceCurrency != "" {
			c.SourceCost, c.SourceCurrency = r.SourceCost.String(), r.SourceCurrency
		}
		out.Charged = c
	}
	return out
}

func (o *priceOut) text() string {
	head := &table{}
	head.add("model:", o.Provider+"/"+o.Model)
	head.add("card:", o.Card)
	head.add("at:", o.At)
	if o.TierAbove > 0 {
		head.add("tier:", fmt.Sprintf("above %d input tokens: every meter at the tier's rates", o.TierAbove))
	}
	lines := &table{right: []bool{false, true, true, false, true, true}}
	cols := []string{"meter", "tokens", "rate", "per", "amount"}
	if o.Charged != nil {
		cols = append(cols, "actual")
	}
	lines.add(cols...)
	for _, l := range o.Lines {
		rate := l.Rate
		if l.RatedAs != "" {
			rate = "(as " + l.RatedAs + ") " + rate
		}
		if l.Unpriced {
			rate, l.Amount = "no rate", "-"
		}
		row := []string{l.Meter, strconv.FormatInt(l.Tokens, 10), rate, l.Per, l.Amount}
		if o.Charged != nil {
			row = append(row, l.Actual)
		}
		lines.add(row...)
	}
	sum := &table{}
	sum.add("list:", o.ListTotal+" "+o.ListCurr)
	if len(o.Unpriced) > 0 {
		sum.add("partial:", "no rate for "+strings.Join(o.Unpriced, ", ")+": left out of the amount")
	}
	if c := o.Charged; c != nil {
		switch {
		case c.Contract != "" && c.Multiplier != "":
			sum.add("contract:", fmt.Sprintf("%s (multiplier %s)", c.Contract, c.Multiplier))
		case c.Contract != "":
			sum.add("contract:", c.Contract+" (its own rates)")
		}
		if c.FXRate != "" {
			sum.add("fx rate:", c.FXRate)
			sum.add("actual:", fmt.Sprintf("%s %s (%s %s before conversion)", c.Cost, c.Currency, c.SourceCost, c.SourceCurrency))
			sum.add("list:", c.ListCost+" "+c.Currency)
		} else {
			sum.add("actual:", c.Cost+" "+c.Currency)
		}
	}
	return head.String() + lines.String() + sum.String()
}
