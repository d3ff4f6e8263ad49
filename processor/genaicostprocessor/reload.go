package genaicostprocessor // import "github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor"

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/filewatch"
)

// pricingState is the catalog in use and the resolver over it. It is never
// changed once published: a reload builds a new one, so the resolver's
// cache never mixes two catalogs.
type pricingState struct {
	cat *catalog.Catalog
	res *resolver
}

// reloader checks pricing.files on a ticker and loads the catalog again
// when one changed. Its fields are the reload goroutine's own.
type reloader struct {
	cfg   *Config
	watch *filewatch.Files
	stop  chan struct{}
	wg    sync.WaitGroup
	// checks counts the checks done, for tests to wait on.
	checks atomic.Int64
}

// reloadInterval is the interval in force: 0 without files to watch.
func reloadInterval(cfg *Config) time.Duration {
	if len(cfg.Pricing.Files) == 0 {
		return 0
	}
	return cfg.Pricing.ReloadInterval
}

// fingerprint formats a catalog's fingerprint for logs.
func fingerprint(cat *catalog.Catalog) string {
	return fmt.Sprintf("%08x", cat.Fingerprint())
}

func (p *costProcessor) start(context.Context, component.Host) error {
	if r := p.reload; r != nil && r.stop == nil {
		r.stop = make(chan struct{})
		r.wg.Add(1)
		go p.reloadLoop(r)
	}
	return nil
}

func (p *costProcessor) shutdown(context.Context) error {
	if r := p.reload; r != nil && r.stop != nil {
		close(r.stop)
		r.wg.Wait()
		r.stop = nil
	}
	p.tel.tb.Shutdown()
	return nil
}

func (p *costProcessor) reloadLoop(r *reloader) {
	defer r.wg.Done()
	t := time.NewTicker(r.cfg.Pricing.ReloadInterval)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
		}
		if changed := r.watch.Check(); changed != nil {
			p.reloadCatalog(r.cfg, changed)
		}
		r.checks.Add(1)
	}
}

// reloadCatalog loads the catalog again, as at start, after the files
// changed changed. A catalog that loads replaces the one in use; one that
// does not leaves it in use. Either way, once per change: the next check
// sees no change until the files change again.
func (p *costProcessor) reloadCatalog(cfg *Config, changed []string) {
	ctx := context.Background()
	cat, err := cfg.loadCatalog()
	if err == nil {
		err = cfg.checkAliases(cat)
	}
	if err != nil {
		p.tel.reloaded(ctx, false)
		p.logger.Warn("Pricing catalog not reloaded: a changed file does not load; the catalog in use stays",
			zap.Strings("changed", changed), zap.Error(err), zap.String("fingerprint", fingerprint(p.pricing.Load().cat)))
		return
	}
	old := p.pricing.Swap(&pricingState{cat: cat, res: newResolver(cat, cfg.Aliases)})
	p.tel.reloaded(ctx, true)
	st := cat.Stats()
	p.logger.Info("Pricing catalog reloaded", zap.Strings("changed", changed),
		zap.Int("providers", st.Providers), zap.Int("models", st.Models), zap.Int("price_cards", st.Cards),
		zap.String("currency", cat.Currency), zap.String("fingerprint", fingerprint(cat)),
		zap.String("previous_fingerprint", fingerprint(old.cat)))
}
