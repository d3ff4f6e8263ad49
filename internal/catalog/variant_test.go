package catalog

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

const variantsYAML = `catalog_version: 1
providers:
  - id: anthropic
    models:
      - id: claude-x
        prices:
          - from: 2025-01-01
            rates: {input_mtok: 3, cache_read_mtok: 0.3, output_mtok: 15, web_searches_kcount: 10}
            tiers: [{above: 200000, rates: {input_mtok: 6, output_mtok: 22.5}}]
            variants:
              fast: {multiplier: 6}
      - id: claude-y
        prices:
          - rates: {input_mtok: 0.075, output_mtok: 1}
  - id: openai
    models:
      - id: gpt-5
        prices:
          - rates: {input_mtok: 1.25, cache_read_mtok: 0.125, output_mtok: 10}
            variants:
              flex: {multiplier: 0.5}
              priority: {rates: {input_mtok: 2.5, cache_read_mtok: 0.25, output_mtok: 20}}
              batch: {multiplier: 0.4, rates: {output_mtok: 4.5}}
      - id: o3
        prices:
          - rates: {input_mtok: 2, output_mtok: 8}
`

// The provider-level variants come from a later file, as the shipped
// variants.yaml does over catalog.yaml.
const providerVariantsYAML = `catalog_version: 1
providers:
  - id: anthropic
    variants:
      - {name: batch, multiplier: 0.5}
      - {name: geo:us, multiplier: 1.1}
      - {name: fast, multiplier: 2}
  - id: openai
    variants:
      - {name: batch, multiplier: 0.5, models: [{prefix: gpt-5}]}
      - {name: flex, multiplier: 0.5, models: [{exact: o3}]}
`

func loadVariants(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load(Source{Name: "base.yaml", Data: []byte(variantsYAML)}, Source{Name: "variants.yaml", Data: []byte(providerVariantsYAML)})
	require.NoError(t, err)
	return c
}

func card(t *testing.T, c *Catalog, provider, model string) *Card {
	t.Helper()
	m := c.Provider(provider).Match(model)
	require.NotNil(t, m, model)
	return m.Cards[len(m.Cards)-1]
}

func price(p money.Price) string {
	return money.Nanos(int64(p.Nanos)).String() + "/" + map[int64]string{1_000_000: "M", 1000: "K", 10_000_000: "10M"}[p.Per]
}

func TestVariantMultiplierIsExact(t *testing.T) {
	c := loadVariants(t)
	base := card(t, c, "anthropic", "claude-y")
	us, ok := base.Variant("", "geo:us")
	require.True(t, ok)
	assert.Equal(t, money.Price{Nanos: 82_500_000, Per: 1_000_000}, us.Base[meter.Input].Price, "1.1 x 0.075 is 0.0825 exactly")
	assert.Equal(t, money.Nanos(82_500_000), us.Base[meter.Input].Price.Cost(1_000_000), "a million tokens cost 0.0825")
	assert.Equal(t, "1.1/M", price(us.Base[meter.Output].Price))

	batchUS, ok := base.Variant("batch", "geo:us")
	require.True(t, ok)
	// 0.075 x 0.5 x 1.1 = 0.04125; 1 x 0.55.
	assert.Equal(t, "0.04125/M", price(batchUS.Base[meter.Input].Price))
	assert.Equal(t, "0.55/M", price(batchUS.Base[meter.Output].Price))
	assert.Equal(t, "batch", batchUS.Tier)
	assert.Equal(t, []string{"geo:us"}, batchUS.Modifiers)
	assert.Same(t, base, batchUS.BaseCard())
}

func TestVariantMultiplierBelowANano(t *testing.T) {
	c, err := Load(Source{Name: "x.yaml", Data: []byte(`catalog_version: 1
providers:
  - id: a
    models:
      - id: m
        prices:
          - rates: {input_mtok: 0.000000001, output_mtok: 0.000000003}
            variants: {batch: {multiplier: 0.5}}
`)})
	require.NoError(t, err)
	v, ok := card(t, c, "a", "m").Variant("batch")
	require.True(t, ok)
	// Half a nano per million is kept as one nano per two million.
	assert.Equal(t, money.Price{Nanos: 1, Per: 2_000_000}, v.Base[meter.Input].Price)
	assert.Equal(t, money.Price{Nanos: 3, Per: 2_000_000}, v.Base[meter.Output].Price)
	assert.Equal(t, money.Nanos(5), v.Base[meter.Input].Price.Cost(10_000_000))
}

