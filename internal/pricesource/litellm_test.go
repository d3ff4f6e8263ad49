package pricesource

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
)

// TestFromLiteLLMExcerpt converts 21 real entries of LiteLLM's file and
// checks each converted model against the source's per-token dollars,
// moved six places (three for per-request and per-query prices).
func TestFromLiteLLMExcerpt(t *testing.T) {
	src, r, err := FromLiteLLM(readTestdata(t, "testdata/litellm/excerpt.json"), "excerpt.json")
	require.NoError(t, err)
	y := string(src.Data)

	for _, tc := range []struct{ provider, id, want string }{
		// 3e-06, 3e-07, 3.75e-06, 6e-06 (1-hour class), 1.5e-05, $0.01 a
		// search; above 200k: 6e-06, 6e-07, 7.5e-06, 1.2e-05, 2.25e-05.
		{"anthropic", "claude-sonnet-4-5", `        prices:
          - rates: {input_mtok: 3, cache_read_mtok: 0.3, cache_write_mtok: 3.75, cache_write_1h_mtok: 6, output_mtok: 15, web_searches_kcount: 10}
            tiers:
              - {above: 200000, rates: {input_mtok: 6, cache_read_mtok: 0.6, cache_write_mtok: 7.5, cache_write_1h_mtok: 12, output_mtok: 22.5}}
`},
		// Above 272k; the flex, priority and batch prices are left out.
		{"openai", "gpt-5.4", `        prices:
          - rates: {input_mtok: 2.5, cache_read_mtok: 0.25, output_mtok: 15}
            tiers:
              - {above: 272000, rates: {input_mtok: 5, cache_read_mtok: 0.5, output_mtok: 22.5}}
`},
		// Search prices that differ by context size are not guessed.
		{"openai", "gpt-4o-search-preview", "        prices:\n          - rates: {input_mtok: 2.5, cache_read_mtok: 1.25, output_mtok: 10}\n"},
		// 2e-08 and an explicit 0.0 output.
		{"openai", "text-embedding-3-small", "        prices:\n          - rates: {input_mtok: 0.02, output_mtok: 0}\n"},
		// "gemini/" is cut off; the entry of the unprefixed key, later in
		// the file and with other prices, is reported as a duplicate.
		{"gcp.gen_ai", "gemini-2.5-pro", `        prices:
          - rates: {input_mtok: 1.25, cache_read_mtok: 0.125, output_mtok: 10, web_searches_kcount: 35}
            tiers:
              - {above: 200000, rates: {input_mtok: 2.5, cache_read_mtok: 0.25, output_mtok: 15}}
`},
		// DeepSeek's older input_cost_per_token_cache_hit yields to
		// cache_read_input_token_cost (both 2.8e-08 here).
		{"deepseek", "deepseek-chat", "        prices:\n          - rates: {input_mtok: 0.28, cache_read_mtok: 0.028, cache_write_mtok: 0, output_mtok: 0.42}\n"},
		{"x_ai", "grok-4", "        prices:\n          - rates: {input_mtok: 3, output_mtok: 15}\n"},
		// A Bedrock geo id is a model id of its own, at its own price.
		{"aws.bedrock", `"us.anthropic.claude-sonnet-4-5-20250929-v1:0"`, `        prices:
          - rates: {input_mtok: 3.3, cache_read_mtok: 0.33, cache_write_mtok: 4.125, cache_write_1h_mtok: 6.6, output_mtok: 16.5, web_searches_kcount: 10}
            tiers:
              - {above: 200000, rates: {input_mtok: 6.6, cache_read_mtok: 0.66, cache_write_mtok: 8.25, cache_write_1h_mtok: 13.2, output_mtok: 24.75}}
`},
		{"azure.ai.openai", "gpt-4o", "        prices:\n          - rates: {input_mtok: 2.5, cache_read_mtok: 1.25, output_mtok: 10}\n"},
		// OpenRouter's own model id keeps its vendor part.
		{"openrouter", "anthropic/claude-3-haiku", "        prices:\n          - rates: {input_mtok: 0.25, output_mtok: 1.25}\n"},
		{"mistral_ai", "mistral-large-latest", "        prices:\n          - rates: {input_mtok: 0.5, output_mtok: 1.5}\n"},
		// tiered_pricing by input range: [0, 256000] is the base, the range
		// from 256000 a tier.
		{"dashscope", "qwen-plus-latest", `        prices:
          - rates: {input_mtok: 0.4, output_mtok: 1.2, output_reasoning_mtok: 4}
            tiers:
              - {above: 256000, rates: {input_mtok: 1.2, output_mtok: 3.6, output_reasoning_mtok: 12}}
`},
	} {
		assert.Equal(t, tc.want, model(t, y, tc.provider, tc.id), "%s/%s", tc.provider, tc.id)
	}
	// Providers carry the names emitters send, and LiteLLM's own value.
	assert.Contains(t, y, "  - id: aws.bedrock\n    names: [bedrock, aws, amazon, amazon-bedrock, amazon_bedrock, aws_bedrock, bedrock_converse, bedrock-converse, amazon-bedrock.chat]\n")
	assert.Contains(t, y, "  - id: dashscope\n    models:\n")

	assert.Equal(t, 21, r.Entries)
	assert.Equal(t, 12, r.Models)
	skipped := map[string]int{}
	for k, v := range r.Skipped {
		skipped[k] = v.Count
	}
	assert.Equal(t, map[string]int{
		"duplicate id with other prices (the first entry is kept)":                                               2,
		"implausible price (a unit mistake in the source: above $10,000 per million tokens or $100 per request)": 1,
		"mode audio_transcription (not priced per token)":                                                        1,
		"mode image_generation (not priced per token)":                                                           1,
		"not a model entry (not a JSON object)":                                                                  1,
		"region, deployment or commitment route variant (bedrock/<region>/..., azure/<zone>/...)":                2,
		"sample_spec (documentation, not a model)":                                                               1,
	}, skipped)
	assert.Equal(t, []string{"gemini-2.5-pro (kept gemini/gemini-2.5-pro)", "deepseek-chat (kept deepseek/deepseek-chat)"},
		r.Skipped["duplicate id with other prices (the first entry is kept)"].Examples)
	dropped := map[string]int{}
	for k, v := range r.Dropped {
		dropped[k] = v.Count
	}
	assert.Equal(t, map[string]int{
		"input_cost_per_image":                                          1,
		"regional_processing_uplift_multiplier_eu":                      1,
		"regional_processing_uplift_multiplier_us":                      1,
		"search_context_cost_per_query (prices differ by context size)": 1,
		"variant prices (*_batches)":                                    3,
		"variant prices (*_flex)":                                       1,
		"variant prices (*_priority)":                                   2,
	}, dropped)
	assert.Empty(t, r.Rounded)
}

