package main

import (
	"fmt"
	"io"
	"math/big"
	"slices"
	"sort"
	"strings"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
)

// defaultName is the operand of diff that names the embedded catalog.
const defaultName = "--default"

func runDiff(args []string, stdout, stderr io.Writer) int {
	f := newFlags("diff", "diff [--json] OLD NEW",
		`Compares two catalogs, each a price file of any format loaded alone, or
--default for the embedded default catalog: the models added and removed,
the price cards added and removed (by start date and window), and, for each
card in both, every rate that changed (old -> new, with the change in per
cent, rounded for display only), long-context tiers included. Ends with a
summary line. Differences are not errors: the exit code is 0.`)
	asJSON := f.Bool("json", false, "print JSON")
	operands, code, ok := f.parse(args, stdout, stderr, defaultName)
	if !ok {
		return code
	}
	if len(operands) != 2 {
		return f.usageError(stderr, "want OLD and NEW, got %s", plural(len(operands), "argument"))
	}
	var cats [2]*catalog.Catalog
	for i, name := range operands {
		var err error
		if name == defaultName {
			cats[i], _, err = loadCatalog(true, nil)
		} else {
			cats[i], _, err = loadCatalog(false, []string{name})
		}
		if err != nil {
			return fail(stderr, "diff", err)
		}
	}
	d := compare(cats[0], cats[1])
	d.Old, d.New = operands[0], operands[1]
	if *asJSON {
		return writeJSON(stdout, stderr, d)
	}
	return emit(stdout, stderr, "diff", d.text())
}

// diffOut is what changed from one catalog to another.
type diffOut struct {
	Old           string       `json:"old"`
	New           string       `json:"new"`
	OldCurrency   string       `json:"old_currency"`
	NewCurrency   string       `json:"new_currency"`
	ModelsAdded   []string     `json:"models_added"`
	ModelsRemoved []string     `json:"models_removed"`
	CardsAdded    []cardRef    `json:"cards_added"`
	CardsRemoved  []cardRef    `json:"cards_removed"`
	RateChanges   []rateChange `json:"rate_changes"`
	// VariantChanges are service tiers and modifiers a card in both
	// catalogs gained or lost (a variant's own rates are not compared).
	VariantChanges []variantChange `json:"variant_changes"`
	Summary        diffSummary     `json:"summary"`
}

// variantChange is a variant that one of two matching cards has.
type variantChange struct {
	Model   string `json:"model"`
	From    string `json:"from"`
	Window  string `json:"window,omitempty"`
	Variant string `json:"variant"`
	Change  string `json:"change"` // added or removed
}

// cardRef names a card by its model, start and window.
type cardRef struct {
	Model  string `json:"model"`
	From   string `json:"from"`
	Window string `json:"window,omitempty"`
	ID     string `json:"id"`
}

// rateChange is one rate of a card in both catalogs that differs. Key is
// the catalog key, after "above N: " for a long-context tier's. Old or
// New is "" when the rate is only in the other catalog; Change is the
// change in per cent, "" when Old is 0 or absent.
type rateChange struct {
	Model  string `json:"model"`
	From   string `json:"from"`
	Window string `json:"window,omitempty"`
	Key    string `json:"key"`
	Old    string `json:"old"`
	New    string `json:"new"`
	Change string `json:"change,omitempty"`
	OldID  string `json:"old_card"`
	NewID  string `json:"new_card"`
}

type diffSummary struct {
	ModelsAdded   int `json:"models_added"`
	ModelsRemoved int `json:"models_removed"`
	CardsAdded    int `json:"cards_added"`
	CardsRemoved  int `json:"cards_removed"`
	RateChanges   int `json:"rate_changes"`
	CardsChanged  int `json:"cards_changed"`
	// VariantChanges counts variants added and removed.
	VariantChanges int `json:"variant_changes"`
}

// models indexes a catalog's models by provider/model id.
func models(c *catalog.Catalog) map[string]*catalog.Model {
	out := map[string]*catalog.Model{}
	for _, p := range c.Providers() {
		for _, m := range p.Models {
			out[p.ID+"/"+m.ID] = m
		}
	}
	return out
}

