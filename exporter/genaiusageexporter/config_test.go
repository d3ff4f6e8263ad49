package genaiusageexporter

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/metadata"
)

func loadConfig(t *testing.T, name string) (*Config, error) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg, confmap.Validate(cfg)
}

func TestLoadConfig(t *testing.T) {
	cfg, err := loadConfig(t, "")
	require.NoError(t, err)
	assert.Equal(t, createDefaultConfig(), cfg, "genai_usage: alone is the defaults")
	assert.Equal(t, DriverSQLite, cfg.Store.Driver)
	assert.True(t, cfg.QueueConfig.HasValue())
	assert.Equal(t, 1, cfg.QueueConfig.Get().NumConsumers)
	// A store that comes back is retried within about a second: the
	// backoff of the default (5 s to 30 s) kept ingest refused after
	// PostgreSQL was back.
	assert.LessOrEqual(t, cfg.RetryConfig.MaxInterval, time.Second)
	assert.Equal(t, time.Hour, cfg.RetryConfig.MaxElapsedTime)

	cfg, err = loadConfig(t, "full")
	require.NoError(t, err)
	assert.Equal(t, 90*24*time.Hour, cfg.Store.Retention)
	assert.Equal(t, []string{"tenant", "feature"}, cfg.Metrics.Dimensions)
	assert.Equal(t, 500, cfg.Metrics.CardinalityLimit)
	assert.Equal(t, []configopaque.String{"scrape-token"}, cfg.Metrics.BearerTokens)
	assert.Len(t, cfg.API.BearerTokens, 2)
	assert.Equal(t, []AdminTokenConfig{{Name: "alice", Token: "admin-a"}, {Token: "admin-b"}}, cfg.API.AdminBearerTokens)
	assert.Equal(t, 200, cfg.API.MaxPageSize)
	assert.Equal(t, UIConfig{Enabled: true, TraceURLTemplate: "https://tempo.example.com/trace/{trace_id}?org=1"}, cfg.API.UI)
	require.NotNil(t, cfg.QueueConfig.Get().StorageID)
	dims := cfg.dimensionSources()
	assert.Equal(t, []string{"app.user"}, dims[0].Attributes)
	assert.True(t, dims[0].Hash)
	assert.Equal(t, []string{"app.team"}, dims[1].Attributes)
	assert.Equal(t, defaultDimensionAttributes["session"], dims[3].Attributes, "unconfigured dimensions keep their defaults")

	require.Len(t, cfg.Budgets, 2)
	assert.Equal(t, "1000.50", cfg.Budgets[0].Limit)
	assert.Equal(t, map[string]string{"tenant": "acme"}, cfg.Budgets[0].Scope.Dimensions)
	assert.True(t, cfg.Budgets[0].Enforce)
	assert.Equal(t, "America/New_York", cfg.Budgets[1].Period.TimeZone)
	assert.Equal(t, "user", cfg.Budgets[1].Scope.Each)
	assert.Equal(t, []int{80, 100}, cfg.Budgets[1].Thresholds)
	assert.Equal(t, BudgetStatusConfig{RefreshInterval: 30 * time.Second, TopValues: 5}, cfg.BudgetStatus)

	cfg, err = loadConfig(t, "postgres")
	require.NoError(t, err)
	assert.Equal(t, "postgres://u:p@db:5432/usage", string(cfg.Store.Postgres.DSN))

	_, err = loadConfig(t, "metrics_only")
	require.NoError(t, err)

	cfg, err = loadConfig(t, "ui_off")
	require.NoError(t, err)
	assert.False(t, cfg.API.UI.Enabled)
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	for name, want := range map[string]string{
		"bad_driver":                `store.driver: "mysql" is not one of sqlite, postgres, none`,
		"no_dsn":                    "store.postgres.dsn: required",
		"api_without_store":         "api.enabled: the API needs a store",
		"ui_without_trace_id":       `api.ui.trace_url_template: "http://jaeger:16686/trace/" has no {trace_id}`,
		"ui_bad_scheme":             `api.ui.trace_url_template: "javascript:alert({trace_id})" is not an http or https URL`,
		"open_api_without_token":    "api.bearer_tokens: required when the API listens beyond loopback",
		"open_metrics":              `metrics.bearer_tokens: required when the metrics endpoint listens beyond loopback (metrics.endpoint "0.0.0.0:9464")`,
		"empty_metrics_token":       "metrics.bearer_tokens[0]: empty",
		"body_below_import":         "api.max_request_body_size: 1048576 is below api.max_import_bytes (268435456)",
		"negative_disk_guard":       "disk_guard.min_free_bytes: -1 is negative",
		"empty_token":               "api.bearer_tokens[0]: empty",
		"empty_admin_token":         "api.admin_bearer_tokens[0].token: empty",
		"admin_token_is_read_token": "api.admin_bearer_tokens[0].token: also api.bearer_tokens[0]",
		"bad_dimension":             `metrics.dimensions[0]: "colour" is not one of user`,
		"short_retention":           "store.retention: 10m0s is shorter than an hour",
		"same_endpoints":            `metrics.endpoint and api.endpoint: both are "127.0.0.1:9000"`,
		"hash_key_without_hash":     "dimensions.user.hash_key: set but hash is false",
		"no_catalog":                "pricing: default_catalog is false and no files are given",
		"negative_reload_interval":  "reload_interval: -1s is not 0 (off) or at least 100ms",
	} {
		_, err := loadConfig(t, name)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), want, name)
	}
	_, err := loadConfig(t, "bad_budgets")
	require.Error(t, err)
	for _, want := range []string{
		`budgets[0].scope.each: "colour" is not a dimension`,
		`budgets[0].period.time_zone: "Mars/Base" is not an IANA time zone`,
		`budgets[0].limit: "-5" is negative`,
		`budgets[1].id: "a" is also the id of budgets[0]`,
		`budgets[1].currency: "usd" is not an ISO 4217 code`,
		`budgets[3].id: "check" is reserved`,
		"budget_status.refresh_interval: 10ms is shorter than a second",
		"budget_status.top_values: 0 is not from 1 to 1000",
	} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NotContains(t, err.Error(), "budgets::", "each budget is validated once, by Config.Validate")
	_, err = loadConfig(t, "budgets_without_store")
	assert.ErrorContains(t, err, "budgets: budgets read their spend from the store")
	_, err = loadConfig(t, "budget_past_retention")
	assert.ErrorContains(t, err, "budgets[0].scope: with a dimension and a provider, model or service")
	_, err = loadConfig(t, "bad_dimension")
	assert.Contains(t, err.Error(), `dimensions: "colour" is not one of`)
}

