package pricing

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/cost"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// TestDefaultCatalogPricesWellKnownModels prices calls to current models of
// the major providers with the shipped catalog and checks every amount, to
// the nano, against list rates written here (USD per million tokens).
func TestDefaultCatalogPricesWellKnownModels(t *testing.T) {
	c, err := catalog.Load(Default())
	require.NoError(t, err)
	noon := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	type u = meter.Counts
	const (
		in  = meter.Input
		cr  = meter.CacheRead
		cw  = meter.CacheWrite5m
		cw1 = meter.CacheWrite1h
		out = meter.Output
		rsn = meter.Reasoning
	)
	cases := []struct {
		name      string
		provider  string
		model     string
		at        time.Time
		usage     u
		want      string // USD
		wantModel string
	}{
		// OpenAI: input 2.50, cached 1.25, output 10.
		{"gpt-4o dated", "openai", "gpt-4o-2024-08-06", noon, u{in: 8000, cr: 2000, out: 1000}, "0.0325", "gpt-4o"},
		// input 0.15, output 0.60.
		{"gpt-4o-mini", "openai", "gpt-4o-mini", noon, u{in: 1_000_000, out: 100_000}, "0.21", "gpt-4o-mini"},
		// input 2, cached 0.50, output 8.
		{"gpt-4.1", "openai", "gpt-4.1", noon, u{in: 4000, cr: 1000, out: 2000}, "0.0245", "gpt-4.1"},
		// o3 after the 2025-06-10 cut: input 2, output 8; reasoning is inside output.
		{"o3", "openai", "o3", noon, u{in: 2000, out: 5000, rsn: 4000}, "0.044", "o3"},
		// o3 before the cut: input 10, output 40.
		{"o3 old price", "openai", "o3-2025-04-16", time.Date(2025, 6, 9, 0, 0, 0, 0, time.UTC), u{in: 2000, out: 5000, rsn: 4000}, "0.22", "o3"},
		// input 1.10, output 4.40.
		{"o4-mini", "openai", "o4-mini", noon, u{in: 3000, out: 1000}, "0.0077", "o4-mini"},
		// input 1.25, cached 0.125, output 10.
		{"gpt-5", "openai", "gpt-5", noon, u{in: 2000, cr: 8000, out: 3000}, "0.0335", "gpt-5"},
		// 0.02 per million input tokens.
		{"embeddings", "openai", "text-embedding-3-small", noon, u{in: 1_000_000}, "0.02", "text-embedding-3-small"},
		// Anthropic Sonnet 4.5: input 3, cache read 0.30, 5m write 3.75, output 15.
		{"claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5-20250929", noon, u{in: 100, cr: 2000, cw: 500, out: 250}, "0.006525", "claude-sonnet-4-5"},
		// Above 200k input tokens (cache counted): input 6, cache read 0.60, output 22.50.
		{"claude-sonnet-4-5 long context", "anthropic", "claude-sonnet-4-5", noon, u{in: 150_000, cr: 60_000, out: 2000}, "0.981", "claude-sonnet-4-5"},
		// Opus 4.1: input 15, output 75.
		{"claude-opus-4-1", "anthropic", "claude-opus-4-1-20250805", noon, u{in: 1000, out: 1000}, "0.09", "claude-opus-4-1"},
		// Haiku 4.5: input 1, 1h write 2, output 5.
		{"claude-haiku-4-5 1h cache", "anthropic", "claude-haiku-4-5", noon, u{in: 10_000, cw1: 5000, out: 500}, "0.0225", "claude-haiku-4-5"},
		// Gemini 2.5 Pro: input 1.25, output 10; above 200k: 2.50 and 15.
		{"gemini-2.5-pro", "gcp.gemini", "gemini-2.5-pro", noon, u{in: 100_000, out: 10_000}, "0.225", "gemini-2.5-pro"},
		{"gemini-2.5-pro long context", "gcp.vertex_ai", "gemini-2.5-pro", noon, u{in: 250_000, out: 1000}, "0.64", "gemini-2.5-pro"},
		// Gemini 2.5 Flash: input 0.30, output 2.50.
		{"gemini-2.5-flash", "gcp.vertex_ai", "gemini-2.5-flash", noon, u{in: 20_000, out: 5000}, "0.0185", "gemini-2.5-flash"},
		// Mistral Large: input 2, output 6; Small: 0.10 and 0.30.
		{"mistral-large", "mistral_ai", "mistral-large-latest", noon, u{in: 10_000, out: 2000}, "0.032", "mistral-large"},
		{"mistral-small", "mistral_ai", "mistral-small-latest", noon, u{in: 100_000, out: 10_000}, "0.013", "mistral-small-latest"},
		// Bedrock geo (regional) profile: Sonnet 4.5 at input 3.30, output 16.50.
		{"bedrock us profile", "aws.bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", noon, u{in: 1000, out: 1000}, "0.0198", "regional.anthropic.claude-sonnet-4-5-20250929-v1:0"},
		// Bedrock global profile: input 3, output 15.
		{"bedrock global profile", "aws.bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", noon, u{in: 1000, out: 1000}, "0.018", "global.anthropic.claude-sonnet-4-5-20250929-v1:0"},
		// Nova Pro: input 0.80, output 3.20.
		{"bedrock nova", "aws.bedrock", "amazon.nova-pro-v1:0", noon, u{in: 10_000, out: 1000}, "0.0112", "amazon.nova-pro-v1:0"},
		// Azure OpenAI global deployment priced as OpenAI: input 2.50, output 10.
		{"azure gpt-4o", "azure.ai.openai", "gpt-4o", noon, u{in: 1000, out: 1000}, "0.0125", "gpt-4o"},
		// DeepSeek: 0.27 / 1.10 from 00:30 to 16:30 UTC, 0.135 / 0.55 otherwise.
		{"deepseek peak", "deepseek", "deepseek-chat", noon, u{in: 1_000_000, out: 1_000_000}, "1.37", "deepseek-chat"},
		{"deepseek off-peak", "deepseek", "deepseek-chat", time.Date(2026, 11, 1, 20, 0, 0, 0, time.UTC), u{in: 1_000_000, out: 1_000_000}, "0.685", "deepseek-chat"},
		// xAI Grok 4: input 3, output 15.
		{"grok-4", "x_ai", "grok-4", noon, u{in: 1000, out: 1000}, "0.018", "grok-4-0709"},
		// From @pydantic/genai-prices 0.1.8. GPT-5.4 from 272,000 input
		// tokens on (above 271,999): input 5, cached 0.50, output 22.50.
		{"gpt-5.4 at 272k", "openai", "gpt-5.4", noon, u{in: 270_000, cr: 2000, out: 1000}, "1.3735", "gpt-5.4"},
		{"gpt-5.4 below 272k", "openai", "gpt-5.4", noon, u{in: 269_999, cr: 2000, out: 1000}, "0.6904975", "gpt-5.4"},
		// Grok 4.3 from 200,000 tokens on: input 2.50, output 5 (1.25 and 2.50 below).
		{"grok-4.3 long context", "x_ai", "grok-4.3", noon, u{in: 200_000, out: 1000}, "0.505", "grok-4.3"},
		// DeepSeek V4 Flash after 2026-08-17: 0.22 / 0.66, and 0.44 / 1.32 from 01:00 to 04:00 UTC.
		{"deepseek-v4-flash", "deepseek", "deepseek-v4-flash", noon, u{in: 1_000_000, out: 1_000_000}, "0.88", "deepseek-v4-flash"},
		{"deepseek-v4-flash peak window", "deepseek", "deepseek-v4-flash", time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC), u{in: 1_000_000, out: 1_000_000}, "1.76", "deepseek-v4-flash"},
		// Claude Opus 4.6 after its long-context surcharge ended (2026-03-13): 5 / 25 at any length.
		{"claude-opus-4-6 long", "anthropic", "claude-opus-4-6", noon, u{in: 300_000, out: 1000}, "1.525", "claude-opus-4-6"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Resolve(catalog.Query{Providers: []string{tc.provider}, Model: tc.model})
			require.NotNil(t, r.Model, "%s/%s: %s", tc.provider, tc.model, r.Reason)
			assert.Equal(t, tc.wantModel, r.Model.ID)
			card := r.Model.CardAt(tc.at)
			require.NotNil(t, card)
			res := cost.Compute(card, &tc.usage)
			want, err := money.ParseDecimal(tc.want)
			require.NoError(t, err)
			assert.Equal(t, want.String(), res.Total.String())
			assert.False(t, res.Partial())
		})
	}
}

