package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-genai/otelcol-genai/internal/fixtures"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// usageCollector is the built collector run with a repository config, in
// a temporary working directory (where ./data goes), on free ports.
type usageCollector struct {
	receiver, api, metrics string
	grpc                   string // OTLP/gRPC host:port
	telemetry              string // the collector's own metrics
	dir                    string
	logs                   *syncBuffer
	cmd                    *exec.Cmd
	exited                 chan struct{} // closed when the process has exited
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startUsageCollector runs config/collector.yaml; sets are extra --set
// overrides (key=value).
func startUsageCollector(t *testing.T, dir string, sets ...string) *usageCollector {
	return startUsageCollectorOf(t, collectorBinary(t), filepath.Join(repoRoot(), "config", "collector.yaml"), dir, sets...)
}

// startUsageCollectorOf runs the collector binary bin with the config
// file config (another version's, in the fault suite's upgrade test). A
// collector that exits at start because one of its free ports was taken
// in the meantime (the fault suite's clients open many connections, whose
// local ports come from the same range) is started again on other ports.
func startUsageCollectorOf(t *testing.T, bin, config, dir string, sets ...string) *usageCollector {
	for attempt := 1; ; attempt++ {
		c, ok := tryUsageCollector(t, bin, config, dir, sets...)
		if ok {
			return c
		}
		if attempt == 3 || !strings.Contains(c.logs.String(), "address already in use") {
			t.Fatalf("the collector exited at start:\n%s", c.logs.String())
		}
		t.Logf("the collector exited at start, a port taken meanwhile; again on other ports")
	}
}

// tryUsageCollector starts the collector and waits until it serves its
// ports (true) or exits (false).
func tryUsageCollector(t *testing.T, bin, config, dir string, sets ...string) (*usageCollector, bool) {
	httpPort, grpcPort, telPort, metricsPort, apiPort := freePort(t), freePort(t), freePort(t), freePort(t), freePort(t)
	c := &usageCollector{
		receiver:  fmt.Sprintf("http://127.0.0.1:%d", httpPort),
		grpc:      fmt.Sprintf("127.0.0.1:%d", grpcPort),
		api:       fmt.Sprintf("http://127.0.0.1:%d/api/v1/usage/", apiPort),
		metrics:   fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort),
		telemetry: fmt.Sprintf("http://127.0.0.1:%d/metrics", telPort),
		dir:       dir,
		logs:      &syncBuffer{},
	}
	args := []string{"--config=" + config,
		fmt.Sprintf("--set=receivers::otlp::protocols::http::endpoint=127.0.0.1:%d", httpPort),
		fmt.Sprintf("--set=receivers::otlp::protocols::grpc::endpoint=127.0.0.1:%d", grpcPort),
		"--config=" + telemetryOverride(t, telPort),
		fmt.Sprintf("--set=exporters::genai_usage::metrics::endpoint=127.0.0.1:%d", metricsPort),
		fmt.Sprintf("--set=exporters::genai_usage::api::endpoint=127.0.0.1:%d", apiPort),
		// The batch processor's default 200ms is fine; flush the debug
		// exporter's noise away.
		"--set=exporters::debug::verbosity=basic",
	}
	for _, s := range sets {
		args = append(args, "--set="+s)
	}
	c.cmd = exec.Command(bin, args...)
	c.cmd.Dir = dir
	c.cmd.Stdout, c.cmd.Stderr = c.logs, c.logs
	require.NoError(t, c.cmd.Start())
	c.exited = make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(c.exited) }()
	t.Cleanup(func() {
		c.stop(t)
		if t.Failed() {
			t.Logf("collector output:\n%s", c.logs.String())
		}
	})
	// Exporters start before receivers: the API can answer while the
	// OTLP port is still closed, so wait for both.
	ready := func() bool {
		resp, err := http.Get(c.api + "summary")
		if err != nil {
			return false
		}
		resp.Body.Close()
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", httpPort))
		if err != nil {
			return false
		}
		_ = conn.Close() // a probe: the port answered
		return true
	}
	deadline := time.After(60 * time.Second)
	for !ready() {
		select {
		case <-c.exited:
			return c, false
		case <-deadline:
			t.Fatalf("collector did not serve its API and OTLP ports within 60s")
		case <-time.After(100 * time.Millisecond):
		}
	}
	return c, true
}

