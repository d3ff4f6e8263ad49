package genaiusageexporter

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	cryptotls "crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/metadata"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/budget"
	"github.com/otelcol-genai/otelcol-genai/internal/fixtures"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// testConfig is the default config on a temporary SQLite file, ephemeral
// ports and no queue, so that a push has landed when ConsumeTraces returns.
func testConfig(t testing.TB) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Store.SQLite.Path = filepath.Join(t.TempDir(), "sub", "usage.db")
	cfg.Metrics.Server.NetAddr.Endpoint = "127.0.0.1:0"
	cfg.API.Server.NetAddr.Endpoint = "127.0.0.1:0"
	cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	require.NoError(t, cfg.Validate())
	return cfg
}

type running struct {
	exp  exporter.Traces
	impl *usageExporter
}

// startExporter starts the exporter as the collector would; the returned
// usageExporter gives the listening addresses.
func startExporter(t testing.TB, cfg *Config) running {
	set := exportertest.NewNopSettings(metadata.Type)
	e, err := newUsageExporter(cfg, set)
	require.NoError(t, err)
	exp, err := exporterhelper.NewTraces(context.Background(), set, cfg, e.pushTraces,
		exporterhelper.WithQueue(cfg.QueueConfig), exporterhelper.WithStart(e.start), exporterhelper.WithShutdown(e.shutdown))
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, exp.Shutdown(context.Background())) })
	return running{exp, e}
}

// scrape reads the exporter's metrics endpoint.
func scrape(t *testing.T, run running) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + run.impl.addrs["metrics"] + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	return fams
}

// counterSum sums a counter's series.
func counterSum(fam *dto.MetricFamily) float64 {
	var n float64
	for _, m := range fam.GetMetric() {
		n += m.GetCounter().GetValue()
	}
	return n
}

func get(t *testing.T, url string, out any) int {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil {
		require.NoError(t, json.Unmarshal(body, out), string(body))
	}
	return resp.StatusCode
}