func TestVariantScalesTiersNotFees(t *testing.T) {
	c := loadVariants(t)
	base := card(t, c, "anthropic", "claude-x")
	fast, ok := base.Variant("fast")
	require.True(t, ok)
	assert.Equal(t, "18/M", price(fast.Base[meter.Input].Price), "the card's own fast (6x) wins over the provider's (2x)")
	assert.Equal(t, "1.8/M", price(fast.Base[meter.CacheRead].Price))
	require.Len(t, fast.Tiers, 1)
	assert.Equal(t, "36/M", price(fast.Tiers[0].Rates[meter.Input].Price))
	assert.Equal(t, "135/M", price(fast.Tiers[0].Rates[meter.Output].Price))
	assert.Equal(t, "10/K", price(fast.Base[meter.WebSearch].Price), "fees are not tokens")
	assert.Equal(t, base.From, fast.From)
	assert.Equal(t, "3/M", price(base.Base[meter.Input].Price), "the base card is untouched")
	assert.Equal(t, "6/M", price(base.Tiers[0].Rates[meter.Input].Price))
}

func TestVariantRatesOverride(t *testing.T) {
	c := loadVariants(t)
	base := card(t, c, "openai", "gpt-5")
	pri, ok := base.Variant("priority")
	require.True(t, ok)
	assert.Equal(t, "2.5/M", price(pri.Base[meter.Input].Price))
	assert.Equal(t, "20/M", price(pri.Base[meter.Output].Price))
	// Multiplier first, then overrides.
	batch, ok := base.Variant("batch")
	require.True(t, ok)
	assert.Equal(t, "0.5/M", price(batch.Base[meter.Input].Price), "the card's batch (0.4) wins over the provider's (0.5)")
	assert.Equal(t, "0.05/M", price(batch.Base[meter.CacheRead].Price))
	assert.Equal(t, "4.5/M", price(batch.Base[meter.Output].Price))
}

func TestVariantLookup(t *testing.T) {
	c := loadVariants(t)
	gpt5 := card(t, c, "openai", "gpt-5")
	v, ok := gpt5.Variant("")
	assert.True(t, ok)
	assert.Same(t, gpt5, v)
	v, ok = gpt5.Variant(StandardTier, "geo:us")
	assert.True(t, ok, "a modifier the card has no variant for changes nothing")
	assert.Same(t, gpt5, v)
	_, ok = gpt5.Variant("scale")
	assert.False(t, ok, "a tier the card has no price for is not the standard price")

	o3 := card(t, c, "openai", "o3")
	_, ok = o3.Variant("batch")
	assert.False(t, ok, "the provider's batch is limited to gpt-5 models")
	_, ok = o3.Variant("flex")
	assert.True(t, ok)

	y := card(t, c, "anthropic", "claude-y")
	assert.Equal(t, []string{"batch", "fast", "geo:us"}, y.VariantNames())
	a, _ := y.Variant("batch", "geo:us")
	b, _ := y.Variant("", "geo:us")
	b, _ = b.Variant("batch", "geo:us")
	assert.Same(t, a, b, "called on a variant card, Variant starts from the base")
	a2, _ := y.Variant("batch", "geo:us", "geo:eu")
	assert.Same(t, a, a2)
}

