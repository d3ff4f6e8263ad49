package genaiusageexporter // import "github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter"

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/api"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/reprice"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// repriceBatch is how many records one repricing transaction reads: short
// enough that ingest, which shares SQLite's one writer, waits little.
const repriceBatch = 1000

// repricer runs repricing runs in the background, one goroutine per run,
// with the exporter's catalog and charging (docs/pricing.md,
// "Repricing"). A run the collector stops in the middle is resumed at its
// next start.
type repricer struct {
	e      *usageExporter
	ctx    context.Context // cancelled at shutdown
	cancel context.CancelFunc
	batch  int

	mu     sync.Mutex
	active map[int64]bool
}

var _ api.Repricer = (*repricer)(nil)

func newRepricer(e *usageExporter) *repricer {
	ctx, cancel := context.WithCancel(context.Background())
	return &repricer{e: e, ctx: ctx, cancel: cancel, batch: repriceBatch, active: map[int64]bool{}}
}

// pricer prices records again with the exporter's catalog and charging in
// force when a run starts: one run, one configuration.
func (rp *repricer) pricer() *reprice.Pricer {
	return &reprice.Pricer{Catalog: rp.e.conv.cat.Load(), Charge: rp.e.conv.charge.Load()}
}

// Start stores a run and starts it.
func (rp *repricer) Start(ctx context.Context, run store.RepriceRun) (store.RepriceRun, error) {
	if err := rp.e.store.CreateRepriceRun(ctx, &run); err != nil {
		return store.RepriceRun{}, err
	}
	rp.e.set.Logger.Info("Repricing started", zap.Int64("run", run.ID), zap.String("actor", run.Actor), zap.Time("from", run.From),
		zap.Time("to", run.To), zap.Bool("dry_run", run.DryRun), zap.String("reason", run.Reason))
	rp.launch(run.ID)
	return run, nil
}

// Resume starts a run again where it stopped.
func (rp *repricer) Resume(ctx context.Context, id int64) (store.RepriceRun, error) {
	run, err := rp.e.store.RepriceRunByID(ctx, id)
	if err != nil {
		return store.RepriceRun{}, err
	}
	if run.Status == store.RepriceDone {
		return run, store.ErrRepriceDone
	}
	rp.launch(id)
	return run, nil
}

func (rp *repricer) Runs(ctx context.Context, p store.Page) ([]store.RepriceRun, int64, error) {
	return rp.e.store.RepriceRuns(ctx, p)
}

func (rp *repricer) Run(ctx context.Context, id int64) (store.RepriceRun, error) {
	return rp.e.store.RepriceRunByID(ctx, id)
}

// resumeRunning resumes the runs a stop interrupted.
func (rp *repricer) resumeRunning(ctx context.Context) {
	runs, _, err := rp.e.store.RepriceRuns(ctx, store.Page{Limit: 100})
	if err != nil {
		rp.e.set.Logger.Warn("Could not list repricing runs to resume; resume them through the API", zap.Error(err))
		return
	}
	for _, run := range runs {
		if run.Status == store.RepriceRunning {
			rp.e.set.Logger.Info("Resuming repricing", zap.Int64("run", run.ID), zap.Int64("scanned", run.Scanned))
			rp.launch(run.ID)
		}
	}
}

// launch runs id in the background unless it runs already.
func (rp *repricer) launch(id int64) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.active[id] || rp.ctx.Err() != nil {
		return
	}
	rp.active[id] = true
	rp.e.wg.Add(1)
	go func() {
		defer rp.e.wg.Done()
		defer func() {
			rp.mu.Lock()
			delete(rp.active, id)
			rp.mu.Unlock()
		}()
		rp.run(id)
	}()
}

// run steps through a run until it is done, logging progress every ten
// seconds. A store error marks the run failed (it can be resumed);
// shutdown leaves it running, for the next start.
func (rp *repricer) run(id int64) {
	log := rp.e.set.Logger.With(zap.Int64("run", id))
	p := rp.pricer()
	fn := func(r *usage.Record) bool { return p.Reprice(r) }
	last := time.Now()
	for {
		run, err := rp.e.store.RepriceStep(rp.ctx, id, rp.batch, fn, time.Now())
		switch {
		case errors.Is(err, store.ErrRepriceDone):
			return
		case rp.ctx.Err() != nil:
			log.Info("Repricing paused by shutdown; it resumes at the next start")
			return
		case err != nil:
			log.Warn("Repricing failed; resume it with POST /api/v1/usage/reprice/{id}/resume", zap.Error(err))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if ferr := rp.e.store.FailRepriceRun(ctx, id, err.Error(), time.Now()); ferr != nil {
				log.Warn("Could not mark the repricing run failed", zap.Error(ferr))
			}
			cancel()
			return
		case run.Status == store.RepriceDone:
			log.Info("Repricing done", zap.Int64("scanned", run.Scanned), zap.Int64("changed", run.Changed), zap.Bool("dry_run", run.DryRun),
				zap.Int("models", len(run.Models)))
			return
		case time.Since(last) > 10*time.Second:
			log.Info("Repricing", zap.Int64("scanned", run.Scanned), zap.Int64("changed", run.Changed), zap.String("at", run.Cursor))
			last = time.Now()
		}
	}
}
