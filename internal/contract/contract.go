// Package contract holds an organisation's price agreements: terms, each
// in force over a span of time for the calls it matches, that turn what a
// call costs at the catalog's list prices into what the organisation
// actually pays.
//
// A term either multiplies the list amount (a discount of 15 % is a
// multiplier of 0.85) or sets its own rates for some meters, in the
// card's currency, the card's other rates standing. The first term in
// the configured order that is in force at the call's start and matches
// it applies; one term at most applies to a call.
//
// Rounding: a multiplier applies to each meter's list amount, rounded
// half to even to the nano, and the actual total is the sum of those
// parts, so parts and total agree as they do on the list side. Rates are
// billed as the catalog's are (package cost).
package contract

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// Config is one term as configured.
type Config struct {
	// Name names the agreement; with From it makes the term's id.
	Name string `mapstructure:"name"`
	// From is the first day (UTC) or instant (RFC 3339) the term is in
	// force; To, if set, the first it no longer is. Text, or the
	// time.Time a YAML date decodes to.
	From any `mapstructure:"from"`
	To   any `mapstructure:"to"`
	// Match holds the values a call must have, all of them: provider,
	// model, service, environment and the dimensions (user, tenant,
	// department, session, session_type, feature, api_key), as the
	// records store them. A value ending in "*" matches by prefix.
	Match map[string]string `mapstructure:"match"`
	// Multiplier turns list amounts into actual ones: "0.85".
	Multiplier string `mapstructure:"multiplier"`
	// Rates replace the card's rates of some meters, with the catalog's
	// keys and units (input_mtok: "2.40"), in the card's currency.
	Rates map[string]string `mapstructure:"rates"`
}

// Term is one compiled term.
type Term struct {
	// ID is "name@from": what a record names to say which term priced it.
	ID       string
	Name     string
	From, To time.Time // To zero: open
	// Multiplier is the configured decimal text, "" for a rates term.
	Multiplier string
	mult       money.Price // Nanos over Per
	rates      map[meter.Meter]catalog.Rate
	match      []cond
}

// cond is one condition of a match: the field's value equals value, or
// starts with it if prefix.
type cond struct {
	field  string
	value  string
	prefix bool
}

// Set is the terms in their order of precedence.
type Set struct {
	terms []*Term
}

// matchFields are the fields a match may name, besides the dimensions.
var matchFields = []string{"provider", "model", "service", "environment"}