func TestVariantCardIDs(t *testing.T) {
	c := loadVariants(t)
	x := card(t, c, "anthropic", "claude-x")
	v, _ := x.Variant("fast", "geo:us")
	assert.Regexp(t, `^anthropic/claude-x@2025-01-01\+fast\+geo:us#[0-9a-f]{8}$`, v.ID)
	ids := map[string]bool{}
	n := 0
	for _, p := range c.Providers() {
		for _, m := range p.Models {
			for _, base := range m.Cards {
				for _, tier := range append([]string{""}, base.VariantNames()...) {
					for _, mod := range []string{"", "geo:us"} {
						v, ok := base.Variant(tier, mod)
						if !ok || (tier != "" && v.Tier == "" && len(v.Modifiers) == 0) {
							continue
						}
						assert.Same(t, v, c.Card(v.ID), v.ID)
						if k := Known(v.ID); assert.NotNil(t, k, v.ID) {
							assert.Equal(t, v.Base, k.Base, "one id, one set of prices")
						}
						provider, model, variants, ok := ParseCardIDVariants(v.ID)
						require.True(t, ok, v.ID)
						assert.Equal(t, p.ID, provider, v.ID)
						assert.Equal(t, m.ID, model, v.ID)
						assert.Equal(t, append(nonEmpty(v.Tier), v.Modifiers...), variants, v.ID)
						if !ids[v.ID] {
							ids[v.ID] = true
							n++
						}
					}
				}
			}
		}
	}
	assert.Equal(t, 18, n, "claude-x and -y: (2 tiers + base) x (geo:us or not), gpt-5: 3 tiers + base, o3: flex + base")
	// Equal rates under different names never share an id.
	g := card(t, c, "openai", "gpt-5")
	flex, _ := g.Variant("flex")
	assert.NotEqual(t, flex.ID, g.ID)
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func TestParseCardIDVariants(t *testing.T) {
	for _, c := range []struct {
		id, provider, model string
		variants            []string
	}{
		{"openai/gpt-5+flex#0123abcd", "openai", "gpt-5", []string{"flex"}},
		{"anthropic/claude-opus-4-6@2026-02-05+batch+geo:us#0123abcd", "anthropic", "claude-opus-4-6", []string{"batch", "geo:us"}},
		{"anthropic/claude-opus-4-6+geo:us#0123abcd", "anthropic", "claude-opus-4-6", []string{"geo:us"}},
		{"deepseek/deepseek-chat@2025-02-01T16:30:00Z~1630-0030+batch#0123abcd", "deepseek", "deepseek-chat", []string{"batch"}},
		{"gcp.gen_ai/claude-3-5-sonnet@20240620+region:eu-west1#0123abcd", "gcp.gen_ai", "claude-3-5-sonnet@20240620", []string{"region:eu-west1"}},
		{"openrouter/~anthropic/claude-haiku-latest+priority#0123abcd", "openrouter", "~anthropic/claude-haiku-latest", []string{"priority"}},
		{"openai/gpt-4o-mini#9272c02c", "openai", "gpt-4o-mini", nil},
	} {
		p, m, v, ok := ParseCardIDVariants(c.id)
		assert.True(t, ok, c.id)
		assert.Equal(t, c.provider, p, c.id)
		assert.Equal(t, c.model, m, c.id)
		assert.Equal(t, c.variants, v, c.id)
		p, m, ok = ParseCardID(c.id)
		assert.True(t, ok, c.id)
		assert.Equal(t, c.provider, p, c.id)
		assert.Equal(t, c.model, m, c.id)
	}
	_, _, ok := ParseCardID("openai/+flex#0123abcd")
	assert.False(t, ok)
}

func TestVariantsOfSeveralKinds(t *testing.T) {
	c, err := Load(Source{Name: "x.yaml", Data: []byte(`catalog_version: 1
providers:
  - id: a
    variants:
      - {name: region:eu, multiplier: 1.2}
      - {name: geo:us, multiplier: 1.1}
      - {name: geo:eu, multiplier: 1.3}
      - {name: geo1:x, multiplier: 2}
    models:
      - id: m
        prices:
          - rates: {input_mtok: 1}
            variants: {batch: {multiplier: 0.5}}
`)})
	require.NoError(t, err)
	base := card(t, c, "a", "m")
	one, _ := base.Variant("batch", "region:eu", "geo:us")
	two, _ := base.Variant("batch", "geo:us", "region:eu")
	assert.Same(t, one, two, "modifier order does not matter")
	assert.Equal(t, []string{"geo:us", "region:eu"}, one.Modifiers)
	assert.Equal(t, "0.66/M", price(one.Base[meter.Input].Price))
	eu, _ := base.Variant("", "geo:eu")
	assert.Equal(t, "1.3/M", price(eu.Base[meter.Input].Price))
	// Kinds that are prefixes of others: the names still sort and link.
	all, _ := base.Variant("batch", "geo:us", "geo1:x", "region:eu")
	assert.Equal(t, []string{"geo1:x", "geo:us", "region:eu"}, all.Modifiers)
	assert.Equal(t, "1.32/M", price(all.Base[meter.Input].Price))
	again, _ := base.Variant("batch", "region:eu", "geo1:x", "geo:us")
	assert.Same(t, all, again)
}

func TestVariantLoadErrors(t *testing.T) {
	card := func(variants string) string {
		return "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - id: m\n        prices:\n          - rates: {input_mtok: 1, output_mtok: 2}\n            variants:\n              " + variants + "\n"
	}
	tiered := func(variants string) string {
		return "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - id: m\n        prices:\n          - rates: {input_mtok: 1, output_mtok: 2, web_searches_kcount: 10}\n            tiers: [{above: 1000, rates: {input_mtok: 2}}]\n            variants:\n              " + variants + "\n"
	}
	provider := func(entry string) string {
		return "catalog_version: 1\nproviders:\n  - id: a\n    variants:\n      - " + entry + "\n    models:\n      - id: m\n        prices: [{rates: {input_mtok: 1}}]\n"
	}
	cases := []struct{ name, yaml, want string }{
		{"empty", card("flex: {}"), `bad.yaml:5: provider "a" model "m": prices[0]: variants.flex (line 9): a variant needs a multiplier, rates or tiers`},
		{"unknown key", card("flex: {multiplyer: 0.5}"), `line 9: unknown field "multiplyer" (allowed: multiplier, rates, tiers)`},
		{"bad name", card("Flex Tier: {multiplier: 0.5}"), `variants.Flex Tier (line 9): name "Flex Tier" is not a tier`},
		{"standard", card("default: {multiplier: 1}"), `variants.default (line 9): "default" is the standard price, which is the card itself`},
		{"zero multiplier", card("flex: {multiplier: 0}"), `prices[0]: variants.flex (line 9).multiplier (line 9): 0 must be above 0 and at most 100`},
		{"negative multiplier", card("flex: {multiplier: -0.5}"), `variants.flex (line 9).multiplier (line 9): -0.5 must be above 0`},
		{"huge multiplier", card("flex: {multiplier: 1000}"), `must be above 0 and at most 100`},
		{"bad multiplier", card("flex: {multiplier: half}"), `variants.flex (line 9).multiplier (line 9): invalid number "half"`},
		{"precise multiplier", card("flex: {multiplier: 0.0000000001}"), `more than 9 decimal places`},
		{"multiplier not scalar", card("flex: {multiplier: [1]}"), `line 9: a rate must be a number`},
		{"unknown rate", card("priority: {rates: {input_per_token: 2}}"), `variants.priority (line 9).rates.input_per_token: unknown rate`},
		{"negative rate", card("priority: {rates: {input_mtok: -2}}"), `variants.priority (line 9).rates.input_mtok (line 9): "-2" is negative`},
		{"tier order", card("priority: {tiers: [{above: 10, rates: {input_mtok: 2}}, {above: 5, rates: {input_mtok: 3}}]}"), `variants.priority (line 9).tiers[1]: above must be positive`},
		{"tier rates", card("priority: {tiers: [{above: 10, rates: {}}]}"), `variants.priority (line 9).tiers[0]: rates: at least one rate is required`},
		{"tiered override", tiered("priority: {rates: {input_mtok: 2.5}}"), `bad.yaml:5: provider "a" model "m": prices[0]: variants.priority (line 10): sets input_mtok but the card prices it apart above 1000 input tokens; give the variant's tiers too (card a/m#`},
		{"provider name", provider("{multiplier: 0.5}"), `bad.yaml:5: provider "a" variants[0]: name is required`},
		{"provider multiplier", provider("{name: batch, multiplier: 0}"), `bad.yaml:5: provider "a" variants[0].multiplier (line 5): 0 must be above 0`},
		{"provider unknown key", provider("{name: batch, factor: 0.5}"), `line 5: unknown field "factor" (allowed: name, multiplier, rates, tiers, models)`},
		{"provider rule", provider("{name: batch, multiplier: 0.5, models: [{regex: 'a(('}]}"), `bad.yaml:5: provider "a" variants[0] models[0]: regex "a((":`},
		{"provider nothing", provider("{name: geo:us}"), `bad.yaml:5: provider "a" variants[0]: a variant needs a multiplier, rates or tiers`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(Source{Name: "bad.yaml", Data: []byte(tc.yaml)})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	// A flat override on a meter the card does not tier is fine, and
	// holds above the threshold too.
	c, err := Load(Source{Name: "ok.yaml", Data: []byte(tiered("batch: {multiplier: 0.5, rates: {web_searches_kcount: 5}}"))})
	require.NoError(t, err)
	v, ok := c.Provider("a").Match("m").Cards[0].Variant("batch")
	require.True(t, ok)
	assert.Equal(t, "5/K", price(v.Tiers[0].Rates[meter.WebSearch].Price))
	assert.Equal(t, "1/M", price(v.Tiers[0].Rates[meter.Input].Price))
}

func TestFilesWithoutVariantsLoadAsBefore(t *testing.T) {
	c := loadBase(t)
	for _, p := range c.Providers() {
		for _, m := range p.Models {
			for _, card := range m.Cards {
				assert.Empty(t, card.VariantNames(), card.ID)
				assert.NotContains(t, card.ID, "+")
			}
		}
	}
	assert.Len(t, c.byCard, c.Stats().Cards)
}
