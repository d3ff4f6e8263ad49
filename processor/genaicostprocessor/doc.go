//go:generate mdatagen metadata.yaml

// Package genaicostprocessor prices the LLM calls recorded on trace spans:
// it finds the billable calls, normalises their usage from any attribute
// dialect, prices them from a catalog in exact integer arithmetic and writes
// the cost back onto the span. See README.md.
package genaicostprocessor // import "github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor"
