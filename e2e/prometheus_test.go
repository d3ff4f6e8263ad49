package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.yaml.in/yaml/v3"

	"github.com/otelcol-genai/otelcol-genai/internal/fixtures"
)

// allowedEmpty lists the rule expressions (operands of an alert, as
// operands splits them, spaces collapsed) that may return no data against
// collectors fed with the fixtures, and why. Every other expression must
// return data. The test fails when an entry is not an operand of any rule
// or does return data: take it off the list then.
var allowedEmpty = map[string]string{
	// The cost of the same hour a week ago: this Prometheus has seconds
	// of data.
	"2 * sum by (currency) (increase(genai_usage_cost_total[1h] offset 1w))": "needs a week of history",
}

// prometheusBinary finds the prometheus server on PATH. Without it the
// test is skipped, unless OTELCOL_GENAI_REQUIRE_PROM=1 (.ci/run sets it).
func prometheusBinary(t *testing.T) string {
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		if os.Getenv("OTELCOL_GENAI_REQUIRE_PROM") == "1" {
			t.Fatalf("prometheus not on PATH: %v (apt-get install prometheus)", err)
		}
		t.Skip("prometheus not on PATH; install it (Debian: apt-get install prometheus) or set OTELCOL_GENAI_REQUIRE_PROM=1 to require it")
	}
	return bin
}

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Record      string            `yaml:"record"`
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// rule is one rule of the files under config/prometheus.
type rule struct {
	name, expr  string
	alert       bool
	labels      map[string]string
	annotations map[string]string
}

func loadRules(t *testing.T, paths ...string) []rule {
	var out []rule
	for _, p := range paths {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		var f ruleFile
		require.NoError(t, yaml.Unmarshal(data, &f), p)
		for _, g := range f.Groups {
			for _, r := range g.Rules {
				out = append(out, rule{name: r.Record + r.Alert, expr: r.Expr, alert: r.Alert != "",
					labels: r.Labels, annotations: r.Annotations})
			}
		}
	}
	return out
}

var (
	spaces = regexp.MustCompile(`\s+`)
	// Vector matching modifiers and bool, which start the right operand
	// of a binary operator.
	modifiers = regexp.MustCompile(`^(bool\s+)?((on|ignoring)\s*\([^)]*\)\s*)?((group_left|group_right)\s*(\([^)]*\))?\s*)?`)
	number    = regexp.MustCompile(`^[-+]?[\d.]+([eE][-+]?\d+)?$`)
)

func isIdent(b byte) bool {
	return b == '_' || b == ':' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// operands splits a PromQL expression at its top-level comparison and set
// operators (> < >= <= == !=, and, or, unless) into the expressions they
// compare, modifiers removed and number literals left out. An alert's
// expression only returns data when it fires; its operands must return
// data whenever their metrics exist.
func operands(expr string) []string {
	var parts []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case quote != 0:
			switch c {
			case '\\':
				i++
			case quote:
				quote = 0
			}
			continue
		case c == '"' || c == '\'' || c == '`':
			quote = c
			continue
		case c == '(' || c == '[' || c == '{':
			depth++
			continue
		case c == ')' || c == ']' || c == '}':
			depth--
			continue
		}
		if depth != 0 {
			continue
		}
		n := 0
		switch {
		case strings.HasPrefix(expr[i:], ">=") || strings.HasPrefix(expr[i:], "<=") ||
			strings.HasPrefix(expr[i:], "==") || strings.HasPrefix(expr[i:], "!="):
			n = 2
		case c == '>' || c == '<':
			n = 1
		default:
			for _, kw := range []string{"and", "or", "unless"} {
				if strings.HasPrefix(expr[i:], kw) && (i == 0 || !isIdent(expr[i-1])) &&
					(i+len(kw) == len(expr) || !isIdent(expr[i+len(kw)])) {
					n = len(kw)
				}
			}
		}
		if n > 0 {
			parts = append(parts, expr[start:i])
			start = i + n
			i += n - 1
		}
	}
	parts = append(parts, expr[start:])
	var out []string
	for _, p := range parts {
		p = strings.TrimSpace(spaces.ReplaceAllString(p, " "))
		p = strings.TrimSpace(modifiers.ReplaceAllString(p, ""))
		if p != "" && !number.MatchString(p) {
			out = append(out, p)
		}
	}
	return out
}

func TestOperands(t *testing.T) {
	assert.Equal(t, []string{"a", "b"}, operands("a > 0.5 and b <= 2"))
	assert.Equal(t, []string{"max by (x) (f)", "max by (x) (g)", "h"},
		operands("max by (x) (f)\n  > on (x) group_left (y) max by (x) (g)\nunless on (x) h >= 1"))
	assert.Equal(t, []string{`x{a=~"b>c|or"} / y`}, operands(`x{a=~"b>c|or"} / y == bool 1`))
	assert.Equal(t, []string{"sum(rate(error_total[5m]))"}, operands("sum(rate(error_total[5m])) > 0"))
}