func TestLoopback(t *testing.T) {
	for ep, want := range map[string]bool{
		"127.0.0.1:8480": true, "localhost:1": true, "[::1]:80": true,
		"0.0.0.0:8480": false, ":8480": false, "10.0.0.1:1": false, "nonsense": false,
	} {
		assert.Equal(t, want, loopback(ep), ep)
	}
}

func TestNotificationConfig(t *testing.T) {
	cfg, err := loadConfig(t, "notifications")
	require.NoError(t, err)
	n := cfg.notifier()
	require.Len(t, n.Webhooks, 1)
	assert.Equal(t, "ops", n.Webhooks[0].Name)
	assert.Equal(t, "s3cr3t", n.Webhooks[0].Secret)
	assert.Equal(t, "slack", n.Webhooks[0].Format)
	assert.Equal(t, 3*time.Second, n.Webhooks[0].Timeout)
	assert.Equal(t, time.Hour, n.Retry.MaxElapsed, "the default")

	_, err = loadConfig(t, "bad_notifications")
	require.Error(t, err)
	for _, want := range []string{
		"budget_notifications.webhooks[0].secret: blank",
		`budget_notifications.webhooks[1].name: "ops" is also the name of budget_notifications.webhooks[0]`,
		`budget_notifications.webhooks[1].url: "ftp://example.com" is not an http or https URL`,
		`budget_notifications.webhooks[1].format: "xml" is not one of json, slack`,
		"budget_notifications.webhooks[1].timeout: -1s is negative",
		`budget_notifications.webhooks[2].name: "no spaces" is not`,
		"budget_notifications.retry.max_interval: 1s is shorter than initial_interval 10s",
		"budget_notifications.retry.max_elapsed_time: 0s must be positive",
	} {
		assert.Contains(t, err.Error(), want)
	}
	_, err = loadConfig(t, "notifications_without_store")
	assert.ErrorContains(t, err, "budget_notifications.webhooks: need a store")
}
