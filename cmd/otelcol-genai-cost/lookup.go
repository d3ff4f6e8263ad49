package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
)

// modelFlags name the model of a call and its time, as a span does.
type modelFlags struct {
	model, provider, at, tier, geo string
}

func (m *modelFlags) register(c *cmdFlags) {
	c.StringVar(&m.model, "model", "", "the model id as a span names it (required): gpt-4o-2024-08-06, us.anthropic.claude-sonnet-4-5-20250929-v1:0, ...")
	c.StringVar(&m.provider, "provider", "", "the provider as a span names it (gen_ai.provider.name: openai, anthropic, aws.bedrock, azure, ...); else told from the model id")
	c.StringVar(&m.at, "at", "", "the call's start: a date (2026-11-30, midnight UTC) or an RFC 3339 time (default now)")
	c.StringVar(&m.tier, "tier", "", "the service tier (batch, flex, priority, ...); standard or none is the card itself")
	c.StringVar(&m.geo, "geo", "", "the inference geography modifier (us for Anthropic's inference_geo: us), priced with the geo:<value> variant")
}

// check reads the flags and returns the call's time; now is the default.
func (m *modelFlags) check(now time.Time) (time.Time, error) {
	if strings.TrimSpace(m.model) == "" {
		return time.Time{}, errors.New("--model is required")
	}
	m.tier = strings.ToLower(strings.TrimSpace(m.tier)) // as the processor reads a span's tier
	if m.at == "" {
		return now.UTC(), nil
	}
	t, err := parseAt(m.at)
	if err != nil {
		return time.Time{}, fmt.Errorf("--at: %w", err)
	}
	return t, nil
}

func (m *modelFlags) modifiers() []string {
	if m.geo == "" {
		return nil
	}
	return []string{"geo:" + strings.ToLower(m.geo)}
}

// lookup is a model resolved as the processor resolves a span's, and the
// card it would price a call at that time with.
type lookup struct {
	res catalog.Resolution
	// how says how the model was found: the id form, the rule and where
	// the provider came from.
	how string
	// card is the card in force; priced is the card the call is priced
	// with: card's variant for the tier and modifiers, else card.
	card, priced *catalog.Card
	// notes are things to know that are not errors (a modifier with no
	// variant, a provider name the catalog does not know).
	notes []string
}

// find resolves m in cat and picks the card in force at t. Its error says
// why no model or card was found.
func find(cat *catalog.Catalog, m *modelFlags, t time.Time) (*lookup, error) {
	q := catalog.Query{Model: m.model}
	if m.provider != "" {
		q.Providers = []string{m.provider}
	}
	res := cat.Resolve(q)
	l := &lookup{res: res}
	if m.provider != "" && cat.ProviderByName(m.provider) == nil {
		l.notes = append(l.notes, fmt.Sprintf("--provider %q names no provider of the catalog; the provider was told from the model id", m.provider))
	}
	switch res.Reason {
	case catalog.UnknownProvider:
		return nil, fmt.Errorf("model %q: unknown_provider: no provider could be told from %s; give --provider (a provider id or name of the catalog: %s, ...)",
			m.model, providerSource(m), strings.Join(providerIDs(cat, 8), ", "))
	case catalog.UnknownModel:
		err := fmt.Errorf("model %q: unknown_model: provider %s%s has no model matching it", m.model, res.Provider.ID, fallbacks(res.Provider))
		if near := nearModels(res.Provider, res.ModelID); len(near) > 0 {
			err = fmt.Errorf("%w; near ids: %s", err, strings.Join(near, ", "))
		}
		return nil, err
	case catalog.NoModel:
		return nil, errors.New("--model is required")
	}
	l.how = describeMatch(cat, m, &res)
	l.card = res.Model.CardAt(t)
	if l.card == nil {
		return nil, fmt.Errorf("%s/%s has no price card in force at %s (cards from: %s); a call then is unpriced (no_price_at_time)",
			res.Model.Provider.ID, res.Model.ID, formatAt(t), cardStarts(res.Model))
	}
	priced, ok := l.card.Variant(m.tier, m.modifiers()...)
	if !ok {
		return nil, fmt.Errorf("card %s has no variant for service tier %q: a call at that tier is unpriced (unpriced_service_tier:%s); variants: %s",
			l.card.ID, m.tier, m.tier, orNone(l.card.VariantNames()))
	}
	for _, mod := range m.modifiers() {
		if !slices.Contains(priced.Modifiers, mod) {
			l.notes = append(l.notes, fmt.Sprintf("card %s has no %s variant: the modifier changes nothing", l.card.ID, mod))
		}
	}
	l.priced = priced
	return l, nil
}

