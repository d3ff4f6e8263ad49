package e2e

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// costCLI is the otelcol-genai-cost binary make build puts beside the
// collector, or OTELCOL_GENAI_COST_BIN.
func costCLI(t *testing.T) string {
	bin := os.Getenv("OTELCOL_GENAI_COST_BIN")
	if bin == "" {
		bin = filepath.Join(filepath.Dir(collectorBinary(t)), "otelcol-genai-cost")
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("OTELCOL_GENAI_REQUIRE_E2E") != "" {
			t.Fatalf("otelcol-genai-cost binary %s: %v (run make build)", bin, err)
		}
		t.Skipf("otelcol-genai-cost %s not built; run make build", bin)
	}
	return bin
}

// gpt4oMiniCall is one OTel-instrumented chat call of gpt-4o-mini at
// start: 1M input tokens (200k of them cached) and 100k output tokens.
func gpt4oMiniCall(start time.Time, span byte) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "billing-demo")
	s := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s.SetName("chat gpt-4o-mini")
	s.SetKind(ptrace.SpanKindClient)
	s.SetTraceID(pcommon.TraceID{0xc1, span})
	s.SetSpanID(pcommon.SpanID{0xc1, span})
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Second)))
	a := s.Attributes()
	a.PutStr("gen_ai.operation.name", "chat")
	a.PutStr("gen_ai.provider.name", "openai")
	a.PutStr("gen_ai.request.model", "gpt-4o-mini")
	a.PutInt("gen_ai.usage.input_tokens", 1_200_000)
	a.PutInt("gen_ai.usage.cache_read.input_tokens", 200_000)
	a.PutInt("gen_ai.usage.output_tokens", 100_000)
	a.PutStr("tenant.id", "acme")
	return td
}

// The command line against the built collector: a price changes, a dry
// run says what a repricing would change, the repricing changes it, the
// export carries the new amounts and the audit lists both runs.
func TestCLIRepricesExportsAudits(t *testing.T) {
	cli := costCLI(t)
	dir := t.TempDir()
	prices := filepath.Join(dir, "prices.yaml")
	require.NoError(t, os.WriteFile(prices, []byte(`catalog_version: 1
providers:
  - id: openai
    models:
      - id: gpt-4o-mini
        match: [{exact: gpt-4o-mini}]
        prices:
          - rates: {input_mtok: 0.15, cache_read_mtok: 0.075, output_mtok: 0.6}
          - from: 2026-11-15
            rates: {input_mtok: 0.15, cache_read_mtok: 0.075, output_mtok: 0.3}
`), 0o600))
	const admin = "cli-admin-token"
	c := startUsageCollector(t, dir, "exporters::genai_usage::pricing::files=["+prices+"]",
		`exporters::genai_usage::api::admin_bearer_tokens=[{name: cli, token: `+admin+`}]`)
	for i, day := range []int{10, 20, 25} {
		c.send(t, gpt4oMiniCall(time.Date(2026, 11, day, 12, 0, 0, 0, time.UTC), byte(i+1)))
	}
	from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	require.Eventually(t, func() bool {
		n, _ := c.totals(t, from, to)
		return n == 3
	}, 30*time.Second, 100*time.Millisecond)

	run := func(args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command(cli, args...)
		cmd.Env = append(os.Environ(), "OTELCOL_GENAI_API="+strings.TrimSuffix(c.api, "/api/v1/usage/"), "GENAI_USAGE_ADMIN_TOKEN="+admin)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			require.NoError(t, err)
		}
		return out.String(), errOut.String(), code
	}

	out, errOut, code := run("reprice", "--from", "2026-11-15", "--to", "2026-12-01", "--dry-run", "--reason", "November list prices")
	require.Equal(t, 0, code, errOut)
	// 20th and 25th: 0.15 + 0.015 + 0.06 = 0.225 each at ingest, 0.15 + 0.015 + 0.03 = 0.195 repriced.
	assert.Contains(t, out, "dry run 1: done; 2 records read, 2 changed (nothing written)")
	assert.Regexp(t, `openai/gpt-4o-mini\s+2\s+0\.45 USD\s+0\.39 USD`, out)
	calls, cost := c.totals(t, from, to)
	assert.Equal(t, [2]int64{3, 675_000_000}, [2]int64{calls, int64(cost)}, "the dry run changed nothing")

	out, errOut, code = run("reprice", "--from", "2026-11-15", "--to", "2026-12-01", "--reason", "November list prices")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "run 2: done; 2 records read, 2 changed")
	_, cost = c.totals(t, from, to)
	assert.Equal(t, int64(225_000_000+2*195_000_000), int64(cost), "the sums follow")

	csvPath := filepath.Join(dir, "november.csv")
	_, errOut, code = run("export", "--from", "2026-11-01", "--to", "2026-12-01", "--filter", "tenant=acme", "-o", csvPath)
	require.Equal(t, 0, code, errOut)
	f, err := os.Open(csvPath)
	require.NoError(t, err)
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, f.Close())
	require.NoError(t, err)
	require.Len(t, rows, 4)
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	got := []string{rows[1][col["cost"]], rows[2][col["cost"]], rows[3][col["cost"]]}
	assert.Equal(t, []string{"0.225", "0.195", "0.195"}, got)
	assert.Equal(t, "0.195", rows[2][col["list_cost"]])

	out, errOut, code = run("audit")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "2 runs")
	assert.Regexp(t, `(?m)^\s*2\s+\S+\s+cli\s+2026-11-15T00:00:00Z to 2026-12-01T00:00:00Z\s+run\s+done\s+2\s+2\s+November list prices$`, out)
	assert.Regexp(t, `(?m)^\s*1\s+.*dry run\s+done`, out)

	// A wrong token is refused, and said so.
	cmd := exec.Command(cli, "audit", "--url", strings.TrimSuffix(c.api, "/api/v1/usage/"), "--token", "wrong")
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	require.Error(t, cmd.Run())
	assert.Contains(t, errBuf.String(), "HTTP 401")
}
