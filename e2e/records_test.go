package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-genai/otelcol-genai/config/pricing"
	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/cost"
	"github.com/otelcol-genai/otelcol-genai/internal/fixtures"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/normalize"
)

// storedRecord is the part of the API's record that describes the call.
type storedRecord struct {
	TraceID       string            `json:"trace_id"`
	SpanID        string            `json:"span_id"`
	Provider      string            `json:"provider"`
	Model         string            `json:"model"`
	RequestModel  string            `json:"request_model"`
	ResponseModel string            `json:"response_model"`
	Operation     string            `json:"operation"`
	Streaming     bool              `json:"streaming"`
	TTFTMs        int64             `json:"ttft_ms"`
	Status        string            `json:"status"`
	Reason        string            `json:"reason"`
	Tokens        map[string]int64  `json:"tokens"`
	Cost          string            `json:"cost"`
	Currency      string            `json:"currency"`
	CacheSaved    string            `json:"cache_saved"`
	Card          string            `json:"price_card"`
	ResponseID    string            `json:"response_id"`
	CostByMeter   map[string]string `json:"cost_by_meter"`
}

// resolution is what the processor resolved for one priced span, read
// from the span it exported: the record the exporter must have stored.
func resolution(t *testing.T, sp ptrace.Span) storedRecord {
	a := sp.Attributes()
	get := func(k string) string {
		if v, ok := a.Get(k); ok {
			return v.AsString()
		}
		return ""
	}
	var scratch normalize.Scratch
	var call normalize.Call
	opts := normalize.Options{Describe: true}
	require.True(t, normalize.Scan(a, sp.Name(), &opts, &scratch, &call), sp.Name())
	r := storedRecord{
		TraceID: sp.TraceID().String(), SpanID: sp.SpanID().String(),
		RequestModel: call.RequestModel, ResponseModel: call.ResponseModel,
		Operation: call.Operation, Streaming: call.Streaming, TTFTMs: call.TTFT.Milliseconds(),
		Status: get(genaiconv.Status), Reason: get(genaiconv.Reason), Card: get(genaiconv.Card), ResponseID: call.ResponseID,
		Tokens: map[string]int64{},
	}
	var u meter.Counts
	for m := meter.Meter(0); m < meter.Request; m++ {
		if v, ok := a.Get(genaiconv.TokensKey(m)); ok && v.Int() > 0 {
			r.Tokens[m.String()], u[m] = v.Int(), v.Int()
		}
	}
	if r.Card != "" {
		card := catalog.Known(r.Card)
		require.NotNil(t, card, r.Card)
		r.Provider, r.Model = card.Provider, card.Model
		if saved := cost.CacheSaved(card, &u); saved > 0 {
			r.CacheSaved = saved.String()
		}
	} else {
		r.Provider = get(genaiconv.Provider)
		if r.Provider == "" && call.NProv > 0 {
			r.Provider = call.Providers[0]
		}
		r.Model = call.Model()
	}
	res := fixtures.Summarise(oneSpan(sp))[0]
	r.Cost = "0"
	if n, ok := res.RecordCost(); ok {
		r.Cost = n.String()
		_, local := res.LocalCost()
		switch {
		case local:
			r.Currency = "USD" // the catalog's
		case res.Reported != "":
			r.Currency = get(genaiconv.ReportedCurrency)
		default:
			r.Currency = res.Currency
		}
	}
	return r
}

func oneSpan(sp ptrace.Span) ptrace.Traces {
	td := ptrace.NewTraces()
	sp.CopyTo(td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty())
	return td
}

// pgDatabase creates a PostgreSQL database for one test, dropped when it
// ends, and returns its DSN. Without a server the test is skipped, unless
// OTELCOL_GENAI_REQUIRE_PG is set.
func pgDatabase(t *testing.T, prefix string) string {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pgAdminDSN())
	if err != nil {
		if os.Getenv("OTELCOL_GENAI_REQUIRE_PG") == "1" {
			t.Fatalf("postgres unreachable: %v", err)
		}
		t.Skipf("postgres unreachable (run .ci/postgres): %v", err)
	}
	// Cleanups, not defers: they run after the test's own cleanups (the
	// collectors), and the drop needs the connection still open.
	t.Cleanup(func() {
		if err := admin.Close(context.Background()); err != nil {
			t.Errorf("close the admin connection: %v", err)
		}
	})
	name := fmt.Sprintf("%s_%d", prefix, time.Now().UnixNano())
	_, err = admin.Exec(ctx, "CREATE DATABASE "+name)
	require.NoError(t, err)
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop the test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(pgAdminDSN())
	require.NoError(t, err)
	u.Path = "/" + name
	return u.String()
}

