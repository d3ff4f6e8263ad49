package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/otelcol-genai/otelcol-genai/internal/meter"
)

// Version is the catalog file format this package reads.
const Version = 1

// Source is one catalog file: a name for errors (usually its path) and its
// YAML text.
type Source struct {
	Name string
	Data []byte
}

// Load parses and checks the sources and merges them in order: each source
// overrides and extends the ones before it. A model in a later source with
// the same provider and id replaces the earlier model; new models are matched
// before the earlier ones, so a user's own rules win over shipped ones.
//
// Errors name the file, the line, the provider and model, and the field.
func Load(sources ...Source) (*Catalog, error) {
	if len(sources) == 0 {
		return nil, errors.New("no catalog sources")
	}
	b := &builder{byID: map[string]*Provider{}, variants: map[*Provider][]*variantSpec{}}
	for _, src := range sources {
		raw, err := parse(src)
		if err != nil {
			return nil, err
		}
		if err := b.add(src.Name, raw); err != nil {
			return nil, err
		}
	}
	return b.finish()
}

type rawCatalog struct {
	CatalogVersion int            `yaml:"catalog_version"`
	Currency       string         `yaml:"currency"`
	Source         map[string]any `yaml:"source"`
	Providers      []rawProvider  `yaml:"providers"`
}

type rawProvider struct {
	line       int
	ID         string               `yaml:"id"`
	Names      []string             `yaml:"names"`
	Servers    []rawRule            `yaml:"servers"`
	ModelHints []rawRule            `yaml:"model_hints"`
	Fallback   []string             `yaml:"fallback"`
	Models     []rawModel           `yaml:"models"`
	Variants   []rawProviderVariant `yaml:"variants"`
}

type rawModel struct {
	line   int
	ID     string    `yaml:"id"`
	Name   string    `yaml:"name"`
	Match  []rawRule `yaml:"match"`
	Prices []rawCard `yaml:"prices"`
}

type rawCard struct {
	line     int
	From     string                `yaml:"from"`
	Window   string                `yaml:"window"`
	Rates    map[string]decimal    `yaml:"rates"`
	Tiers    []rawTier             `yaml:"tiers"`
	Variants map[string]rawVariant `yaml:"variants"`
}

type rawTier struct {
	line  int
	Above int64              `yaml:"above"`
	Rates map[string]decimal `yaml:"rates"`
}

type rawRule struct {
	line  int
	kind  RuleKind
	value string
}

// decimal keeps a YAML scalar's literal text, so that 0.075 is read as the
// decimal 0.075 and never as the nearest binary float.
type decimal struct {
	text string
	line int
}

func (d *decimal) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: a rate must be a number", n.Line)
	}
	d.text, d.line = n.Value, n.Line
	return nil
}

func (r *rawRule) UnmarshalYAML(n *yaml.Node) error {
	r.line = n.Line
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		return fmt.Errorf("line %d: a match rule is one of {exact: ...}, {prefix: ...}, {suffix: ...}, {contains: ...}, {regex: ...}", n.Line)
	}
	k, v := n.Content[0].Value, n.Content[1]
	i := slices.Index(ruleKindNames, k)
	if i < 0 {
		return fmt.Errorf("line %d: unknown match rule %q; use exact, prefix, suffix, contains or regex", n.Line, k)
	}
	if v.Kind != yaml.ScalarNode || v.Value == "" {
		return fmt.Errorf("line %d: %s rule needs a non-empty string", n.Line, k)
	}
	r.kind, r.value = RuleKind(i), v.Value
	return nil
}

func (p *rawProvider) UnmarshalYAML(n *yaml.Node) error {
	type plain rawProvider
	if err := strictDecode(n, (*plain)(p), "id", "names", "servers", "model_hints", "fallback", "models", "variants"); err != nil {
		return err
	}
	p.line = n.Line
	return nil
}

func (m *rawModel) UnmarshalYAML(n *yaml.Node) error {
	type plain rawModel
	m.line = n.Line
	return strictDecode(n, (*plain)(m), "id", "name", "match", "prices")
}

func (c *rawCard) UnmarshalYAML(n *yaml.Node) error {
	type plain rawCard
	c.line = n.Line
	return strictDecode(n, (*plain)(c), "from", "window", "rates", "tiers", "variants")
}

func (t *rawTier) UnmarshalYAML(n *yaml.Node) error {
	type plain rawTier
	t.line = n.Line
	return strictDecode(n, (*plain)(t), "above", "rates")
}