func providerSource(m *modelFlags) string {
	if m.provider != "" {
		return fmt.Sprintf("--provider %q nor the model id", m.provider)
	}
	return "the model id"
}

// describeMatch tells how the processor would find the model: the id form
// that matched, the rule, and where the provider came from.
func describeMatch(cat *catalog.Catalog, m *modelFlags, res *catalog.Resolution) string {
	var b strings.Builder
	fmt.Fprintf(&b, "id %q by rule %s", res.ModelID, matchingRule(res.Model, res.ModelID))
	if res.Model.Provider != res.Provider {
		fmt.Fprintf(&b, " of %s, a fallback of %s", res.Model.Provider.ID, res.Provider.ID)
	}
	if m.provider != "" && cat.ProviderByName(m.provider) == res.Provider {
		fmt.Fprintf(&b, "; provider %s from --provider %q", res.Provider.ID, m.provider)
	} else {
		fmt.Fprintf(&b, "; provider %s told from the model id", res.Provider.ID)
	}
	return b.String()
}

// matchingRule is the rule of model that matches id, as Provider.Match
// picks it: an exact rule first.
func matchingRule(model *catalog.Model, id string) string {
	for _, r := range model.Rules {
		if r.Kind == catalog.Exact && r.Match(id) {
			return fmt.Sprintf("%s %q", r.Kind, r.Value)
		}
	}
	for _, r := range model.Rules {
		if r.Match(id) {
			return fmt.Sprintf("%s %q", r.Kind, r.Value)
		}
	}
	return "?"
}

func fallbacks(p *catalog.Provider) string {
	if len(p.Fallback) == 0 {
		return ""
	}
	ids := make([]string, len(p.Fallback))
	for i, f := range p.Fallback {
		ids[i] = f.ID
	}
	return " (nor its fallbacks " + strings.Join(ids, ", ") + ")"
}

// nearModels returns up to five model ids of p and its fallbacks that
// share the longest start with id (at least four characters).
func nearModels(p *catalog.Provider, id string) []string {
	best, out := 3, []string(nil)
	for _, pp := range append([]*catalog.Provider{p}, p.Fallback...) {
		for _, m := range pp.Models {
			n := commonPrefix(strings.ToLower(m.ID), id)
			switch {
			case n > best:
				best, out = n, []string{m.ID}
			case n == best && len(out) > 0 && len(out) < 5 && !slices.Contains(out, m.ID):
				out = append(out, m.ID)
			}
		}
	}
	return out
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func providerIDs(cat *catalog.Catalog, n int) []string {
	var ids []string
	for _, p := range cat.Providers() {
		if len(ids) == n {
			break
		}
		ids = append(ids, p.ID)
	}
	return ids
}

func cardStarts(m *catalog.Model) string {
	var s []string
	for _, c := range m.Cards {
		s = append(s, fromText(c))
	}
	return strings.Join(s, ", ")
}

// fromText is a card's start as the catalog states it, "always" for none.
func fromText(c *catalog.Card) string {
	if c.From.IsZero() {
		return "always"
	}
	return formatAt(c.From)
}

// windowText is a card's daily window, "" for none.
func windowText(c *catalog.Card) string {
	if c.Window == nil {
		return ""
	}
	w := c.Window
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.Start/3600, w.Start%3600/60, w.End/3600, w.End%3600/60)
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
