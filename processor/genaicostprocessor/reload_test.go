package genaicostprocessor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processorhelper"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor/internal/metadatatest"
)

// The reload tests run on real time: the processor checks its files every
// reloadTick, and the tests poll what it does (the price of a span, its
// counters) until it shows, for as long as reloadWait.
const (
	reloadTick = 100 * time.Millisecond
	reloadWait = 20 * time.Second
	reloadPoll = 20 * time.Millisecond
)

// priceFile is a catalog over the default one that prices gpt-4o-mini at
// input, input/2 for cache reads and 2*input for output, per million.
func priceFile(input int) string {
	return fmt.Sprintf(`catalog_version: 1
currency: USD
providers:
  - id: openai
    models:
      - id: gpt-4o-mini
        match: [{exact: gpt-4o-mini}, {prefix: gpt-4o-mini-}]
        prices:
          - rates: {input_mtok: %d, cache_read_mtok: %g, output_mtok: %d}
`, input, float64(input)/2, 2*input)
}

// priceOf is what openaiChat (1000 input, 200 cache reads, 300 output
// tokens) costs at priceFile(input).
func priceOf(input int) string {
	return map[int]string{1: "0.0017", 2: "0.0034", 3: "0.0051"}[input]
}

// brokenFile fails to load: its model at line 6 has a negative rate at
// line 8.
const brokenFile = `catalog_version: 1
currency: USD
providers:
  - id: openai
    models:
      - id: gpt-4o-mini
        prices:
          - rates: {input_mtok: -1, output_mtok: 2}
`

// replace writes a file as an editor or a deployment tool does: a new
// file renamed over the old one, so that no reader sees half of it.
func replace(t *testing.T, path, text string) {
	t.Helper()
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, []byte(text), 0o600))
	require.NoError(t, os.Rename(tmp, path))
}

type reloadHarness struct {
	*harness
	p    *costProcessor
	logs *observer.ObservedLogs
	n    byte // spans sent, for new ids
}

func newReloadHarness(t *testing.T, files ...string) *reloadHarness {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.Pricing.Files = files
	cfg.Pricing.ReloadInterval = reloadTick
	require.NoError(t, cfg.Validate())
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := metadatatest.NewSettings(tel)
	core, logs := observer.New(zapcore.InfoLevel)
	set.Logger = zap.New(core)
	p, err := newCostProcessor(cfg, set)
	require.NoError(t, err)
	sink := new(consumertest.TracesSink)
	proc, err := processorhelper.NewTraces(context.Background(), set, cfg, sink, p.processTraces,
		processorhelper.WithStart(p.start), processorhelper.WithShutdown(p.shutdown))
	require.NoError(t, err)
	require.NoError(t, proc.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, proc.Shutdown(context.Background())) })
	return &reloadHarness{harness: &harness{t: t, proc: proc, sink: sink, tel: tel}, p: p, logs: logs}
}

// price sends a new call and returns its cost.
func (h *reloadHarness) price() string {
	h.t.Helper()
	h.n++
	out := h.run(span{name: "chat", trace: h.n, id: h.n, attrs: openaiChat(nil)})["chat"]
	require.Equal(h.t, "priced", get(h.t, out, genaiconv.Status))
	return amount(h.t, out, genaiconv.CostAmount)
}

// eventuallyPriced waits until a new call costs want.
func (h *reloadHarness) eventuallyPriced(want string) {
	h.t.Helper()
	var last string
	if !assert.Eventually(h.t, func() bool { last = h.price(); return last == want }, reloadWait, reloadPoll) {
		h.t.Fatalf("calls are still priced at %s, not %s", last, want)
	}
}

// reloads returns the catalog reload counts by result.
func (h *reloadHarness) reloads() map[string]int64 {
	out := map[string]int64{}
	m, err := h.tel.GetMetric("otelcol_processor_genai_cost_catalog_reloads")
	if err != nil {
		return out // nothing counted yet
	}
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		r, _ := dp.Attributes.Value("result")
		out[r.AsString()] += dp.Value
	}
	return out
}

// fingerprint returns the catalog fingerprint gauge.
func (h *reloadHarness) fingerprint() int64 {
	m, err := h.tel.GetMetric("otelcol_processor_genai_cost_catalog_fingerprint")
	require.NoError(h.t, err)
	dps := m.Data.(metricdata.Gauge[int64]).DataPoints
	require.Len(h.t, dps, 1)
	return dps[0].Value
}