// strictDecode decodes a mapping after checking it has only allowed keys;
// yaml's own KnownFields does not reach into custom unmarshalers.
func strictDecode(n *yaml.Node, v any, allowed ...string) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: expected a mapping", n.Line)
	}
	for i := 0; i < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(allowed, k.Value) {
			return fmt.Errorf("line %d: unknown field %q (allowed: %s)", k.Line, k.Value, strings.Join(allowed, ", "))
		}
	}
	return n.Decode(v)
}

func parse(src Source) (*rawCatalog, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src.Data))
	dec.KnownFields(true)
	var raw rawCatalog
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s: %w", src.Name, err)
	}
	if raw.CatalogVersion != Version {
		return nil, fmt.Errorf("%s: catalog_version must be %d, got %d", src.Name, Version, raw.CatalogVersion)
	}
	return &raw, nil
}

type builder struct {
	currency  string
	providers []*Provider
	byID      map[string]*Provider
	// variants are each provider's variants, the later files' first.
	variants map[*Provider][]*variantSpec
}

func (b *builder) add(file string, raw *rawCatalog) error {
	cur := raw.Currency
	if cur == "" {
		cur = "USD"
	}
	if len(cur) != 3 || strings.ToUpper(cur) != cur {
		return fmt.Errorf("%s: currency %q is not an ISO 4217 code such as USD", file, raw.Currency)
	}
	if b.currency == "" {
		b.currency = cur
	} else if cur != b.currency {
		return fmt.Errorf("%s: currency %s differs from %s in the catalog it extends; one catalog holds one currency", file, cur, b.currency)
	}
	seen := map[string]bool{}
	for i := range raw.Providers {
		rp := &raw.Providers[i]
		where := fmt.Sprintf("%s:%d: providers[%d]", file, rp.line, i)
		id := strings.TrimSpace(rp.ID)
		if id == "" {
			return fmt.Errorf("%s: id is required", where)
		}
		if seen[id] {
			return fmt.Errorf("%s: provider %q is listed twice in this file", where, id)
		}
		seen[id] = true
		where = fmt.Sprintf("%s:%d: provider %q", file, rp.line, id)
		p := b.byID[id]
		if p == nil {
			p = &Provider{ID: id, exact: map[string]*Model{}}
			b.byID[id] = p
			b.providers = append(b.providers, p)
		}
		for _, n := range append([]string{id}, rp.Names...) {
			n = strings.ToLower(strings.TrimSpace(n))
			if n != "" && !slices.Contains(p.Names, n) {
				p.Names = append(p.Names, n)
			}
		}
		var err error
		if p.Servers, err = appendRules(p.Servers, rp.Servers, where+" servers"); err != nil {
			return err
		}
		if p.ModelHints, err = appendRules(p.ModelHints, rp.ModelHints, where+" model_hints"); err != nil {
			return err
		}
		vs, err := providerVariants(file, id, rp.Variants)
		if err != nil {
			return err
		}
		// A later file's variant wins over an earlier one of the same name.
		b.variants[p] = append(vs, b.variants[p]...)
		for _, f := range rp.Fallback {
			if !slices.Contains(p.fallbackIDs, f) {
				p.fallbackIDs = append(p.fallbackIDs, f)
			}
		}
		models := make([]*Model, 0, len(rp.Models))
		ids := map[string]bool{}
		for j := range rp.Models {
			m, err := buildModel(file, p, &rp.Models[j], j)
			if err != nil {
				return err
			}
			if ids[m.ID] {
				return fmt.Errorf("%s:%d: provider %q model %q is listed twice", file, rp.Models[j].line, id, m.ID)
			}
			ids[m.ID] = true
			models = append(models, m)
		}
		// New models are matched before the ones they extend; a model
		// with the same id replaces the earlier one.
		kept := slices.DeleteFunc(p.Models, func(m *Model) bool { return ids[m.ID] })
		p.Models = slices.Concat(models, kept)
	}
	return nil
}

func appendRules(dst []Rule, raw []rawRule, where string) ([]Rule, error) {
	for i, rr := range raw {
		r, err := buildRule(rr)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", where, i, err)
		}
		dst = append(dst, r)
	}
	return dst, nil
}

func buildRule(rr rawRule) (Rule, error) {
	r := Rule{Kind: rr.kind, Value: strings.ToLower(rr.value)}
	if rr.kind == Regex {
		re, err := regexp.Compile(rr.value)
		if err != nil {
			return Rule{}, fmt.Errorf("regex %q: %w", rr.value, err)
		}
		r.re = re
	}
	return r, nil
}

