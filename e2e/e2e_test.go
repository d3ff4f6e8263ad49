// Package e2e runs the built otelcol-genai collector as a separate process,
// sends it the trace fixtures over OTLP/HTTP and checks what it exports.
package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-genai/otelcol-genai/internal/fixtures"
)

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..")
}

// collectorBinary finds the collector built by `make build`. Without it the
// test is skipped, unless OTELCOL_GENAI_REQUIRE_E2E is set (make test sets
// it), in which case it fails.
func collectorBinary(t *testing.T) string {
	bin := os.Getenv("OTELCOL_GENAI_BIN")
	if bin == "" {
		bin = filepath.Join(repoRoot(), "_build", "otelcol-genai")
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("OTELCOL_GENAI_REQUIRE_E2E") != "" {
			t.Fatalf("collector binary %s: %v (run make build)", bin, err)
		}
		t.Skipf("collector binary %s not built; run make build (make test builds it and requires this test)", bin)
	}
	return bin
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// sink is an OTLP/HTTP trace endpoint that keeps what it receives.
type sink struct {
	mu     sync.Mutex
	traces []ptrace.Traces
	spans  int
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = gz
	}
	data, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(data); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.traces = append(s.traces, req.Traces())
	s.spans += req.Traces().SpanCount()
	s.mu.Unlock()
	resp, _ := ptraceotlp.NewExportResponse().MarshalProto()
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(resp)
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.spans
}

// collector runs the binary with a config that sends its output to sink.
type collector struct {
	receiver string // OTLP/HTTP base URL
	metrics  string // internal telemetry URL
	logs     *bytes.Buffer
}