func TestLiteLLMModelID(t *testing.T) {
	for _, tc := range []struct {
		key, slug, provider, want string
		ok                        bool
	}{
		{"gpt-4o", "openai", "openai", "gpt-4o", true},
		{"gemini/gemini-2.5-pro", "gemini", "gcp.gen_ai", "gemini-2.5-pro", true},
		{"vertex_ai/claude-sonnet-4-5@20250929", "vertex_ai-anthropic_models", "gcp.gen_ai", "claude-sonnet-4-5@20250929", true},
		{"vertex_ai/meta/llama-3.1-405b-instruct-maas", "vertex_ai-llama_models", "gcp.gen_ai", "meta/llama-3.1-405b-instruct-maas", true},
		{"openrouter/anthropic/claude-3-haiku", "openrouter", "openrouter", "anthropic/claude-3-haiku", true},
		{"fireworks_ai/accounts/fireworks/models/llama-v3p1-8b-instruct", "fireworks_ai", "fireworks", "accounts/fireworks/models/llama-v3p1-8b-instruct", true},
		{"azure_ai/claude-haiku-4-5", "azure_ai", "azure.ai.openai", "claude-haiku-4-5", true},
		{"azure/gpt-4o", "azure", "azure.ai.openai", "gpt-4o", true},
		{"azure/eu/gpt-4o-2024-08-06", "azure", "azure.ai.openai", "", false},
		{"us.anthropic.claude-sonnet-4-5-20250929-v1:0", "bedrock_converse", "aws.bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", true},
		{"bedrock/moonshotai.kimi-k2-thinking", "bedrock", "aws.bedrock", "moonshotai.kimi-k2-thinking", true},
		{"bedrock/us-gov-west-1/anthropic.claude-3-haiku-20240307-v1:0", "bedrock", "aws.bedrock", "", false},
		{"bedrock/*/1-month-commitment/cohere.command-light-text-v14", "bedrock", "aws.bedrock", "", false},
		{"bedrock_mantle/openai.gpt-oss-120b", "bedrock_mantle", "aws.bedrock", "openai.gpt-oss-120b", true},
		{"deepseek/deepseek-chat", "deepseek", "deepseek", "deepseek-chat", true},
	} {
		got, ok := liteLLMModelID(tc.key, tc.slug, tc.provider)
		assert.Equal(t, tc.ok, ok, tc.key)
		assert.Equal(t, tc.want, got, tc.key)
	}
}

func TestFromLiteLLMErrors(t *testing.T) {
	for name, tc := range map[string]struct{ data, err string }{
		"not an object":      {`[1]`, "a JSON object of models"},
		"truncated":          {`{"gpt-4o": {"litellm_provider": "openai"`, "invalid JSON"},
		"price not a number": {`{"gpt-4o": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": "cheap"}}`, `"gpt-4o": gpt-4o input_cost_per_token: a price must be a number`},
		"negative price":     {`{"gpt-4o": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": -1e-06}}`, "is negative"},
		"range not whole":    {`{"q": {"litellm_provider": "dashscope", "mode": "chat", "tiered_pricing": [{"range": [0.5, 10], "input_cost_per_token": 1e-06}]}}`, "not a whole number of tokens"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := FromLiteLLM([]byte(tc.data), "ll.json")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.err)
			assert.Contains(t, err.Error(), "ll.json")
		})
	}
}

