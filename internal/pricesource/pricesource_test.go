package pricesource

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShiftDecimal(t *testing.T) {
	for _, tc := range []struct {
		in    string
		shift int
		want  string
	}{
		{"2.5e-06", 6, "2.5"},
		{"3e-07", 6, "0.3"},
		{"1.25e-05", 6, "12.5"},
		{"5.46875e-07", 6, "0.546875"},
		{"2.4414e-07", 6, "0.24414"},
		{"6e-08", 6, "0.06"},
		{"1E-9", 6, "0.001"},
		{"0.0", 6, "0"},
		{"0", 6, "0"},
		{"0.015", 6, "15000"},
		{"3", 6, "3000000"},
		{"0.005", 3, "5"},
		{"0.0275", 3, "27.5"},
		{"256000.0", 0, "256000"},
		{"1.0000000000000001e-06", 6, "1.0000000000000001"},
		{"1e+2", 0, "100"},
		{"-2e-06", 6, "-2"},
	} {
		got, err := shiftDecimal(tc.in, tc.shift)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, "%s shifted %d", tc.in, tc.shift)
	}
	for _, bad := range []string{"", ".", "e5", "abc", "1e999", "1.2.3", "0x10"} {
		_, err := shiftDecimal(bad, 6)
		assert.Error(t, err, bad)
	}
}

func TestDecimalTextRoundsNoiseAndReportsIt(t *testing.T) {
	r := newReport(FormatLiteLLM)
	for in, want := range map[string]string{
		"0.18000000000000002": "0.18",
		"0.08333333333333334": "0.083333333",
		"2.9999900000000002":  "2.99999",
		"0.0000000005":        "0", // half to even
		"0.0000000015":        "0.000000002",
		"1.25":                "1.25", // exact: unchanged, not reported
	} {
		got, err := decimalText(in, r, "x")
		require.NoError(t, err)
		assert.Equal(t, want, got, in)
	}
	assert.Len(t, r.Rounded, 5)
}

func TestDetect(t *testing.T) {
	for name, tc := range map[string]struct {
		data string
		want Format
		err  string
	}{
		"catalog yaml":               {data: "catalog_version: 1\nproviders: []\n", want: FormatCatalog},
		"catalog without version":    {data: "# mine\nproviders:\n  - id: acme\n", want: FormatCatalog},
		"catalog as json":            {data: `{"catalog_version": 1, "providers": []}`, want: FormatCatalog},
		"genai-prices":               {data: "\ufeff [{\"id\": \"openai\", \"models\": []}]", want: FormatGenAIPrices},
		"litellm":                    {data: `{"sample_spec": {"litellm_provider": "x"}, "gpt-4o": {"litellm_provider": "openai"}}`, want: FormatLiteLLM},
		"empty":                      {data: " \n", err: "the file is empty"},
		"other json object":          {data: `{"models": {"gpt-4o": {"input": 1}}}`, err: "neither catalog_version nor LiteLLM"},
		"other json list":            {data: `[{"name": "gpt-4o"}]`, err: "other than genai-prices"},
		"list of numbers":            {data: `[1, 2]`, err: "items are not objects"},
		"bad json":                   {data: "{\n  \"gpt-4o\": {\"litellm_provider\": \"openai\",}\n}", err: "invalid JSON at line 2, column 44"},
		"bad json after blank lines": {data: "\n\n[{\"id\": 1,}]", err: "invalid JSON at line 3, column 12"},
		"truncated json":             {data: `[{"id": "openai", "models": [`, err: "invalid JSON"},
		"other yaml":                 {data: "models:\n  gpt-4o: 1\n", err: "without catalog_version or providers"},
		"text":                       {data: "hello", err: "neither JSON nor a YAML mapping"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Detect([]byte(tc.data))
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				if !strings.Contains(tc.err, "invalid JSON") {
					assert.Contains(t, err.Error(), "LiteLLM's model_prices_and_context_window.json")
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestConvertNamesTheFile(t *testing.T) {
	_, _, err := Convert([]byte(`{"gpt-4o": {"litellm_provider": "openai",}}`), "/etc/prices.json")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/etc/prices.json: invalid JSON at line 1")

	_, _, err = Convert([]byte(`{"a": 1}`), "/etc/prices.json")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/etc/prices.json: ")
	assert.Contains(t, err.Error(), "catalog YAML")
	assert.Contains(t, err.Error(), "genai-prices data file")
	assert.Contains(t, err.Error(), "LiteLLM")

	src, r, err := Convert([]byte("catalog_version: 1\n"), "mine.yaml")
	require.NoError(t, err)
	assert.Nil(t, r)
	assert.Equal(t, "mine.yaml", src.Name)
	assert.Equal(t, "catalog_version: 1\n", string(src.Data))
}

func readTestdata(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

// model returns the YAML of one model of a converted catalog: its lines from
// "- id: <id>" under the provider to the next model or provider.
func model(t *testing.T, yaml, provider, id string) string {
	t.Helper()
	_, rest, ok := strings.Cut(yaml, "\n  - id: "+provider+"\n")
	require.True(t, ok, "provider %s not in\n%s", provider, yaml)
	if i := strings.Index(rest, "\n  - id: "); i >= 0 {
		rest = rest[:i+1]
	}
	_, m, ok := strings.Cut(rest, "      - id: "+id+"\n")
	require.True(t, ok, "model %s/%s not in\n%s", provider, id, rest)
	if i := strings.Index(m, "\n      - id: "); i >= 0 {
		m = m[:i+1]
	}
	return m
}
