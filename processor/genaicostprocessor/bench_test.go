package genaicostprocessor

import (
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor/internal/metadata"
)

// The load mirrors the one the OTTL baseline was measured with
// (docs/benchmarks.md): LLM client spans with 15 attributes across 50
// models of six providers, and HTTP server spans with 14 attributes.
var benchModels = []struct{ provider, model string }{
	{"openai", "gpt-4o-mini"}, {"openai", "gpt-4o"}, {"openai", "gpt-4.1"}, {"openai", "o3"}, {"openai", "gpt-5"},
	{"anthropic", "claude-sonnet-4-5-20250929"}, {"anthropic", "claude-haiku-4-5"}, {"anthropic", "claude-opus-4-1-20250805"},
	{"gcp.gemini", "gemini-2.5-pro"}, {"gcp.gemini", "gemini-2.5-flash"}, {"mistral_ai", "mistral-large-latest"},
	{"aws.bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"}, {"aws.bedrock", "amazon.nova-pro-v1:0"},
}

func fillLLMSpan(s ptrace.Span, i int) {
	m := benchModels[i%len(benchModels)]
	s.SetName("chat " + m.model)
	s.SetKind(ptrace.SpanKindClient)
	a := s.Attributes()
	a.PutStr("gen_ai.operation.name", "chat")
	a.PutStr("gen_ai.provider.name", m.provider)
	a.PutStr("gen_ai.request.model", m.model)
	a.PutStr("gen_ai.response.model", m.model)
	a.PutStr("gen_ai.response.id", fmt.Sprintf("chatcmpl-%08d", i))
	a.PutInt("gen_ai.request.max_tokens", 4096)
	a.PutDouble("gen_ai.request.temperature", 0.7)
	a.PutEmptySlice("gen_ai.response.finish_reasons").AppendEmpty().SetStr("stop")
	a.PutInt("gen_ai.usage.input_tokens", int64(50+i*37%150_000))
	a.PutInt("gen_ai.usage.output_tokens", int64(1+i*13%4000))
	if i%2 == 0 {
		a.PutInt("gen_ai.usage.cache_read.input_tokens", int64(25+i*37%150_000/2))
	}
	a.PutStr("server.address", "api.example.com")
	a.PutInt("server.port", 443)
	a.PutStr("http.request.method", "POST")
	a.PutInt("http.response.status_code", 200)
}

func fillHTTPSpan(s ptrace.Span, i int) {
	s.SetName("GET /api/items")
	s.SetKind(ptrace.SpanKindServer)
	a := s.Attributes()
	a.PutStr("http.request.method", "GET")
	a.PutInt("http.response.status_code", 200)
	a.PutStr("http.route", "/api/items")
	a.PutStr("url.path", "/api/items")
	a.PutStr("url.scheme", "https")
	a.PutStr("url.query", fmt.Sprintf("page=%d", i))
	a.PutStr("server.address", "shop.example.com")
	a.PutInt("server.port", 443)
	a.PutStr("network.protocol.version", "1.1")
	a.PutStr("network.peer.address", "10.0.0.7")
	a.PutInt("network.peer.port", 51234)
	a.PutStr("client.address", "203.0.113.9")
	a.PutStr("user_agent.original", "Mozilla/5.0")
	a.PutStr("http.request.header.x-request-id", "abc")
}

// buildBatch makes a batch of n spans; every llmEvery-th is an LLM span
// (none with 0), the others HTTP server spans.
func buildBatch(n, llmEvery int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "bench")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("bench")
	now := pcommon.NewTimestampFromTime(time.Now())
	for i := range n {
		s := ss.Spans().AppendEmpty()
		s.SetStartTimestamp(now)
		s.SetEndTimestamp(now + 1000)
		s.SetSpanID(pcommon.SpanID{byte(i), byte(i >> 8), 1})
		if llmEvery > 0 && i%llmEvery == 0 {
			fillLLMSpan(s, i)
		} else {
			fillHTTPSpan(s, i)
		}
	}
	return td
}

func renewTraceIDs(td ptrace.Traces, seq *uint64) {
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	for i := 0; i < spans.Len(); i++ {
		*seq++
		var id pcommon.TraceID
		binary.LittleEndian.PutUint64(id[:], *seq)
		id[15] = 0xab
		spans.At(i).SetTraceID(id)
	}
}

