package main

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	out, errOut, code := cli(t, "validate", "--no-default", "testdata/prices.yaml", "testdata/litellm.json")
	// prices.yaml: openai, anthropic, deepseek, azure.ai.openai with 4
	// models and 6 cards; litellm.json adds gpt-4.1 (openai) and
	// claude-sonnet-4-5 (anthropic), one card each, and replaces
	// deepseek-chat's two cards with one: 6 models, 6 - 2 + 3 = 7 cards.
	want := `ok: 4 providers, 6 models, 7 price cards, USD (2 files)
testdata/prices.yaml: catalog YAML
testdata/litellm.json: LiteLLM JSON: 5 entries read, 3 models converted
  skipped mode image_generation (not priced per token): 1 (dall-e-3)
  skipped sample_spec (documentation, not a model): 1 (sample_spec)
  not imported variant prices (*_batches): 1 (gpt-4.1)
`
	if code != exitOK || out != want || errOut != "" {
		t.Errorf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr: %s", code, out, want, errOut)
	}
}

func TestValidateOverDefault(t *testing.T) {
	out, _, code := cli(t, "validate", "testdata/prices.yaml")
	if code != exitOK || !strings.Contains(out, " price cards, USD (default catalog + 1 file)\n") {
		t.Errorf("exit %d, stdout:\n%s", code, out)
	}
}

func TestValidateErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"testdata/bad.yaml"}, exitFindings,
			`otelcol-genai-cost validate: testdata/bad.yaml:6: provider "openai" model "gpt-4o-mini": prices[0]: rates.output_mtok (line 8): "-0.6" is negative` + "\n"},
		{[]string{"--no-default", "testdata/prices.yaml", "testdata/bad.json"}, exitFindings,
			"otelcol-genai-cost validate: testdata/bad.json: invalid JSON at line 5, column 4: invalid character '}' looking for beginning of object key string\n"},
		{[]string{"testdata/missing.yaml"}, exitFindings,
			"otelcol-genai-cost validate: open testdata/missing.yaml: no such file or directory\n"},
		{[]string{"--no-default"}, exitUsage, "otelcol-genai-cost validate: no FILE given\n"},
	} {
		out, errOut, code := cli(t, append([]string{"validate"}, c.args...)...)
		if code != c.code || !strings.HasPrefix(errOut, c.want) || out != "" {
			t.Errorf("validate %v: exit %d (want %d)\nstderr: %s\nwant:   %s", c.args, code, c.code, errOut, c.want)
		}
	}
}
