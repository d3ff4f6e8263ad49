package catalog

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

func loadBase(t *testing.T, extra ...Source) *Catalog {
	t.Helper()
	data, err := os.ReadFile("testdata/base.yaml")
	require.NoError(t, err)
	c, err := Load(append([]Source{{Name: "testdata/base.yaml", Data: data}}, extra...)...)
	require.NoError(t, err)
	return c
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func rate(c *Card, m meter.Meter) string {
	r := c.Base[m]
	if !r.Set {
		return "unset"
	}
	return money.Nanos(int64(r.Price.Nanos)).String() + "/" + map[int64]string{1_000_000: "M", 1000: "K"}[r.Price.Per]
}

func TestLoadBase(t *testing.T) {
	c := loadBase(t)
	assert.Equal(t, "USD", c.Currency)
	st := c.Stats()
	assert.Equal(t, 6, st.Providers)
	assert.Equal(t, 9, st.Models)
	m := c.Provider("openai").Match("gpt-4o-mini")
	require.NotNil(t, m)
	assert.Equal(t, "0.15/M", rate(m.Cards[0], meter.Input))
	assert.Equal(t, "0.075/M", rate(m.Cards[0], meter.CacheRead))
	assert.Equal(t, "unset", rate(m.Cards[0], meter.CacheWrite5m))
	assert.Regexp(t, `^openai/gpt-4o-mini#[0-9a-f]{8}$`, m.Cards[0].ID)
	assert.Equal(t, "testdata/base.yaml", m.Source)
}

func TestCardAtEffectiveDates(t *testing.T) {
	m := loadBase(t).Provider("openai").Match("o3")
	require.NotNil(t, m)
	before := m.CardAt(day("2025-06-09").Add(23*time.Hour + 59*time.Minute))
	after := m.CardAt(day("2025-06-10"))
	assert.Equal(t, "10/M", rate(before, meter.Input))
	assert.Equal(t, "2/M", rate(after, meter.Input))
	assert.Contains(t, after.ID, "openai/o3@2025-06-10#")
	assert.NotContains(t, before.ID, "@")
}

func TestCardAtBeforeFirstDate(t *testing.T) {
	src := Source{Name: "late.yaml", Data: []byte(`catalog_version: 1
providers:
  - id: acme
    models:
      - id: m1
        prices:
          - from: 2026-01-01
            rates: {input_mtok: 1}
`)}
	c, err := Load(src)
	require.NoError(t, err)
	m := c.Provider("acme").Match("m1")
	assert.Nil(t, m.CardAt(day("2025-12-31")), "no price was in force yet")
	assert.NotNil(t, m.CardAt(day("2026-01-01")))
}

func TestCardAtWindow(t *testing.T) {
	m := loadBase(t).Provider("deepseek").Match("deepseek-chat")
	at := func(hm string) string {
		tm, err := time.Parse(time.RFC3339, "2026-05-01T"+hm+":00Z")
		require.NoError(t, err)
		return rate(m.CardAt(tm), meter.Input)
	}
	assert.Equal(t, "0.135/M", at("00:29"))
	assert.Equal(t, "0.27/M", at("00:30"))
	assert.Equal(t, "0.27/M", at("16:29"))
	assert.Equal(t, "0.135/M", at("16:30"))
	assert.Equal(t, "0.135/M", at("23:59"))
	w := Window{Start: 22 * 3600, End: 2 * 3600}
	assert.True(t, w.Contains(day("2026-01-01").Add(23*time.Hour)))
	assert.True(t, w.Contains(day("2026-01-01").Add(time.Hour)))
	assert.False(t, w.Contains(day("2026-01-01").Add(3*time.Hour)))
}

func TestRatesForTiers(t *testing.T) {
	card := loadBase(t).Provider("anthropic").Match("claude-sonnet-4-5-20250929").Cards[0]
	r, above := card.RatesFor(200_000)
	assert.Equal(t, int64(0), above, "exactly at the threshold is still base")
	assert.Equal(t, int64(3_000_000_000), int64(r[meter.Input].Price.Nanos))
	r, above = card.RatesFor(200_001)
	assert.Equal(t, int64(200_000), above)
	assert.Equal(t, int64(6_000_000_000), int64(r[meter.Input].Price.Nanos))
	assert.Equal(t, int64(22_500_000_000), int64(r[meter.Output].Price.Nanos))
	assert.Equal(t, int64(12_000_000_000), int64(r[meter.CacheWrite1h].Price.Nanos))
}

func TestTierKeepsUnlistedBaseRates(t *testing.T) {
	c, err := Load(Source{Name: "t.yaml", Data: []byte(`catalog_version: 1
providers:
  - id: acme
    models:
      - id: m
        prices:
          - rates: {input_mtok: 1, output_mtok: 2, requests_kcount: 5}
            tiers:
              - {above: 1000, rates: {input_mtok: 3}}
              - {above: 5000, rates: {output_mtok: 9}}
`)})
	require.NoError(t, err)
	card := c.Provider("acme").Match("m").Cards[0]
	r, _ := card.RatesFor(6000)
	assert.Equal(t, int64(3_000_000_000), int64(r[meter.Input].Price.Nanos), "a meter keeps the highest tier that lists it")
	r, _ = card.RatesFor(6000)
	assert.Equal(t, int64(9_000_000_000), int64(r[meter.Output].Price.Nanos))
	assert.Equal(t, money.Price{Nanos: 5_000_000_000, Per: 1000}, r[meter.Request].Price)
}

func TestOverlayReplacesAndExtends(t *testing.T) {
	user := Source{Name: "user.yaml", Data: []byte(`catalog_version: 1
providers:
  - id: openai
    models:
      - id: gpt-4o-mini            # replaces the shipped card
        match: [{exact: gpt-4o-mini}]
        prices:
          - rates: {input_mtok: 0.1, output_mtok: 0.4}
      - id: acme-finetune           # new, matched before shipped prefix rules
        match: [{prefix: gpt-4o-2024-08-06-acme}]
        prices:
          - rates: {input_mtok: 0.3, output_mtok: 1.2}
  - id: vllm
    names: [my-vllm]
    models:
      - id: llama-selfhosted
        match: [{prefix: llama}]
        prices:
          - rates: {input_mtok: 0, output_mtok: 0}
`)}
	c := loadBase(t, user)
	p := c.Provider("openai")
	m := p.Match("gpt-4o-mini")
	assert.Equal(t, "0.1/M", rate(m.Cards[0], meter.Input))
	assert.Equal(t, "user.yaml", m.Source)
	assert.Equal(t, "acme-finetune", p.Match("gpt-4o-2024-08-06-acme-v2").ID, "user prefix rule wins over the shipped gpt-4o-20 prefix")
	assert.Equal(t, "gpt-4o", p.Match("gpt-4o-2024-11-20").ID)
	// The dated alias of the replaced model is gone with it.
	assert.Nil(t, p.Match("gpt-4o-mini-2024-07-18"))
	r := c.Resolve(Query{Providers: []string{"my-vllm"}, Model: "llama-3.1-8b"})
	require.NotNil(t, r.Model)
	assert.Equal(t, "0/M", rate(r.Model.Cards[0], meter.Input), "an explicit zero is a price")
}

func TestResolve(t *testing.T) {
	c := loadBase(t)
	cases := []struct {
		name            string
		q               Query
		provider, model string
		reason          Reason
		matchedForm     string
	}{
		{"exact", Query{Providers: []string{"openai"}, Model: "gpt-4o-mini"}, "openai", "gpt-4o-mini", Found, "gpt-4o-mini"},
		{"case and space", Query{Providers: []string{" OpenAI "}, Model: " GPT-4o-Mini "}, "openai", "gpt-4o-mini", Found, "gpt-4o-mini"},
		{"vercel provider alias", Query{Providers: []string{"openai.chat"}, Model: "gpt-4o-mini-2024-07-18"}, "openai", "gpt-4o-mini", Found, "gpt-4o-mini-2024-07-18"},
		{"framework name skipped", Query{Providers: []string{"strands-agents", "anthropic"}, Model: "claude-sonnet-4-5"}, "anthropic", "claude-sonnet-4-5", Found, "claude-sonnet-4-5"},
		{"date suffix anthropic", Query{Providers: []string{"anthropic"}, Model: "claude-sonnet-4-5-20250929"}, "anthropic", "claude-sonnet-4-5", Found, "claude-sonnet-4-5-20250929"},
		{"vertex date", Query{Providers: []string{"anthropic"}, Model: "claude-sonnet-4-5@20250929"}, "anthropic", "claude-sonnet-4-5", Found, "claude-sonnet-4-5@20250929"},
		{"server address", Query{Server: "api.openai.com", Model: "gpt-4o"}, "openai", "gpt-4o", Found, "gpt-4o"},
		{"server beats attribute", Query{Providers: []string{"openai"}, Server: "openrouter.ai", Model: "anthropic/claude-sonnet-4.5"}, "openrouter", "anthropic/claude-sonnet-4.5", Found, "anthropic/claude-sonnet-4.5"},
		{"unknown server keeps attribute", Query{Providers: []string{"anthropic"}, Server: "litellm-proxy.internal", Model: "claude-sonnet-4-5"}, "anthropic", "claude-sonnet-4-5", Found, "claude-sonnet-4-5"},
		{"model hint", Query{Model: "o3"}, "openai", "o3", Found, "o3"},
		{"model hint claude", Query{Model: "claude-sonnet-4.5"}, "anthropic", "claude-sonnet-4-5", Found, "claude-sonnet-4.5"},
		{"bedrock global", Query{Providers: []string{"aws.bedrock"}, Model: "global.anthropic.claude-opus-4-6-v1:0"}, "aws.bedrock", "global.anthropic.claude-opus-4-6", Found, "global.anthropic.claude-opus-4-6-v1:0"},
		{"bedrock regional", Query{Providers: []string{"aws.bedrock"}, Model: "us.anthropic.claude-opus-4-6-v1:0"}, "aws.bedrock", "regional.anthropic.claude-opus-4-6", Found, "us.anthropic.claude-opus-4-6-v1:0"},
		{"bedrock bare", Query{Providers: []string{"bedrock"}, Model: "anthropic.claude-opus-4-6-v1:0"}, "aws.bedrock", "regional.anthropic.claude-opus-4-6", Found, "anthropic.claude-opus-4-6-v1:0"},
		{"bedrock arn", Query{Server: "bedrock-runtime.us-east-1.amazonaws.com", Model: "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-6-v1:0"}, "aws.bedrock", "regional.anthropic.claude-opus-4-6", Found, "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-6-v1:0"},
		{"bedrock arn stripped", Query{Providers: []string{"aws.bedrock"}, Model: "arn:aws:bedrock:us-east-1:1:inference-profile/global.anthropic.claude-opus-4-6-v1:0"}, "aws.bedrock", "global.anthropic.claude-opus-4-6", Found, "arn:aws:bedrock:us-east-1:1:inference-profile/global.anthropic.claude-opus-4-6-v1:0"},
		{"azure own price", Query{Providers: []string{"az.ai.openai"}, Model: "gpt-4o-mini"}, "azure.ai.openai", "gpt-4o-mini", Found, "gpt-4o-mini"},
		{"azure falls back to openai", Query{Providers: []string{"azure"}, Model: "gpt-4o-2024-08-06"}, "azure.ai.openai", "gpt-4o", Found, "gpt-4o-2024-08-06"},
		{"gateway full id", Query{Providers: []string{"openrouter"}, Model: "anthropic/claude-sonnet-4.5"}, "openrouter", "anthropic/claude-sonnet-4.5", Found, "anthropic/claude-sonnet-4.5"},
		{"litellm vendor prefix", Query{Model: "anthropic/claude-sonnet-4-5"}, "anthropic", "claude-sonnet-4-5", Found, "claude-sonnet-4-5"},
		{"unknown model", Query{Providers: []string{"openai"}, Model: "acme-llm-9000"}, "openai", "", UnknownModel, "acme-llm-9000"},
		{"unknown provider", Query{Providers: []string{"langchain"}, Model: "acme-llm-9000"}, "", "", UnknownProvider, "acme-llm-9000"},
		{"no model", Query{Providers: []string{"openai"}}, "openai", "", NoModel, ""},
		{"no cross-seller price", Query{Providers: []string{"aws.bedrock"}, Model: "gpt-4o"}, "aws.bedrock", "", UnknownModel, "gpt-4o"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Resolve(tc.q)
			assert.Equal(t, tc.reason, r.Reason)
			if tc.provider == "" {
				assert.Nil(t, r.Provider)
			} else {
				require.NotNil(t, r.Provider)
				assert.Equal(t, tc.provider, r.Provider.ID)
			}
			if tc.model == "" {
				assert.Nil(t, r.Model)
			} else {
				require.NotNil(t, r.Model)
				assert.Equal(t, tc.model, r.Model.ID)
			}
			assert.Equal(t, tc.matchedForm, r.ModelID)
		})
	}
}