// waitChecks waits until the processor has checked its files n more
// times: what a check would do, it has done.
func (h *reloadHarness) waitChecks(n int64) {
	h.t.Helper()
	target := h.p.reload.checks.Load() + n
	require.Eventually(h.t, func() bool { return h.p.reload.checks.Load() >= target }, reloadWait, reloadPoll)
}

func TestReloadPrices(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prices.yaml")
	replace(t, path, priceFile(1))
	h := newReloadHarness(t, path)
	assert.Equal(t, priceOf(1), h.price())
	first := h.fingerprint()

	replace(t, path, priceFile(2))
	h.eventuallyPriced(priceOf(2))
	assert.Equal(t, map[string]int64{"success": 1}, h.reloads())
	assert.NotEqual(t, first, h.fingerprint())
	assert.Equal(t, int64(h.p.pricing.Load().cat.Fingerprint()), h.fingerprint())
	reloaded := h.logs.FilterMessage("Pricing catalog reloaded").All()
	require.Len(t, reloaded, 1)
	fields := reloaded[0].ContextMap()
	assert.Equal(t, []any{path}, fields["changed"])
	assert.Positive(t, fields["providers"])
	assert.Positive(t, fields["models"])
	assert.Positive(t, fields["price_cards"])

	// A broken file: the price stays, the failure is counted and logged
	// once with the file and line, however many checks follow.
	replace(t, path, brokenFile)
	require.Eventually(t, func() bool { return h.reloads()["failure"] == 1 }, reloadWait, reloadPoll)
	h.waitChecks(3)
	assert.Equal(t, priceOf(2), h.price())
	assert.Equal(t, map[string]int64{"success": 1, "failure": 1}, h.reloads())
	failed := h.logs.FilterMessageSnippet("not reloaded").All()
	require.Len(t, failed, 1, "logged once per change")
	assert.Contains(t, failed[0].ContextMap()["error"], path+`:6: provider "openai" model "gpt-4o-mini": prices[0]: rates.input_mtok (line 8): "-1" is negative`)

	// Touched, not changed: nothing is loaded again.
	now := time.Now()
	require.NoError(t, os.Chtimes(path, now, now))
	h.waitChecks(2)
	assert.Equal(t, map[string]int64{"success": 1, "failure": 1}, h.reloads())

	// Fixed: the new price applies.
	replace(t, path, priceFile(3))
	h.eventuallyPriced(priceOf(3))
	assert.Equal(t, map[string]int64{"success": 2, "failure": 1}, h.reloads())
	assert.Len(t, h.logs.FilterMessageSnippet("not reloaded").All(), 1)
}

// A Kubernetes ConfigMap mounted as a volume: the configured path is a
// symlink to "..data/prices.yaml", and an update swaps the "..data"
// symlink to a new directory; the old file itself never changes.
func TestReloadConfigMapSwap(t *testing.T) {
	dir := t.TempDir()
	version := func(name string, input int) {
		require.NoError(t, os.Mkdir(filepath.Join(dir, name), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name, "prices.yaml"), []byte(priceFile(input)), 0o600))
		tmp := filepath.Join(dir, "..data_tmp")
		require.NoError(t, os.Symlink(name, tmp))
		require.NoError(t, os.Rename(tmp, filepath.Join(dir, "..data")))
	}
	version("..2026_12_01_10_00_00.1", 1)
	path := filepath.Join(dir, "prices.yaml")
	require.NoError(t, os.Symlink(filepath.Join("..data", "prices.yaml"), path))
	h := newReloadHarness(t, path)
	assert.Equal(t, priceOf(1), h.price())

	version("..2026_12_01_10_05_00.2", 2)
	require.NoError(t, os.RemoveAll(filepath.Join(dir, "..2026_12_01_10_00_00.1")))
	h.eventuallyPriced(priceOf(2))
	assert.Equal(t, map[string]int64{"success": 1}, h.reloads())
}

// Reloading off: a changed file is not read again.
func TestReloadOff(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prices.yaml")
	replace(t, path, priceFile(1))
	cfg := createDefaultConfig().(*Config)
	cfg.Pricing.Files = []string{path}
	cfg.Pricing.ReloadInterval = 0
	p, err := newCostProcessor(cfg, metadatatest.NewSettings(componenttest.NewTelemetry()))
	require.NoError(t, err)
	assert.Nil(t, p.reload)
	require.NoError(t, p.start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, p.shutdown(context.Background()))
}
