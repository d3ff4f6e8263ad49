package genaiusageexporter // import "github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter"

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/budgets"
	"github.com/otelcol-genai/otelcol-genai/internal/budget"
	"github.com/otelcol-genai/otelcol-genai/internal/contract"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// Config is the genai_usage exporter's configuration.
type Config struct {
	TimeoutConfig exporterhelper.TimeoutConfig                             `mapstructure:",squash"`
	QueueConfig   configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	RetryConfig   configretry.BackOffConfig                                `mapstructure:"retry_on_failure"`

	// Store is where usage records go.
	Store StoreConfig `mapstructure:"store"`
	// DiskGuard refuses new calls while a data directory's disk is nearly
	// full.
	DiskGuard DiskGuardConfig `mapstructure:"disk_guard"`
	// Metrics is the Prometheus endpoint.
	Metrics MetricsConfig `mapstructure:"metrics"`
	// API is the usage query API.
	API APIConfig `mapstructure:"api"`
	// Dimensions say where each attribution dimension is read from. Keys
	// are dimension names (user, tenant, department, session,
	// session_type, feature, api_key); a dimension configured here
	// replaces its default attribute list.
	Dimensions map[string]DimensionConfig `mapstructure:"dimensions"`
	// Pricing names catalogs to find the price cards of records priced by
	// a genai_cost processor in another collector (for their cost per
	// meter and what caching saved). Cards of a processor in this
	// collector are found without it. Same keys as the processor's.
	Pricing PricingConfig `mapstructure:"pricing"`
	// ReportingCurrency, if set, is the currency every amount is converted
	// into, at the rate of ExchangeRates in force at each call's start;
	// each record keeps its amount before and the rate (docs/pricing.md,
	// "Currencies").
	ReportingCurrency string              `mapstructure:"reporting_currency"`
	ExchangeRates     ExchangeRatesConfig `mapstructure:"exchange_rates"`
	// ReloadInterval is how often pricing.files and exchange_rates.files
	// are checked for changes; when a file of one changed, that set is
	// loaded again and replaces the one in use if it loads. 0 turns
	// reloading off.
	ReloadInterval time.Duration `mapstructure:"reload_interval"`
	// Contracts are the organisation's price agreements: terms that turn
	// list prices into what it pays, each in force over a span of time
	// for the calls it matches; the first that applies wins
	// (docs/pricing.md, "Contracts").
	Contracts []contract.Config `mapstructure:"contracts"`
	// Reconciliation compares the costs providers, gateways and libraries
	// report with the computed ones (docs/pricing.md, "Reconciliation").
	Reconciliation ReconciliationConfig `mapstructure:"reconciliation"`
	// Budgets are spending limits, read from the store's rollups: their
	// status and check routes in the API, their gauges in the metrics. See
	// docs/budgets.md.
	Budgets []BudgetSpec `mapstructure:"budgets"`
	// BudgetStatus tunes how budget statuses are computed.
	BudgetStatus BudgetStatusConfig `mapstructure:"budget_status"`
	// BudgetNotifications are the webhooks told of threshold crossings
	// and forecast overruns. See docs/budgets.md, "Notifications".
	BudgetNotifications BudgetNotificationsConfig `mapstructure:"budget_notifications"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// StoreConfig selects the usage store.
type StoreConfig struct {
	// Driver is sqlite (the default, one file), postgres, or none for a
	// metrics-only deployment.
	Driver   string         `mapstructure:"driver"`
	SQLite   SQLiteConfig   `mapstructure:"sqlite"`
	Postgres PostgresConfig `mapstructure:"postgres"`
	// Retention drops raw records older than this (rollups are kept
	// forever); 0 keeps every record.
	Retention time.Duration `mapstructure:"retention"`
}

// Store drivers.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
	DriverNone     = "none"
)

// SQLiteConfig is the embedded store.
type SQLiteConfig struct {
	// Path is the database file; its directory is created if missing.
	Path string `mapstructure:"path"`
}

// PostgresConfig is the server store.
type PostgresConfig struct {
	// DSN is a PostgreSQL connection string (URL or key=value).
	DSN configopaque.String `mapstructure:"dsn"`
}

// MetricsConfig is the Prometheus endpoint.
type MetricsConfig struct {
	Enabled bool                    `mapstructure:"enabled"`
	Server  confighttp.ServerConfig `mapstructure:",squash"`
	// Dimensions are the attribution dimensions used as labels, besides
	// provider, model and service. Keep them bounded: a user id as a
	// label is a series per user.
	Dimensions []string `mapstructure:"dimensions"`
	// CardinalityLimit is the most series one metric keeps; new label sets
	// past it are folded into an overflow series. 0 means no limit.
	CardinalityLimit int `mapstructure:"cardinality_limit"`
	// BearerTokens are accepted in "Authorization: Bearer <token>" (a
	// Prometheus scrape config's authorization.credentials). With none,
	// and no auth extension, the endpoint only listens on a loopback
	// address: the metrics carry the dimension values, user ids among
	// them.
	BearerTokens []configopaque.String `mapstructure:"bearer_tokens"`
}

// APIConfig is the usage query API.
type APIConfig struct {
	Enabled bool                    `mapstructure:"enabled"`
	Server  confighttp.ServerConfig `mapstructure:",squash"`
	// BearerTokens are accepted in "Authorization: Bearer <token>". With
	// none, the API only listens on a loopback address.
	BearerTokens []configopaque.String `mapstructure:"bearer_tokens"`
	// AdminBearerTokens may also change budgets (POST, PUT and DELETE
	// /api/v1/budgets, GET /api/v1/budgets/audit). With none, budgets
	// cannot be changed through the API.
	AdminBearerTokens []AdminTokenConfig `mapstructure:"admin_bearer_tokens"`
	// MaxPageSize caps the records page size.
	MaxPageSize int `mapstructure:"max_page_size"`
	// MaxImportBytes caps the size of an import request body.
	MaxImportBytes int64 `mapstructure:"max_import_bytes"`
	// UI is the built-in usage page, served at the API's root.
	UI UIConfig `mapstructure:"ui"`
}

// UIConfig is the built-in usage page (docs/ui.md).
type UIConfig struct {
	// Enabled serves the page at / of the API endpoint; its static files
	// need no token, its data comes from the API with the API's tokens.
	Enabled bool `mapstructure:"enabled"`
	// TraceURLTemplate makes a record's trace id a link: {trace_id} is
	// replaced by it (Jaeger: http://jaeger:16686/trace/{trace_id}).
	TraceURLTemplate string `mapstructure:"trace_url_template"`
}

// validate checks the ui section; its messages name api.ui keys.
func (u *UIConfig) validate() []error {
	t := u.TraceURLTemplate
	if t == "" {
		return nil
	}
	if !strings.Contains(t, "{trace_id}") {
		return []error{fmt.Errorf("api.ui.trace_url_template: %q has no {trace_id}", t)}
	}
	if p, err := url.Parse(strings.ReplaceAll(t, "{trace_id}", "0")); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return []error{fmt.Errorf("api.ui.trace_url_template: %q is not an http or https URL", t)}
	}
	return nil
}

// AdminTokenConfig is an admin bearer token and the name the budget audit
// trail records for its changes.
type AdminTokenConfig struct {
	// Name is the actor of the token's changes; without one, a
	// fingerprint of the token (never the token).
	Name  string              `mapstructure:"name"`
	Token configopaque.String `mapstructure:"token"`
}

// DimensionConfig says where one dimension's value comes from.
type DimensionConfig struct {
	// Attributes are span attributes, then resource attributes, tried in
	// order; the first non-empty value wins.
	Attributes []string `mapstructure:"attributes"`
	// Hash replaces the value by a keyed hash (HMAC-SHA256, 128 bits in
	// hex), so that user ids are not stored in clear.
	Hash bool `mapstructure:"hash"`
	// HashKey keys the hash; without one, a plain SHA-256 is used, which
	// anyone can reverse for guessable ids.
	HashKey configopaque.String `mapstructure:"hash_key"`
}

// BudgetSpec is a budget.Spec as configured. It is a type of its own so
// that it has no Validate method: the collector would call it on each
// element with errors keyed "budgets::0", besides Config.Validate's own
// "budgets[0].field" ones.
type BudgetSpec budget.Spec

// budgetSpecs converts the configured budgets.
func budgetSpecs(in []BudgetSpec) []budget.Spec {
	out := make([]budget.Spec, len(in))
	for i := range in {
		out[i] = budget.Spec(in[i])
	}
	return out
}

// BudgetStatusConfig tunes the budget statuses and gauges.
type BudgetStatusConfig struct {
	// RefreshInterval is how often the budget gauges are recomputed from
	// the store (not at scrape time: a scrape never waits on the store).
	RefreshInterval time.Duration `mapstructure:"refresh_interval"`
	// TopValues is how many values of an "each" budget a status lists,
	// the top by spend.
	TopValues int `mapstructure:"top_values"`
}

// BudgetNotificationsConfig are the webhooks of budget notifications and
// the backoff of their deliveries.
type BudgetNotificationsConfig struct {
	Webhooks []WebhookConfig         `mapstructure:"webhooks"`
	Retry    NotificationRetryConfig `mapstructure:"retry"`
}

// WebhookConfig is one webhook.
type WebhookConfig struct {
	// Name names the webhook in metrics and in the store's notification
	// rows: each webhook gets each notification once.
	Name string `mapstructure:"name"`
	// URL is posted to (http or https).
	URL string `mapstructure:"url"`
	// Secret signs the body (X-GenAI-Signature); none: unsigned.
	Secret configopaque.String `mapstructure:"secret"`
	// Format is json (the notification body) or slack ({"text": ...}).
	Format string `mapstructure:"format"`
	// Timeout bounds one attempt; 0 is 10s.
	Timeout time.Duration `mapstructure:"timeout"`
}

// NotificationRetryConfig is the backoff of a failed delivery.
type NotificationRetryConfig struct {
	InitialInterval time.Duration `mapstructure:"initial_interval"`
	MaxInterval     time.Duration `mapstructure:"max_interval"`
	MaxElapsedTime  time.Duration `mapstructure:"max_elapsed_time"`
}

// defaultWebhookTimeout bounds one delivery attempt when none is set.
const defaultWebhookTimeout = 10 * time.Second

var webhookNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// validateNotifications checks budget_notifications, each error naming
// its key.
func (cfg *Config) validateNotifications() []error {
	var errs []error
	n := &cfg.BudgetNotifications
	if len(n.Webhooks) > 0 && cfg.Store.Driver == DriverNone {
		errs = append(errs, errors.New("budget_notifications.webhooks: need a store (notifications are claimed in it); set store.driver to sqlite or postgres"))
	}
	seen := map[string]int{}
	for i, w := range n.Webhooks {
		p := fmt.Sprintf("budget_notifications.webhooks[%d].", i)
		if !webhookNameRE.MatchString(w.Name) {
			errs = append(errs, fmt.Errorf("%sname: %q is not 1 to 64 letters, digits, '.', '_' or '-'", p, w.Name))
		} else if j, dup := seen[w.Name]; dup {
			errs = append(errs, fmt.Errorf("%sname: %q is also the name of budget_notifications.webhooks[%d]", p, w.Name, j))
		} else {
			seen[w.Name] = i
		}
		if u, err := url.Parse(w.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%surl: %q is not an http or https URL", p, w.URL))
		}
		if w.Secret != "" && strings.TrimSpace(string(w.Secret)) == "" {
			errs = append(errs, fmt.Errorf("%ssecret: blank (is its environment variable set?)", p))
		}
		if w.Format != "" && w.Format != budgets.FormatJSON && w.Format != budgets.FormatSlack {
			errs = append(errs, fmt.Errorf("%sformat: %q is not one of json, slack", p, w.Format))
		}
		if w.Timeout < 0 {
			errs = append(errs, fmt.Errorf("%stimeout: %v is negative", p, w.Timeout))
		}
	}
	r := n.Retry
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"initial_interval", r.InitialInterval}, {"max_interval", r.MaxInterval}, {"max_elapsed_time", r.MaxElapsedTime}} {
		if d.v <= 0 {
			errs = append(errs, fmt.Errorf("budget_notifications.retry.%s: %v must be positive", d.key, d.v))
		}
	}
	if r.InitialInterval > 0 && r.MaxInterval > 0 && r.MaxInterval < r.InitialInterval {
		errs = append(errs, fmt.Errorf("budget_notifications.retry.max_interval: %v is shorter than initial_interval %v", r.MaxInterval, r.InitialInterval))
	}
	return errs
}

// notifier is the notifier of the configured webhooks.
func (cfg *Config) notifier() *budgets.Notifier {
	n := &budgets.Notifier{Retry: budgets.Retry{
		Initial: cfg.BudgetNotifications.Retry.InitialInterval, Max: cfg.BudgetNotifications.Retry.MaxInterval, MaxElapsed: cfg.BudgetNotifications.Retry.MaxElapsedTime,
	}}
	for _, w := range cfg.BudgetNotifications.Webhooks {
		hook := budgets.Webhook{Name: w.Name, URL: w.URL, Secret: string(w.Secret), Format: w.Format, Timeout: w.Timeout}
		if hook.Format == "" {
			hook.Format = budgets.FormatJSON
		}
		if hook.Timeout == 0 {
			hook.Timeout = defaultWebhookTimeout
		}
		n.Webhooks = append(n.Webhooks, hook)
	}
	return n
}

// PricingConfig mirrors the genai_cost processor's pricing block.
type PricingConfig struct {
	DefaultCatalog bool     `mapstructure:"default_catalog"`
	Files          []string `mapstructure:"files"`
}

var _ confmap.Validator = (*Config)(nil)

// Validate checks the configuration; every message names its key.
func (cfg *Config) Validate() error {
	var errs []error
	switch cfg.Store.Driver {
	case DriverSQLite:
		if strings.TrimSpace(cfg.Store.SQLite.Path) == "" {
			errs = append(errs, errors.New("store.sqlite.path: required with driver sqlite"))
		}
	case DriverPostgres:
		if strings.TrimSpace(string(cfg.Store.Postgres.DSN)) == "" {
			errs = append(errs, errors.New("store.postgres.dsn: required with driver postgres"))
		}
	case DriverNone:
		if cfg.API.Enabled {
			errs = append(errs, errors.New("api.enabled: the API needs a store; set store.driver to sqlite or postgres, or api.enabled to false"))
		}
	default:
		errs = append(errs, fmt.Errorf("store.driver: %q is not one of sqlite, postgres, none", cfg.Store.Driver))
	}
	if cfg.Store.Retention < 0 {
		errs = append(errs, fmt.Errorf("store.retention: %v is negative", cfg.Store.Retention))
	} else if cfg.Store.Retention > 0 && cfg.Store.Retention < time.Hour {
		errs = append(errs, fmt.Errorf("store.retention: %v is shorter than an hour", cfg.Store.Retention))
	}
	if cfg.Metrics.Enabled {
		if cfg.Metrics.Server.NetAddr.Endpoint == "" {
			errs = append(errs, errors.New("metrics.endpoint: required when metrics are enabled"))
		}
		if cfg.Metrics.CardinalityLimit < 0 {
			errs = append(errs, fmt.Errorf("metrics.cardinality_limit: %d is negative", cfg.Metrics.CardinalityLimit))
		}
		for i, d := range cfg.Metrics.Dimensions {
			if !slices.Contains(usage.DimensionNames[:], d) {
				errs = append(errs, fmt.Errorf("metrics.dimensions[%d]: %q is not one of %s", i, d, strings.Join(usage.DimensionNames[:], ", ")))
			}
		}
		errs = append(errs, protectedEndpoint("metrics", &cfg.Metrics.Server, cfg.Metrics.BearerTokens)...)
	}
	if cfg.DiskGuard.MinFreeBytes < 0 {
		errs = append(errs, fmt.Errorf("disk_guard.min_free_bytes: %d is negative (0 turns the guard off)", cfg.DiskGuard.MinFreeBytes))
	}
	for i, p := range cfg.DiskGuard.Paths {
		if strings.TrimSpace(p) == "" {
			errs = append(errs, fmt.Errorf("disk_guard.paths[%d]: empty", i))
		}
	}
	if cfg.API.Enabled {
		ep := cfg.API.Server.NetAddr.Endpoint
		if ep == "" {
			errs = append(errs, errors.New("api.endpoint: required when the API is enabled"))
		} else {
			errs = append(errs, protectedEndpoint("api", &cfg.API.Server, cfg.API.BearerTokens)...)
		}
		if limit := cfg.API.Server.MaxRequestBodySize; limit > 0 && limit < cfg.API.MaxImportBytes {
			errs = append(errs, fmt.Errorf("api.max_request_body_size: %d is below api.max_import_bytes (%d), which would cut imports short; raise it or leave it unset", limit, cfg.API.MaxImportBytes))
		}
		for i, tok := range cfg.API.AdminBearerTokens {
			if strings.TrimSpace(string(tok.Token)) == "" {
				errs = append(errs, fmt.Errorf("api.admin_bearer_tokens[%d].token: empty (is its environment variable set?)", i))
			}
			for j, read := range cfg.API.BearerTokens {
				if tok.Token != "" && read == tok.Token {
					errs = append(errs, fmt.Errorf("api.admin_bearer_tokens[%d].token: also api.bearer_tokens[%d]; an admin token must differ from the read tokens", i, j))
				}
			}
		}

		if cfg.API.MaxPageSize <= 0 {
			errs = append(errs, fmt.Errorf("api.max_page_size: %d must be positive", cfg.API.MaxPageSize))
		}
		if cfg.API.MaxImportBytes <= 0 {
			errs = append(errs, fmt.Errorf("api.max_import_bytes: %d must be positive", cfg.API.MaxImportBytes))
		}
		errs = append(errs, cfg.API.UI.validate()...)
	}
	if ep := cfg.API.Server.NetAddr.Endpoint; cfg.Metrics.Enabled && cfg.API.Enabled && ep == cfg.Metrics.Server.NetAddr.Endpoint && !strings.HasSuffix(ep, ":0") {
		errs = append(errs, fmt.Errorf("metrics.endpoint and api.endpoint: both are %q", cfg.API.Server.NetAddr.Endpoint))
	}
	for name, d := range cfg.Dimensions {
		if !slices.Contains(usage.DimensionNames[:], name) {
			errs = append(errs, fmt.Errorf("dimensions: %q is not one of %s", name, strings.Join(usage.DimensionNames[:], ", ")))
		}
		for i, a := range d.Attributes {
			if strings.TrimSpace(a) == "" {
				errs = append(errs, fmt.Errorf("dimensions.%s.attributes[%d]: empty", name, i))
			}
		}
		if d.HashKey != "" && !d.Hash {
			errs = append(errs, fmt.Errorf("dimensions.%s.hash_key: set but hash is false", name))
		}
	}
	errs = append(errs, cfg.validateBudgets()...)
	errs = append(errs, cfg.validateCharging()...)
	errs = append(errs, cfg.validateNotifications()...)
	if !cfg.Pricing.DefaultCatalog && len(cfg.Pricing.Files) == 0 {
		errs = append(errs, errors.New("pricing: default_catalog is false and no files are given"))
	}
	if d := cfg.ReloadInterval; d < 0 || (d > 0 && d < minReloadInterval) {
		errs = append(errs, fmt.Errorf("reload_interval: %v is not 0 (off) or at least %v", d, minReloadInterval))
	}
	return errors.Join(errs...)
}

// maxWindow is the longest window of a budget period kind: a month of 31
// days, a week or a day, each with an hour of DST to spare.
func maxWindow(p *budget.Period) time.Duration {
	switch p.Kind {
	case budget.Rolling:
		return time.Duration(p.Days) * 24 * time.Hour
	case budget.Month:
		return 31*24*time.Hour + time.Hour
	case budget.Week:
		return 7*24*time.Hour + time.Hour
	}
	return 25 * time.Hour
}

func (cfg *Config) validateBudgets() []error {
	var errs []error
	if _, err := budgets.Compile(budgetSpecs(cfg.Budgets)); err != nil {
		errs = append(errs, err)
	}
	if len(cfg.Budgets) > 0 && cfg.Store.Driver == DriverNone {
		errs = append(errs, errors.New("budgets: budgets read their spend from the store; set store.driver to sqlite or postgres"))
	}
	if ret := cfg.Store.Retention; ret > 0 {
		for i := range cfg.Budgets {
			s := (*budget.Spec)(&cfg.Budgets[i])
			// A scope the rollups cannot answer is read from the raw
			// records, which retention drops.
			if !budgets.Rollupable(s) && maxWindow(&s.Period) > ret {
				errs = append(errs, fmt.Errorf("budgets[%d].scope: with a dimension and a provider, model or service, or two dimensions (each included), its spend is read from the raw records, which store.retention (%v) drops before the period ends; narrow the scope or lengthen the retention", i, ret))
			}
		}
	}
	if cfg.BudgetStatus.RefreshInterval < time.Second {
		errs = append(errs, fmt.Errorf("budget_status.refresh_interval: %v is shorter than a second", cfg.BudgetStatus.RefreshInterval))
	}
	if t := cfg.BudgetStatus.TopValues; t < 1 || t > 1000 {
		errs = append(errs, fmt.Errorf("budget_status.top_values: %d is not from 1 to 1000", t))
	}
	return errs
}

// protectedEndpoint checks the bearer tokens of an endpoint, and that
// one listening beyond loopback asks for a token or an auth extension.
func protectedEndpoint(what string, sc *confighttp.ServerConfig, toks []configopaque.String) []error {
	var errs []error
	if ep := sc.NetAddr.Endpoint; ep != "" && len(toks) == 0 && !sc.Auth.HasValue() && !loopback(ep) {
		errs = append(errs, fmt.Errorf("%s.bearer_tokens: required when the %s listens beyond loopback (%s.endpoint %q); or an authenticator extension in %s.auth",
			what, map[string]string{"api": "API", "metrics": "metrics endpoint"}[what], what, ep, what))
	}
	for i, tok := range toks {
		if strings.TrimSpace(string(tok)) == "" {
			errs = append(errs, fmt.Errorf("%s.bearer_tokens[%d]: empty (is its environment variable set?)", what, i))
		}
	}
	return errs
}

// loopback reports whether a listen address is on a loopback interface.
func loopback(endpoint string) bool {
	host, _, err := net.SplitHostPort(endpoint)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// dimensionSources returns, per dimension in usage.DimensionNames order,
// the attributes to read: the configured list, else the default.
func (cfg *Config) dimensionSources() [len(usage.DimensionNames)]DimensionConfig {
	var out [len(usage.DimensionNames)]DimensionConfig
	for i, name := range usage.DimensionNames {
		out[i] = DimensionConfig{Attributes: defaultDimensionAttributes[name]}
		if d, ok := cfg.Dimensions[name]; ok {
			if len(d.Attributes) > 0 {
				out[i].Attributes = d.Attributes
			}
			out[i].Hash, out[i].HashKey = d.Hash, d.HashKey
		}
	}
	return out
}

// defaultDimensionAttributes are the attributes real instrumentation
// libraries put the attribution on (see docs/attributes.md).
var defaultDimensionAttributes = map[string][]string{
	"user": {"user.id", "enduser.id", "traceloop.association.properties.user_id", "langfuse.user.id",
		"ai.telemetry.metadata.userId", "ai.telemetry.metadata.user_id", "metadata.user_api_key_user_id", "gen_ai.request.user", "llm.user", "gen_ai.user"},
	"tenant": {"tenant.id", "traceloop.association.properties.tenant_id", "traceloop.association.properties.customer_id",
		"ai.telemetry.metadata.tenantId", "ai.telemetry.metadata.tenant_id", "metadata.user_api_key_team_id", "metadata.user_api_key_org_id"},
	"department": {"department", "traceloop.association.properties.department", "ai.telemetry.metadata.department"},
	"session": {"session.id", "gen_ai.conversation.id", "traceloop.association.properties.session_id", "langfuse.session.id",
		"ai.telemetry.metadata.sessionId", "ai.telemetry.metadata.session_id"},
	"session_type": {"session.type", "traceloop.association.properties.session_type", "ai.telemetry.metadata.sessionType",
		"ai.telemetry.metadata.session_type"},
	"feature": {"feature", "traceloop.association.properties.feature", "ai.telemetry.metadata.feature",
		"ai.telemetry.functionId", "traceloop.workflow.name", "gen_ai.agent.name"},
	"api_key": {"api_key.name", "metadata.user_api_key_alias", "ai.telemetry.metadata.apiKeyName"},
}
