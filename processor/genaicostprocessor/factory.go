package genaicostprocessor // import "github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor/internal/metadata"
)

// Defaults.
const (
	defaultMaxTokens       = 100_000_000 // a hundred million tokens in one call is not a call
	defaultMaxReportedCost = "1000"      // per call, in currency units
	defaultDedupWindow     = 5 * time.Minute
	defaultDedupEntries    = 60_000 // 20k spans; two 1 MB tables that stay in cache
	defaultReloadInterval  = time.Minute
)

// processorCapabilities: the processor writes attributes.
var processorCapabilities = consumer.Capabilities{MutatesData: true}

// NewFactory returns the genai_cost processor factory.
func NewFactory() processor.Factory {
	return processor.NewFactory(metadata.Type, createDefaultConfig,
		processor.WithTraces(createTraces, metadata.TracesStability))
}

func createDefaultConfig() component.Config {
	return &Config{
		Pricing: PricingConfig{DefaultCatalog: true, ReloadInterval: defaultReloadInterval},
		Usage: UsageConfig{
			CacheWriteTTL:   "5m",
			MaxTokens:       defaultMaxTokens,
			MaxReportedCost: defaultMaxReportedCost,
			Estimate:        true,
		},
		Billing: BillingConfig{Dedup: DedupConfig{
			Enabled:    true,
			Window:     defaultDedupWindow,
			MaxEntries: defaultDedupEntries,
		}},
		Attributes: AttributesConfig{Tokens: true},
	}
}

func createTraces(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	p, err := newCostProcessor(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewTraces(ctx, set, cfg, next, p.processTraces,
		processorhelper.WithCapabilities(processorCapabilities),
		processorhelper.WithStart(p.start),
		processorhelper.WithShutdown(p.shutdown))
}
