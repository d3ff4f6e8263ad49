// Package pricing embeds the default pricing catalog, so that the collector
// prices calls with no file to install. See NOTICE for where it comes from.
package pricing

import (
	_ "embed"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
)

//go:embed catalog.yaml
var defaultCatalog []byte

// DefaultName names the embedded catalog in errors and price-card sources.
const DefaultName = "default catalog (config/pricing/catalog.yaml)"

// Default returns the embedded catalog as a catalog source.
func Default() catalog.Source {
	return catalog.Source{Name: DefaultName, Data: defaultCatalog}
}
