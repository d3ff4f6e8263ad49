package catalog

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad: a pricing file, whatever its bytes, loads or is an error
// naming the file; it never panics, and a catalog that loads resolves.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("catalog_version: 1\ncurrency: USD\nproviders:\n  - id: p\n    models:\n      - id: m\n        prices:\n          - rates: {input_mtok: 1.5, output_mtok: 2}\n"))
	f.Add([]byte("catalog_version: 1\ncurrency: EUR\nproviders: [{id: x, models: [{id: y, match: [{regex: '(a+)+$'}], prices: [{from: 2024-01-01, rates: {input_mtok: 1e400}}]}]}]"))
	f.Fuzz(func(_ *testing.T, data []byte) {
		c, err := Load(Source{Name: "fuzz.yaml", Data: data})
		if err != nil {
			return
		}
		for _, p := range c.Providers() {
			for _, m := range p.Models {
				c.Resolve(Query{Providers: []string{p.ID}, Model: m.ID})
			}
		}
	})
}
