package genaiusageexporter // import "github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter"

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-genai/otelcol-genai/config/pricing"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/api"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/bearer"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/budgets"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/metadata"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/metrics"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/postgres"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/sqlite"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/ui"
	"github.com/otelcol-genai/otelcol-genai/internal/charge"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

type usageExporter struct {
	cfg     *Config
	set     exporter.Settings
	conv    *converter
	metrics *metrics.Metrics // nil when off
	tb      *metadata.TelemetryBuilder

	store *lazyStore // set by start; nil for driver none
	// repricer runs repricings; nil without a store.
	repricer *repricer
	// notifier sends budget notifications; nil without webhooks.
	notifier *budgets.Notifier
	budgets  budgets.Static
	// now is the clock of the budget gauges, for tests.
	now     func() time.Time
	servers []*http.Server
	addrs   map[string]string // what -> listening address
	stop    chan struct{}
	wg      sync.WaitGroup
	bufs    sync.Pool // *[]usage.Record
	// badInput logs the spans whose records were mended or not kept.
	badInput badInput
	// guard stops writing to a SQLite store whose disk is nearly full;
	// nil when off.
	guard *diskGuard
	// reload watches pricing.files and exchange_rates.files; nil when
	// reloading is off or there are no files.
	reload *reloader
}

var (
	attrInserted  = metric.WithAttributeSet(attribute.NewSet(attribute.String("result", "inserted")))
	attrDuplicate = metric.WithAttributeSet(attribute.NewSet(attribute.String("result", "duplicate")))
	attrRejected  = metric.WithAttributeSet(attribute.NewSet(attribute.String("result", "rejected")))
)

func newUsageExporter(cfg *Config, set exporter.Settings) (*usageExporter, error) {
	reload := newReloader(cfg) // before loading: a change while they load is seen next
	cat, err := pricing.Load(cfg.Pricing.DefaultCatalog, cfg.Pricing.Files)
	if err != nil {
		return nil, err
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	e := &usageExporter{cfg: cfg, set: set, tb: tb, conv: newConverter(cat, cfg.dimensionSources()), reload: reload}
	problems := &chargeProblems{logger: set.Logger, now: time.Now}
	ch, err := cfg.charger(&charge.Charger{Card: e.conv.card})
	if err != nil {
		return nil, err
	}
	e.conv.charge.Store(ch)
	e.conv.onChargeError = problems.note
	if e.conv.tolerance, err = cfg.Reconciliation.tolerance(); err != nil {
		return nil, err
	}
	if cfg.Metrics.Enabled {
		if e.metrics, err = metrics.New(metrics.Config{Dimensions: cfg.Metrics.Dimensions, CardinalityLimit: cfg.Metrics.CardinalityLimit, Logger: set.Logger}); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	if e.budgets, err = budgets.Compile(budgetSpecs(cfg.Budgets)); err != nil {
		return nil, err
	}
	e.now = time.Now
	e.badInput = badInput{logger: set.Logger, now: time.Now}
	e.bufs.New = func() any { return new([]usage.Record) }
	return e, nil
}

// openStore opens the configured store, logging its schema migrations
// to logger; nil for driver none.
func openStore(ctx context.Context, cfg *StoreConfig, logger *zap.Logger) (store.Store, error) {
	switch cfg.Driver {
	case DriverSQLite:
		if dir := filepath.Dir(cfg.SQLite.Path); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("store.sqlite.path: %w", err)
			}
		}
		s, err := sqlite.Open(ctx, cfg.SQLite.Path, store.WithLogger(logger))
		if err != nil {
			// SQLite says "disk I/O error" when it cannot recover its
			// write-ahead log on a full disk: say what is likely wrong.
			if free, ferr := freeBytes(filepath.Dir(cfg.SQLite.Path)); ferr == nil && free < 1<<20 {
				err = fmt.Errorf("%w (the disk of %s has %d bytes free: free some space)", err, filepath.Dir(cfg.SQLite.Path), free)
			}
			return nil, err
		}
		return s, nil
	case DriverPostgres:
		return postgres.Open(ctx, string(cfg.Postgres.DSN), store.WithLogger(logger))
	}
	return nil, fmt.Errorf("store.driver: %q has no store", cfg.Driver)
}