// The fixtures, priced by the real processor, go through the exporter
// into a real SQLite file; the metrics endpoint and the API then show
// the calls with the processor's exact costs.
func TestExporterEndToEndOnSQLite(t *testing.T) {
	fxs, err := fixtures.Load("captured", "written")
	require.NoError(t, err)
	var priced []ptrace.Traces
	for _, fx := range fxs {
		priced = append(priced, priceTraces(t, fx.Traces)...)
	}
	conv := testConverter(t, nil)
	var want []usage.Record
	for _, td := range priced {
		want = recordsOf(conv, want, td)
	}
	wantCost := map[string]money.Nanos{}
	for _, r := range want {
		if r.Currency != "" {
			wantCost[r.Currency] += r.Cost
		}
	}
	require.NotZero(t, wantCost["USD"])

	run := startExporter(t, testConfig(t))
	// The first two batches with records go as one batch and then the
	// second of them again with the third: partial replays.
	var billable []int
	for i, td := range priced {
		if len(recordsOf(conv, nil, td)) > 0 {
			billable = append(billable, i)
		}
	}
	require.GreaterOrEqual(t, len(billable), 3)
	merged := func(tds ...ptrace.Traces) ptrace.Traces {
		out := ptrace.NewTraces()
		for _, td := range tds {
			for i := 0; i < td.ResourceSpans().Len(); i++ {
				td.ResourceSpans().At(i).CopyTo(out.ResourceSpans().AppendEmpty())
			}
		}
		return out
	}
	a, b, c := priced[billable[0]], priced[billable[1]], priced[billable[2]]
	require.NoError(t, run.exp.ConsumeTraces(context.Background(), merged(a, b)))
	require.NoError(t, run.exp.ConsumeTraces(context.Background(), merged(b, c)))
	for _, td := range priced {
		require.NoError(t, run.exp.ConsumeTraces(context.Background(), td))
	}
	// A replayed batch changes nothing.
	require.NoError(t, run.exp.ConsumeTraces(context.Background(), priced[0]))

	api := "http://" + run.impl.addrs["api"] + "/api/v1/usage/"
	// The fixtures' timestamps span more than the year one query may
	// cover: sum the summaries of consecutive windows.
	from, to := want[0].Start, want[0].Start
	for _, r := range want {
		if r.Start.Before(from) {
			from = r.Start
		}
		if r.Start.After(to) {
			to = r.Start
		}
	}
	var calls int64
	var cost money.Nanos
	var rangeQ string
	for w := from.Truncate(24 * time.Hour); !w.After(to); w = w.Add(360 * 24 * time.Hour) {
		q := "from=" + w.Format(time.RFC3339) + "&to=" + w.Add(360*24*time.Hour).Format(time.RFC3339)
		var sum struct {
			Status string `json:"status"`
			Data   struct {
				Calls int64             `json:"calls"`
				Cost  map[string]string `json:"cost"`
			} `json:"data"`
		}
		require.Equal(t, http.StatusOK, get(t, api+"summary?"+q, &sum))
		assert.Equal(t, "success", sum.Status)
		calls += sum.Data.Calls
		if c, ok := sum.Data.Cost["USD"]; ok {
			n, err := money.ParseDecimal(c)
			require.NoError(t, err)
			cost += n
		}
		if sum.Data.Calls >= 5 && rangeQ == "" {
			rangeQ = q
		}
	}
	assert.Equal(t, int64(len(want)), calls, "one record per billable call, replays ignored")
	assert.Equal(t, wantCost["USD"], cost, "the processor's exact cost")
	require.NotEmpty(t, rangeQ)

	var page struct {
		Data struct {
			Total   int64 `json:"total"`
			Records []struct {
				ID   string `json:"id"`
				Cost string `json:"cost"`
			} `json:"records"`
		} `json:"data"`
	}
	require.Equal(t, http.StatusOK, get(t, api+"records?limit=5&"+rangeQ, &page))
	assert.GreaterOrEqual(t, page.Data.Total, int64(5))
	require.Len(t, page.Data.Records, 5)
	var one struct {
		Data struct {
			ID   string `json:"id"`
			Cost string `json:"cost"`
		} `json:"data"`
	}
	require.Equal(t, http.StatusOK, get(t, api+"records/"+page.Data.Records[0].ID, &one))
	assert.Equal(t, page.Data.Records[0], one.Data)

	// Metrics: the cost counter equals the records' cost.
	fams := scrape(t, run)
	costFam := fams["genai_usage_cost_total"]
	require.NotNil(t, costFam)
	var got money.Nanos
	for _, m := range costFam.GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "currency" && l.GetValue() == "USD" {
				n, ok := money.FromFloat64(m.GetCounter().GetValue())
				require.True(t, ok)
				got += n
			}
		}
	}
	assert.InDelta(t, float64(wantCost["USD"]), float64(got), float64(len(costFam.GetMetric())), "metrics cost within float rounding of one nano per series")
	assert.Equal(t, float64(len(want)), counterSum(fams["genai_usage_calls_total"]), "metrics count no replayed record, even in a batch with new ones")
}

func TestExporterMetricsOnly(t *testing.T) {
	cfg := testConfig(t)
	cfg.Store.Driver = DriverNone
	cfg.API.Enabled = false
	require.NoError(t, cfg.Validate())
	run := startExporter(t, cfg)
	fx, err := fixtures.Load("written")
	require.NoError(t, err)
	for _, td := range priceTraces(t, fx[0].Traces) {
		require.NoError(t, run.exp.ConsumeTraces(context.Background(), td))
	}
	assert.NotContains(t, run.impl.addrs, "api")
	resp, err := http.Get("http://" + run.impl.addrs["metrics"] + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Contains(t, string(body), "genai_usage_calls_total")
}

func TestExporterPortClashFailsStart(t *testing.T) {
	run := startExporter(t, testConfig(t))
	cfg := testConfig(t)
	cfg.API.Server.NetAddr.Endpoint = run.impl.addrs["api"]
	set := exportertest.NewNopSettings(metadata.Type)
	e, err := newUsageExporter(cfg, set)
	require.NoError(t, err)
	err = e.start(context.Background(), componenttest.NewNopHost())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "api.endpoint")
	require.NoError(t, e.shutdown(context.Background()), "a failed start leaves nothing behind")
}