func TestDefaultCatalogLoadsAndIsLarge(t *testing.T) {
	c, err := catalog.Load(Default())
	require.NoError(t, err)
	st := c.Stats()
	assert.Equal(t, "USD", c.Currency)
	assert.GreaterOrEqual(t, st.Providers, 30)
	assert.GreaterOrEqual(t, st.Models, 1400)
	for _, id := range []string{"openai", "anthropic", "aws.bedrock", "azure.ai.openai", "gcp.gen_ai", "mistral_ai", "openrouter", "x_ai", "deepseek"} {
		assert.NotNil(t, c.Provider(id), id)
	}
	// Semconv, deprecated and library-specific provider names all resolve.
	for name, id := range map[string]string{
		"gcp.vertex_ai": "gcp.gen_ai", "vertex_ai": "gcp.gen_ai", "az.ai.openai": "azure.ai.openai", "azure.ai.inference": "azure.ai.openai",
		"openai.chat": "openai", "anthropic.messages": "anthropic", "bedrock_converse": "aws.bedrock", "xai": "x_ai", "mistralai": "mistral_ai",
		"google.generative-ai": "gcp.gen_ai", "Azure": "azure.ai.openai", "AWS": "aws.bedrock",
	} {
		p := c.ProviderByName(name)
		require.NotNil(t, p, name)
		assert.Equal(t, id, p.ID, name)
	}
	assert.Equal(t, "aws.bedrock", c.ProviderByServer("bedrock-runtime.eu-west-1.amazonaws.com").ID)
	assert.Equal(t, "azure.ai.openai", c.ProviderByServer("myorg.openai.azure.com").ID)
	assert.Equal(t, "anthropic", c.ProviderByServer("api.anthropic.com").ID)
}