func (e *usageExporter) start(ctx context.Context, host component.Host) (err error) {
	defer func() {
		if err != nil {
			_ = e.shutdown(context.Background()) // undo what did start
		}
	}()
	if e.cfg.Store.Driver != DriverNone {
		e.store = &lazyStore{open: func(ctx context.Context) (store.Store, error) { return openStore(ctx, &e.cfg.Store, e.set.Logger) }}
		e.repricer = newRepricer(e)
		if _, err = e.store.get(ctx); err != nil {
			if e.cfg.Store.Driver == DriverSQLite {
				return err // a file that cannot be opened is a configuration error
			}
			e.set.Logger.Warn("The usage store is unavailable; records are kept in the queue and retried until it is back", zap.Error(err))
			err = nil
		}
	}
	if e.metrics != nil {
		h := bearer.Require("genai_usage metrics", bearer.Bytes(e.cfg.Metrics.BearerTokens), e.metrics.Handler())
		if err := e.serve(ctx, host, "metrics", &e.cfg.Metrics.Server, h); err != nil {
			return err
		}
	}
	if e.cfg.API.Enabled {
		tokens := make([]string, len(e.cfg.API.BearerTokens))
		for i, t := range e.cfg.API.BearerTokens {
			tokens[i] = string(t)
		}
		admins := make([]api.AdminToken, len(e.cfg.API.AdminBearerTokens))
		for i, t := range e.cfg.API.AdminBearerTokens {
			admins[i] = api.AdminToken{Name: t.Name, Token: string(t.Token)}
		}
		var svc *budgets.Service
		var rp api.Repricer
		if e.store != nil {
			svc = budgets.New(e.store, e.budgetSource(), e.cfg.BudgetStatus.TopValues)
			rp = e.repricer
		}
		var page http.Handler
		if e.cfg.API.UI.Enabled {
			page = ui.New()
		}
		h := api.New(e.store, api.Options{
			Budgets:        svc,
			Now:            e.now,
			BearerTokens:   tokens,
			AdminTokens:    admins,
			MaxPageSize:    e.cfg.API.MaxPageSize,
			MaxImportBytes: e.cfg.API.MaxImportBytes,
			Logger:         e.set.Logger,
			Page:           page,
			UI:             api.UIOptions{TraceURLTemplate: e.cfg.API.UI.TraceURLTemplate},
			Card:           e.conv.card,
			Charge:         e.conv.charge.Load,
			Repricer:       rp,
		})
		server := e.cfg.API.Server
		if server.MaxRequestBodySize <= 0 {
			// confighttp's default (20 MiB) would cut imports short of
			// api.max_import_bytes, which answers with a clear 413.
			server.MaxRequestBodySize = e.cfg.API.MaxImportBytes + 1
		}
		if err := e.serve(ctx, host, "api", &server, h); err != nil {
			return err
		}
	}
	e.stop = make(chan struct{})
	if e.store != nil {
		e.repricer.resumeRunning(ctx)
	}
	if e.reload != nil {
		e.wg.Add(1)
		go e.reloadLoop(e.reload, e.stop)
	}
	if e.store != nil && e.cfg.Store.Retention > 0 {
		e.wg.Add(1)
		go e.retentionLoop()
	}
	if e.store != nil && (e.metrics != nil || len(e.cfg.BudgetNotifications.Webhooks) > 0) {
		var n *budgets.Notifier
		if len(e.cfg.BudgetNotifications.Webhooks) > 0 {
			n = e.cfg.notifier()
			n.Store, n.Now, n.Logger = e.store, e.now, e.set.Logger
			if e.metrics != nil {
				n.Metrics = e.metrics
				names := make([]string, len(n.Webhooks))
				for i := range n.Webhooks {
					names[i] = n.Webhooks[i].Name
				}
				e.metrics.InitNotifications(names)
			}
			e.notifier = n
		}
		e.wg.Add(1)
		go e.budgetLoop(budgets.New(e.store, e.budgetSource(), e.cfg.BudgetStatus.TopValues), n)
	}
	return nil
}

// budgetSource is the budgets in force: the configured ones and those
// kept in the store.
func (e *usageExporter) budgetSource() budgets.Source {
	return &budgets.Managed{Config: e.budgets, Store: e.store}
}

// budgetValueSeries bounds the values of each-budgets read for the gauges
// when the metrics have no cardinality limit.
const budgetValueSeries = 1000

// budgetLoop recomputes the budget gauges every refresh interval, from
// start. A scrape only reads the last values: it never waits on the store,
// and the store's cost does not grow with the number of scrapers. A
// refresh that fails keeps the previous values, and is logged.
//
// The same refresh tells the webhooks (n, nil if none) of the crossings
// and forecast overruns it sees: no other read of the store.
func (e *usageExporter) budgetLoop(svc *budgets.Service, n *budgets.Notifier) {
	defer e.wg.Done()
	every := e.cfg.BudgetStatus.RefreshInterval
	top := e.cfg.Metrics.CardinalityLimit
	if top <= 0 {
		top = budgetValueSeries
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), every)
		sts, samples, err := svc.Refresh(ctx, e.now(), top)
		switch {
		case err != nil:
			e.set.Logger.Warn("Budgets: could not refresh the budget gauges; they keep their last values", zap.Error(err))
		case e.metrics != nil:
			e.metrics.SetBudgets(samples)
		}
		if n != nil && err == nil {
			if err := n.Evaluate(ctx, sts); err != nil {
				e.set.Logger.Warn("Budgets: could not claim or resume some notifications; the next refresh tries again", zap.Error(err))
			}
		}
		cancel()
		select {
		case <-e.stop:
			return
		case <-t.C:
		}
	}
}

