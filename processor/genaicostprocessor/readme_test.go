package genaicostprocessor

import (
	"testing"

	"github.com/otelcol-genai/otelcol-genai/internal/docstest"
	"github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor/internal/metadata"
)

// TestREADME holds README.md to the code: both configuration examples load
// and validate, the full one is exactly the default configuration and names
// every option, and the status table says the stability metadata.yaml does.
func TestREADME(t *testing.T) {
	docstest.CheckREADME(t, createDefaultConfig, "processors", metadata.Type, metadata.TracesStability)
}