// New compiles the terms. Errors name the term by its position and name.
func New(cfgs []Config) (*Set, error) {
	s := &Set{}
	ids := map[string]int{}
	var errs []error
	for i := range cfgs {
		t, err := compile(&cfgs[i])
		if err != nil {
			errs = append(errs, fmt.Errorf("contracts[%d] (%s): %w", i, cfgs[i].Name, err))
			continue
		}
		if j, dup := ids[t.ID]; dup {
			errs = append(errs, fmt.Errorf("contracts[%d]: id %s is also contracts[%d]'s; a name and start date name one term", i, t.ID, j))
			continue
		}
		ids[t.ID] = i
		s.terms = append(s.terms, t)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

func compile(c *Config) (*Term, error) {
	name := strings.TrimSpace(c.Name)
	if name == "" || strings.ContainsAny(name, "@\n") || len(name) > 100 {
		return nil, errors.New("name: required, at most 100 characters, without '@'")
	}
	t := &Term{Name: name}
	var err error
	if t.From, err = parseTime(c.From); err != nil || t.From.IsZero() {
		return nil, fmt.Errorf("from: %q is not a date (2026-01-31) or an RFC 3339 time; a term must say when it starts", text(c.From))
	}
	if c.To != nil && c.To != "" {
		if t.To, err = parseTime(c.To); err != nil || !t.To.After(t.From) {
			return nil, fmt.Errorf("to: %q is not a date or time after from", text(c.To))
		}
	}
	t.ID = name + "@" + formatTime(t.From)
	switch {
	case c.Multiplier != "" && len(c.Rates) > 0:
		return nil, errors.New("set multiplier or rates, not both")
	case c.Multiplier != "":
		n, err := money.ParseDecimal(c.Multiplier)
		if err != nil || n < 0 || n > 100*money.NanosPerUnit {
			return nil, fmt.Errorf("multiplier: %q is not a decimal from 0 to 100", c.Multiplier)
		}
		t.Multiplier = c.Multiplier
		t.mult = reduced(int64(n), money.NanosPerUnit)
	case len(c.Rates) > 0:
		t.rates = map[meter.Meter]catalog.Rate{}
		for _, k := range sortedKeys(c.Rates) {
			m, r, err := catalog.ParseRate(k, c.Rates[k])
			if err != nil {
				return nil, fmt.Errorf("rates.%s: %w", k, err)
			}
			t.rates[m] = r
		}
	default:
		return nil, errors.New("set a multiplier or rates; a term without either changes nothing")
	}
	for _, k := range sortedKeys(c.Match) {
		v := c.Match[k]
		if !slices.Contains(matchFields, k) && !slices.Contains(usage.DimensionNames[:], k) {
			return nil, fmt.Errorf("match.%s: not a field; use %s or a dimension (%s)", k, strings.Join(matchFields, ", "), strings.Join(usage.DimensionNames[:], ", "))
		}
		cd := cond{field: k, value: v}
		if p, ok := strings.CutSuffix(v, "*"); ok {
			cd.value, cd.prefix = p, true
		}
		t.match = append(t.match, cd)
	}
	return t, nil
}

// reduced is num/den as a price, in lowest terms.
func reduced(num, den int64) money.Price {
	g := new(big.Int).GCD(nil, nil, big.NewInt(num), big.NewInt(den)).Int64()
	if g == 0 {
		return money.Price{Nanos: 0, Per: 1}
	}
	return money.Price{Nanos: money.Nanos(num / g), Per: den / g}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// text is a configured value as text, for errors.
func text(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func parseTime(v any) (time.Time, error) {
	var s string
	switch v := v.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		return v.UTC(), nil
	case string:
		s = strings.TrimSpace(v)
	default:
		return time.Time{}, fmt.Errorf("%v is not a date", v)
	}
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	return t.UTC(), err
}

// formatTime is a date when t is midnight UTC, else RFC 3339.
func formatTime(t time.Time) string {
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

// Terms returns the terms in order.
func (s *Set) Terms() []*Term {
	if s == nil {
		return nil
	}
	return s.terms
}

// Find returns the term that applies to r: the first in force at its
// start that matches it; nil if none.
func (s *Set) Find(r *usage.Record) *Term {
	if s == nil {
		return nil
	}
	for _, t := range s.terms {
		if t.InForce(r.Start) && t.Matches(r) {
			return t
		}
	}
	return nil
}

// Term returns the term with the id, or nil.
func (s *Set) Term(id string) *Term {
	for _, t := range s.Terms() {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// InForce reports whether the term is in force at t.
func (t *Term) InForce(at time.Time) bool {
	return !at.Before(t.From) && (t.To.IsZero() || at.Before(t.To))
}

// Matches reports whether r has every value of the term's match.
func (t *Term) Matches(r *usage.Record) bool {
	for _, c := range t.match {
		v := field(r, c.field)
		if c.prefix && !strings.HasPrefix(v, c.value) || !c.prefix && v != c.value {
			return false
		}
	}
	return true
}

func field(r *usage.Record, name string) string {
	switch name {
	case "provider":
		return r.Provider
	case "model":
		return r.Model
	case "service":
		return r.Service
	case "environment":
		return r.Environment
	}
	vals := r.Dims.Values()
	return vals[slices.Index(usage.DimensionNames[:], name)]
}

// SetsRates reports whether the term sets rates rather than a multiplier.
func (t *Term) SetsRates() bool { return t.rates != nil }

// Rates returns the card with the term's rates in place of the card's for
// the meters it names, in the base and every long-context tier. The
// card's id is kept: it names the list prices the call was priced from.
func (t *Term) Rates(c *catalog.Card) *catalog.Card {
	out := *c
	for m, r := range t.rates {
		out.Base[m] = r
	}
	out.Tiers = slices.Clone(c.Tiers)
	for i := range out.Tiers {
		for m, r := range t.rates {
			out.Tiers[i].Rates[m] = r
		}
	}
	return &out
}

// Apply returns an amount times the term's multiplier, rounded half to
// even to the nano; for a rates term, the amount unchanged.
func (t *Term) Apply(n money.Nanos) money.Nanos {
	if t.rates != nil {
		return n
	}
	return t.mult.Cost(int64(n))
}
