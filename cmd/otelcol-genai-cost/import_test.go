package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
)

func TestImportLiteLLM(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "litellm.yaml")
	out, errOut, code := cli(t, "import", "--from", "litellm", "testdata/litellm.json", "-o", dst)
	if code != exitOK || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	wantErr := `testdata/litellm.json: LiteLLM JSON: 5 entries read, 3 models converted
  skipped mode image_generation (not priced per token): 1 (dall-e-3)
  skipped sample_spec (documentation, not a model): 1 (sample_spec)
  not imported variant prices (*_batches): 1 (gpt-4.1)
wrote ` + dst + `: 3 providers, 3 models, 3 price cards
`
	if errOut != wantErr {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, wantErr)
	}
	data, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "# Price catalog converted by otelcol-genai-cost import from litellm.json\n# (LiteLLM JSON, sha256 ") {
		t.Errorf("header:\n%s", data[:200])
	}
	cat, err := catalog.Load(catalog.Source{Name: dst, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	// claude-sonnet-4-5: 3e-06 per token is 3 per million, and the
	// _above_200k_tokens prices a tier above 200000.
	c := cat.Provider("anthropic").Match("claude-sonnet-4-5").Cards[0]
	if got := c.Base[meter.Input].Price; got.Nanos != 3_000_000_000 || got.Per != 1_000_000 {
		t.Errorf("input rate %+v, want 3 per million", got)
	}
	if len(c.Tiers) != 1 || c.Tiers[0].Above != 200000 || c.Tiers[0].Rates[meter.Output].Price.Nanos != 22_500_000_000 {
		t.Errorf("tiers %+v, want output 22.5 above 200000", c.Tiers)
	}
}

func TestImportToStdout(t *testing.T) {
	out, errOut, code := cli(t, "import", "../../internal/pricesource/testdata/genaiprices/excerpt.json")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	if !strings.Contains(out, "(genai-prices JSON, sha256 ") || !strings.Contains(out, "\ncatalog_version: 1\n") {
		t.Errorf("stdout:\n%.400s", out)
	}
	if !strings.HasPrefix(errOut, "../../internal/pricesource/testdata/genaiprices/excerpt.json: genai-prices JSON: 9 entries read, 7 models converted\n") {
		t.Errorf("stderr:\n%s", errOut)
	}
	if _, err := catalog.Load(catalog.Source{Name: "stdout", Data: []byte(out)}); err != nil {
		t.Error(err)
	}
}

func TestImportErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--from", "genai-prices", "testdata/litellm.json"}, exitFindings,
			"otelcol-genai-cost import: testdata/litellm.json: --from genai-prices, but the file is LiteLLM JSON\n"},
		{[]string{"testdata/prices.yaml"}, exitFindings,
			"otelcol-genai-cost import: testdata/prices.yaml is catalog YAML already; list it under pricing.files as it is\n"},
		{[]string{"testdata/bad.json"}, exitFindings,
			"otelcol-genai-cost import: testdata/bad.json: invalid JSON at line 5, column 4: "},
		{[]string{"--from", "csv", "testdata/litellm.json"}, exitUsage,
			`otelcol-genai-cost import: --from "csv": use litellm, genai-prices or auto` + "\n"},
		{[]string{"a.json", "b.json"}, exitUsage, "otelcol-genai-cost import: want one input file, got 2\n"},
	} {
		out, errOut, code := cli(t, append([]string{"import"}, c.args...)...)
		if code != c.code || !strings.HasPrefix(errOut, c.want) || out != "" {
			t.Errorf("import %v: exit %d (want %d)\nstderr: %s\nwant:   %s", c.args, code, c.code, errOut, c.want)
		}
	}
}
