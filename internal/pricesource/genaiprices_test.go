package pricesource

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
)

// TestFromGenAIPricesExcerpt converts a trimmed real excerpt of the shipped
// snapshot (@pydantic/genai-prices 0.1.8) and checks the models against the
// source, value by value.
func TestFromGenAIPricesExcerpt(t *testing.T) {
	src, r, err := FromGenAIPrices(readTestdata(t, "testdata/genaiprices/excerpt.json"), "excerpt.json")
	require.NoError(t, err)
	y := string(src.Data)

	// Tiered prices become a tier above 200k; a start_date constraint of the
	// new {"type": "start_date"} form becomes a dated card.
	assert.Equal(t, `        name: "Claude Opus 4.6"
        match: [{prefix: claude-opus-4-6}, {prefix: claude-opus-4.6}, {prefix: claude-4-6-opus}, {prefix: claude-4.6-opus}]
        prices:
          - rates: {input_mtok: 5, cache_read_mtok: 0.5, cache_write_mtok: 6.25, cache_write_1h_mtok: 10, output_mtok: 25, web_searches_kcount: 10}
            tiers:
              - {above: 200000, rates: {input_mtok: 10, cache_read_mtok: 1, cache_write_mtok: 12.5, cache_write_1h_mtok: 20, output_mtok: 37.5}}
          - from: 2026-03-13
            rates: {input_mtok: 5, cache_read_mtok: 0.5, cache_write_mtok: 6.25, cache_write_1h_mtok: 10, output_mtok: 25, web_searches_kcount: 10}
`, model(t, y, "anthropic", "claude-opus-4-6"))
	// time_of_date constraints become daily windows.
	assert.Equal(t, `        name: "DeepSeek V4 Flash"
        match: [{prefix: deepseek-v4-flash}]
        prices:
          - rates: {input_mtok: 0.14, cache_read_mtok: 0.0028, output_mtok: 0.28}
          - from: 2026-08-17
            rates: {input_mtok: 0.22, cache_read_mtok: 0.007, output_mtok: 0.66}
          - window: "01:00-04:00"
            rates: {input_mtok: 0.44, cache_read_mtok: 0.014, output_mtok: 1.32}
          - window: "06:00-10:00"
            rates: {input_mtok: 0.44, cache_read_mtok: 0.014, output_mtok: 1.32}
`, model(t, y, "deepseek", "deepseek-v4-flash"))
	// The tier start is copied as it is: genai-prices compares with ">".
	assert.Contains(t, model(t, y, "openai", "gpt-5.4"),
		"          - rates: {input_mtok: 2.5, cache_read_mtok: 0.25, output_mtok: 15, web_searches_kcount: 10}\n"+
			"            tiers:\n"+
			"              - {above: 271999, rates: {input_mtok: 5, cache_read_mtok: 0.5, output_mtok: 22.5}}\n")
	// The "and" clause keeps its positive part.
	assert.Contains(t, model(t, y, "gcp.gen_ai", "gemini-2.5-pro"), "match: [{prefix: gemini-2.5-pro}]\n")
	assert.Contains(t, y, `model_hints: [{regex: "^(?:(?:labs-)?(?:(?:mi|code|dev|magi|mini)stral|mixtral|pixtral|voxtral|open-(?:mistral|mixtral)))[^/]*$"}]`)
	assert.Contains(t, model(t, y, "huggingface_together", "Qwen/Qwen3-VL-8B-Instruct"), "rates: {input_mtok: 0.18, output_mtok: 0.68}")
	assert.NotContains(t, y, "whisper-1\n")
	assert.NotContains(t, y, "mistral-ocr")

	assert.Equal(t, 9, r.Entries)
	assert.Equal(t, 7, r.Models)
	assert.Equal(t, &Tally{Count: 2, Examples: []string{"mistral/mistral-ocr-2503", "openai/whisper-1"}}, r.Skipped["no price this catalog can hold"])
	for _, k := range []string{"audio_hours", "input_audio_hours", "input_document_kpages", "storage_searches_kcount"} {
		assert.Equal(t, 1, r.Dropped[k].Count, k)
	}
	assert.Equal(t, []string{"huggingface_together/Qwen/Qwen3-VL-8B-Instruct input_mtok: 0.18000000000000002 to 0.18"}, r.Rounded)
	assert.Contains(t, r.Notes, "order: 0 of 19 literal ids resolve differently from genai-prices")

	// The converted catalog matches as genai-prices does: the TTS model's
	// exact ids win over gemini-2.5-pro's prefix.
	c, err := catalog.Load(src)
	require.NoError(t, err)
	g := c.Provider("gcp.gen_ai")
	assert.Equal(t, "gemini-2.5-pro-tts", g.Match("gemini-2.5-pro-preview-tts").ID)
	assert.Equal(t, "gemini-2.5-pro", g.Match("gemini-2.5-pro-preview-06-05").ID)
	hints := c.ProviderByModelHint("mistral-large-latest")
	require.NotNil(t, hints)
	assert.Equal(t, "mistral_ai", hints.ID)
	assert.Nil(t, c.ProviderByModelHint("mistralai/mistral-large"), "a vendor-prefixed id is not a Mistral API id")
	card := c.Provider("anthropic").Match("claude-opus-4-6").CardAt(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	assert.Empty(t, card.Tiers, "the long-context surcharge ends on 2026-03-13")
}

func TestFromGenAIPricesFailsLoudly(t *testing.T) {
	const head = `[{"id": "p", "models": [{"id": "m", "match": {"equals": "m"}, "prices": `
	for name, tc := range map[string]struct{ data, err string }{
		"unknown constraint kind": {head + `[{"constraint": {"type": "region", "region": "eu"}, "prices": {"input_mtok": 1}}]}]}]`,
			`unknown kind "region"`},
		"constraint fields of another kind": {head + `[{"constraint": {"type": "start_date", "start_time": "01:00:00Z"}, "prices": {"input_mtok": 1}}]}]}]`,
			"do not make a start_date constraint"},
		"unknown conditional field": {head + `[{"constraint": {"start_date": "2026-01-01"}, "when": {"tier": "batch"}, "prices": {"input_mtok": 1}}]}]}]`,
			`unknown field "when"`},
		"unknown model field": {`[{"id": "p", "models": [{"id": "m", "match": {"equals": "m"}, "prices": {"input_mtok": 1}, "price_variants": []}]}]`,
			`unknown field "price_variants"`},
		"unknown provider field": {`[{"id": "p", "discounts": {}, "models": []}]`, `unknown field "discounts"`},
		"unknown tier field":     {head + `{"input_mtok": {"base": 1, "tiers": [{"start": 10, "price": 2, "unit": "chars"}]}}}]}]`, `unknown field "unit"`},
		"and of two positives":   {`[{"id": "p", "models": [{"id": "m", "match": {"and": [{"starts_with": "a"}, {"ends_with": "b"}]}, "prices": {"input_mtok": 1}}]}]`, `unsupported "and" clause`},
		"lookbehind regex":       {`[{"id": "p", "models": [{"id": "m", "match": {"regex": "(?<=a)b"}, "prices": {"input_mtok": 1}}]}]`, "RE2 lacks"},
		"bad json":               {`[{"id": "p",]`, "invalid JSON at line 1"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := FromGenAIPrices([]byte(tc.data), "gp.json")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.err)
			assert.True(t, strings.HasPrefix(err.Error(), "gp.json: ") || strings.Contains(err.Error(), "gp.json"), err.Error())
		})
	}
}

// TestFromGenAIPricesShippedSnapshot converts the whole shipped snapshot and
// checks that it gives the embedded catalog, less its header.
func TestFromGenAIPricesShippedSnapshot(t *testing.T) {
	src, r, err := FromGenAIPrices(readTestdata(t, "../../config/pricing/source/genai-prices-data.json"), "snapshot")
	require.NoError(t, err)
	shipped := string(readTestdata(t, "../../config/pricing/catalog.yaml"))
	_, body, ok := strings.Cut(shipped, "\ncatalog_version: 1\n")
	require.True(t, ok)
	assert.Equal(t, "catalog_version: 1\n"+body, string(src.Data), "config/pricing/catalog.yaml is stale: run make catalog")
	assert.Equal(t, 1694, r.Entries)
	assert.Equal(t, 1665, r.Models)
	assert.Equal(t, 29, r.SkippedTotal())
	assert.Contains(t, r.Notes, "order: 0 of 2535 literal ids resolve differently from genai-prices")
}
