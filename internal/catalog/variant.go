package catalog

import (
	"fmt"
	"math"
	"math/bits"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// A variant is a price of a card under a condition of the call: a service
// tier (batch, flex, priority, fast, ...) or a modifier written kind:value
// (geo:us for Anthropic's inference_geo, region:eu, ...). A call has at most
// one tier and one modifier of each kind; its price is the card's rates with
// the tier's variant applied, then each modifier's, in the order of their
// names. Each combination is a Card of its own, built at load.

// StandardTier is the tier of the base card: a call with no tier, or with a
// tier that means the standard price, is priced with the card itself.
const StandardTier = "standard"

// variantName is a tier name or a kind:value modifier.
var variantName = regexp.MustCompile(`^[a-z][a-z0-9_]*(:[a-z0-9][a-z0-9_.-]*)?$`)

// baseTierNames are the names of the base price; a variant cannot take one.
var baseTierNames = []string{StandardTier, "default", "auto", "on_demand"}

// maxCombinations bounds the cards derived from one card, so that a
// catalog with many modifiers cannot make a load take unbounded memory.
const maxCombinations = 256

// rawVariant is a card's variant, under the card's variants: mapping.
type rawVariant struct {
	line       int
	Multiplier *decimal           `yaml:"multiplier"`
	Rates      map[string]decimal `yaml:"rates"`
	Tiers      []rawTier          `yaml:"tiers"`
}

func (v *rawVariant) UnmarshalYAML(n *yaml.Node) error {
	type plain rawVariant
	v.line = n.Line
	return strictDecode(n, (*plain)(v), "multiplier", "rates", "tiers")
}

// rawProviderVariant is an entry of a provider's variants: list. It applies
// to every card of the provider's models that its models rules match (all
// of them without rules), unless the card has a variant of that name.
type rawProviderVariant struct {
	line       int
	Name       string             `yaml:"name"`
	Multiplier *decimal           `yaml:"multiplier"`
	Rates      map[string]decimal `yaml:"rates"`
	Tiers      []rawTier          `yaml:"tiers"`
	Models     []rawRule          `yaml:"models"`
}

func (v *rawProviderVariant) UnmarshalYAML(n *yaml.Node) error {
	type plain rawProviderVariant
	v.line = n.Line
	return strictDecode(n, (*plain)(v), "name", "multiplier", "rates", "tiers", "models")
}

// variantSpec is a compiled variant.
type variantSpec struct {
	name string
	// where names the variant in errors: file:line, provider, model, field.
	where string
	// num/den is the multiplier as a reduced fraction; den is 0 without one.
	num, den uint64
	// rates are the overrides; set lists the meters they set.
	rates Rates
	set   meter.Set
	tiers []rawTier
	// models limit a provider's variant to the models they match.
	models []Rule
}

// isModifier reports whether a variant name is a kind:value modifier.
func isModifier(name string) bool { return strings.IndexByte(name, ':') > 0 }

func modifierKind(name string) string { k, _, _ := strings.Cut(name, ":"); return k }

func compileVariant(name string, mult *decimal, rates map[string]decimal, tiers []rawTier, where string) (*variantSpec, error) {
	s := &variantSpec{name: name, where: where}
	switch {
	case !variantName.MatchString(name):
		return nil, fmt.Errorf("%s: name %q is not a tier (batch, flex, priority, ...) or a kind:value modifier (geo:us) in lower case", where, name)
	case slices.Contains(baseTierNames, name):
		return nil, fmt.Errorf("%s: %q is the standard price, which is the card itself; it cannot be a variant", where, name)
	case mult == nil && len(rates) == 0 && len(tiers) == 0:
		return nil, fmt.Errorf("%s: a variant needs a multiplier, rates or tiers", where)
	}
	if mult != nil {
		n, err := money.ParseDecimal(mult.text)
		if err != nil {
			return nil, fmt.Errorf("%s.multiplier (line %d): %w", where, mult.line, err)
		}
		if n <= 0 || n > 100*money.NanosPerUnit {
			return nil, fmt.Errorf("%s.multiplier (line %d): %s must be above 0 and at most 100", where, mult.line, mult.text)
		}
		g := gcd(uint64(n), money.NanosPerUnit)
		s.num, s.den = uint64(n)/g, money.NanosPerUnit/g
	}
	if len(rates) > 0 {
		if err := setRates(&s.rates, rates, where+".rates"); err != nil {
			return nil, err
		}
		for m := meter.Meter(0); m < meter.Count; m++ {
			if s.rates[m].Set {
				s.set = s.set.Add(m)
			}
		}
	}
	// Check the tiers now, so that a bad one fails even where the variant
	// applies to no card; they are built over each card's rates later.
	var prev int64
	for i, rt := range tiers {
		if rt.Above <= prev {
			return nil, fmt.Errorf("%s.tiers[%d]: above must be positive and greater than the previous tier's (%d), got %d", where, i, prev, rt.Above)
		}
		prev = rt.Above
		if len(rt.Rates) == 0 {
			return nil, fmt.Errorf("%s.tiers[%d]: rates: at least one rate is required", where, i)
		}
		var scratch Rates
		if err := setRates(&scratch, rt.Rates, fmt.Sprintf("%s.tiers[%d].rates", where, i)); err != nil {
			return nil, err
		}
	}
	s.tiers = tiers
	return s, nil
}

// cardVariants compiles a card's variants: mapping, in name order.
func cardVariants(raw map[string]rawVariant) ([]*variantSpec, error) {
	names := make([]string, 0, len(raw))
	for n := range raw {
		names = append(names, n)
	}
	sort.Strings(names)
	specs := make([]*variantSpec, 0, len(names))
	for _, n := range names {
		rv := raw[n]
		s, err := compileVariant(n, rv.Multiplier, rv.Rates, rv.Tiers, fmt.Sprintf("variants.%s (line %d)", n, rv.line))
		if err != nil {
			return nil, err
		}
		specs = append(specs, s)
	}
	return specs, nil
}

// providerVariants compiles a provider's variants: list.
func providerVariants(file, provider string, raw []rawProviderVariant) ([]*variantSpec, error) {
	specs := make([]*variantSpec, 0, len(raw))
	for i := range raw {
		rv := &raw[i]
		where := fmt.Sprintf("%s:%d: provider %q variants[%d]", file, rv.line, provider, i)
		if rv.Name == "" {
			return nil, fmt.Errorf("%s: name is required", where)
		}
		s, err := compileVariant(rv.Name, rv.Multiplier, rv.Rates, rv.Tiers, where)
		if err != nil {
			return nil, err
		}
		if s.models, err = appendRules(nil, rv.Models, where+" models"); err != nil {
			return nil, err
		}
		specs = append(specs, s)
	}
	return specs, nil
}

// applies reports whether a provider's variant applies to the model.
func (s *variantSpec) applies(m *Model) bool {
	if len(s.models) == 0 {
		return true
	}
	id := strings.ToLower(m.ID)
	for _, r := range s.models {
		if r.Match(id) {
			return true
		}
	}
	return false
}

// apply turns d's rates into the variant's: the multiplier on every token
// rate of the base and the tiers, then the overrides, then the tiers.
func (s *variantSpec) apply(d *Card) error {
	if s.den != 0 {
		if err := s.scale(&d.Base); err != nil {
			return err
		}
		for i := range d.Tiers {
			if err := s.scale(&d.Tiers[i].Rates); err != nil {
				return err
			}
		}
	}
	if s.set != 0 {
		if len(s.tiers) == 0 {
			// An override without tiers holds at every context length:
			// fine for a meter the card prices flat, a guess for one it
			// tiers, which the variant must then state.
			for i := range d.Tiers {
				for m := meter.Meter(0); m < meter.Count; m++ {
					if s.set.Has(m) && d.Tiers[i].Rates[m] != d.Base[m] {
						return fmt.Errorf("%s: sets %s but the card prices it apart above %d input tokens; give the variant's tiers too",
							s.where, RateKey(m), d.Tiers[i].Above)
					}
				}
			}
		}
		for m := meter.Meter(0); m < meter.Count; m++ {
			if s.set.Has(m) {
				d.Base[m] = s.rates[m]
				for i := range d.Tiers {
					d.Tiers[i].Rates[m] = s.rates[m]
				}
			}
		}
	}
	if len(s.tiers) > 0 {
		d.Tiers = d.Tiers[:0:0]
		for i, rt := range s.tiers {
			t := Tier{Above: rt.Above, Rates: d.Base}
			if i > 0 {
				t.Rates = d.Tiers[i-1].Rates
			}
			if err := setRates(&t.Rates, rt.Rates, fmt.Sprintf("%s.tiers[%d].rates", s.where, i)); err != nil {
				return err
			}
			d.Tiers = append(d.Tiers, t)
		}
	}
	return nil
}

// scale multiplies the token rates by num/den exactly: Nanos by num and Per
// by den, reduced by their common factor so that Per stays a multiple of
// its old value (0.075 per million times 1.1 is 0.0825 per million, not
// 0.33 per 4 million). Fees per call or per search are left alone: batch
// discounts and regional uplifts are on tokens.
func (s *variantSpec) scale(r *Rates) error {
	for m := meter.Meter(0); m < meter.Count; m++ {
		if !r[m].Set || !tokenMeters.Has(m) {
			continue
		}
		p := r[m].Price
		hi, lo := bits.Mul64(uint64(p.Nanos), s.num)
		if hi != 0 || lo > math.MaxInt64 {
			return fmt.Errorf("%s: %s times the multiplier overflows", s.where, RateKey(m))
		}
		g := gcd(lo, s.den)
		hi, per := bits.Mul64(uint64(p.Per), s.den/g)
		if hi != 0 || per > math.MaxInt64 {
			return fmt.Errorf("%s: %s times the multiplier overflows", s.where, RateKey(m))
		}
		r[m].Price = money.Price{Nanos: money.Nanos(lo / g), Per: int64(per)}
	}
	return nil
}

// tokenMeters are the meters priced per block of tokens.
var tokenMeters = func() meter.Set {
	var s meter.Set
	for _, rk := range rateKeys {
		if rk.per == perMillion {
			s = s.Add(rk.meter)
		}
	}
	return s
}()

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// deriveVariants builds the variant cards of base: every tier with every
// choice of at most one modifier per kind. specs holds one variant per name.
func deriveVariants(base *Card, specs []*variantSpec) ([]*Card, error) {
	byName := map[string]*variantSpec{}
	var tiers []string
	kinds := map[string][]string{}
	for _, s := range specs {
		byName[s.name] = s
		if isModifier(s.name) {
			k := modifierKind(s.name)
			kinds[k] = append(kinds[k], s.name)
		} else {
			tiers = append(tiers, s.name)
		}
	}
	sort.Strings(tiers)
	kindNames := make([]string, 0, len(kinds))
	n := len(tiers) + 1
	for k, v := range kinds {
		kindNames = append(kindNames, k)
		sort.Strings(v)
		n *= len(v) + 1
	}
	// Kinds in the order their modifiers sort in ("geo:..." before
	// "geo1:..."), so that a card's Modifiers are in name order.
	sort.Slice(kindNames, func(i, j int) bool { return kindNames[i]+":" < kindNames[j]+":" })
	if n > maxCombinations {
		return nil, fmt.Errorf("card %s: its variants make %d combinations (limit %d); use fewer modifiers", base.ID, n, maxCombinations)
	}
	// Every modifier combination, one modifier per kind at most, in name order.
	combos := [][]string{nil}
	for _, k := range kindNames {
		next := slices.Clone(combos)
		for _, c := range combos {
			for _, v := range kinds[k] {
				next = append(next, append(slices.Clip(c), v))
			}
		}
		combos = next
	}
	key := func(tier string, mods []string) string { return tier + "|" + strings.Join(mods, "|") }
	cards := map[string]*Card{key("", nil): base}
	var derived []*Card
	for _, tier := range append([]string{""}, tiers...) {
		for _, mods := range combos {
			if tier == "" && len(mods) == 0 {
				continue
			}
			d := &Card{
				Provider: base.Provider, Model: base.Model, Currency: base.Currency,
				From: base.From, fromNanos: base.fromNanos, Window: base.Window,
				Base: base.Base, Tiers: slices.Clone(base.Tiers),
				Tier: tier, Modifiers: mods, base: base,
			}
			for _, name := range append([]string{tier}, mods...) {
				if name == "" {
					continue
				}
				if err := byName[name].apply(d); err != nil {
					return nil, fmt.Errorf("%s (card %s)", err, base.ID)
				}
			}
			d.ID = cardID(base.Provider+"/"+base.Model, d)
			cards[key(tier, mods)] = d
			derived = append(derived, d)
		}
	}
	// Link them: the base names its tiers; each card names the cards with
	// one more modifier of a kind it does not have yet.
	for _, tier := range tiers {
		if base.tiers == nil {
			base.tiers = map[string]*Card{}
		}
		base.tiers[tier] = cards[key(tier, nil)]
	}
	for _, c := range append([]*Card{base}, derived...) {
		for _, k := range kindNames {
			if slices.ContainsFunc(c.Modifiers, func(m string) bool { return modifierKind(m) == k }) {
				continue
			}
			for _, v := range kinds[k] {
				mods := append(slices.Clone(c.Modifiers), v)
				sort.Strings(mods)
				if c.mods == nil {
					c.mods = map[string]*Card{}
				}
				c.mods[v] = cards[key(c.Tier, mods)]
			}
		}
	}
	return derived, nil
}

// Variant returns the card that prices a call to this card's model at a
// service tier, with modifiers: the base card for "" or "standard", else
// the tier's variant card, and ok false when the card has no variant for
// the tier (the call must not be priced at the standard price). Modifiers
// the card has no variant for change nothing, as do two of one kind (the
// first wins). Called on a variant card, it starts from its base card. It
// allocates nothing: every combination is built at load.
func (c *Card) Variant(tier string, modifiers ...string) (*Card, bool) {
	if c.base != nil {
		c = c.base
	}
	v := c
	if tier != "" && tier != StandardTier {
		if v = c.tiers[tier]; v == nil {
			return nil, false
		}
	}
	for _, m := range modifiers {
		if next := v.mods[m]; next != nil {
			v = next
		}
	}
	return v, true
}

// VariantNames returns the tiers and the modifiers this card has variants
// for, tiers first, each in name order.
func (c *Card) VariantNames() []string {
	if c.base != nil {
		c = c.base
	}
	var tiers, mods []string
	for t := range c.tiers {
		tiers = append(tiers, t)
	}
	for m := range c.mods {
		mods = append(mods, m)
	}
	sort.Strings(tiers)
	sort.Strings(mods)
	return append(tiers, mods...)
}

// BaseCard returns the card a variant card derives from, or c itself.
func (c *Card) BaseCard() *Card {
	if c.base != nil {
		return c.base
	}
	return c
}
