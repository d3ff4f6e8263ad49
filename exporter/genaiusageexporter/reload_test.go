package genaiusageexporter

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
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/metadatatest"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// The reload tests run on real time: the exporter checks its files every
// reloadTick, and the tests poll what it does (the rate of a new record,
// its counters) until it shows, for as long as reloadWait.
const (
	reloadTick = 100 * time.Millisecond
	reloadWait = 20 * time.Second
	reloadPoll = 20 * time.Millisecond
)

// ratesFile is one EUR/USD rate from 2026-11-02.
func ratesFile(rate string) string {
	return "date,base,quote,rate\n2026-11-02,EUR,USD," + rate + "\n"
}

// brokenRates fails at its line 3.
const brokenRates = "date,base,quote,rate\n2026-11-02,EUR,USD,1.25\n2026-11-03,EUR,USD,-1\n"

// replace writes a file as a deployment tool does: a new file renamed over
// the old one, so that no reader sees half of it.
func replace(t *testing.T, path, text string) {
	t.Helper()
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, []byte(text), 0o600))
	require.NoError(t, os.Rename(tmp, path))
}

type reloadRun struct {
	t    *testing.T
	run  running
	tel  *componenttest.Telemetry
	logs *observer.ObservedLogs
	n    byte // calls sent, for new span ids
}

func startReloading(t *testing.T, cfg *Config) *reloadRun {
	t.Helper()
	cfg.ReloadInterval = reloadTick
	require.NoError(t, cfg.Validate())
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := metadatatest.NewSettings(tel)
	core, logs := observer.New(zapcore.InfoLevel)
	set.Logger = zap.New(core)
	e, err := newUsageExporter(cfg, set)
	require.NoError(t, err)
	exp, err := exporterhelper.NewTraces(context.Background(), set, cfg, e.pushTraces,
		exporterhelper.WithQueue(cfg.QueueConfig), exporterhelper.WithStart(e.start), exporterhelper.WithShutdown(e.shutdown))
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, exp.Shutdown(context.Background())) })
	return &reloadRun{t: t, run: running{exp, e}, tel: tel, logs: logs}
}

// call sends a new gpt-4o-mini call of 2026-11-30 and returns its record.
func (r *reloadRun) call() usage.Record {
	r.t.Helper()
	r.n++
	td := priceTraces(r.t, chargingCall(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC), r.n, "alice"))[0]
	require.NoError(r.t, r.run.exp.ConsumeTraces(context.Background(), td))
	id := pcommon.SpanID{r.n, 1}
	var found *usage.Record
	require.NoError(r.t, r.run.impl.store.Export(context.Background(), store.Filter{}, func(rec *usage.Record) error {
		if rec.SpanID == id {
			c := *rec
			found = &c
		}
		return nil
	}))
	require.NotNil(r.t, found, "the record of call %d", r.n)
	return *found
}

// eventuallyRate waits until a new call is converted at rate.
func (r *reloadRun) eventuallyRate(rate string) {
	r.t.Helper()
	var last string
	if !assert.Eventually(r.t, func() bool { last = r.call().FXRate; return last == rate }, reloadWait, reloadPoll) {
		r.t.Fatalf("calls are still converted at %s, not %s", last, rate)
	}
}

// reloads returns the reload counts by "files/result".
func (r *reloadRun) reloads() map[string]int64 {
	out := map[string]int64{}
	m, err := r.tel.GetMetric("otelcol_exporter_genai_usage_reloads")
	if err != nil {
		return out // nothing counted yet
	}
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		f, _ := dp.Attributes.Value("files")
		res, _ := dp.Attributes.Value("result")
		out[f.AsString()+"/"+res.AsString()] += dp.Value
	}
	return out
}

// waitChecks waits until the exporter has checked its files n more times.
func (r *reloadRun) waitChecks(n int64) {
	r.t.Helper()
	target := r.run.impl.reload.checks.Load() + n
	require.Eventually(r.t, func() bool { return r.run.impl.reload.checks.Load() >= target }, reloadWait, reloadPoll)
}

func rateOf(r string) string { return "USD>EUR:EUR/USD=" + r + "@2026-11-02" }

