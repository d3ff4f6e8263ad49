package genaiusageexporter

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/metadata"
	"github.com/otelcol-genai/otelcol-genai/internal/docstest"
)

// TestREADMEConfig holds README.md to the code: both configuration examples
// load and validate, the full one is exactly the default configuration and
// names every option of the exporter's own, and the status table says the
// stability metadata.yaml does.
func TestREADMEConfig(t *testing.T) {
	docstest.CheckREADME(t, createDefaultConfig, "exporters", metadata.Type, metadata.TracesStability)
}

// TestBudgetsDocConfig holds the configuration example of docs/budgets.md
// to the code: it loads into the exporter's configuration and validates.
func TestBudgetsDocConfig(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	docstest.Component(t, "../../docs/budgets.md", "### In the collector's configuration", cfg, "exporters", metadata.Type.String())
	require.NoError(t, cfg.Validate())
	require.Len(t, cfg.Budgets, 2)
	assert.Equal(t, "production", cfg.Budgets[1].Scope.Environment)
}
