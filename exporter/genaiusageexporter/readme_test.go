package genaiusageexporter

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/metadata"
	"github.com/otelcol-genai/otelcol-genai/internal/docstest"
)

// TestREADMEConfig holds README.md to the code: both configuration examples
// load and validate, the full one is exactly the default configuration and
// names every option of the exporter's own, and the status table says the
// stability metadata.yaml does.
func TestREADMEConfig(t *testing.T) {
	typ := metadata.Type.String()

	cfg := createDefaultConfig().(*Config)
	docstest.Component(t, "README.md", "## Minimal configuration", cfg, "exporters", typ)
	require.NoError(t, confmap.Validate(cfg))

	cfg = createDefaultConfig().(*Config)
	keys := docstest.Component(t, "README.md", "## Full configuration", cfg, "exporters", typ)
	require.NoError(t, confmap.Validate(cfg))
	docstest.EmptyToNil(cfg)
	assert.Equal(t, createDefaultConfig(), cfg, "the full configuration in README.md shows the defaults")
	assert.Subset(t, keys, docstest.OptionKeys(&Config{}, "github.com/otelcol-genai/otelcol-genai/"),
		"the full configuration in README.md names every option")

	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	assert.Regexp(t, `\| Stability +\| `+strings.ToLower(metadata.TracesStability.String())+`: traces +\|`, string(readme))
}
