package pricesource

import (
	"testing"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
)

// FuzzConvert feeds arbitrary price files to the detector and both
// converters: they may fail, never panic, and what they return loads.
func FuzzConvert(f *testing.F) {
	for _, seed := range []string{
		`{"m": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2.5e-06, "input_cost_per_token_above_200k_tokens": 5e-06}}`,
		`{"q": {"litellm_provider": "dashscope", "tiered_pricing": [{"range": [0, 1e3], "input_cost_per_token": 1e-06}, {"range": [1000, 2000]}]}}`,
		`{"s": {"litellm_provider": "x", "search_context_cost_per_query": {"a": 1e-3}, "input_cost_per_request": 0.5}}`,
		`[{"id": "p", "models": [{"id": "m", "match": {"and": [{"starts_with": "m"}, {"regex": "^(?!.*x)"}]}, "prices": [{"constraint": {"type": "time_of_date", "start_time": "01:00:00Z", "end_time": "02:00:00Z"}, "prices": {"input_mtok": {"base": 1, "tiers": [{"start": 5, "price": 2}]}}}]}]}]`,
		"catalog_version: 1\n",
		"\ufeff[]",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src, _, err := Convert(data, "fuzz")
		if err != nil {
			return
		}
		if f, _ := Detect(data); f == FormatCatalog {
			return // passed through as it is
		}
		if _, err := catalog.Load(src); err != nil {
			t.Fatalf("converted source does not load: %v\n%s", err, src.Data)
		}
	})
}
