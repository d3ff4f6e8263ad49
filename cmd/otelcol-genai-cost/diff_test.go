package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
)

func TestDiff(t *testing.T) {
	out, errOut, code := cli(t, "diff", "testdata/prices.yaml", "testdata/prices-new.yaml")
	// deepseek-chat's base card: 0.135 -> 0.28 is +107.407407...%, shown
	// +107.41%; 0.55 -> 0.42 is -23.636363...%, shown -23.64%; a rate only
	// in one catalog has no percentage. gpt-4o-mini 0.6 -> 0.66 is +10%.
	want := `--- testdata/prices.yaml
+++ testdata/prices-new.yaml
models added (1):
  + openai/o3
models removed (1):
  - anthropic/claude-opus-4-6
cards added (1):
  + openai/gpt-4o from 2026-12-01
cards removed (1):
  - deepseek/deepseek-chat from always 00:30-16:30 UTC
rate changes (4):
  deepseek/deepseek-chat  input_mtok       0.135  ->   0.28  (+107.41%)
  deepseek/deepseek-chat  cache_read_mtok      -  ->  0.028
  deepseek/deepseek-chat  output_mtok       0.55  ->   0.42  (-23.64%)
  openai/gpt-4o-mini      output_mtok        0.6  ->   0.66  (+10%)
variant changes (4):
  -  openai/gpt-4o             batch
  -  openai/gpt-4o@2024-08-06  batch
  -  openai/gpt-4o@2024-08-06  flex
  -  openai/gpt-4o-mini        batch
summary: 1 model added, 1 removed; 1 card added, 1 removed; 4 rates changed on 2 cards; 4 variants added or removed
`
	if code != exitOK || out != want || errOut != "" {
		t.Errorf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr: %s", code, out, want, errOut)
	}
}

func TestDiffJSON(t *testing.T) {
	// The other way round, with a LiteLLM file: tiers are compared by
	// threshold.
	out, errOut, code := cli(t, "diff", "--json", "testdata/litellm.json", "testdata/prices.yaml")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	var d diffOut
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if strings.Join(d.ModelsRemoved, " ") != "anthropic/claude-sonnet-4-5 openai/gpt-4.1" ||
		strings.Join(d.ModelsAdded, " ") != "anthropic/claude-opus-4-6 openai/gpt-4o openai/gpt-4o-mini" {
		t.Errorf("models added %v, removed %v", d.ModelsAdded, d.ModelsRemoved)
	}
	// deepseek-chat: LiteLLM's 0.28, 0.028 (cache hits) and 0.42 against
	// 0.135 and 0.55; 0.135 / 0.28 - 1 = -51.785714...% -> -51.79%.
	want := []rateChange{
		{Model: "deepseek/deepseek-chat", From: "always", Key: "input_mtok", Old: "0.28", New: "0.135", Change: "-51.79%"},
		{Model: "deepseek/deepseek-chat", From: "always", Key: "cache_read_mtok", Old: "0.028", New: ""},
		{Model: "deepseek/deepseek-chat", From: "always", Key: "output_mtok", Old: "0.42", New: "0.55", Change: "+30.95%"},
	}
	if len(d.RateChanges) != len(want) {
		t.Fatalf("rate changes %+v", d.RateChanges)
	}
	for i, w := range want {
		g := d.RateChanges[i]
		g.OldID, g.NewID = "", ""
		if g != w {
			t.Errorf("rate change %d: %+v, want %+v", i, g, w)
		}
	}
	if d.Summary != (diffSummary{ModelsAdded: 3, ModelsRemoved: 2, CardsAdded: 1, RateChanges: 3, CardsChanged: 1}) {
		t.Errorf("summary %+v", d.Summary)
	}
}

func TestDiffDefault(t *testing.T) {
	// The embedded catalog against itself: nothing changed.
	out, errOut, code := cli(t, "diff", "--default", "--default")
	want := "--- --default\n+++ --default\nsummary: 0 models added, 0 removed; 0 cards added, 0 removed; 0 rates changed on 0 cards; 0 variants added or removed\n"
	if code != exitOK || out != want {
		t.Errorf("exit %d\nstdout:\n%s\nstderr: %s", code, out, errOut)
	}
}

func TestDiffErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"testdata/prices.yaml"}, exitUsage, "otelcol-genai-cost diff: want OLD and NEW, got 1 argument\n"},
		{[]string{"testdata/prices.yaml", "testdata/bad.yaml"}, exitFindings,
			`otelcol-genai-cost diff: testdata/bad.yaml:6: provider "openai" model "gpt-4o-mini": prices[0]: rates.output_mtok (line 8): "-0.6" is negative` + "\n"},
	} {
		out, errOut, code := cli(t, append([]string{"diff"}, c.args...)...)
		if code != c.code || !strings.HasPrefix(errOut, c.want) || out != "" {
			t.Errorf("diff %v: exit %d (want %d)\nstderr: %s\nwant:   %s", c.args, code, c.code, errOut, c.want)
		}
	}
}

func TestCompareTiers(t *testing.T) {
	load := func(tiers string) *catalog.Catalog {
		t.Helper()
		c, err := catalog.Load(catalog.Source{Name: "test.yaml", Data: []byte(`catalog_version: 1
providers:
  - id: acme
    models:
      - id: m
        prices:
          - rates: {input_mtok: 1, output_mtok: 2}
            tiers: ` + tiers + "\n")})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	d := compare(load(`[{above: 1000, rates: {input_mtok: 2}}]`),
		load(`[{above: 1000, rates: {input_mtok: 3}}, {above: 5000, rates: {input_mtok: 4}}]`))
	// Tiers are cumulative: the new tier above 5000 holds output 2 from
	// the base. 2 -> 3 is +50%.
	var got []string
	for _, c := range d.RateChanges {
		got = append(got, c.Key+" "+orDash(c.Old)+" -> "+orDash(c.New)+" "+c.Change)
	}
	want := []string{
		"above 1000: input_mtok 2 -> 3 +50%",
		"above 5000: input_mtok - -> 4 ",
		"above 5000: output_mtok - -> 2 ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