func startCollector(t *testing.T, sinkURL string) *collector {
	bin := collectorBinary(t)
	recv, metricsPort := freePort(t), freePort(t)
	cfg := fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
processors:
  genai_cost:
  batch:
    timeout: 100ms
exporters:
  otlp_http:
    endpoint: %s
    compression: gzip
service:
  telemetry:
    logs:
      level: info
    metrics:
      level: normal
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
  pipelines:
    traces:
      receivers: [otlp]
      processors: [genai_cost, batch]
      exporters: [otlp_http]
`, recv, sinkURL, metricsPort)
	path := filepath.Join(t.TempDir(), "collector.yaml")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	c := &collector{
		receiver: fmt.Sprintf("http://127.0.0.1:%d", recv),
		metrics:  fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort),
		logs:     new(bytes.Buffer),
	}
	cmd := exec.Command(bin, "--config="+path)
	cmd.Stdout, cmd.Stderr = c.logs, c.logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("collector output:\n%s", c.logs.String())
		}
	})
	require.Eventually(t, func() bool {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", recv))
		if err == nil {
			_ = conn.Close() // a probe: the port answered
		}
		return err == nil
	}, 30*time.Second, 50*time.Millisecond, "collector did not open its OTLP port")
	return c
}

func (c *collector) send(t *testing.T, td ptrace.Traces) {
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	require.NoError(t, err)
	resp, err := http.Post(c.receiver+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// byTrace splits received traces into per-trace-id span lists.
func byTrace(received []ptrace.Traces) map[pcommon.TraceID]ptrace.Traces {
	out := map[pcommon.TraceID]ptrace.Traces{}
	for _, td := range received {
		fixtures.ForEachSpan(td, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, s ptrace.Span) {
			dst, ok := out[s.TraceID()]
			if !ok {
				dst = ptrace.NewTraces()
				dst.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
				out[s.TraceID()] = dst
			}
			s.CopyTo(dst.ResourceSpans().At(0).ScopeSpans().At(0).Spans().AppendEmpty())
		})
	}
	return out
}

func sorted(rs []fixtures.SpanResult) []string {
	var out []string
	for _, r := range rs {
		b, _ := json.Marshal(r)
		out = append(out, string(b))
	}
	sort.Strings(out)
	return out
}

// TestEndToEnd sends every fixture to the built collector over OTLP/HTTP and
// checks that what comes out equals the reviewed golden files of the
// processor tests, span for span.
func TestEndToEnd(t *testing.T) {
	s := &sink{}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := startCollector(t, srv.URL)

	fs, err := fixtures.Load("captured", "written")
	require.NoError(t, err)
	require.NotEmpty(t, fs)
	traceFixture := map[pcommon.TraceID]string{}
	sent := 0
	for _, f := range fs {
		fixtures.ForEachSpan(f.Traces, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, s ptrace.Span) {
			traceFixture[s.TraceID()] = f.Name
		})
		sent += f.Traces.SpanCount()
		c.send(t, f.Traces)
	}
	require.Eventually(t, func() bool { return s.count() >= sent }, 30*time.Second, 50*time.Millisecond,
		"sent %d spans, received %d", sent, s.count())
	require.Equal(t, sent, s.count(), "no span lost or added")

	s.mu.Lock()
	got := byTrace(s.traces)
	s.mu.Unlock()
	perFixture := map[string][]fixtures.SpanResult{}
	for id, td := range got {
		name, ok := traceFixture[id]
		require.True(t, ok, "unexpected trace %s", id)
		perFixture[name] = append(perFixture[name], fixtures.Summarise(td)...)
	}
	for _, f := range fs {
		data, err := os.ReadFile(filepath.Join(repoRoot(), "processor", "genaicostprocessor", "testdata", "golden", f.Name+".json"))
		require.NoError(t, err, f.Name)
		var want []fixtures.SpanResult
		require.NoError(t, json.Unmarshal(data, &want))
		assert.Equal(t, sorted(want), sorted(perFixture[f.Name]), f.Name)
	}

	// The processor's own counters reach the collector's telemetry.
	resp, err := http.Get(c.metrics)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Regexp(t, `otelcol_processor_genai_cost_spans\{[^}]*status="priced"[^}]*\} [1-9]`, string(body))
	assert.Regexp(t, `otelcol_processor_genai_cost_amount(\{[^}]*\})? [1-9]`, string(body))
}

// TestEndToEndSplitBatches sends the two spans of one call (a framework
// span and the SDK span inside it) in separate requests, in both orders,
// and checks that exactly one of them carries the cost each time.
func TestEndToEndSplitBatches(t *testing.T) {
	s := &sink{}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := startCollector(t, srv.URL)

	fs, err := fixtures.Load("captured")
	require.NoError(t, err)
	var dual ptrace.Traces
	for _, f := range fs {
		if f.Name == "captured/dual-anthropic-sdk-openinference-messages-cache" {
			dual = f.Traces
		}
	}
	require.Equal(t, 2, dual.SpanCount())
	for round, childFirst := range []bool{true, false} {
		parent, child := ptrace.NewTraces(), ptrace.NewTraces()
		fixtures.ForEachSpan(dual, func(rs ptrace.ResourceSpans, ss ptrace.ScopeSpans, sp ptrace.Span) {
			dst := parent
			if !sp.ParentSpanID().IsEmpty() {
				dst = child
			}
			drs := dst.ResourceSpans().AppendEmpty()
			rs.Resource().CopyTo(drs.Resource())
			dss := drs.ScopeSpans().AppendEmpty()
			ss.Scope().CopyTo(dss.Scope())
			out := dss.Spans().AppendEmpty()
			sp.CopyTo(out)
			id := sp.TraceID()
			id[0] ^= byte(0x80 + round) // a fresh trace per round
			out.SetTraceID(id)
		})
		require.Equal(t, 1, parent.SpanCount())
		require.Equal(t, 1, child.SpanCount())
		first, second := parent, child
		if childFirst {
			first, second = child, parent
		}
		before := s.count()
		c.send(t, first)
		require.Eventually(t, func() bool { return s.count() > before }, 10*time.Second, 20*time.Millisecond)
		c.send(t, second)
		require.Eventually(t, func() bool { return s.count() >= before+2 }, 10*time.Second, 20*time.Millisecond)
	}
	s.mu.Lock()
	got := byTrace(s.traces)
	s.mu.Unlock()
	require.Len(t, got, 2)
	for _, td := range got {
		var statuses []string
		priced := 0
		for _, r := range fixtures.Summarise(td) {
			statuses = append(statuses, r.Status)
			if _, ok := r.LocalCost(); ok {
				priced++
				assert.Equal(t, "0.006525", r.Cost)
			}
		}
		sort.Strings(statuses)
		assert.Equal(t, []string{"duplicate", "priced"}, statuses)
		assert.Equal(t, 1, priced, "one call, one cost, whichever span came first")
	}
	assert.True(t, strings.Contains(c.logs.String(), "Pricing catalog loaded"))
}
