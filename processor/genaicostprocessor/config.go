package genaicostprocessor // import "github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor"

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-genai/otelcol-genai/config/pricing"
	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/normalize"
)

// Config configures the genai_cost processor. Its zero-value sections take
// the defaults of createDefaultConfig, so `genai_cost:` alone prices spans
// with the embedded catalog.
type Config struct {
	// Pricing selects the price catalogs.
	Pricing PricingConfig `mapstructure:"pricing"`
	// Aliases map names seen on spans to names in the catalog.
	Aliases AliasesConfig `mapstructure:"aliases"`
	// Usage tunes how token counts are read.
	Usage UsageConfig `mapstructure:"usage"`
	// Billing decides which spans are billed.
	Billing BillingConfig `mapstructure:"billing"`
	// Attributes selects the optional attributes written on spans.
	Attributes AttributesConfig `mapstructure:"attributes"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// PricingConfig selects the price catalogs.
type PricingConfig struct {
	// DefaultCatalog uses the catalog embedded in the collector.
	DefaultCatalog bool `mapstructure:"default_catalog"`
	// Files are catalogs in the format of config/pricing/catalog.yaml,
	// applied in order over the default catalog: a model with the same
	// provider and id replaces the earlier one, new models are added and
	// matched first.
	Files []string `mapstructure:"files"`
	// ReloadInterval is how often Files are checked for changes; when one
	// changed, the whole catalog is loaded again and replaces the one in
	// use if it loads. 0 turns reloading off.
	ReloadInterval time.Duration `mapstructure:"reload_interval"`
}

// minReloadInterval is the shortest reload_interval accepted: a check
// stats every file.
const minReloadInterval = 100 * time.Millisecond

// AliasesConfig maps names seen on spans to names in the catalog. Keys are
// compared case-insensitively.
type AliasesConfig struct {
	// Models maps a model id as sent (an Azure deployment name, a private
	// alias) to the model id to price it as.
	Models map[string]string `mapstructure:"models"`
	// Providers maps a provider attribute value to a catalog provider id.
	Providers map[string]string `mapstructure:"providers"`
}

// UsageConfig tunes how token counts are read.
type UsageConfig struct {
	// CacheWriteTTL is the prompt-cache class (5m or 1h) of cache writes on
	// spans that do not split them by TTL.
	CacheWriteTTL string `mapstructure:"cache_write_ttl"`
	// MaxTokens is the largest token count accepted for one call; larger
	// values mark the span invalid.
	MaxTokens int64 `mapstructure:"max_tokens"`
	// MaxReportedCost is the largest reported cost accepted for one call, in
	// currency units; a larger one is ignored and flagged.
	MaxReportedCost string `mapstructure:"max_reported_cost"`
	// CacheRules say whether an emitter's input count includes cached
	// tokens. They are tried before the built-in rules; first match wins.
	CacheRules []CacheRuleConfig `mapstructure:"cache_rules"`
	// Estimate prices a billable call whose span carries no usage from the
	// token counts of its prompt and completion text, when the span
	// carries both (genai_cost.estimated=true; docs/pricing.md,
	// "Estimates"). Off, such a call stays unpriced (no_usage).
	Estimate bool `mapstructure:"estimate"`
}

// CacheRuleConfig is one inclusivity rule. Each set field must match.
type CacheRuleConfig struct {
	// Scope matches the instrumentation scope name or its leading segments.
	Scope string `mapstructure:"scope"`
	// Provider matches the canonical provider id.
	Provider string `mapstructure:"provider"`
	// InputIncludesCache is the answer for matching spans.
	InputIncludesCache *bool `mapstructure:"input_includes_cache"`
}

// BillingConfig decides which spans are billed.
type BillingConfig struct {
	// InferenceOperations are extra gen_ai.operation.name values of model
	// calls; AggregateOperations are extra values of spans that are never
	// billed (agents, workflows, ...). They take precedence over the
	// built-in lists.
	InferenceOperations []string `mapstructure:"inference_operations"`
	AggregateOperations []string `mapstructure:"aggregate_operations"`
	// Dedup keeps one cost per call when several spans record it.
	Dedup DedupConfig `mapstructure:"dedup"`
}

// DedupConfig configures the cross-batch duplicate detection.
type DedupConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// Window is how long billable spans are remembered (between half of it
	// and all of it).
	Window time.Duration `mapstructure:"window"`
	// MaxEntries bounds the memory: about 16 bytes each, three per span.
	MaxEntries int `mapstructure:"max_entries"`
}

// AttributesConfig selects optional span attributes.
type AttributesConfig struct {
	// Tokens writes the canonical token count of each non-zero meter
	// (genai_cost.usage.<meter>).
	Tokens bool `mapstructure:"tokens"`
	// CostPerMeter writes the cost billed for each meter
	// (genai_cost.cost.<meter>).
	CostPerMeter bool `mapstructure:"cost_per_meter"`
}

var _ confmap.Validator = (*Config)(nil)

// Validate checks the configuration and loads the catalogs, so that a
// broken price file fails start-up with the file, line, entry and field.
func (cfg *Config) Validate() error {
	var errs []error
	if !cfg.Pricing.DefaultCatalog && len(cfg.Pricing.Files) == 0 {
		errs = append(errs, errors.New("pricing: default_catalog is false and no files are listed; there is nothing to price with"))
	}
	for i, f := range cfg.Pricing.Files {
		if strings.TrimSpace(f) == "" {
			errs = append(errs, fmt.Errorf("pricing.files[%d]: empty path", i))
		}
	}
	if d := cfg.Pricing.ReloadInterval; d < 0 || (d > 0 && d < minReloadInterval) {
		errs = append(errs, fmt.Errorf("pricing.reload_interval: %v is not 0 (off) or at least %v", d, minReloadInterval))
	}
	if _, err := parseTTL(cfg.Usage.CacheWriteTTL); err != nil {
		errs = append(errs, err)
	}
	if cfg.Usage.MaxTokens <= 0 {
		errs = append(errs, fmt.Errorf("usage.max_tokens: must be positive, got %d", cfg.Usage.MaxTokens))
	}
	if _, err := parseMaxCost(cfg.Usage.MaxReportedCost); err != nil {
		errs = append(errs, err)
	}
	for i, r := range cfg.Usage.CacheRules {
		if r.InputIncludesCache == nil {
			errs = append(errs, fmt.Errorf("usage.cache_rules[%d]: input_includes_cache is required", i))
		}
		if r.Scope == "" && r.Provider == "" {
			errs = append(errs, fmt.Errorf("usage.cache_rules[%d]: set scope, provider or both; a rule without either would match every span", i))
		}
	}
	for k, v := range cfg.Aliases.Models {
		if strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			errs = append(errs, fmt.Errorf("aliases.models: %q -> %q: both sides must be non-empty", k, v))
		}
	}
	if cfg.Billing.Dedup.Enabled {
		if cfg.Billing.Dedup.Window <= 0 {
			errs = append(errs, fmt.Errorf("billing.dedup.window: must be positive, got %s", cfg.Billing.Dedup.Window))
		}
		if cfg.Billing.Dedup.MaxEntries < 1000 {
			errs = append(errs, fmt.Errorf("billing.dedup.max_entries: must be at least 1000, got %d", cfg.Billing.Dedup.MaxEntries))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	cat, err := cfg.loadCatalog()
	if err != nil {
		return err
	}
	return cfg.checkAliases(cat)
}

// checkAliases checks that every provider alias names a provider of cat.
func (cfg *Config) checkAliases(cat *catalog.Catalog) error {
	for k, v := range cfg.Aliases.Providers {
		if cat.Provider(v) == nil {
			return fmt.Errorf("aliases.providers: %q -> %q: %q is not a provider in the catalog", k, v, v)
		}
	}
	return nil
}

// loadCatalog reads the configured catalogs.
func (cfg *Config) loadCatalog() (*catalog.Catalog, error) {
	return pricing.Load(cfg.Pricing.DefaultCatalog, cfg.Pricing.Files)
}

func parseTTL(s string) (normalize.CacheTTL, error) {
	switch s {
	case "5m", "":
		return normalize.TTL5m, nil
	case "1h":
		return normalize.TTL1h, nil
	}
	return 0, fmt.Errorf("usage.cache_write_ttl: %q is not 5m or 1h", s)
}

func parseMaxCost(s string) (money.Nanos, error) {
	n, err := money.ParseDecimal(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("usage.max_reported_cost: %q is not a positive decimal amount", s)
	}
	return n, nil
}

func (cfg *Config) cacheRules() []normalize.CacheRule {
	rules := make([]normalize.CacheRule, 0, len(cfg.Usage.CacheRules)+len(normalize.BuiltinCacheRules))
	for _, r := range cfg.Usage.CacheRules {
		rules = append(rules, normalize.CacheRule{Scope: r.Scope, Provider: r.Provider, InputIncludesCache: *r.InputIncludesCache})
	}
	return append(rules, normalize.BuiltinCacheRules...)
}