// TestDefaultCatalogCardIDsParseBack: every card id of the shipped catalog
// names its own provider and model, so a record priced by another process
// still shows them.
func TestDefaultCatalogCardIDsParseBack(t *testing.T) {
	c, err := catalog.Load(Default())
	require.NoError(t, err)
	n := 0
	for _, p := range c.Providers() {
		for _, m := range p.Models {
			for _, card := range m.Cards {
				provider, model, ok := catalog.ParseCardID(card.ID)
				require.True(t, ok, card.ID)
				require.Equal(t, p.ID+"/"+m.ID, provider+"/"+model, card.ID)
				n++
			}
		}
	}
	assert.Greater(t, n, 1400)
}

// TestLoadLiteLLMFile loads a real LiteLLM file (see
// internal/pricesource/testdata/litellm/NOTICE) over the default catalog and
// prices calls with its rates.
func TestLoadLiteLLMFile(t *testing.T) {
	const file = "../../internal/pricesource/testdata/litellm/model_prices_and_context_window.json"
	c, reports, err := LoadReports(true, []string{file})
	require.NoError(t, err)
	require.Len(t, reports, 1)
	assert.Equal(t, 2176, reports[0].Models)
	noon := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		provider, model string
		usage           meter.Counts
		want            string
	}{
		// claude-sonnet-4-5 above 200k: input 6e-06, cache read 6e-07, output 2.25e-05 per token.
		{"anthropic", "claude-sonnet-4-5", meter.Counts{meter.Input: 150_000, meter.CacheRead: 60_000, meter.Output: 2000}, "0.981"},
		// gemini/gemini-2.5-pro: 1.25e-06 and 1e-05 per token.
		{"gcp.gemini", "gemini-2.5-pro", meter.Counts{meter.Input: 100_000, meter.Output: 10_000}, "0.225"},
		// mistral/mistral-large-latest: 5e-07 and 1.5e-06 (the shipped catalog has 2 and 6).
		{"mistral", "mistral-large-latest", meter.Counts{meter.Input: 10_000, meter.Output: 2000}, "0.008"},
	} {
		r := c.Resolve(catalog.Query{Providers: []string{tc.provider}, Model: tc.model})
		require.NotNil(t, r.Model, "%s/%s: %s", tc.provider, tc.model, r.Reason)
		assert.Equal(t, file, r.Model.Source)
		res := cost.Compute(r.Model.CardAt(noon), &tc.usage)
		want, err := money.ParseDecimal(tc.want)
		require.NoError(t, err)
		assert.Equal(t, want.String(), res.Total.String(), tc.model)
	}

	// Without the default catalog, the file prices calls on its own.
	c, err = Load(false, []string{file})
	require.NoError(t, err)
	r := c.Resolve(catalog.Query{Providers: []string{"gcp.vertex_ai"}, Model: "gemini-2.5-pro"})
	require.NotNil(t, r.Model, r.Reason)
}

func TestLoadGenAIPricesFile(t *testing.T) {
	c, reports, err := LoadReports(false, []string{"source/genai-prices-data.json"})
	require.NoError(t, err)
	assert.Equal(t, 1665, reports[0].Models)
	assert.Equal(t, 1665, c.Stats().Models)
}

func TestLoadErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
		return p
	}
	bad := write("bad.json", "{\n  \"gpt-4o\": {\"litellm_provider\": \"openai\",}\n}\n")
	_, err := Load(true, []string{write("ok.yaml", "catalog_version: 1\nproviders: []\n"), bad})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pricing.files[1]: "+bad+": invalid JSON at line 2")

	other := write("other.json", `{"gpt-4o": {"input": 1}}`)
	_, err = Load(true, []string{other})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pricing.files[0]: "+other+": ")
	for _, f := range []string{"catalog YAML", "genai-prices data file", "LiteLLM's model_prices_and_context_window.json"} {
		assert.Contains(t, err.Error(), f)
	}

	// A catalog YAML error still names the file and line.
	yml := write("mine.yaml", "catalog_version: 1\nproviders:\n  - id: acme\n    models:\n      - id: m\n        prices: [{rates: {input_mtok: -1}}]\n")
	_, err = Load(true, []string{yml})
	require.Error(t, err)
	assert.Contains(t, err.Error(), yml+":5: provider \"acme\" model \"m\"")
}