// telemetryOverride is a config file that moves the collector's own
// metrics to port (a list cannot be changed with --set).
func telemetryOverride(t *testing.T, port int) string {
	path := filepath.Join(t.TempDir(), "telemetry.yaml")
	require.NoError(t, os.WriteFile(path, []byte(fmt.Sprintf(`
service:
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
`, port)), 0o600))
	return path
}

func (c *usageCollector) stop(t *testing.T) {
	select {
	case <-c.exited:
		return
	default:
	}
	_ = c.cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.exited:
	case <-time.After(20 * time.Second):
		t.Log("the collector did not stop within 20s of an interrupt; killed")
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
}

func (c *usageCollector) send(t *testing.T, td ptrace.Traces) {
	(&collector{receiver: c.receiver}).send(t, td)
}

func (c *usageCollector) get(t *testing.T, path string, out any) {
	t.Helper()
	resp, err := http.Get(c.api + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.NoError(t, json.Unmarshal(body, out))
}

// goldenTotals sums the reviewed golden files of the fixtures: billable
// calls and the processor's exact local cost; and the time range.
func goldenTotals(t *testing.T, fs []fixtures.Fixture) (calls int64, cost money.Nanos, from, to time.Time) {
	for _, f := range fs {
		data, err := os.ReadFile(filepath.Join(repoRoot(), "processor", "genaicostprocessor", "testdata", "golden", f.Name+".json"))
		require.NoError(t, err)
		var want []fixtures.SpanResult
		require.NoError(t, json.Unmarshal(data, &want))
		for _, r := range want {
			switch r.Status {
			case "priced", "partial", "unpriced", "provider_reported", "invalid":
				calls++
				if c, ok := r.RecordCost(); ok {
					cost += c
				}
			}
		}
		fixtures.ForEachSpan(f.Traces, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, s ptrace.Span) {
			st := s.StartTimestamp().AsTime()
			if from.IsZero() || st.Before(from) {
				from = st
			}
			if st.After(to) {
				to = st
			}
		})
	}
	return calls, cost, from, to
}

type summary struct {
	Data struct {
		Calls int64             `json:"calls"`
		Cost  map[string]string `json:"cost"`
	} `json:"data"`
}

// totals sums the API's summaries over [from, to] in windows of at most a
// year (the API's longest range).
func (c *usageCollector) totals(t *testing.T, from, to time.Time) (int64, money.Nanos) {
	var calls int64
	var cost money.Nanos
	for w := from.Truncate(24 * time.Hour); !w.After(to); w = w.Add(360 * 24 * time.Hour) {
		var s summary
		c.get(t, "summary?"+url.Values{"from": {w.Format(time.RFC3339)}, "to": {w.Add(360 * 24 * time.Hour).Format(time.RFC3339)}}.Encode(), &s)
		calls += s.Data.Calls
		if v, ok := s.Data.Cost["USD"]; ok {
			n, err := money.ParseDecimal(v)
			require.NoError(t, err)
			cost += n
		}
	}
	return calls, cost
}

