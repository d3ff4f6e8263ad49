package main

import (
	"testing"

	"github.com/otelcol-genai/otelcol-genai/config/pricing"
	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
)

// TestModelsArePriced checks that the load names 50 distinct models from six
// providers, each of which the default catalog prices under the expected
// provider.
func TestModelsArePriced(t *testing.T) {
	cat, err := catalog.Load(pricing.Default())
	if err != nil {
		t.Fatal(err)
	}
	if len(models) != 50 {
		t.Errorf("want 50 models, have %d", len(models))
	}
	seen := map[string]bool{}
	provs := map[string]bool{}
	for _, m := range models {
		if seen[m.Model] {
			t.Errorf("duplicate model %q", m.Model)
		}
		seen[m.Model] = true
		provs[m.Provider] = true
		res := cat.Resolve(catalog.Query{Providers: []string{m.Provider}, Model: m.Model, Server: m.Server})
		if res.Model == nil {
			t.Errorf("%s %s: not priced (%s)", m.Provider, m.Model, res.Reason)
			continue
		}
		if got, want := res.Provider.ID, catalogProvider[m.Provider]; got != want {
			t.Errorf("%s %s: provider %s, want %s", m.Provider, m.Model, got, want)
		}
		t.Logf("%-12s %-50s -> %s", m.Provider, m.Model, res.Model.ID)
	}
	if len(provs) != 6 {
		t.Errorf("want 6 providers, have %d", len(provs))
	}
}