func TestExporterBadSQLitePathFailsStart(t *testing.T) {
	cfg := testConfig(t)
	cfg.Store.SQLite.Path = "/proc/no/such/usage.db"
	e, err := newUsageExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	err = e.start(context.Background(), componenttest.NewNopHost())
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "store.sqlite.path") || strings.Contains(err.Error(), "usage.db"), err.Error())
	require.NoError(t, e.shutdown(context.Background()))
}

// A PostgreSQL server that is down at start does not stop the collector:
// pushes fail (so exporterhelper retries and queues them) and the API
// answers 503 until the store is back.
func TestExporterStartsWhilePostgresIsDown(t *testing.T) {
	cfg := testConfig(t)
	cfg.Store.Driver = DriverPostgres
	cfg.Store.Postgres.DSN = "postgres://u:secret@127.0.0.1:1/usage?sslmode=disable&connect_timeout=1"
	run := startExporter(t, cfg)
	td := llmTraces(func(a pcommon.Map) {
		a.PutStr("gen_ai.provider.name", "openai")
		a.PutInt("gen_ai.usage.input_tokens", 10)
	})
	err := run.exp.ConsumeTraces(context.Background(), priceTraces(t, td)[0])
	require.Error(t, err)
	assert.Contains(t, err.Error(), "usage store unavailable")
	assert.NotContains(t, err.Error(), "secret")
	assert.Equal(t, http.StatusServiceUnavailable, get(t, "http://"+run.impl.addrs["api"]+"/api/v1/usage/summary", nil))
}

// storesHalfThenFails stores the first half of the next batch and fails,
// as PostgreSQL does when the second of the two parts it writes a large
// batch in fails; then it writes as its store does.
type storesHalfThenFails struct {
	store.Store
	failed bool
}

func (s *storesHalfThenFails) Write(ctx context.Context, recs []usage.Record, inserted []bool) (int, error) {
	if s.failed {
		return s.Store.Write(ctx, recs, inserted)
	}
	s.failed = true
	clear(inserted)
	half := len(recs) / 2
	n, err := s.Store.Write(ctx, recs[:half], inserted[:half])
	if err != nil {
		return 0, err
	}
	return n, errors.New("the second part failed")
}

// The part of a batch stored before an error counts in the metrics at
// once, and not again when the retry finds it stored.
func TestExporterCountsThePartStoredBeforeAnError(t *testing.T) {
	cfg := testConfig(t)
	cfg.RetryConfig.Enabled = false // the test retries, as a client would
	run := startExporter(t, cfg)
	fxs, err := fixtures.Load("captured", "written")
	require.NoError(t, err)
	batch := ptrace.NewTraces()
	for _, fx := range fxs {
		for _, td := range priceTraces(t, fx.Traces) {
			td.ResourceSpans().MoveAndAppendTo(batch.ResourceSpans())
		}
	}
	records := len(recordsOf(testConverter(t, nil), nil, batch))
	require.Greater(t, records, 10)
	run.impl.store.s = &storesHalfThenFails{Store: run.impl.store.s}

	calls := func() float64 { return counterSum(scrape(t, run)["genai_usage_calls_total"]) }
	err = run.exp.ConsumeTraces(context.Background(), batch)
	require.ErrorContains(t, err, "the second part failed")
	assert.Equal(t, float64(records/2), calls(), "the stored half counts")
	require.NoError(t, run.exp.ConsumeTraces(context.Background(), batch))
	assert.Equal(t, float64(records), calls(), "the retry counts the rest, and the half once")
}