func buildModel(file string, p *Provider, rm *rawModel, idx int) (*Model, error) {
	id := strings.TrimSpace(rm.ID)
	if id == "" {
		return nil, fmt.Errorf("%s:%d: provider %q models[%d]: id is required", file, rm.line, p.ID, idx)
	}
	where := fmt.Sprintf("%s:%d: provider %q model %q", file, rm.line, p.ID, id)
	m := &Model{ID: id, Name: rm.Name, Provider: p, Source: file}
	if len(rm.Match) == 0 {
		m.Rules = []Rule{{Kind: Exact, Value: strings.ToLower(id)}}
	}
	var err error
	if m.Rules, err = appendRules(m.Rules, rm.Match, where+": match"); err != nil {
		return nil, err
	}
	if len(rm.Prices) == 0 {
		return nil, fmt.Errorf("%s: prices: at least one price card is required", where)
	}
	var lastFrom time.Time
	for i := range rm.Prices {
		c, err := buildCard(p.ID, id, &rm.Prices[i])
		if err != nil {
			return nil, fmt.Errorf("%s: prices[%d]: %w", where, i, err)
		}
		for _, s := range c.specs {
			s.where = fmt.Sprintf("%s: prices[%d]: %s", where, i, s.where)
		}
		if !c.From.IsZero() {
			if !c.From.After(lastFrom) && !lastFrom.IsZero() {
				return nil, fmt.Errorf("%s: prices[%d]: from %s must be after the previous card's %s; list cards oldest first",
					where, i, c.From.Format(time.DateOnly), lastFrom.Format(time.DateOnly))
			}
			lastFrom = c.From
		}
		m.Cards = append(m.Cards, c)
	}
	return m, nil
}

func buildCard(provider, model string, rc *rawCard) (*Card, error) {
	c := &Card{Provider: provider, Model: model}
	if rc.From != "" {
		t, err := parseFrom(rc.From)
		if err != nil {
			return nil, err
		}
		c.From, c.fromNanos = t, t.UnixNano()
	}
	if rc.Window != "" {
		w, err := parseWindow(rc.Window)
		if err != nil {
			return nil, err
		}
		c.Window = w
	}
	if len(rc.Rates) == 0 {
		return nil, errors.New("rates: no rates; a free model needs explicit zeros, e.g. {input_mtok: 0, output_mtok: 0}")
	}
	err := setRates(&c.Base, rc.Rates, "rates")
	if err != nil {
		return nil, err
	}
	var prev int64
	for i, rt := range rc.Tiers {
		if rt.Above <= prev {
			return nil, fmt.Errorf("tiers[%d]: above must be positive and greater than the previous tier's (%d), got %d", i, prev, rt.Above)
		}
		prev = rt.Above
		if len(rt.Rates) == 0 {
			return nil, fmt.Errorf("tiers[%d]: rates: at least one rate is required", i)
		}
		// Tiers are cumulative: a meter a tier does not list keeps the
		// rate of the highest lower tier that does, else the base rate.
		t := Tier{Above: rt.Above, Rates: c.Base}
		if len(c.Tiers) > 0 {
			t.Rates = c.Tiers[len(c.Tiers)-1].Rates
		}
		if err := setRates(&t.Rates, rt.Rates, fmt.Sprintf("tiers[%d].rates", i)); err != nil {
			return nil, err
		}
		c.Tiers = append(c.Tiers, t)
	}
	if c.specs, err = cardVariants(rc.Variants); err != nil {
		return nil, err
	}
	c.ID = cardID(provider+"/"+model, c)
	return c, nil
}

func setRates(dst *Rates, raw map[string]decimal, where string) error {
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		d := raw[k]
		m, rate, err := ParseRate(k, d.text)
		switch {
		case errors.Is(err, errUnknownRate):
			return fmt.Errorf("%s.%s: %w", where, k, err)
		case err != nil:
			return fmt.Errorf("%s.%s (line %d): %w", where, k, d.line, err)
		}
		dst[m] = rate
	}
	return nil
}

func knownRateKeys() string {
	keys := make([]string, 0, len(rateKeys))
	for k := range rateKeys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

func parseFrom(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("from: %q is not a date (2006-01-02) or an RFC 3339 time", s)
	}
	return t.UTC(), nil
}