func benchProcessor(b *testing.B, mutate func(*Config)) *costProcessor {
	cfg := createDefaultConfig().(*Config)
	if mutate != nil {
		mutate(cfg)
	}
	p, err := newCostProcessor(cfg, processortest.NewNopSettings(metadata.Type))
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkNonGenAISpan: spans of other kinds pass through; nothing is
// written, so the same batch is reused.
func BenchmarkNonGenAISpan(b *testing.B) {
	const n = 1000
	p := benchProcessor(b, nil)
	td := buildBatch(n, 0)
	ctx := context.Background()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		_, _ = p.processTraces(ctx, td)
	}
	runtime.ReadMemStats(&after)
	reportPerSpan(b, n, after.Mallocs-before.Mallocs, after.TotalAlloc-before.TotalAlloc)
}

// reportPerSpan reports time, allocations and bytes per span, for the
// work inside processTraces only.
func reportPerSpan(b *testing.B, spansPerOp int, mallocs, bytes uint64) {
	spans := float64(b.N * spansPerOp)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/spans, "ns/span")
	b.ReportMetric(float64(mallocs)/spans, "allocs/span")
	b.ReportMetric(float64(bytes)/spans, "B/span")
	b.ReportMetric(0, "ns/op")
}

func benchLLM(b *testing.B, llmEvery int, mutate func(*Config)) {
	const n = 1000
	p := benchProcessor(b, mutate)
	tmpl := buildBatch(n, llmEvery)
	ctx := context.Background()
	var seq, mallocs, bytes uint64
	var m0, m1 runtime.MemStats
	for b.Loop() {
		b.StopTimer()
		// Fresh data, sized as a receiver leaves it, so attribute writes
		// grow the slices as they do in a real pipeline.
		td := ptrace.NewTraces()
		tmpl.CopyTo(td)
		renewTraceIDs(td, &seq)
		runtime.ReadMemStats(&m0)
		b.StartTimer()
		_, _ = p.processTraces(ctx, td)
		b.StopTimer()
		runtime.ReadMemStats(&m1)
		mallocs += m1.Mallocs - m0.Mallocs
		bytes += m1.TotalAlloc - m0.TotalAlloc
		b.StartTimer()
	}
	reportPerSpan(b, n, mallocs, bytes)
}

// BenchmarkPricedLLMSpan: every span an LLM call, priced with the default
// config (dedup on, tokens written).
func BenchmarkPricedLLMSpan(b *testing.B) { benchLLM(b, 1, nil) }

// BenchmarkPricedLLMSpanNoDedup isolates the cost of the dedup state.
func BenchmarkPricedLLMSpanNoDedup(b *testing.B) {
	benchLLM(b, 1, func(c *Config) { c.Billing.Dedup.Enabled = false })
}

// BenchmarkMixed10: one span in ten is an LLM call.
func BenchmarkMixed10(b *testing.B) { benchLLM(b, 10, nil) }

// BenchmarkPipeline models the collector's path for a request: decode the
// OTLP protobuf as the receiver does, then run the processor, with garbage
// collection included. Compare with BenchmarkPipelineBaseline, which only
// decodes: the difference is what the processor adds, allocations and GC
// included, per span.
func BenchmarkPipeline(b *testing.B) { benchPipeline(b, true) }

// BenchmarkPipelineBaseline decodes the same requests without the processor.
func BenchmarkPipelineBaseline(b *testing.B) { benchPipeline(b, false) }

func benchPipeline(b *testing.B, withProcessor bool) {
	const n = 100
	p := benchProcessor(b, nil)
	td := buildBatch(n, 1)
	var seq uint64
	reqs := make([][]byte, 64) // distinct trace ids across requests
	for i := range reqs {
		renewTraceIDs(td, &seq)
		data, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
		if err != nil {
			b.Fatal(err)
		}
		reqs[i] = data
	}
	ctx := context.Background()
	i := 0
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		req := ptraceotlp.NewExportRequest()
		if err := req.UnmarshalProto(reqs[i%len(reqs)]); err != nil {
			b.Fatal(err)
		}
		i++
		got := req.Traces()
		renewTraceIDs(got, &seq) // fresh ids: the dedup state sees new spans
		if withProcessor {
			_, _ = p.processTraces(ctx, got)
		}
	}
	runtime.ReadMemStats(&after)
	reportPerSpan(b, n, after.Mallocs-before.Mallocs, after.TotalAlloc-before.TotalAlloc)
}