// records reads every record of [from, to] from the API, in windows of
// at most a year (the API's longest range).
func (c *usageCollector) records(t *testing.T, from, to time.Time) []storedRecord {
	var all []storedRecord
	for w := from; w.Before(to); w = w.Add(360 * 24 * time.Hour) {
		all = append(all, c.recordsIn(t, w, earliest(to, w.Add(360*24*time.Hour)))...)
	}
	return all
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func (c *usageCollector) recordsIn(t *testing.T, from, to time.Time) []storedRecord {
	var all []storedRecord
	for offset := 0; ; offset += 500 {
		var page struct {
			Data struct {
				Total   int64          `json:"total"`
				Records []storedRecord `json:"records"`
			} `json:"data"`
		}
		c.get(t, "records?"+url.Values{
			"from": {from.Format(time.RFC3339Nano)}, "to": {to.Format(time.RFC3339Nano)},
			"limit": {"500"}, "offset": {fmt.Sprint(offset)},
		}.Encode(), &page)
		all = append(all, page.Data.Records...)
		if len(page.Data.Records) < 500 {
			return all
		}
	}
}

// TestRecordsAreTheProcessorsResolution sends every fixture through the
// collector with config/collector.yaml, the processor's output also going
// to a sink, and checks that every stored record says what the processor
// resolved for its span: provider, models, operation, streaming, every
// meter, cost, savings, status and reason; on SQLite and on PostgreSQL. It also
// holds the captured fixtures to what their libraries really did: the
// stream flag the mock provider saw, a model and a provider on every call,
// and an operation the normaliser names.
func TestRecordsAreTheProcessorsResolution(t *testing.T) {
	_, err := pricing.Load(true, nil) // the processor's cards, for the oracle
	require.NoError(t, err)
	fs, err := fixtures.Load("captured", "written")
	require.NoError(t, err)
	calls, _, from, to := goldenTotals(t, fs)
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			s := &sink{}
			srv := httptest.NewServer(s)
			defer srv.Close()
			sets := []string{
				"exporters::otlphttp/priced::endpoint=" + srv.URL,
				"service::pipelines::traces::exporters=[genai_usage,otlphttp/priced]",
			}
			if backend == "postgres" {
				dsn := pgDatabase(t, "e2e_records")
				sets = append(sets, "exporters::genai_usage::store::driver=postgres", "exporters::genai_usage::store::postgres::dsn="+dsn)
			}
			c := startUsageCollector(t, t.TempDir(), sets...)
			spans := 0
			for _, f := range fs {
				c.send(t, f.Traces)
				spans += f.Traces.SpanCount()
			}
			require.Eventually(t, func() bool {
				n, _ := c.totals(t, from, to)
				return s.count() >= spans && n >= calls
			}, 30*time.Second, 200*time.Millisecond)

			want := map[string]storedRecord{}
			s.mu.Lock()
			for _, td := range s.traces {
				fixtures.ForEachSpan(td, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, sp ptrace.Span) {
					if st, ok := sp.Attributes().Get(genaiconv.Status); ok && genaiconv.Billable(st.Str()) {
						want[sp.TraceID().String()+sp.SpanID().String()] = resolution(t, sp)
					}
				})
			}
			s.mu.Unlock()
			got := c.records(t, from, to.Add(time.Millisecond))
			require.Len(t, got, len(want))
			require.EqualValues(t, calls, len(got))
			for _, r := range got {
				w, ok := want[r.TraceID+r.SpanID]
				if !assert.True(t, ok, "a record of no priced span: %+v", r) {
					continue
				}
				r.CostByMeter = nil // the parts of the cost are the cost package's; the sum is checked
				assert.Equal(t, w, r)
			}
			checkAgainstLibraries(t, got)
		})
	}
}

