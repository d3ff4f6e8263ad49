// Package genaiusageexporter is the genai_usage exporter: it turns the
// spans the genai_cost processor priced into Prometheus usage metrics and
// one durable usage record per billable call (SQLite or PostgreSQL), and
// serves the usage query API over them.
//
//go:generate mdatagen metadata.yaml
package genaiusageexporter // import "github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter"