func TestReloadExchangeRates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rates.csv")
	replace(t, path, ratesFile("1.25"))
	cfg := testConfig(t)
	cfg.ReportingCurrency, cfg.ExchangeRates.Files = "EUR", []string{path}
	r := startReloading(t, cfg)
	first := r.call()
	assert.Equal(t, rateOf("1.25"), first.FXRate)
	assert.Equal(t, "EUR", first.Currency)

	replace(t, path, ratesFile("1.6"))
	r.eventuallyRate(rateOf("1.6"))
	assert.Equal(t, map[string]int64{"exchange_rates/success": 1}, r.reloads())
	reloaded := r.logs.FilterMessage("Exchange rates reloaded").All()
	require.Len(t, reloaded, 1)
	assert.Equal(t, []any{path}, reloaded[0].ContextMap()["changed"])

	// The API charges with the rates in use: the first record, converted
	// at 1.25, would be converted at 1.6 now.
	var detail struct {
		Data struct {
			Recharged struct {
				FXRate string `json:"fx_rate"`
				Same   bool   `json:"same"`
			} `json:"recharged"`
		} `json:"data"`
	}
	require.Equal(t, 200, get(t, "http://"+r.run.impl.addrs["api"]+"/api/v1/usage/records/"+first.ID()+"/pricing", &detail))
	assert.Equal(t, rateOf("1.6"), detail.Data.Recharged.FXRate)
	assert.False(t, detail.Data.Recharged.Same)

	// A broken file: the rates stay, the failure is counted and logged
	// once with the file and line, however many checks follow.
	replace(t, path, brokenRates)
	require.Eventually(t, func() bool { return r.reloads()["exchange_rates/failure"] == 1 }, reloadWait, reloadPoll)
	r.waitChecks(3)
	assert.Equal(t, rateOf("1.6"), r.call().FXRate)
	assert.Equal(t, map[string]int64{"exchange_rates/success": 1, "exchange_rates/failure": 1}, r.reloads())
	failed := r.logs.FilterMessageSnippet("not reloaded").All()
	require.Len(t, failed, 1, "logged once per change")
	assert.Contains(t, failed[0].ContextMap()["error"], path+":3")

	// Fixed: the new rate applies.
	replace(t, path, ratesFile("2"))
	r.eventuallyRate(rateOf("2"))
	assert.Equal(t, map[string]int64{"exchange_rates/success": 2, "exchange_rates/failure": 1}, r.reloads())
}

// A Kubernetes ConfigMap mounted as a volume: the rates file is a symlink
// to "..data/rates.csv", and an update swaps the "..data" symlink.
func TestReloadExchangeRatesConfigMapSwap(t *testing.T) {
	dir := t.TempDir()
	version := func(name, rate string) {
		require.NoError(t, os.Mkdir(filepath.Join(dir, name), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name, "rates.csv"), []byte(ratesFile(rate)), 0o600))
		tmp := filepath.Join(dir, "..data_tmp")
		require.NoError(t, os.Symlink(name, tmp))
		require.NoError(t, os.Rename(tmp, filepath.Join(dir, "..data")))
	}
	version("..1", "1.25")
	path := filepath.Join(dir, "rates.csv")
	require.NoError(t, os.Symlink(filepath.Join("..data", "rates.csv"), path))
	cfg := testConfig(t)
	cfg.ReportingCurrency, cfg.ExchangeRates.Files = "EUR", []string{path}
	r := startReloading(t, cfg)
	assert.Equal(t, rateOf("1.25"), r.call().FXRate)

	version("..2", "1.50") // same size
	require.NoError(t, os.RemoveAll(filepath.Join(dir, "..1")))
	r.eventuallyRate(rateOf("1.50"))
}

// The exporter's own catalog is loaded again when pricing.files change,
// and kept when a changed file does not load.
func TestReloadExporterCatalog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prices.yaml")
	catalogFile := func(input int) string {
		return fmt.Sprintf(`catalog_version: 1
currency: USD
providers:
  - id: acme
    models:
      - id: rocket
        prices:
          - rates: {input_mtok: %d, output_mtok: 1}
`, input)
	}
	replace(t, path, catalogFile(1))
	cfg := testConfig(t)
	cfg.Pricing.Files = []string{path}
	r := startReloading(t, cfg)
	before := r.run.impl.conv.cat.Load()

	replace(t, path, catalogFile(2))
	require.Eventually(t, func() bool { return r.reloads()["pricing/success"] == 1 }, reloadWait, reloadPoll)
	after := r.run.impl.conv.cat.Load()
	require.NotSame(t, before, after)
	assert.NotEqual(t, before.Fingerprint(), after.Fingerprint())
	rocket := after.Provider("acme").Match("rocket").Cards[0]
	if c := r.run.impl.conv.card(rocket.ID); assert.NotNil(t, c) {
		assert.Equal(t, rocket.Base, c.Base)
	}

	replace(t, path, "catalog_version: 1\nproviders: [\n")
	require.Eventually(t, func() bool { return r.reloads()["pricing/failure"] == 1 }, reloadWait, reloadPoll)
	assert.Same(t, after, r.run.impl.conv.cat.Load())
	failed := r.logs.FilterMessageSnippet("not reloaded").All()
	require.Len(t, failed, 1)
	assert.Contains(t, failed[0].ContextMap()["error"], path)
}
