package genaicostprocessor

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor/internal/metadata"
)

func loadConfig(t *testing.T, name string) (*Config, error) {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	if err := sub.Unmarshal(cfg); err != nil {
		return nil, err
	}
	return cfg, confmap.Validate(cfg)
}

func TestLoadConfig(t *testing.T) {
	no := false
	cfg, err := loadConfig(t, "")
	require.NoError(t, err)
	assert.Equal(t, createDefaultConfig(), cfg, "genai_cost: alone is the default config")

	cfg, err = loadConfig(t, "full")
	require.NoError(t, err)
	want := createDefaultConfig().(*Config)
	want.Pricing.Files = []string{"testdata/prices-override.yaml"}
	want.Pricing.ReloadInterval = 30 * time.Second
	want.Aliases = AliasesConfig{Models: map[string]string{"prod-gpt4o": "gpt-4o"}, Providers: map[string]string{"my-gateway": "openai"}}
	want.Usage = UsageConfig{CacheWriteTTL: "1h", MaxTokens: 1_000_000, MaxReportedCost: "50",
		CacheRules: []CacheRuleConfig{{Scope: "my.instrumentation", Provider: "anthropic", InputIncludesCache: &no}}, Estimate: false}
	want.Billing = BillingConfig{InferenceOperations: []string{"my_llm_call"}, AggregateOperations: []string{"my_pipeline"},
		Dedup: DedupConfig{Enabled: true, Window: 10 * time.Minute, MaxEntries: 50000}}
	want.Attributes = AttributesConfig{Tokens: false, CostPerMeter: true}
	assert.Equal(t, want, cfg)

	assert.True(t, createDefaultConfig().(*Config).Usage.Estimate, "estimates are on by default")

	cfg, err = loadConfig(t, "no_dedup")
	require.NoError(t, err)
	assert.False(t, cfg.Billing.Dedup.Enabled)

	_, err = loadConfig(t, "own_catalog_only")
	require.NoError(t, err)
}

func TestConfigErrors(t *testing.T) {
	cases := map[string]string{
		"invalid_ttl":              `usage.cache_write_ttl: "2h" is not 5m or 1h`,
		"broken_catalog":           `pricing: testdata/broken-catalog.yaml:5: provider "openai" model "gpt-4o": prices[0]: rates.output_mtok (line 7): "-10" is negative`,
		"missing_file":             "pricing.files[0]: open testdata/does-not-exist.yaml: no such file or directory",
		"nothing_to_price_with":    "pricing: default_catalog is false and no files are listed",
		"rule_without_answer":      "usage.cache_rules[0]: input_includes_cache is required",
		"rule_matching_everything": "usage.cache_rules[0]: set scope, provider or both",
		"unknown_alias_target":     `aliases.providers: "my-gateway" -> "not-a-provider": "not-a-provider" is not a provider in the catalog`,
		"bad_dedup":                "billing.dedup.window: must be positive, got 0s",
		"bad_max_cost":             `usage.max_reported_cost: "-3" is not a positive decimal amount`,
		"bad_reload_interval":      "pricing.reload_interval: 10ms is not 0 (off) or at least 100ms",
		"unknown_key":              "pricng",
		"bad_estimate":             "estimate",
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := loadConfig(t, name)
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
}