// serve listens on the server's endpoint and serves h. A port already in
// use fails start, so a clash is seen at once.
func (e *usageExporter) serve(ctx context.Context, host component.Host, what string, sc *confighttp.ServerConfig, h http.Handler) error {
	ln, err := sc.ToListener(ctx)
	if err != nil {
		return fmt.Errorf("%s.endpoint: %w", what, err)
	}
	srv, err := sc.ToServer(ctx, host.GetExtensions(), e.set.TelemetrySettings, h)
	if err != nil {
		return fmt.Errorf("%s: %w", what, errors.Join(err, ln.Close()))
	}
	e.servers = append(e.servers, srv)
	if e.addrs == nil {
		e.addrs = map[string]string{}
	}
	e.addrs[what] = ln.Addr().String()
	e.set.Logger.Info("Serving genai_usage "+what, zap.String("endpoint", ln.Addr().String()))
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(fmt.Errorf("%s server: %w", what, err)))
		}
	}()
	return nil
}

// retentionLoop drops raw records past the retention, hourly.
func (e *usageExporter) retentionLoop() {
	defer e.wg.Done()
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		n, err := e.store.DeleteRecordsBefore(ctx, time.Now().Add(-e.cfg.Store.Retention))
		cancel()
		if err != nil {
			e.set.Logger.Warn("Retention: could not drop old usage records; will try again", zap.Error(err))
		} else if n > 0 {
			e.set.Logger.Info("Retention: dropped old usage records (rollups kept)", zap.Int64("records", n))
		}
		select {
		case <-e.stop:
			return
		case <-t.C:
		}
	}
}

func (e *usageExporter) shutdown(ctx context.Context) error {
	var errs []error
	stopped := e.stop != nil
	if stopped {
		close(e.stop) // e.stop is set to nil once the loops that read it are done
	}
	if e.repricer != nil {
		e.repricer.cancel()
	}
	for _, s := range e.servers {
		if err := s.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	e.servers = nil
	e.wg.Wait()
	if stopped {
		e.stop = nil
	}
	if e.notifier != nil {
		// Deliveries under way stay pending, for the next start.
		e.notifier.Close()
		e.notifier = nil
	}
	if e.store != nil {
		errs = append(errs, e.store.Close())
		e.store = nil
	}
	if e.tb != nil {
		e.tb.Shutdown()
	}
	return errors.Join(errs...)
}

// pushTraces writes the records of a batch's billable spans. A store
// error is returned as is, so exporterhelper retries the batch and the
// queue holds what follows: records are never dropped for a store that is
// down. Replays are harmless, the store ignores records it has.
func (e *usageExporter) pushTraces(ctx context.Context, td ptrace.Traces) error {
	buf := e.bufs.Get().(*[]usage.Record)
	defer func() {
		clear(*buf)
		*buf = (*buf)[:0]
		e.bufs.Put(buf)
	}()
	recs, sanitized, rejected := e.conv.appendRecords((*buf)[:0], td, e.now())
	*buf = recs
	if rejected > 0 {
		e.tb.ExporterGenaiUsageRecords.Add(ctx, int64(rejected), attrRejected)
	}
	e.badInput.note(sanitized, rejected)
	if len(recs) == 0 {
		return nil
	}
	// Metrics count a record once it is stored, so that a retried or
	// replayed batch, whole or in part, never counts a call twice.
	if e.store == nil {
		if e.metrics != nil {
			for i := range recs {
				e.metrics.Observe(&recs[i])
			}
		}
		return nil
	}
	if err := e.guard.storeLow(); err != nil {
		return err
	}
	inserted := make([]bool, len(recs))
	n, err := e.store.Write(ctx, recs, inserted)
	// A store may have stored part of the batch when it fails (PostgreSQL
	// writes a large batch in two transactions): that part counts now,
	// since the retry will find it stored.
	if n > 0 {
		e.tb.ExporterGenaiUsageRecords.Add(ctx, int64(n), attrInserted)
	}
	if e.metrics != nil {
		for i := range recs {
			if inserted[i] {
				e.metrics.Observe(&recs[i])
			}
		}
	}
	if err != nil {
		return fmt.Errorf("usage store: %w", err)
	}
	if d := len(recs) - n; d > 0 {
		e.tb.ExporterGenaiUsageRecords.Add(ctx, int64(d), attrDuplicate)
	}
	return nil
}
