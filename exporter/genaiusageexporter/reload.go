package genaiusageexporter // import "github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter"

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-genai/otelcol-genai/config/pricing"
	"github.com/otelcol-genai/otelcol-genai/internal/filewatch"
)

// minReloadInterval is the shortest reload_interval accepted: a check
// stats every file.
const minReloadInterval = 100 * time.Millisecond

// reloader watches the exporter's two file sets. Its fields are the reload
// goroutine's own.
type reloader struct {
	every time.Duration
	// pricing and rates watch pricing.files and exchange_rates.files; nil
	// for a set without files.
	pricing, rates *filewatch.Files
	// checks counts the checks done, for tests to wait on.
	checks atomic.Int64
}

// newReloader returns the reloader of cfg; nil when reloading is off or
// there is no file to watch.
func newReloader(cfg *Config) *reloader {
	if cfg.ReloadInterval <= 0 || len(cfg.Pricing.Files)+len(cfg.ExchangeRates.Files) == 0 {
		return nil
	}
	r := &reloader{every: cfg.ReloadInterval}
	if len(cfg.Pricing.Files) > 0 {
		r.pricing = filewatch.New(cfg.Pricing.Files)
	}
	if len(cfg.ExchangeRates.Files) > 0 {
		r.rates = filewatch.New(cfg.ExchangeRates.Files)
	}
	return r
}

// The attributes of exporter_genai_usage_reloads, by file set and result.
var (
	attrPricingReloaded = metric.WithAttributeSet(attribute.NewSet(attribute.String("files", "pricing"), attribute.String("result", "success")))
	attrPricingFailed   = metric.WithAttributeSet(attribute.NewSet(attribute.String("files", "pricing"), attribute.String("result", "failure")))
	attrRatesReloaded   = metric.WithAttributeSet(attribute.NewSet(attribute.String("files", "exchange_rates"), attribute.String("result", "success")))
	attrRatesFailed     = metric.WithAttributeSet(attribute.NewSet(attribute.String("files", "exchange_rates"), attribute.String("result", "failure")))
)

// reloadLoop checks the files every interval until stop is closed.
func (e *usageExporter) reloadLoop(r *reloader, stop <-chan struct{}) {
	defer e.wg.Done()
	t := time.NewTicker(r.every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if r.pricing != nil {
			if changed := r.pricing.Check(); changed != nil {
				e.reloadPricing(changed)
			}
		}
		if r.rates != nil {
			if changed := r.rates.Check(); changed != nil {
				e.reloadRates(changed)
			}
		}
		r.checks.Add(1)
	}
}

// reloadPricing loads the catalog again after the files changed changed.
// A catalog that loads replaces the converter's; one that does not leaves
// it, logged and counted once: the files are not tried again until they
// change again.
func (e *usageExporter) reloadPricing(changed []string) {
	ctx := context.Background()
	cat, err := pricing.Load(e.cfg.Pricing.DefaultCatalog, e.cfg.Pricing.Files)
	if err != nil {
		e.tb.ExporterGenaiUsageReloads.Add(ctx, 1, attrPricingFailed)
		e.set.Logger.Warn("Pricing catalog not reloaded: a changed file does not load; the catalog in use stays",
			zap.Strings("changed", changed), zap.Error(err))
		return
	}
	e.conv.cat.Store(cat)
	e.tb.ExporterGenaiUsageReloads.Add(ctx, 1, attrPricingReloaded)
	st := cat.Stats()
	e.set.Logger.Info("Pricing catalog reloaded", zap.Strings("changed", changed),
		zap.Int("providers", st.Providers), zap.Int("models", st.Models), zap.Int("price_cards", st.Cards),
		zap.String("currency", cat.Currency), zap.String("fingerprint", fmt.Sprintf("%08x", cat.Fingerprint())))
}

// reloadRates loads the exchange rates again after the files changed
// changed. A table that loads replaces the charger with one of the new
// rates and the same terms, used from the next batch and API request on;
// one that does not leaves the charger in use, logged and counted once.
func (e *usageExporter) reloadRates(changed []string) {
	ctx := context.Background()
	t, err := e.cfg.loadRates()
	if err != nil {
		e.tb.ExporterGenaiUsageReloads.Add(ctx, 1, attrRatesFailed)
		e.set.Logger.Warn("Exchange rates not reloaded: a changed file does not load; the rates in use stay",
			zap.Strings("changed", changed), zap.Error(err))
		return
	}
	ch := *e.conv.charge.Load() // only this goroutine stores it after start
	ch.Rates = t
	e.conv.charge.Store(&ch)
	e.tb.ExporterGenaiUsageReloads.Add(ctx, 1, attrRatesReloaded)
	e.set.Logger.Info("Exchange rates reloaded", zap.Strings("changed", changed),
		zap.Strings("currencies", t.Currencies()))
}
