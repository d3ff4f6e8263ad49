package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
)

// now is the default time of a call; tests pass --at.
var now = time.Now

func runPriceAt(args []string, stdout, stderr io.Writer) int {
	f := newFlags("price-at", "price-at --model M [--provider P] [--at TIME] [--tier T] [--geo G] [--files FILE...] [--no-default] [--json]",
		`Resolves the model as the genai_cost processor resolves a span's provider
and model, and shows how it matched, the price card in force at the time (its
id, start, daily window, currency, every rate as the decimal per its unit,
and the long-context tiers), the variants the card has, and with --tier or
--geo the variant card a call at that tier is priced with. A model or card
that is not found exits 1 with the reason the processor would give.`)
	var m modelFlags
	m.register(f)
	var cf catalogFlags
	cf.register(f.FlagSet)
	asJSON := f.Bool("json", false, "print JSON")
	if code, ok := f.parseNone(args, stdout, stderr); !ok {
		return code
	}
	at, err := m.check(now())
	if err == nil {
		err = cf.check()
	}
	if err != nil {
		return f.usageError(stderr, "%v", err)
	}
	cat, err := cf.load()
	if err != nil {
		return fail(stderr, "price-at", err)
	}
	l, err := find(cat, &m, at)
	if err != nil {
		return fail(stderr, "price-at", err)
	}
	sayNotes(stderr, l.notes)
	out := priceAtOut{
		Query:    queryOut{Provider: m.provider, Model: m.model},
		Provider: l.res.Model.Provider.ID,
		Model:    l.res.Model.ID,
		Matched:  l.how,
		At:       at.Format(time.RFC3339),
		Card:     cardOf(l.card),
		Variants: l.card.VariantNames(),
	}
	if out.Variants == nil {
		out.Variants = []string{}
	}
	if l.priced != l.card {
		v := cardOf(l.priced)
		out.Variant = &v
	}
	if *asJSON {
		return writeJSON(stdout, stderr, out)
	}
	return emit(stdout, stderr, "price-at", out.text())
}

type priceAtOut struct {
	Query    queryOut `json:"query"`
	Provider string   `json:"provider"`
	Model    string   `json:"model"`
	Matched  string   `json:"matched"`
	At       string   `json:"at"`
	Card     cardOut  `json:"card"`
	Variants []string `json:"variants"`
	// Variant is the card of the tier and modifiers asked for.
	Variant *cardOut `json:"variant,omitempty"`
}

type queryOut struct {
	Provider string `json:"provider,omitempty"`
	Model    string `json:"model"`
}

// cardOut is a price card as shown.
type cardOut struct {
	ID        string      `json:"id"`
	From      string      `json:"from"`
	Window    string      `json:"window,omitempty"`
	Currency  string      `json:"currency"`
	Tier      string      `json:"tier,omitempty"`
	Modifiers []string    `json:"modifiers,omitempty"`
	Rates     []rateEntry `json:"rates"`
	Tiers     []tierOut   `json:"tiers,omitempty"`
}

// tierOut is a long-context tier: the complete rates above a number of
// input tokens.
type tierOut struct {
	Above int64       `json:"above"`
	Rates []rateEntry `json:"rates"`
}

func cardOf(c *catalog.Card) cardOut {
	out := cardOut{ID: c.ID, From: fromText(c), Window: windowText(c), Currency: c.Currency,
		Tier: c.Tier, Modifiers: c.Modifiers, Rates: ratesList(&c.Base)}
	for i := range c.Tiers {
		out.Tiers = append(out.Tiers, tierOut{Above: c.Tiers[i].Above, Rates: ratesList(&c.Tiers[i].Rates)})
	}
	return out
}

func (o *priceAtOut) text() string {
	t := &table{}
	t.add("model:", o.Provider+"/"+o.Model)
	t.add("matched:", o.Matched)
	t.add("at:", o.At)
	addCard(t, "card", &o.Card)
	t.add("variants:", orNone(o.Variants))
	if o.Variant != nil {
		name := strings.Join(append([]string{o.Variant.Tier}, o.Variant.Modifiers...), "+")
		addCard(t, "variant "+strings.TrimPrefix(name, "+"), o.Variant)
	}
	return t.String()
}

func addCard(t *table, label string, c *cardOut) {
	t.add(label+":", c.ID)
	t.add("from:", c.From)
	window := c.Window
	if window == "" {
		window = "all day"
	} else {
		window += " UTC"
	}
	t.add("window:", window)
	t.add("currency:", c.Currency)
	addRates(t, "rates:", c.Rates)
	for _, tier := range c.Tiers {
		addRates(t, fmt.Sprintf("above %d:", tier.Above), tier.Rates)
	}
}

func addRates(t *table, label string, rates []rateEntry) {
	for i, r := range rates {
		if i > 0 {
			label = ""
		}
		t.add(label, r.Key, r.Rate, "per "+r.Unit)
	}
}

// sayNotes writes notes on stderr.
func sayNotes(stderr io.Writer, notes []string) {
	var b strings.Builder
	for _, n := range notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	say(stderr, b.String())
}

func writeJSON(stdout, stderr io.Writer, v any) int {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // fx rates read USD>EUR
	if err := enc.Encode(v); err != nil {
		return fail(stderr, "json", err)
	}
	return emit(stdout, stderr, "json", b.String())
}