func TestModelForms(t *testing.T) {
	forms, vendors := modelForms("arn:aws:bedrock:us-east-1:1:inference-profile/us.anthropic.claude-3-5-sonnet-20241022-v2:0")
	assert.Equal(t, []string{
		"arn:aws:bedrock:us-east-1:1:inference-profile/us.anthropic.claude-3-5-sonnet-20241022-v2:0",
		"us.anthropic.claude-3-5-sonnet-20241022-v2:0",
		"anthropic.claude-3-5-sonnet-20241022-v2:0",
		"claude-3-5-sonnet-20241022-v2:0",
		"claude-3-5-sonnet-20241022",
		"claude-3-5-sonnet",
	}, forms)
	assert.Equal(t, []string{"anthropic"}, vendors)
	forms, vendors = modelForms("openrouter/openai/gpt-4o-2024-08-06")
	assert.Equal(t, []string{"openrouter/openai/gpt-4o-2024-08-06", "openai/gpt-4o-2024-08-06", "gpt-4o-2024-08-06", "gpt-4o"}, forms)
	assert.Equal(t, []string{"openrouter", "openai"}, vendors)
	forms, _ = modelForms("mistral-large-2402")
	assert.Equal(t, []string{"mistral-large-2402"}, forms, "four-digit suffixes are versions with their own prices, not dates")
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"version", "catalog_version: 2\n", "bad.yaml: catalog_version must be 1, got 2"},
		{"syntax", "catalog_version: 1\nproviders: [\n", "bad.yaml: yaml:"},
		{"unknown top key", "catalog_version: 1\nprovider: []\n", "field provider not found"},
		{"currency", "catalog_version: 1\ncurrency: usd\n", `currency "usd" is not an ISO 4217 code`},
		{"provider id", "catalog_version: 1\nproviders:\n  - names: [x]\n", "bad.yaml:3: providers[0]: id is required"},
		{"unknown provider key", "catalog_version: 1\nproviders:\n  - id: a\n    modles: []\n", `line 4: unknown field "modles"`},
		{"model id", "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - prices: [{rates: {input_mtok: 1}}]\n", `bad.yaml:5: provider "a" models[0]: id is required`},
		{"no prices", "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - id: m\n", `bad.yaml:5: provider "a" model "m": prices: at least one price card is required`},
		{"empty rates", "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - id: m\n        prices: [{rates: {}}]\n", `model "m": prices[0]: rates: no rates; a free model needs explicit zeros`},
		{"unknown rate", "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - id: m\n        prices: [{rates: {input_per_token: 1}}]\n", `model "m": prices[0]: rates.input_per_token: unknown rate; known rates: cache_audio_read_mtok`},
		{"negative rate", "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - id: m\n        prices: [{rates: {input_mtok: -1}}]\n", `prices[0]: rates.input_mtok (line 6): "-1" is negative`},
		{"bad number", "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - id: m\n        prices: [{rates: {output_mtok: abc}}]\n", `rates.output_mtok (line 6): invalid number "abc"`},
		{"precision", "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - id: m\n        prices: [{rates: {output_mtok: 0.0000000001}}]\n", "more than 9 decimal places"},
		{"implausible", "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - id: m\n        prices: [{rates: {output_mtok: 150000}}]\n", "150000 is implausibly high (limit 10000); rates are per 1000000 units"},
		{"rate not number", "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - id: m\n        prices: [{rates: {output_mtok: [1]}}]\n", "line 6: a rate must be a number"},
		{"bad date", "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - id: m\n        prices: [{from: 2025-13-01, rates: {input_mtok: 1}}]\n", `prices[0]: from: "2025-13-01" is not a date`},
		{"dates out of order", "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - id: m\n        prices:\n          - {from: 2025-06-01, rates: {input_mtok: 1}}\n          - {from: 2025-01-01, rates: {input_mtok: 2}}\n", "prices[1]: from 2025-01-01 must be after the previous card's 2025-06-01"},
		{"bad window", "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - id: m\n        prices: [{window: '25:00-01:00', rates: {input_mtok: 1}}]\n", `window: "25:00-01:00" is not HH:MM-HH:MM`},
		{"tier order", "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - id: m\n        prices:\n          - rates: {input_mtok: 1}\n            tiers: [{above: 100, rates: {input_mtok: 2}}, {above: 50, rates: {input_mtok: 3}}]\n", "tiers[1]: above must be positive and greater than the previous tier's (100), got 50"},
		{"tier unknown key", "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - id: m\n        prices:\n          - rates: {input_mtok: 1}\n            tiers: [{start: 100, rates: {input_mtok: 2}}]\n", `unknown field "start" (allowed: above, rates)`},
		{"bad rule", "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - id: m\n        match: [{startswith: x}]\n        prices: [{rates: {input_mtok: 1}}]\n", `line 6: unknown match rule "startswith"`},
		{"bad regex", "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - id: m\n        match: [{regex: 'a(('}]\n        prices: [{rates: {input_mtok: 1}}]\n", `model "m": match[0]: regex "a((":`},
		{"duplicate model", "catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - {id: m, prices: [{rates: {input_mtok: 1}}]}\n      - {id: m, prices: [{rates: {input_mtok: 1}}]}\n", `bad.yaml:6: provider "a" model "m" is listed twice`},
		{"duplicate provider", "catalog_version: 1\nproviders:\n  - id: a\n  - id: a\n", `provider "a" is listed twice in this file`},
		{"name clash", "catalog_version: 1\nproviders:\n  - {id: a, names: [x]}\n  - {id: b, names: [X]}\n", `provider name "x" is claimed by both "a" and "b"`},
		{"fallback", "catalog_version: 1\nproviders:\n  - {id: a, fallback: [zzz]}\n", `provider "a": fallback "zzz" is not a provider in the catalog`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(Source{Name: "bad.yaml", Data: []byte(tc.yaml)})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestOverlayCurrencyMismatch(t *testing.T) {
	_, err := Load(Source{Name: "a.yaml", Data: []byte("catalog_version: 1\ncurrency: USD\n")},
		Source{Name: "b.yaml", Data: []byte("catalog_version: 1\ncurrency: EUR\n")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "b.yaml: currency EUR differs from USD")
}

func TestCardIDsDifferWithRates(t *testing.T) {
	mk := func(in string) string {
		c, err := Load(Source{Name: "x", Data: []byte("catalog_version: 1\nproviders:\n  - id: a\n    models:\n      - id: m\n        prices: [{rates: {input_mtok: " + in + "}}]\n")})
		require.NoError(t, err)
		return c.Provider("a").Match("m").Cards[0].ID
	}
	assert.NotEqual(t, mk("1"), mk("1.1"))
	assert.Equal(t, mk("1"), mk("1.0"), "the same price written differently is the same card")
}

func TestCardByID(t *testing.T) {
	cat := loadBase(t)
	n := 0
	for _, p := range cat.Providers() {
		for _, m := range p.Models {
			for _, card := range m.Cards {
				assert.Same(t, card, cat.Card(card.ID), card.ID)
				n++
			}
		}
	}
	assert.Positive(t, n)
	assert.Nil(t, cat.Card("openai/gpt-x#00000000"))
}

func TestParseCardID(t *testing.T) {
	for _, c := range []struct{ id, provider, model string }{
		{"openai/gpt-4o-mini#9272c02c", "openai", "gpt-4o-mini"},
		{"openrouter/~anthropic/claude-haiku-latest#0123abcd", "openrouter", "~anthropic/claude-haiku-latest"},
		{"openrouter/anthropic/claude-3.5-sonnet@2025-01-01#0123abcd", "openrouter", "anthropic/claude-3.5-sonnet"},
		{"google/claude-3-5-sonnet@20240620#0123abcd", "google", "claude-3-5-sonnet@20240620"},
		{"deepseek/deepseek-chat@2025-02-01T16:30:00Z~1630-0030#0123abcd", "deepseek", "deepseek-chat"},
		{"x/model~with~tilde#0123abcd", "x", "model~with~tilde"},
	} {
		p, m, ok := ParseCardID(c.id)
		assert.True(t, ok, c.id)
		assert.Equal(t, c.provider, p, c.id)
		assert.Equal(t, c.model, m, c.id)
	}
	for _, bad := range []string{"", "gpt-4o", "/gpt-4o#0123abcd", "openai/#0123abcd"} {
		_, _, ok := ParseCardID(bad)
		assert.False(t, ok, bad)
	}
}

// Every card of the embedded catalog's kind of ids parses back to its own
// provider and model, and is known once its catalog is loaded.
func TestCardIDsParseBackAndAreKnown(t *testing.T) {
	cat := loadBase(t)
	n := 0
	for _, p := range cat.Providers() {
		for _, m := range p.Models {
			for _, card := range m.Cards {
				provider, model, ok := ParseCardID(card.ID)
				require.True(t, ok, card.ID)
				assert.Equal(t, p.ID, provider, card.ID)
				assert.Equal(t, m.ID, model, card.ID)
				assert.Equal(t, card.Provider, provider)
				assert.Equal(t, card.Model, model)
				assert.Equal(t, cat.Currency, card.Currency)
				if k := Known(card.ID); assert.NotNil(t, k, card.ID) {
					assert.Equal(t, card.Base, k.Base, "one id, one set of prices")
				}
				n++
			}
		}
	}
	assert.Positive(t, n)
}

// A catalog loaded again with new prices (a reload) has new card ids and
// another fingerprint; the cards of the catalog it replaces stay Known, so
// records priced before the reload still find their card.
func TestReloadKeepsOldCardsKnown(t *testing.T) {
	old := loadBase(t)
	again := loadBase(t)
	assert.Equal(t, old.Fingerprint(), again.Fingerprint(), "same files, same fingerprint")
	newer := loadBase(t, Source{Name: "override.yaml", Data: []byte(`catalog_version: 1
currency: USD
providers:
  - id: openai
    models:
      - id: gpt-4o-mini
        match: [{exact: gpt-4o-mini}]
        prices:
          - rates: {input_mtok: 0.2, output_mtok: 0.8}
`)})
	assert.NotEqual(t, old.Fingerprint(), newer.Fingerprint())
	oldCard := old.Provider("openai").Match("gpt-4o-mini").Cards[0]
	newCard := newer.Provider("openai").Match("gpt-4o-mini").Cards[0]
	require.NotEqual(t, oldCard.ID, newCard.ID)
	assert.Nil(t, newer.Card(oldCard.ID), "the new catalog does not have the old card")
	// Known keeps the first card of each id this process loaded: an equal
	// one, the same prices.
	if k := Known(oldCard.ID); assert.NotNil(t, k, "the old card is still known") {
		assert.Equal(t, oldCard.Base, k.Base)
	}
	if k := Known(newCard.ID); assert.NotNil(t, k) {
		assert.Equal(t, newCard.Base, k.Base)
	}
}
