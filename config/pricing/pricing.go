// Package pricing embeds the default pricing catalog, so that the collector
// prices calls with no file to install. See NOTICE for where it comes from.
package pricing

import (
	_ "embed"
	"fmt"
	"os"
	"sync"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/pricesource"
)

//go:embed catalog.yaml
var defaultCatalog []byte

//go:embed variants.yaml
var defaultVariants []byte

// DefaultName names the embedded catalog in errors and price-card sources.
const DefaultName = "default catalog (config/pricing/catalog.yaml)"

// VariantsName names the embedded service-tier variants in errors.
const VariantsName = "default catalog variants (config/pricing/variants.yaml)"

// Default returns the embedded catalog as a catalog source.
func Default() catalog.Source {
	return catalog.Source{Name: DefaultName, Data: defaultCatalog}
}

// DefaultVariants returns the embedded service-tier variants, loaded after
// Default.
func DefaultVariants() catalog.Source {
	return catalog.Source{Name: VariantsName, Data: defaultVariants}
}

// loadDefault loads the embedded catalog once per process: the processor
// and the exporter share it.
var loadDefault = sync.OnceValues(func() (*catalog.Catalog, error) { return catalog.Load(Default(), DefaultVariants()) })

// Load loads the embedded catalog (if withDefault) with files applied over
// it in order. A file is catalog YAML, a genai-prices data file or LiteLLM's
// model_prices_and_context_window.json, told apart by content (see
// pricesource.Detect). Errors name the file, line, entry and field.
func Load(withDefault bool, files []string) (*catalog.Catalog, error) {
	cat, _, err := LoadReports(withDefault, files)
	return cat, err
}

// LoadReports is Load that also returns, for each file converted from JSON,
// the report of what the conversion left out (nil for catalog YAML).
func LoadReports(withDefault bool, files []string) (*catalog.Catalog, []*pricesource.Report, error) {
	if withDefault && len(files) == 0 {
		cat, err := loadDefault()
		if err != nil {
			return nil, nil, fmt.Errorf("pricing: %w", err)
		}
		return cat, nil, nil
	}
	var srcs []catalog.Source
	if withDefault {
		srcs = append(srcs, Default(), DefaultVariants())
	}
	reports := make([]*pricesource.Report, len(files))
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, fmt.Errorf("pricing.files[%d]: %w", i, err)
		}
		src, report, err := pricesource.Convert(data, f)
		if err != nil {
			return nil, nil, fmt.Errorf("pricing.files[%d]: %w", i, err)
		}
		srcs, reports[i] = append(srcs, src), report
	}
	cat, err := catalog.Load(srcs...)
	if err != nil {
		return nil, nil, fmt.Errorf("pricing: %w", err)
	}
	return cat, reports, nil
}
