package genaiusageexporter

import (
	"testing"

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
