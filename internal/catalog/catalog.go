// Package catalog holds LLM price data: providers, the models they sell and
// the price cards in force over time. A Catalog is immutable once loaded, so
// one value can be shared by every goroutine that prices spans.
package catalog

import (
	"hash/fnv"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// Catalog is a set of providers and their priced models.
type Catalog struct {
	// Currency is the ISO 4217 code every price in the catalog is in.
	Currency string

	providers []*Provider
	byID      map[string]*Provider
	byName    map[string]*Provider
	byCard    map[string]*Card
	// fingerprint is Fingerprint's value, computed at load.
	fingerprint uint32
}

// Provider is a company or gateway that sells model calls.
type Provider struct {
	// ID is the canonical provider name, as in gen_ai.provider.name
	// (openai, anthropic, aws.bedrock, ...).
	ID string
	// Names are the lower-case values of provider attributes that mean this
	// provider; ID is always one of them.
	Names []string
	// Servers match server.address values of this provider's API.
	Servers []Rule
	// ModelHints match model ids that only this provider names, so that a
	// span without a provider attribute can still be priced.
	ModelHints []Rule
	// Fallback lists providers whose models also apply when none of this
	// provider's own models match (Azure sells OpenAI models).
	Fallback []*Provider
	// Models in match order.
	Models []*Model

	fallbackIDs []string
	exact       map[string]*Model
}

// Model is one priced model of a provider.
type Model struct {
	ID       string
	Name     string
	Provider *Provider
	Rules    []Rule
	// Cards in catalog order; CardAt picks the one in force.
	Cards []*Card
	// Source is the file the model was read from.
	Source string
}

// Card is a set of prices in force from a date, or within a daily window.
type Card struct {
	// ID names the card: provider/model, the start date if any, the daily
	// window if any, and a hash of the rates, so that two cards with
	// different prices never share an ID.
	ID string
	// Provider and Model are the catalog ids of the model the card prices,
	// and Currency the currency of its rates.
	Provider, Model, Currency string
	// From is the first instant the card applies; zero means always.
	From time.Time
	// fromNanos is From in Unix nanoseconds, for CardAtNanos.
	fromNanos int64
	// Window, if set, limits the card to a daily UTC time window.
	Window *Window
	// Base holds the rates below the first tier.
	Base Rates
	// Tiers are in ascending order of Above. Each holds the complete rates
	// that apply: the lower tiers' and the base's, overridden by its own.
	Tiers []Tier
	// Tier is the service tier of a variant card (batch, flex, priority,
	// ...); "" for a base card and for a card with modifiers only.
	Tier string
	// Modifiers are the modifier variants of a variant card (geo:us, ...),
	// in name order.
	Modifiers []string

	// base is the card a variant card derives from, nil for a base card.
	base *Card
	// tiers, on a base card, are its tier variants by name; mods, on any
	// card, are the cards with one more modifier, by modifier name.
	tiers, mods map[string]*Card
	// specs are the card's own variants, until the catalog is built.
	specs []*variantSpec
}

// Tier is a long-context price level: when the request's input tokens
// (cached and uncached) exceed Above, Rates apply to the whole request.
type Tier struct {
	Above int64
	Rates Rates
}

// Rates holds a price per meter; Set tells a zero price from a missing one.
type Rates [meter.Count]Rate

// Rate is the price of one meter.
type Rate struct {
	Price money.Price
	Set   bool
}

// Window is a daily UTC time window, [Start, End) in seconds of the day. A
// window whose End is before its Start wraps past midnight.
type Window struct {
	Start, End int
}

// Contains reports whether t's UTC time of day is inside the window.
func (w *Window) Contains(t time.Time) bool { return w.containsNanos(t.UnixNano()) }

func (w *Window) containsNanos(t int64) bool {
	const day = 24 * 3600
	s := int((t/1e9)%day+day) % day
	if w.Start <= w.End {
		return s >= w.Start && s < w.End
	}
	return s >= w.Start || s < w.End
}

// CardAt returns the card in force at t: the last card in catalog order
// whose start date and window hold at t. It returns nil when none does, for
// instance before the model's first price.
func (m *Model) CardAt(t time.Time) *Card { return m.CardAtNanos(t.UnixNano()) }

// CardAtNanos is CardAt for a time in Unix nanoseconds.
func (m *Model) CardAtNanos(t int64) *Card {
	for i := len(m.Cards) - 1; i >= 0; i-- {
		c := m.Cards[i]
		if !c.From.IsZero() && t < c.fromNanos {
			continue
		}
		if c.Window != nil && !c.Window.containsNanos(t) {
			continue
		}
		return c
	}
	return nil
}

// RatesFor returns the rates for a request with inputTotal input tokens and
// the threshold of the tier applied (0 for the base rates).
func (c *Card) RatesFor(inputTotal int64) (rates *Rates, above int64) {
	for i := len(c.Tiers) - 1; i >= 0; i-- {
		if inputTotal > c.Tiers[i].Above {
			return &c.Tiers[i].Rates, c.Tiers[i].Above
		}
	}
	return &c.Base, 0
}

// RuleKind is the kind of a match rule.
type RuleKind uint8

// The rule kinds: the value is the whole id, its start, its end, a part of
// it, or a regular expression over it.
const (
	Exact RuleKind = iota
	Prefix
	Suffix
	Contains
	Regex
)

var ruleKindNames = []string{Exact: "exact", Prefix: "prefix", Suffix: "suffix", Contains: "contains", Regex: "regex"}

func (k RuleKind) String() string { return ruleKindNames[k] }

// Rule matches a lower-case model id or server address.
type Rule struct {
	Kind  RuleKind
	Value string
	re    *regexp.Regexp
}

// Match reports whether s, already lower case, matches the rule.
func (r Rule) Match(s string) bool {
	switch r.Kind {
	case Exact:
		return s == r.Value
	case Prefix:
		return strings.HasPrefix(s, r.Value)
	case Suffix:
		return strings.HasSuffix(s, r.Value)
	case Contains:
		return strings.Contains(s, r.Value)
	case Regex:
		return r.re.MatchString(s)
	}
	return false
}

// Providers returns the providers in catalog order.
func (c *Catalog) Providers() []*Provider { return c.providers }

// Provider returns the provider with the canonical id.
func (c *Catalog) Provider(id string) *Provider { return c.byID[id] }

// Card returns the price card with the id, as written on priced spans, or
// nil if this catalog has no such card (different prices give different
// ids, so a card found is the one the call was priced with).
func (c *Catalog) Card(id string) *Card { return c.byCard[id] }

// known holds every card of every catalog loaded in this process, by id.
// An id names one exact set of prices, so any catalog's card of that id
// is the card a call was priced with: the exporter finds the processor's
// cards here without loading its catalog again.
var known sync.Map // card id -> *Card

// Known returns the card with the id from any catalog loaded in this
// process, or nil.
func Known(id string) *Card {
	if c, ok := known.Load(id); ok {
		return c.(*Card)
	}
	return nil
}

// ParseCardID returns the provider and model a card id names, for a card
// this process has not loaded (a record priced elsewhere). The id is
// "provider/model", then "@" and the start date if the card has one, "~"
// and the daily window if it has one, "+" and each variant name if it is a
// variant card (the tier first, then the modifiers: "+batch+geo:us"), and
// "#" and the hash of its rates; a model id may itself hold "/", "@" or "~"
// (OpenRouter's "~anthropic/claude-haiku-latest", Vertex's
// "claude-3-5-sonnet@20240620").
func ParseCardID(id string) (provider, model string, ok bool) {
	provider, model, _, ok = ParseCardIDVariants(id)
	return provider, model, ok
}

// ParseCardIDVariants is ParseCardID that also returns the variant names of
// a variant card's id, in id order (the tier, if any, first).
func ParseCardIDVariants(id string) (provider, model string, variants []string, ok bool) {
	provider, rest, ok := strings.Cut(id, "/")
	if !ok || provider == "" {
		return "", "", nil, false
	}
	if i := len(rest) - 9; i >= 0 && rest[i] == '#' && isHex(rest[i+1:]) {
		rest = rest[:i]
	}
	for {
		i := strings.LastIndexByte(rest, '+')
		if i < 0 || !variantName.MatchString(rest[i+1:]) {
			break
		}
		variants = append(variants, rest[i+1:])
		rest = rest[:i]
	}
	slices.Reverse(variants)
	if i := len(rest) - 10; i >= 0 && rest[i] == '~' && windowSuffix.MatchString(rest[i:]) {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i > 0 {
		if _, err := parseFrom(rest[i+1:]); err == nil {
			rest = rest[:i]
		}
	}
	return provider, rest, variants, rest != ""
}

var windowSuffix = regexp.MustCompile(`^~\d{4}-\d{4}$`)

func isHex(s string) bool {
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// ProviderByName maps a provider attribute value (any case) to a provider.
func (c *Catalog) ProviderByName(name string) *Provider {
	return c.byName[strings.ToLower(strings.TrimSpace(name))]
}

// ProviderByServer maps a server.address to the provider whose API it is.
func (c *Catalog) ProviderByServer(addr string) *Provider {
	if addr == "" {
		return nil
	}
	addr = strings.ToLower(addr)
	for _, p := range c.providers {
		for _, r := range p.Servers {
			if r.Match(addr) {
				return p
			}
		}
	}
	return nil
}

// ProviderByModelHint returns the first provider whose model hints match id.
func (c *Catalog) ProviderByModelHint(id string) *Provider {
	for _, p := range c.providers {
		for _, r := range p.ModelHints {
			if r.Match(id) {
				return p
			}
		}
	}
	return nil
}

// Match returns the provider's model for a lower-case id: a model with an
// exact rule for id wins, otherwise the first model in catalog order with a
// matching rule.
func (p *Provider) Match(id string) *Model {
	if m := p.exact[id]; m != nil {
		return m
	}
	for _, m := range p.Models {
		for _, r := range m.Rules {
			if r.Kind != Exact && r.Match(id) {
				return m
			}
		}
	}
	return nil
}

// Fingerprint is a 32-bit hash of the ids of every card in the catalog,
// variants included. A card id names the model and the exact rates, so two
// catalogs with the same fingerprint almost surely price every call alike;
// it tells which catalog a running collector has loaded.
func (c *Catalog) Fingerprint() uint32 { return c.fingerprint }

// fingerprintOf hashes the sorted card ids.
func fingerprintOf(byCard map[string]*Card) uint32 {
	ids := make([]string, 0, len(byCard))
	for id := range byCard {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	h := fnv.New32a()
	for _, id := range ids {
		h.Write([]byte(id)) // a hash.Hash never returns an error
		h.Write([]byte{0})
	}
	return h.Sum32()
}

// Stats counts what a catalog holds.
type Stats struct {
	Providers, Models, Cards int
}

// Stats returns the catalog's size.
func (c *Catalog) Stats() Stats {
	s := Stats{Providers: len(c.providers)}
	for _, p := range c.providers {
		s.Models += len(p.Models)
		for _, m := range p.Models {
			s.Cards += len(m.Cards)
		}
	}
	return s
}