func ruleFiles() []string {
	dir := filepath.Join(repoRoot(), "config", "prometheus")
	return []string{filepath.Join(dir, "recording.yml"), filepath.Join(dir, "alerts.yml")}
}

// TestPrometheusDoc holds docs/prometheus.md to the rule files: every rule
// with its expression, every alert with a severity, a summary, a
// description and its runbook line, and no rule the files do not have.
func TestPrometheusDoc(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(), "docs", "prometheus.md"))
	require.NoError(t, err)
	doc := string(data)
	rules := loadRules(t, ruleFiles()...)
	names := map[string]bool{}
	for _, r := range rules {
		names[r.name] = true
		expr := "`" + strings.TrimSpace(spaces.ReplaceAllString(r.expr, " ")) + "`"
		if !r.alert {
			assert.Contains(t, doc, "| `"+r.name+"` | "+expr+" |", "recording rule %s", r.name)
			continue
		}
		assert.Regexp(t, `(?m)^- \*\*`+r.name+`\*\* \([a-z]+(, for \w+)?\): `+regexp.QuoteMeta(expr)+`\.`, doc, "alert %s and its expression", r.name)
		assert.Contains(t, []string{"critical", "warning", "info"}, r.labels["severity"], "%s: severity", r.name)
		assert.Contains(t, doc, "**"+r.name+"** ("+r.labels["severity"], "%s: severity in the doc", r.name)
		for _, a := range []string{"summary", "description", "runbook"} {
			assert.NotEmpty(t, r.annotations[a], "%s: %s", r.name, a)
		}
		assert.Contains(t, doc, "\n  Runbook: "+r.annotations["runbook"]+"\n", "%s: runbook line", r.name)
	}
	for _, m := range regexp.MustCompile(`(?m)^- \*\*(\w+)\*\*|^\| `+"`"+`([a-z_]+:[a-z_:0-9]+)`+"`"+` \|`).FindAllStringSubmatch(doc, -1) {
		assert.True(t, names[m[1]+m[2]], "docs/prometheus.md describes %s, which is no rule", m[1]+m[2])
	}
}

// promResult is the envelope of the Prometheus HTTP API.
type promResult struct {
	Status string `json:"status"`
	Error  string `json:"error"`
	Data   struct {
		ResultType string            `json:"resultType"`
		Result     []json.RawMessage `json:"result"`
	} `json:"data"`
}

// query runs expr through /api/v1/query: the number of series (or 1 for
// a scalar) and the error Prometheus gave, if any.
func query(ctx context.Context, base, expr string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/query?query="+url.QueryEscape(expr), http.NoBody)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	var r promResult
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, fmt.Errorf("HTTP %d: %s", resp.StatusCode, body)
	}
	if r.Status != "success" {
		return 0, fmt.Errorf("HTTP %d: %s", resp.StatusCode, r.Error)
	}
	if r.Data.ResultType == "scalar" || r.Data.ResultType == "string" {
		return 1, nil
	}
	return len(r.Data.Result), nil
}