func sortedIDs[V any](m map[string]V) []string {
	ids := make([]string, 0, len(m))
	for k := range m {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	return ids
}

func compare(oldCat, newCat *catalog.Catalog) *diffOut {
	d := &diffOut{OldCurrency: oldCat.Currency, NewCurrency: newCat.Currency,
		ModelsAdded: []string{}, ModelsRemoved: []string{}, CardsAdded: []cardRef{}, CardsRemoved: []cardRef{}, RateChanges: []rateChange{},
		VariantChanges: []variantChange{}}
	olds, news := models(oldCat), models(newCat)
	for _, id := range sortedIDs(news) {
		if olds[id] == nil {
			d.ModelsAdded = append(d.ModelsAdded, id)
		}
	}
	changed := map[string]bool{}
	for _, id := range sortedIDs(olds) {
		nm := news[id]
		if nm == nil {
			d.ModelsRemoved = append(d.ModelsRemoved, id)
			continue
		}
		om := olds[id]
		oc, nc := cardsByStart(om), cardsByStart(nm)
		for _, c := range nm.Cards {
			if oc[startKey(c)] == nil {
				d.CardsAdded = append(d.CardsAdded, refOf(id, c))
			}
		}
		for _, c := range om.Cards {
			n := nc[startKey(c)]
			if n == nil {
				d.CardsRemoved = append(d.CardsRemoved, refOf(id, c))
				continue
			}
			for _, ch := range compareCards(c, n) {
				ch.Model, ch.From, ch.Window, ch.OldID, ch.NewID = id, fromText(c), windowText(c), c.ID, n.ID
				d.RateChanges = append(d.RateChanges, ch)
				changed[c.ID] = true
			}
			ov, nv := c.VariantNames(), n.VariantNames()
			for _, v := range nv {
				if !slices.Contains(ov, v) {
					d.VariantChanges = append(d.VariantChanges, variantChange{Model: id, From: fromText(c), Window: windowText(c), Variant: v, Change: "added"})
				}
			}
			for _, v := range ov {
				if !slices.Contains(nv, v) {
					d.VariantChanges = append(d.VariantChanges, variantChange{Model: id, From: fromText(c), Window: windowText(c), Variant: v, Change: "removed"})
				}
			}
		}
	}
	d.Summary = diffSummary{ModelsAdded: len(d.ModelsAdded), ModelsRemoved: len(d.ModelsRemoved), CardsAdded: len(d.CardsAdded),
		CardsRemoved: len(d.CardsRemoved), RateChanges: len(d.RateChanges), CardsChanged: len(changed),
		VariantChanges: len(d.VariantChanges)}
	return d
}

// startKey identifies a card within its model: its start and window.
func startKey(c *catalog.Card) string { return fromText(c) + "~" + windowText(c) }

func cardsByStart(m *catalog.Model) map[string]*catalog.Card {
	out := map[string]*catalog.Card{}
	for _, c := range m.Cards {
		if k := startKey(c); out[k] == nil {
			out[k] = c
		}
	}
	return out
}

func refOf(model string, c *catalog.Card) cardRef {
	return cardRef{Model: model, From: fromText(c), Window: windowText(c), ID: c.ID}
}

// compareCards lists the rates that differ between two cards: the base,
// then each long-context tier by threshold (a tier in one card only has
// all its rates added or removed).
func compareCards(o, n *catalog.Card) []rateChange {
	out := compareRates("", &o.Base, &n.Base)
	var none catalog.Rates
	tiers := map[int64][2]*catalog.Rates{}
	var aboves []int64
	for i := range o.Tiers {
		t := tiers[o.Tiers[i].Above]
		t[0] = &o.Tiers[i].Rates
		tiers[o.Tiers[i].Above] = t
		aboves = append(aboves, o.Tiers[i].Above)
	}
	for i := range n.Tiers {
		t, seen := tiers[n.Tiers[i].Above]
		t[1] = &n.Tiers[i].Rates
		tiers[n.Tiers[i].Above] = t
		if !seen {
			aboves = append(aboves, n.Tiers[i].Above)
		}
	}
	sort.Slice(aboves, func(i, j int) bool { return aboves[i] < aboves[j] })
	for _, a := range aboves {
		t := tiers[a]
		if t[0] == nil {
			t[0] = &none
		}
		if t[1] == nil {
			t[1] = &none
		}
		out = append(out, compareRates(fmt.Sprintf("above %d: ", a), t[0], t[1])...)
	}
	return out
}

func compareRates(prefix string, o, n *catalog.Rates) []rateChange {
	var out []rateChange
	for m := meter.Meter(0); m < meter.Count; m++ {
		if !o[m].Set && !n[m].Set {
			continue
		}
		k := keyOf(m)
		ch := rateChange{Key: prefix + k.key}
		var ov, nv *big.Rat
		if o[m].Set {
			ov = rateValue(k, o[m].Price)
			ch.Old = exactDecimal(ov)
		}
		if n[m].Set {
			nv = rateValue(k, n[m].Price)
			ch.New = exactDecimal(nv)
		}
		if ov != nil && nv != nil {
			if ov.Cmp(nv) == 0 {
				continue
			}
			ch.Change = percent(ov, nv)
		}
		out = append(out, ch)
	}
	return out
}

// percent is the change from o to n in per cent, exact, rounded to two
// places for display: "+20%", "-12.5%"; "" when o is 0.
func percent(o, n *big.Rat) string {
	if o.Sign() == 0 {
		return ""
	}
	p := new(big.Rat).Sub(n, o)
	p.Quo(p, o)
	p.Mul(p, big.NewRat(100, 1))
	s := trimZeros(p.FloatString(2))
	if p.Sign() > 0 {
		s = "+" + s
	}
	return s + "%"
}

func (d *diffOut) text() string {
	var b strings.Builder
	w := &b
	fmt.Fprintf(w, "--- %s\n+++ %s\n", d.Old, d.New)
	if d.OldCurrency != d.NewCurrency {
		fmt.Fprintf(w, "currency: %s -> %s\n", d.OldCurrency, d.NewCurrency)
	}
	list := func(title, sign string, ids []string) {
		if len(ids) == 0 {
			return
		}
		fmt.Fprintf(w, "%s (%d):\n", title, len(ids))
		for _, id := range ids {
			fmt.Fprintf(w, "  %s %s\n", sign, id)
		}
	}
	cards := func(refs []cardRef) []string {
		out := make([]string, len(refs))
		for i, r := range refs {
			out[i] = fmt.Sprintf("%s from %s", r.Model, r.From)
			if r.Window != "" {
				out[i] += " " + r.Window + " UTC"
			}
		}
		return out
	}
	list("models added", "+", d.ModelsAdded)
	list("models removed", "-", d.ModelsRemoved)
	list("cards added", "+", cards(d.CardsAdded))
	list("cards removed", "-", cards(d.CardsRemoved))
	if len(d.RateChanges) > 0 {
		fmt.Fprintf(w, "rate changes (%d):\n", len(d.RateChanges))
		t := table{right: []bool{false, false, false, true, false, true, false}}
		for _, c := range d.RateChanges {
			change := ""
			if c.Change != "" {
				change = "(" + c.Change + ")"
			}
			t.add("", cardName(c.Model, c.From, c.Window), c.Key, orDash(c.Old), "->", orDash(c.New), change)
		}
		b.WriteString(t.String())
	}
	if len(d.VariantChanges) > 0 {
		fmt.Fprintf(w, "variant changes (%d):\n", len(d.VariantChanges))
		t := table{}
		for _, v := range d.VariantChanges {
			sign := "+"
			if v.Change == "removed" {
				sign = "-"
			}
			t.add("", sign, cardName(v.Model, v.From, v.Window), v.Variant)
		}
		b.WriteString(t.String())
	}
	s := d.Summary
	fmt.Fprintf(w, "summary: %s added, %d removed; %s added, %d removed; %s changed on %s; %s added or removed\n",
		plural(s.ModelsAdded, "model"), s.ModelsRemoved, plural(s.CardsAdded, "card"), s.CardsRemoved,
		plural(s.RateChanges, "rate"), plural(s.CardsChanged, "card"), plural(s.VariantChanges, "variant"))
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// cardName names a card in a diff: its model, "@" its start unless it has
// none, "~" its window if any.
func cardName(model, from, window string) string {
	if from != "always" {
		model += "@" + from
	}
	if window != "" {
		model += "~" + window
	}
	return model
}