// The configured budgets reach the API and the metrics endpoint: records
// stored, the gauges refreshed on the timer show them.
func TestExporterBudgets(t *testing.T) {
	cfg := testConfig(t)
	cfg.BudgetStatus.RefreshInterval = time.Second
	cfg.Budgets = []BudgetSpec{
		{ID: "all", Period: budget.Period{Kind: budget.Rolling, Days: 1}, Limit: "2", Currency: "USD", Enforce: true},
		{ID: "each-user", Scope: budget.Scope{Each: "user"}, Period: budget.Period{Kind: budget.Rolling, Days: 1}, Limit: "1", Currency: "USD"},
	}
	require.NoError(t, cfg.Validate())
	run := startExporter(t, cfg)
	at := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	recs := make([]usage.Record, 3)
	for i, c := range []struct {
		user, cost string
	}{{"u1", "0.75"}, {"u2", "0.25"}, {"u1", "1.5"}} {
		n, err := money.ParseDecimal(c.cost)
		require.NoError(t, err)
		recs[i] = usage.Record{Start: at, Provider: "openai", Model: "gpt-4o", Status: "priced", Currency: "USD", Cost: n}
		recs[i].Dims.User = c.user
		recs[i].TraceID[0], recs[i].SpanID[0] = byte(i+1), 1
	}
	_, err := run.impl.store.Write(context.Background(), recs, nil)
	require.NoError(t, err)

	gauge := func(fams map[string]*dto.MetricFamily, name, budgetID, value string) (float64, bool) {
		for _, m := range fams[name].GetMetric() {
			lv := map[string]string{}
			for _, l := range m.GetLabel() {
				lv[l.GetName()] = l.GetValue()
			}
			if lv["budget"] == budgetID && lv["value"] == value && lv["method"] == "" {
				return m.GetGauge().GetValue(), true
			}
		}
		return 0, false
	}
	require.Eventually(t, func() bool {
		v, ok := gauge(scrape(t, run), "genai_usage_budget_spent", "all", "")
		return ok && v == 2.5
	}, 10*time.Second, 100*time.Millisecond, "the gauges are refreshed on the timer")
	fams := scrape(t, run)
	v, ok := gauge(fams, "genai_usage_budget_ratio", "each-user", "u1")
	assert.True(t, ok)
	assert.InDelta(t, 2.25, v, 1e-12)
	_, ok = gauge(fams, "genai_usage_budget_ratio", "each-user", "u2")
	assert.False(t, ok, "u2 spent 25%, under the lowest threshold (50)")
	v, _ = gauge(fams, "genai_usage_budget_limit", "all", "")
	assert.Equal(t, 2.0, v)

	var check struct {
		Data struct {
			Allowed bool `json:"allowed"`
		} `json:"data"`
	}
	api := "http://" + run.impl.addrs["api"] + "/api/v1/budgets"
	require.Equal(t, http.StatusOK, get(t, api+"/check?user=u2", &check))
	assert.False(t, check.Data.Allowed, "all is enforced and spent")
	assert.Equal(t, http.StatusNotFound, get(t, api+"/nope", nil))
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "genai_usage test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// Both endpoints take the collector's TLS settings, and each asks for its
// own bearer tokens: the metrics, which carry user ids, too.
func TestExporterEndpointsTLSAndTokens(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	cfg := testConfig(t)
	cfg.Metrics.Dimensions = []string{"user"}
	cfg.Metrics.BearerTokens = []configopaque.String{"scrape-1"}
	cfg.API.BearerTokens = []configopaque.String{"read-1"}
	tls := configtls.NewDefaultServerConfig()
	tls.CertFile, tls.KeyFile = certFile, keyFile
	cfg.Metrics.Server.TLS = configoptional.Some(tls)
	cfg.API.Server.TLS = configoptional.Some(tls)
	require.NoError(t, cfg.Validate())
	run := startExporter(t, cfg)

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &cryptotls.Config{RootCAs: pool, MinVersion: cryptotls.VersionTLS12}}}
	call := func(url, token string) (int, http.Header, string) {
		req, err := http.NewRequest(http.MethodGet, url, http.NoBody)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, resp.Header, string(body)
	}
	metricsURL := "https://" + run.impl.addrs["metrics"] + "/metrics"
	apiURL := "https://" + run.impl.addrs["api"] + "/api/v1/usage/summary"

	code, hdr, body := call(metricsURL, "")
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Equal(t, `Bearer realm="genai_usage metrics"`, hdr.Get("WWW-Authenticate"))
	assert.NotContains(t, body, "genai_usage_")
	code, _, _ = call(metricsURL, "read-1")
	assert.Equal(t, http.StatusUnauthorized, code, "the API's token is not the metrics'")
	code, _, body = call(metricsURL, "scrape-1")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "genai_usage_overflow_observations_total")

	code, _, _ = call(apiURL, "")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, _, _ = call(apiURL, "scrape-1")
	assert.Equal(t, http.StatusUnauthorized, code, "the metrics' token is not the API's")
	code, _, _ = call(apiURL, "read-1")
	assert.Equal(t, http.StatusOK, code)

	// Plain HTTP is not served on a TLS endpoint.
	resp, err := http.Get("http://" + run.impl.addrs["metrics"] + "/metrics")
	if err == nil {
		assert.NotEqual(t, http.StatusOK, resp.StatusCode)
		resp.Body.Close()
	}
}

