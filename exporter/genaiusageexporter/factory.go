package genaiusageexporter // import "github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/budgets"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/metadata"
)

// Defaults.
const (
	defaultSQLitePath       = "./data/genai-usage.db"
	defaultMetricsEndpoint  = "127.0.0.1:9464"
	defaultAPIEndpoint      = "127.0.0.1:8480"
	defaultCardinalityLimit = 2000
	defaultMaxPageSize      = 1000
	defaultMaxImportBytes   = 256 << 20
	defaultQueueSpans       = 100_000
	defaultBudgetRefresh    = time.Minute
	defaultReloadInterval   = time.Minute
)

// NewFactory returns the genai_usage exporter factory.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(metadata.Type, createDefaultConfig,
		exporter.WithTraces(createTraces, metadata.TracesStability))
}

func createDefaultConfig() component.Config {
	q := exporterhelper.NewDefaultQueueConfig()
	q.NumConsumers = 1 // one writer: SQLite has one, and batches stay whole
	// Bound the queue by spans, not requests: a thousand requests of a
	// batch processor's 8,192 spans held gigabytes under load. Past this,
	// the receiver refuses data and clients retry: memory stays bounded.
	q.Sizer = exporterhelper.RequestSizerTypeItems
	q.QueueSize = defaultQueueSpans
	// Batch in the exporter's own queue rather than with a batch processor
	// in front: the batch processor drops what a full queue refuses, while
	// the queue's refusal reaches the receiver and the client retries.
	// Large batches under load: each batch upserts one rollup row per user,
	// team, session and hour it touches, so the more calls share a batch,
	// the fewer upserts per call (a thousand users: 1.5x the ingest of
	// batches of 5,000, docs/benchmarks.md). Below that rate the flush
	// timeout sends what there is.
	batch := exporterhelper.NewDefaultBatchConfig()
	batch.FlushTimeout = time.Second
	batch.MinSize = 20_000
	batch.MaxSize = 25_000
	q.Batch = configoptional.Some(batch)
	metricsServer := confighttp.NewDefaultServerConfig()
	metricsServer.NetAddr.Endpoint = defaultMetricsEndpoint
	apiServer := confighttp.NewDefaultServerConfig()
	apiServer.NetAddr.Endpoint = defaultAPIEndpoint
	retry := configretry.NewDefaultBackOffConfig()
	// A store that is down for a while must not lose records: keep trying
	// for an hour before giving a batch up (the queue holds the rest).
	retry.MaxElapsedTime = time.Hour
	// A retry is one query to a local store, so try often: a store that
	// comes back is written to within a second or so, instead of at a
	// backoff step up to 30 s away while the queue fills and ingest is
	// refused.
	retry.InitialInterval, retry.MaxInterval = 250*time.Millisecond, time.Second
	return &Config{
		TimeoutConfig: exporterhelper.NewDefaultTimeoutConfig(),
		QueueConfig:   configoptional.Some(q),
		RetryConfig:   retry,
		DiskGuard:     DiskGuardConfig{MinFreeBytes: defaultMinFreeBytes},
		Store: StoreConfig{
			Driver: DriverSQLite,
			SQLite: SQLiteConfig{Path: defaultSQLitePath},
		},
		Metrics:        MetricsConfig{Enabled: true, Server: metricsServer, CardinalityLimit: defaultCardinalityLimit},
		API:            APIConfig{Enabled: true, Server: apiServer, MaxPageSize: defaultMaxPageSize, MaxImportBytes: defaultMaxImportBytes, UI: UIConfig{Enabled: true}},
		Pricing:        PricingConfig{DefaultCatalog: true},
		ReloadInterval: defaultReloadInterval,
		Reconciliation: ReconciliationConfig{Tolerance: "0.02"},
		BudgetStatus:   BudgetStatusConfig{RefreshInterval: defaultBudgetRefresh, TopValues: budgets.DefaultTopValues},
		BudgetNotifications: BudgetNotificationsConfig{
			Retry: NotificationRetryConfig{InitialInterval: 5 * time.Second, MaxInterval: time.Minute, MaxElapsedTime: time.Hour},
		},
	}
}

func createTraces(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Traces, error) {
	c := cfg.(*Config)
	e, err := newUsageExporter(c, set)
	if err != nil {
		return nil, err
	}
	helper := set
	helper.Logger = limitRefusalLogs(set.Logger, time.Now)
	exp, err := exporterhelper.NewTraces(ctx, helper, cfg, e.pushTraces,
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		exporterhelper.WithTimeout(c.TimeoutConfig),
		exporterhelper.WithRetry(c.RetryConfig),
		exporterhelper.WithQueue(c.QueueConfig),
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown))
	if err != nil {
		return nil, err
	}
	if e.guard = newDiskGuard(c, set.Logger); e.guard != nil {
		return &guardedTraces{Traces: exp, guard: e.guard}, nil
	}
	return exp, nil
}
