package e2e

import (
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-genai/otelcol-genai/internal/fixtures"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
)

// multiSpanFixtures are the fixtures in which some call is recorded by
// more than one span: their golden output has a duplicate.
func multiSpanFixtures(t *testing.T) []fixtures.Fixture {
	fs, err := fixtures.Load("captured", "written")
	require.NoError(t, err)
	var out []fixtures.Fixture
	for _, f := range fs {
		data, err := os.ReadFile(filepath.Join(repoRoot(), "processor", "genaicostprocessor", "testdata", "golden", f.Name+".json"))
		require.NoError(t, err)
		var golden []fixtures.SpanResult
		require.NoError(t, json.Unmarshal(data, &golden))
		if slices.ContainsFunc(golden, func(r fixtures.SpanResult) bool { return r.Status == genaiconv.StatusDuplicate }) {
			out = append(out, f)
		}
	}
	return out
}

// freshCopy returns td with a new trace id per trace and every span id
// changed the same way, so parent links survive: another run of the same
// calls.
func freshCopy(td ptrace.Traces) ptrace.Traces {
	out := ptrace.NewTraces()
	td.CopyTo(out)
	var mask pcommon.SpanID
	_, _ = rand.Read(mask[:])
	traces := map[pcommon.TraceID]pcommon.TraceID{}
	fixtures.ForEachSpan(out, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, sp ptrace.Span) {
		id, ok := traces[sp.TraceID()]
		if !ok {
			_, _ = rand.Read(id[:])
			traces[sp.TraceID()] = id
		}
		sp.SetTraceID(id)
		sp.SetSpanID(xorSpan(sp.SpanID(), mask))
		if !sp.ParentSpanID().IsEmpty() {
			sp.SetParentSpanID(xorSpan(sp.ParentSpanID(), mask))
		}
	})
	return out
}

func xorSpan(id, mask pcommon.SpanID) pcommon.SpanID {
	for i := range id {
		id[i] ^= mask[i]
	}
	return id
}

// eachSpanAlone splits td into one request per span, in span order or
// reversed.
func eachSpanAlone(td ptrace.Traces, reverse bool) []ptrace.Traces {
	var out []ptrace.Traces
	fixtures.ForEachSpan(td, func(rs ptrace.ResourceSpans, ss ptrace.ScopeSpans, sp ptrace.Span) {
		one := ptrace.NewTraces()
		drs := one.ResourceSpans().AppendEmpty()
		rs.Resource().CopyTo(drs.Resource())
		dss := drs.ScopeSpans().AppendEmpty()
		ss.Scope().CopyTo(dss.Scope())
		sp.CopyTo(dss.Spans().AppendEmpty())
		out = append(out, one)
	})
	if reverse {
		slices.Reverse(out)
	}
	return out
}

// TestMultiSpanCallsNeverLostOrDoubled sends every fixture in which a call
// is recorded by several spans many times over, each time as another run
// (fresh trace and span ids): whole, one span per request in order, and
// one span per request in reverse order, through the collector with
// config/collector.yaml. Every call must be stored exactly once. Its cost
// is the cost of the span that carried it, which depends on which span came
// first when the two instrumentations report different usage (docs/billing.md,
// known limits): the whole sends cost what the golden files say, and the
// total stays between the cheapest and the dearest way of carrying.
func TestMultiSpanCallsNeverLostOrDoubled(t *testing.T) {
	fs := multiSpanFixtures(t)
	require.GreaterOrEqual(t, len(fs), 3, "the dual-instrumentation and gateway fixtures")
	calls, cost, from, to := goldenTotals(t, fs)
	require.Positive(t, cost)

	const runs = 10 // of each of the three ways of sending
	c := startUsageCollector(t, t.TempDir())
	for _, f := range fs {
		for range runs {
			c.send(t, freshCopy(f.Traces))
			for _, reverse := range []bool{false, true} {
				for _, td := range eachSpanAlone(freshCopy(f.Traces), reverse) {
					c.send(t, td)
				}
			}
		}
	}
	want := 3 * runs * calls
	require.Eventually(t, func() bool {
		n, _ := c.totals(t, from, to)
		return n >= want
	}, 30*time.Second, 200*time.Millisecond)
	time.Sleep(time.Second) // anything more would be a double count
	gotCalls, gotCost := c.totals(t, from, to)
	assert.Equal(t, want, gotCalls, "each call stored exactly once")
	// The count is the check; the cost moves only by the few cached tokens
	// one instrumentation reports and the other does not.
	assert.InDelta(t, float64(3*runs*cost), float64(gotCost), float64(cost)/2, "got %s, want about %s", gotCost, 3*runs*cost)
}