// postAny sends td to an OTLP/HTTP receiver and returns the status code,
// whatever it is.
func postAny(t *testing.T, receiver string, td ptraceotlp.ExportRequest) int {
	body, err := td.MarshalProto()
	require.NoError(t, err)
	resp, err := http.Post(receiver+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// promStack is a real Prometheus scraping two collectors fed with every
// fixture, with the rule files of config/prometheus loaded: one healthy
// collector with the dimensions user, department and feature as metric
// labels and a budget, and one whose store is down.
type promStack struct {
	ctx  context.Context
	base string // the Prometheus HTTP API
}

// stackBudget is the one budget of the healthy collector: every call in
// USD over a rolling year, so that the fixtures' calls, whatever their
// timestamps, count; a small limit so that it is over its thresholds.
const stackBudget = `[{id: everything, period: {kind: rolling, days: 366}, limit: "0.01", currency: USD}]`

// startPromStack starts the collectors and Prometheus, and returns once
// every target is up and has been scraped twice (rate and increase need
// two samples; targets are scraped at different offsets), the failure
// counters and the budget gauges included.
func startPromStack(t *testing.T) *promStack {
	prom := prometheusBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)

	fs, err := fixtures.Load("captured", "written")
	require.NoError(t, err)
	good := startUsageCollector(t, t.TempDir(),
		// The dashboards' top users, teams and features read these
		// labels; the fixtures' Vercel AI SDK spans have a team in
		// ai.telemetry.metadata.team.
		"exporters::genai_usage::metrics::dimensions=[user, department, feature]",
		"exporters::genai_usage::dimensions::department::attributes=[department, ai.telemetry.metadata.team]",
		"exporters::genai_usage::budgets="+stackBudget,
		"exporters::genai_usage::budget_status::refresh_interval=1s")
	for _, f := range fs {
		good.send(t, f.Traces)
	}
	// A collector whose store is down (PostgreSQL on a closed port), that
	// does not retry and whose queue holds one span: it refuses the larger
	// batches (enqueue_failed) and fails the others (send_failed), so that
	// those series exist.
	bad := startUsageCollector(t, t.TempDir(),
		"exporters::genai_usage::store::driver=postgres",
		fmt.Sprintf("exporters::genai_usage::store::postgres::dsn=postgres://genai@127.0.0.1:%d/genai?connect_timeout=1", freePort(t)),
		"exporters::genai_usage::retry_on_failure::enabled=false",
		"exporters::genai_usage::sending_queue::queue_size=1",
		"exporters::genai_usage::sending_queue::batch::min_size=1")
	codes := map[int]int{}
	for _, f := range fs {
		codes[postAny(t, bad.receiver, ptraceotlp.NewExportRequestFromTraces(f.Traces))]++
	}
	t.Logf("collector with its store down answered %v (status: batches)", codes)
	require.Positive(t, codes[http.StatusServiceUnavailable], "no batch was refused")

	// Every billable call is counted on the metrics endpoint before
	// Prometheus starts.
	wantCalls, _, _, _ := goldenTotals(t, fs)
	require.Eventually(t, func() bool {
		n, _ := good.totals(t, time.Unix(0, 0), time.Now().Add(24*time.Hour))
		return n >= wantCalls
	}, 30*time.Second, 200*time.Millisecond)

	files := ruleFiles()
	hostPort := func(u string) string {
		p, err := url.Parse(u)
		require.NoError(t, err)
		return p.Host
	}
	dir := t.TempDir()
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: [%q, %q]
scrape_configs:
  - job_name: genai_usage
    static_configs:
      - targets: [%q]
  - job_name: otelcol
    static_configs:
      - targets: [%q, %q]
`, files[0], files[1], hostPort(good.metrics), hostPort(good.telemetry), hostPort(bad.telemetry))
	cfgPath := filepath.Join(dir, "prometheus.yml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(cfg), 0o600))

	base := fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
	logs := &syncBuffer{}
	cmd := exec.Command(prom,
		"--config.file="+cfgPath,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+strings.TrimPrefix(base, "http://"),
	)
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Log("prometheus did not stop within 15s of an interrupt; killed")
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("prometheus output:\n%s", logs.String())
		}
	})

	require.Eventually(t, func() bool {
		select {
		case <-done:
			return true // reported below
		default:
		}
		n, err := query(ctx, base, `count(up == 1) >= 3 and count(count_over_time(up[1m]) >= 2) >= 3 and count(count_over_time(genai_usage_calls_total[1m]) >= 2) > 0 and count(count_over_time(otelcol_exporter_send_failed_spans[1m]) >= 2) > 0 and count(count_over_time(genai_usage_budget_forecast[1m]) >= 2) > 0`)
		return err == nil && n > 0
	}, 60*time.Second, 250*time.Millisecond, "prometheus did not scrape the collectors")
	select {
	case <-done:
		t.Fatalf("prometheus exited: %v", cmd.ProcessState)
	default:
	}
	return &promStack{ctx: ctx, base: base}
}

// TestPrometheusRules loads config/prometheus/recording.yml and alerts.yml
// into a real Prometheus that scrapes collectors fed with every fixture
// (startPromStack), and runs every rule's expression through the query
// API: each must parse, and each recording rule and each operand of an
// alert must return data, but for allowedEmpty.
func TestPrometheusRules(t *testing.T) {
	rules := loadRules(t, ruleFiles()...)
	require.NotEmpty(t, rules)
	st := startPromStack(t)
	ctx, base := st.ctx, st.base

	// Prometheus loaded every rule.
	var loaded struct {
		Data struct {
			Groups []struct {
				Rules []struct {
					Name      string `json:"name"`
					LastError string `json:"lastError"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	resp, err := http.Get(base + "/api/v1/rules")
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&loaded))
	_ = resp.Body.Close()
	n := 0
	for _, g := range loaded.Data.Groups {
		for _, r := range g.Rules {
			n++
			assert.Empty(t, r.LastError, r.Name)
		}
	}
	assert.Equal(t, len(rules), n, "rules loaded by prometheus")

	// Every expression parses; recording rules and alert operands return
	// data.
	used := map[string]bool{}
	for _, r := range rules {
		_, err := query(ctx, base, r.expr)
		require.NoError(t, err, "%s: %s", r.name, r.expr)
		exprs := []string{strings.TrimSpace(spaces.ReplaceAllString(r.expr, " "))}
		if r.alert {
			// The alert expression itself returns data only when firing.
			exprs = operands(r.expr)
		}
		for _, e := range exprs {
			n, err := query(ctx, base, e)
			require.NoError(t, err, "%s: %s", r.name, e)
			if why, ok := allowedEmpty[e]; ok {
				used[e] = true
				assert.Zero(t, n, "%s: %s is listed as allowed to be empty (%s) but returns data: take it off allowedEmpty", r.name, e, why)
				t.Logf("%s: %s: no data, allowed (%s)", r.name, e, why)
				continue
			}
			assert.Positive(t, n, "%s: %s returns no data", r.name, e)
			t.Logf("%s: %s: %d series", r.name, e, n)
		}
	}
	for e := range allowedEmpty {
		assert.True(t, used[e], "allowedEmpty lists %q, which is no rule's operand", e)
	}
}