// An import is limited by api.max_import_bytes alone: the HTTP server's
// own request limit (20 MiB by default) no longer cuts in first.
func TestExporterImportsMoreThanTwentyMiB(t *testing.T) {
	cfg := testConfig(t)
	run := startExporter(t, cfg)
	var body bytes.Buffer
	body.WriteString(`{"format":"otelcol-genai-usage-export","version":1,"records":[`)
	const n = 60_000
	start := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	for i := range n {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"start_time":%q,"trace_id":"%032x","span_id":"%016x","duration_ms":1200,"service":"import-test","environment":"prod",`+
			`"user":"user-%05d","provider":"openai","model":"gpt-4o-mini","request_model":"gpt-4o-mini","operation":"chat","streaming":false,"status":"priced",`+
			`"tokens":{"input":1200,"output":300},"cost":"0.00036","cost_by_meter":{"input":"0.00018","output":"0.00018"},"currency":"USD","cost_source":"local",`+
			`"price_card":"openai/gpt-4o-mini#9272c02c","estimated":false,"response_id":"chatcmpl-%030d"}`,
			start.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano), i+1, i+1, i%1000, i)
	}
	body.WriteString(`]}`)
	require.Greater(t, body.Len(), 21<<20, "more than the server's default limit")
	resp, err := http.Post("http://"+run.impl.addrs["api"]+"/api/v1/usage/import", "application/json", &body)
	require.NoError(t, err)
	answer, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(answer))
	var got struct {
		Data struct{ Records, Inserted int } `json:"data"`
	}
	require.NoError(t, json.Unmarshal(answer, &got))
	assert.Equal(t, n, got.Data.Records)
	assert.Equal(t, n, got.Data.Inserted)
	var sum struct {
		Data struct {
			Calls int64             `json:"calls"`
			Cost  map[string]string `json:"cost"`
		} `json:"data"`
	}
	get(t, "http://"+run.impl.addrs["api"]+"/api/v1/usage/summary?from=2026-11-19&to=2026-11-22&service=import-test", &sum)
	assert.Equal(t, int64(n), sum.Data.Calls)
	assert.Equal(t, "21.6", sum.Data.Cost["USD"], "60,000 x 0.00036, exact")
}