// TestUsageEndToEnd runs the collector with config/collector.yaml as
// shipped (ports aside), sends every fixture over OTLP/HTTP, and reads the
// calls back from the API, the SQLite file and the Prometheus endpoint,
// with the processor's exact costs; after a restart they are all still
// there and a replay adds nothing.
func TestUsageEndToEnd(t *testing.T) {
	fs, err := fixtures.Load("captured", "written")
	require.NoError(t, err)
	wantCalls, wantCost, from, to := goldenTotals(t, fs)
	require.Positive(t, wantCalls)

	dir := t.TempDir()
	c := startUsageCollector(t, dir)
	for _, f := range fs {
		c.send(t, f.Traces)
	}
	require.Eventually(t, func() bool {
		n, _ := c.totals(t, from, to)
		return n >= wantCalls
	}, 30*time.Second, 200*time.Millisecond)
	calls, cost := c.totals(t, from, to)
	assert.Equal(t, wantCalls, calls, "one record per billable call")
	assert.Equal(t, wantCost, cost, "the processor's exact cost, to the nano")

	// The metrics endpoint counts the same calls.
	resp, err := http.Get(c.metrics)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), `genai_usage_calls_total{`)
	assert.Regexp(t, `genai_usage_cost_total\{[^}]*currency="USD"[^}]*\} [0-9.e-]+`, string(body))
	var metricCalls float64
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "genai_usage_calls_total{") {
			var v float64
			_, err := fmt.Sscanf(line[strings.LastIndexByte(line, ' ')+1:], "%g", &v)
			require.NoError(t, err)
			metricCalls += v
		}
	}
	assert.Equal(t, float64(wantCalls), metricCalls)

	// The records are in the SQLite file under ./data, and survive a
	// restart; replaying every fixture then adds nothing.
	_, err = os.Stat(filepath.Join(dir, "data", "genai-usage.db"))
	require.NoError(t, err)
	c.stop(t)
	c = startUsageCollector(t, dir)
	calls, cost = c.totals(t, from, to)
	assert.Equal(t, wantCalls, calls, "after a restart")
	assert.Equal(t, wantCost, cost, "after a restart")
	for _, f := range fs {
		c.send(t, f.Traces)
	}
	time.Sleep(2 * time.Second) // the batch processor and the queue flush
	calls, cost = c.totals(t, from, to)
	assert.Equal(t, wantCalls, calls, "a replay adds nothing")
	assert.Equal(t, wantCost, cost)
}

func pgAdminDSN() string {
	if dsn := os.Getenv("OTELCOL_GENAI_PG_DSN"); dsn != "" {
		return dsn
	}
	return "postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// TestTwoCollectorsOnePostgres runs two collector processes writing to one
// PostgreSQL database at once, with overlapping input (every fixture to
// one of them, a third of them to both), and checks the totals are exact.
func TestTwoCollectorsOnePostgres(t *testing.T) {
	ctx := context.Background()
	dsn := pgDatabase(t, "e2e_two_collectors")

	fs, err := fixtures.Load("captured", "written")
	require.NoError(t, err)
	wantCalls, wantCost, from, to := goldenTotals(t, fs)
	sets := []string{"exporters::genai_usage::store::driver=postgres", "exporters::genai_usage::store::postgres::dsn=" + dsn}
	a := startUsageCollector(t, t.TempDir(), sets...)
	b := startUsageCollector(t, t.TempDir(), sets...)
	var wg sync.WaitGroup
	for i, c := range []*usageCollector{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j, f := range fs {
				if j%2 == i || j%3 == 0 {
					c.send(t, f.Traces)
				}
			}
		}()
	}
	wg.Wait()
	require.Eventually(t, func() bool {
		n, _ := a.totals(t, from, to)
		return n >= wantCalls
	}, 30*time.Second, 200*time.Millisecond)
	time.Sleep(time.Second) // let a late duplicate land, if one were to count
	for _, c := range []*usageCollector{a, b} {
		calls, cost := c.totals(t, from, to)
		assert.Equal(t, wantCalls, calls, "every call once, though a third went through both collectors")
		assert.Equal(t, wantCost, cost)
	}
	var rows int64
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	require.NoError(t, conn.QueryRow(ctx, "SELECT COUNT(*) FROM usage_records").Scan(&rows))
	require.NoError(t, conn.Close(ctx))
	assert.Equal(t, wantCalls, rows)
}