// noStreamMarker are the captured fixtures of a streamed call whose
// library writes nothing that says so (docs/normalisation.md, the matrix):
// their records cannot say it either.
var noStreamMarker = map[string]string{
	"otel-openai-chat-stream-include-usage":                   "@opentelemetry/instrumentation-openai writes no stream attribute",
	"otel-openai-chat-stream-no-include-usage":                "@opentelemetry/instrumentation-openai writes no stream attribute",
	"otel-openai-responses-stream":                            "@opentelemetry/instrumentation-openai writes no stream attribute",
	"traceloop-anthropic-messages-cache-stream":               "@traceloop/instrumentation-anthropic writes no stream attribute",
	"traceloop-openai-chat-stream-include-usage":              "@traceloop/instrumentation-openai writes no stream attribute",
	"traceloop-openai-chat-stream-include-usage-enrich-off":   "@traceloop/instrumentation-openai writes no stream attribute",
	"traceloop-openai-chat-stream-no-include-usage":           "@traceloop/instrumentation-openai writes no stream attribute",
	"traceloop-openai-responses-stream":                       "@traceloop/instrumentation-openai writes no stream attribute",
	"langchain-traceloop-anthropic-messages-cache-stream":     "@traceloop/instrumentation-langchain writes no stream attribute",
	"langchain-traceloop-openai-chat-stream":                  "@traceloop/instrumentation-langchain writes no stream attribute",
	"langchain-openinference-openai-chat-stream":              `LangChain's invocation parameters say "stream": false`,
	"langchain-openinference-anthropic-messages-cache-stream": `LangChain's invocation parameters say "stream": false`,
	"vercel-ai7-otel-openai-streamobject":                     "@ai-sdk/otel writes no time to first chunk on streamObject's call span",
}

// checkAgainstLibraries holds the records of the captured fixtures to what
// the mock provider saw: a fixture of one streamed call has a streaming
// record (unless its library says nothing of it: noStreamMarker), one of
// unstreamed calls none; and every call has a provider, a model and a
// named operation.
func checkAgainstLibraries(t *testing.T, recs []storedRecord) {
	fs, err := fixtures.Load("captured")
	require.NoError(t, err)
	byTrace := map[string][]storedRecord{}
	for _, r := range recs {
		byTrace[r.TraceID] = append(byTrace[r.TraceID], r)
	}
	checked := 0
	for _, f := range fs {
		var sidecar struct {
			Calls []struct {
				Stream bool `json:"stream"`
				Status int  `json:"status"`
			} `json:"provider_calls"`
		}
		data, err := os.ReadFile(filepath.Join(fixtures.Dir(), f.Name+".usage.json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(data, &sidecar), f.Name)
		var own []storedRecord
		seen := map[pcommon.TraceID]bool{}
		fixtures.ForEachSpan(f.Traces, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, sp ptrace.Span) {
			if !seen[sp.TraceID()] {
				seen[sp.TraceID()] = true
				own = append(own, byTrace[sp.TraceID().String()]...)
			}
		})
		for _, r := range own {
			assert.NotEmpty(t, r.Provider, "%s: provider", f.Name)
			assert.NotEmpty(t, r.Model, "%s: model", f.Name)
			assert.Contains(t, normalize.Operations, r.Operation, "%s", f.Name)
			assert.NotEqual(t, normalize.OpOther, r.Operation, "%s: an operation the normaliser names", f.Name)
		}
		streamed := slices.ContainsFunc(sidecar.Calls, func(c struct {
			Stream bool `json:"stream"`
			Status int  `json:"status"`
		}) bool {
			return c.Stream
		})
		if len(own) == 1 && len(sidecar.Calls) == 1 && !strings.Contains(f.Name, "error") {
			if _, silent := noStreamMarker[strings.TrimPrefix(f.Name, "captured/")]; silent {
				streamed = false
			}
			assert.Equal(t, streamed, own[0].Streaming, "%s: streaming", f.Name)
			checked++
		}
	}
	assert.Greater(t, checked, 40, "fixtures of one call whose stream flag was checked")
}