func TestFromLiteLLMSkipsAndDrops(t *testing.T) {
	src, r, err := FromLiteLLM([]byte(`{
  "no-provider": {"input_cost_per_token": 1e-06},
  "free-local": {"litellm_provider": "ollama", "mode": "chat", "input_cost_per_token": 0.0, "output_cost_per_token": 0.0},
  "per-char": {"litellm_provider": "vertex_ai-text-models", "mode": "chat", "input_cost_per_character": 1e-07},
  "flat-search": {"litellm_provider": "perplexity", "mode": "chat", "input_cost_per_token": 1e-06, "input_cost_per_request": 0.005,
    "search_context_cost_per_query": {"search_context_size_low": 0.005, "search_context_size_medium": 0.0050, "search_context_size_high": 5e-3}},
  "dup": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06},
  "openai/dup": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06},
  "noise": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1.0000000000000001e-06},
  "tiers": {"litellm_provider": "openai", "mode": "responses", "input_cost_per_token": 1e-06,
    "input_cost_per_token_above_128k_tokens": 2e-06, "output_cost_per_token_above_200k_tokens": 3e-06,
    "input_cost_per_token_above_272k_tokens_priority": 9e-06},
  "xai/grok-x": {"litellm_provider": "xai", "mode": "chat", "input_cost_per_token": 2e-07, "input_cost_per_token_above_128k_tokens": 4e-07},
  "marked": {"litellm_provider": "acme", "mode": "chat", "input_cost_per_token": 2e-07, "input_cost_per_token_above_32k_tokens": 4e-07,
    "pricing_tier_threshold_inclusive": true}
}`), "t.json")
	require.NoError(t, err)
	y := string(src.Data)
	assert.Equal(t, "        prices:\n          - rates: {input_mtok: 0, output_mtok: 0}\n", model(t, y, "ollama", "free-local"))
	assert.Equal(t, "        prices:\n          - rates: {input_mtok: 1, web_searches_kcount: 5, requests_kcount: 5}\n", model(t, y, "perplexity", "flat-search"))
	assert.Equal(t, "        prices:\n          - rates: {input_mtok: 1}\n", model(t, y, "openai", "noise"))
	assert.Equal(t, `        prices:
          - rates: {input_mtok: 1}
            tiers:
              - {above: 128000, rates: {input_mtok: 2}}
              - {above: 200000, rates: {output_mtok: 3}}
`, model(t, y, "openai", "tiers"))
	// LiteLLM applies xAI's long-context prices from the threshold on.
	assert.Contains(t, model(t, y, "x_ai", "grok-x"), "              - {above: 127999, rates: {input_mtok: 0.4}}\n")
	assert.Contains(t, model(t, y, "acme", "marked"), "              - {above: 31999, rates: {input_mtok: 0.4}}\n")
	assert.Equal(t, 1, r.Skipped["no litellm_provider"].Count)
	assert.Equal(t, 1, r.Skipped["no per-token price"].Count)
	assert.NotContains(t, r.Dropped, "input_cost_per_character", "counted once, as a skipped entry")
	assert.Equal(t, 1, r.Skipped["duplicate of an earlier entry with the same prices"].Count)
	assert.Equal(t, []string{"noise input_cost_per_token: 1.0000000000000001 to 1"}, r.Rounded)
	assert.Equal(t, 1, r.Dropped["variant prices (*_priority)"].Count)
	_, err = catalog.Load(src)
	require.NoError(t, err)
}

// TestFromLiteLLMWholeFile converts every entry of a real LiteLLM file
// (2,985 entries of 2026-07-24; see testdata/litellm/NOTICE).
func TestFromLiteLLMWholeFile(t *testing.T) {
	src, r, err := FromLiteLLM(readTestdata(t, "testdata/litellm/model_prices_and_context_window.json"), "litellm.json")
	require.NoError(t, err)
	for _, l := range r.Lines() {
		t.Log(l)
	}
	assert.Equal(t, 2985, r.Entries)
	assert.Equal(t, 2176, r.Models)
	assert.Equal(t, r.Entries, r.Models+r.SkippedTotal())
	c, err := catalog.Load(src)
	require.NoError(t, err)
	st := c.Stats()
	assert.Equal(t, 2176, st.Models)
	assert.Equal(t, 2176, st.Cards)
	sonnet := c.Provider("anthropic").Match("claude-sonnet-4-5")
	require.NotNil(t, sonnet)
	require.Len(t, sonnet.Cards[0].Tiers, 1)
	assert.Equal(t, int64(200000), sonnet.Cards[0].Tiers[0].Above)
}