// parseWindow reads "HH:MM-HH:MM" (UTC).
func parseWindow(s string) (*Window, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return nil, fmt.Errorf("window: %q is not HH:MM-HH:MM (UTC)", s)
	}
	start, err1 := parseClock(a)
	end, err2 := parseClock(b)
	if err1 != nil || err2 != nil || start == end {
		return nil, fmt.Errorf("window: %q is not HH:MM-HH:MM (UTC) with distinct ends", s)
	}
	return &Window{Start: start, End: end}, nil
}

func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return t.Hour()*3600 + t.Minute()*60, nil
}

// cardID names a card by model, start date and window, plus a short hash of
// its rates and tiers.
func cardID(name string, c *Card) string {
	var sb strings.Builder
	sb.WriteString(name)
	if !c.From.IsZero() {
		sb.WriteByte('@')
		if c.From.Equal(c.From.Truncate(24 * time.Hour)) {
			sb.WriteString(c.From.Format(time.DateOnly))
		} else {
			sb.WriteString(c.From.Format(time.RFC3339))
		}
	}
	if c.Window != nil {
		fmt.Fprintf(&sb, "~%02d%02d-%02d%02d", c.Window.Start/3600, c.Window.Start%3600/60, c.Window.End/3600, c.Window.End%3600/60)
	}
	for _, v := range append([]string{c.Tier}, c.Modifiers...) {
		if v != "" {
			sb.WriteByte('+')
			sb.WriteString(v)
		}
	}
	// The hash is over every rate, in a text form that card ids depend on:
	// changing it changes every card id.
	var rates strings.Builder
	writeRates := func(r *Rates) {
		for m := meter.Meter(0); m < meter.Count; m++ {
			if r[m].Set {
				fmt.Fprintf(&rates, "%d=%d/%d;", m, r[m].Price.Nanos, r[m].Price.Per)
			}
		}
	}
	writeRates(&c.Base)
	for i := range c.Tiers {
		fmt.Fprintf(&rates, ">%d:", c.Tiers[i].Above)
		writeRates(&c.Tiers[i].Rates)
	}
	h := fnv.New32a()
	h.Write([]byte(rates.String())) // a hash.Hash never returns an error
	fmt.Fprintf(&sb, "#%08x", h.Sum32())
	return sb.String()
}

func (b *builder) finish() (*Catalog, error) {
	c := &Catalog{Currency: b.currency, providers: b.providers, byID: b.byID, byName: map[string]*Provider{}, byCard: map[string]*Card{}}
	for _, p := range b.providers {
		for _, m := range p.Models {
			for _, card := range m.Cards {
				card.Currency = b.currency
				c.byCard[card.ID] = card
				derived, err := b.deriveVariants(p, m, card)
				if err != nil {
					return nil, err
				}
				for _, d := range derived {
					c.byCard[d.ID] = d
				}
			}
		}
		for _, n := range p.Names {
			if other := c.byName[n]; other != nil && other != p {
				return nil, fmt.Errorf("provider name %q is claimed by both %q and %q", n, other.ID, p.ID)
			}
			c.byName[n] = p
		}
		p.Fallback = p.Fallback[:0]
		for _, f := range p.fallbackIDs {
			fp := b.byID[f]
			if fp == nil {
				return nil, fmt.Errorf("provider %q: fallback %q is not a provider in the catalog", p.ID, f)
			}
			if fp == p {
				return nil, fmt.Errorf("provider %q: fallback lists itself", p.ID)
			}
			p.Fallback = append(p.Fallback, fp)
		}
		p.exact = map[string]*Model{}
		// Earlier models win an exact id claimed twice, as in catalog order.
		for i := len(p.Models) - 1; i >= 0; i-- {
			for _, r := range p.Models[i].Rules {
				if r.Kind == Exact {
					p.exact[r.Value] = p.Models[i]
				}
			}
		}
	}
	for id, card := range c.byCard {
		known.LoadOrStore(id, card)
	}
	c.fingerprint = fingerprintOf(c.byCard)
	return c, nil
}

// deriveVariants builds a card's variant cards from its own variants and
// its provider's that apply to the model; the card's win by name.
func (b *builder) deriveVariants(p *Provider, m *Model, card *Card) ([]*Card, error) {
	specs := card.specs
	card.specs = nil
	for _, s := range b.variants[p] {
		if s.applies(m) && !slices.ContainsFunc(specs, func(o *variantSpec) bool { return o.name == s.name }) {
			specs = append(specs, s)
		}
	}
	if len(specs) == 0 {
		return nil, nil
	}
	return deriveVariants(card, specs)
}
