// Command loadgen is the replay load generator of the whole-collector
// benchmark (bench/run.sh). It sends pre-built OTLP/gRPC trace export
// requests as fast as the collector accepts them, from -c goroutines, for
// -d, and prints how many spans it sent.
//
// The load is the one the OTTL reference was measured with (bench/README.md,
// docs/benchmarks.md): LLM client spans (kind CLIENT, "chat <model>", 15
// attributes, 50 priced models from six providers, log-uniform token counts)
// and, with -llm-every N > 1, HTTP server spans (14 http.*/url.*/network.*
// attributes) in between, 100 spans per request, 7 resource attributes.
//
// Each goroutine owns its requests. Before every Export it gives every span a
// fresh random trace id and span id, so the collector never sees a span twice
// (the genai_cost processor remembers spans across batches, and a replay of
// known ids would take its cheaper "seen before" path). The other fields are
// reused: the receiver unmarshals its own copy of each request, so re-sending
// the same object is safe.
package main

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// errUsage marks a bad command line (exit status 2).
var errUsage = errors.New("usage")

// run sends the load and prints the summary line. It returns instead of
// exiting, so that its deferred closes and the CPU profile's stop run.
func run() error {
	var (
		endpoint = flag.String("endpoint", "127.0.0.1:4317", "OTLP/gRPC endpoint of the collector")
		conc     = flag.Int("c", 16, "concurrent exporters (requests in flight)")
		dur      = flag.Duration("d", 30*time.Second, "how long to send")
		spans    = flag.Int("spans", 100, "spans per export request")
		llmEvery = flag.Int("llm-every", 1, "every N-th span is an LLM client span, the others HTTP server spans (1 = all LLM, 10 = one in ten)")
		users    = flag.Int("users", 0, "LLM spans carry user.id of this many users and session.id of a session per user and day (0 = neither, as in the OTTL reference load)")
		seed     = flag.Uint64("seed", 1, "random seed (goroutine i uses seed, i)")
		reqs     = flag.Int("reqs", 4, "distinct pre-built requests per goroutine, sent in turn")
		conns    = flag.Int("conns", 1, "gRPC connections, shared round-robin by the goroutines")
		label    = flag.String("label", "", "label printed on the summary line")
		wbuf     = flag.Int("write-buffer", 256<<10, "gRPC write buffer size in bytes (fewer write syscalls than the 32 KiB default)")
		cpuProf  = flag.String("cpuprofile", "", "write a CPU profile of the sending phase to this file")
	)
	flag.Parse()
	if *conc < 1 || *spans < 1 || *llmEvery < 1 || *reqs < 1 || *conns < 1 {
		return fmt.Errorf("%w: -c, -spans, -llm-every, -reqs and -conns must be at least 1", errUsage)
	}

	clients := make([]ptraceotlp.GRPCClient, *conns)
	var open []*grpc.ClientConn
	defer func() {
		for _, c := range open {
			_ = c.Close() // the process ends next: nothing to do with the error
		}
	}()
	for i := range clients {
		conn, err := grpc.NewClient(*endpoint,
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithWriteBufferSize(*wbuf))
		if err != nil {
			return err
		}
		open = append(open, conn)
		clients[i] = ptraceotlp.NewGRPCClient(conn)
	}

	// Build every goroutine's requests before the clock starts.
	workers := make([]*worker, *conc)
	for i := range workers {
		rng := rand.New(rand.NewPCG(*seed, uint64(i)))
		w := &worker{client: clients[i%len(clients)], rng: rng}
		for range *reqs {
			w.reqs = append(w.reqs, buildRequest(rng, *spans, *llmEvery, *users, i))
		}
		workers[i] = w
	}
	reqBytes := ptraceotlp.NewExportRequestFromTraces(workers[0].reqs[0].td)
	size, _ := reqBytes.MarshalProto()

	if *cpuProf != "" {
		f, err := os.Create(*cpuProf)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			if err := f.Close(); err != nil {
				fmt.Fprintln(os.Stderr, "loadgen: -cpuprofile:", err)
			}
		}()
	}

	var sent, failed atomic.Int64
	var firstErr atomic.Value
	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run(ctx, &sent, &failed, &firstErr)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	n := sent.Load()
	usPerSpan := 0.0
	if n > 0 {
		usPerSpan = float64(cpu.Microseconds()) / float64(n)
	}
	prefix := "loadgen"
	if *label != "" {
		prefix += " " + *label
	}
	fmt.Printf("%s: spans_sent=%d spans/s=%.0f requests_failed=%d gen_cpu_s=%.2f gen_cpu_us/span=%.2f elapsed_s=%.2f c=%d spans/req=%d llm_every=%d req_bytes=%d\n",
		prefix, n, float64(n)/elapsed.Seconds(), failed.Load(), cpu.Seconds(), usPerSpan, elapsed.Seconds(),
		*conc, *spans, *llmEvery, len(size))
	if e, ok := firstErr.Load().(error); ok {
		fmt.Fprintln(os.Stderr, "loadgen: first export error:", e)
	}
	if n == 0 {
		return errors.New("no span was sent")
	}
	return nil
}

// request is one pre-built export request and its spans, whose ids are
// rewritten before each send.
type request struct {
	td    ptrace.Traces
	req   ptraceotlp.ExportRequest
	spans []ptrace.Span
}

type worker struct {
	client ptraceotlp.GRPCClient
	rng    *rand.Rand
	reqs   []*request
}

func (w *worker) run(ctx context.Context, sent, failed *atomic.Int64, firstErr *atomic.Value) {
	var tid [16]byte
	var sid [8]byte
	for i := 0; ctx.Err() == nil; i++ {
		r := w.reqs[i%len(w.reqs)]
		for _, s := range r.spans {
			binary.LittleEndian.PutUint64(tid[:8], w.rng.Uint64())
			binary.LittleEndian.PutUint64(tid[8:], w.rng.Uint64()|1) // never the invalid all-zero id
			binary.LittleEndian.PutUint64(sid[:], w.rng.Uint64()|1)
			s.SetTraceID(tid)
			s.SetSpanID(sid)
		}
		if _, err := w.client.Export(ctx, r.req); err != nil {
			if ctx.Err() != nil || status.Code(err) == codes.DeadlineExceeded {
				// The run ended while this request was in flight (the server
				// may see the propagated deadline first); not counted.
				return
			}
			failed.Add(1)
			firstErr.CompareAndSwap(nil, err)
			time.Sleep(time.Millisecond) // do not spin on a dead endpoint
			continue
		}
		sent.Add(int64(len(r.spans)))
	}
}

// buildRequest builds one export request of n spans, every llmEvery-th of
// them an LLM client span, of one of users users if users > 0.
func buildRequest(rng *rand.Rand, n, llmEvery, users, worker int) *request {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	ra := rs.Resource().Attributes()
	ra.EnsureCapacity(7)
	ra.PutStr("service.name", "checkout-assistant")
	ra.PutStr("service.version", "2.14.3")
	ra.PutStr("service.instance.id", fmt.Sprintf("4f1c2b7e-9a0d-4c1e-8b2f-%012x", worker))
	ra.PutStr("deployment.environment.name", "production")
	ra.PutStr("host.name", fmt.Sprintf("ip-10-0-%d-%d.ec2.internal", worker/250, worker%250+4))
	ra.PutStr("telemetry.sdk.name", "opentelemetry")
	ra.PutStr("telemetry.sdk.language", "python")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("bench.loadgen")
	ss.Scope().SetVersion("0.1.0")
	ss.Spans().EnsureCapacity(n)

	now := time.Now()
	r := &request{td: td}
	for i := range n {
		s := ss.Spans().AppendEmpty()
		start := now.Add(-time.Duration(rng.IntN(60_000)) * time.Millisecond)
		if i%llmEvery == 0 {
			fillLLMSpan(rng, s, start)
			if users > 0 {
				u := rng.IntN(users)
				s.Attributes().PutStr("user.id", fmt.Sprintf("u-%d", u))
				s.Attributes().PutStr("session.id", fmt.Sprintf("u-%d/%s", u, start.UTC().Format(time.DateOnly)))
			}
		} else {
			fillHTTPSpan(rng, s, start)
		}
		r.spans = append(r.spans, s)
	}
	r.req = ptraceotlp.NewExportRequestFromTraces(td)
	return r
}

var finishReasons = []string{"stop", "stop", "stop", "stop", "length", "tool_calls"}

// logUniform returns an integer log-uniformly distributed in [lo, hi].
func logUniform(rng *rand.Rand, lo, hi float64) int64 {
	v := int64(math.Exp(math.Log(lo) + rng.Float64()*(math.Log(hi)-math.Log(lo))))
	return min(max(v, int64(lo)), int64(hi))
}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randString(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[rng.IntN(len(alnum))]
	}
	return string(b)
}

func responseID(rng *rand.Rand, provider string) string {
	switch provider {
	case "openai", "x_ai":
		return "chatcmpl-" + randString(rng, 29)
	case "anthropic":
		return "msg_01" + randString(rng, 22)
	case "mistral_ai":
		return randString(rng, 32)
	case "aws.bedrock":
		return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint64()&0xffffffffffff)
	default:
		return randString(rng, 24)
	}
}

// fillLLMSpan writes an LLM client span: 15 attributes when it carries a
// cache-read count (half the spans), 14 otherwise.
func fillLLMSpan(rng *rand.Rand, s ptrace.Span, start time.Time) {
	m := models[rng.IntN(len(models))]
	s.SetName("chat " + m.Model)
	s.SetKind(ptrace.SpanKindClient)
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(200+rng.IntN(20_000)) * time.Millisecond)))
	s.Status().SetCode(ptrace.StatusCodeUnset)

	var in int64
	if rng.IntN(100) < 5 {
		in = 200_001 + rng.Int64N(200_000) // long context: 200,001..400,000
	} else {
		in = logUniform(rng, 50, 150_000)
	}
	out := logUniform(rng, 1, 4_000)

	a := s.Attributes()
	a.EnsureCapacity(15)
	a.PutStr("gen_ai.operation.name", "chat")
	a.PutStr("gen_ai.provider.name", m.Provider)
	a.PutStr("gen_ai.request.model", m.Model)
	a.PutStr("gen_ai.response.model", m.Model)
	a.PutStr("gen_ai.response.id", responseID(rng, m.Provider))
	a.PutInt("gen_ai.request.max_tokens", []int64{1024, 2048, 4096, 8192}[rng.IntN(4)])
	a.PutDouble("gen_ai.request.temperature", []float64{0, 0.2, 0.7, 1}[rng.IntN(4)])
	fr := a.PutEmptySlice("gen_ai.response.finish_reasons")
	fr.AppendEmpty().SetStr(finishReasons[rng.IntN(len(finishReasons))])
	a.PutInt("gen_ai.usage.input_tokens", in)
	a.PutInt("gen_ai.usage.output_tokens", out)
	if rng.IntN(2) == 0 {
		// 10-90 % of the input, included in input_tokens (semantic conventions).
		a.PutInt("gen_ai.usage.cache_read.input_tokens", in*int64(10+rng.IntN(81))/100)
	}
	a.PutStr("server.address", m.Server)
	a.PutInt("server.port", 443)
	a.PutStr("http.request.method", "POST")
	a.PutInt("http.response.status_code", 200)
}

var routes = []struct{ method, route, path string }{
	{"GET", "/api/v1/orders/{id}", "/api/v1/orders/"},
	{"GET", "/api/v1/products/{id}", "/api/v1/products/"},
	{"POST", "/api/v1/cart/{id}/items", "/api/v1/cart/"},
	{"GET", "/api/v1/users/{id}/recommendations", "/api/v1/users/"},
	{"POST", "/api/v1/checkout/{id}", "/api/v1/checkout/"},
}

var statuses = []int64{200, 200, 200, 200, 200, 200, 201, 204, 304, 404, 500}

// fillHTTPSpan writes an HTTP server span with 14 http.*, url.* and
// network.* attributes.
func fillHTTPSpan(rng *rand.Rand, s ptrace.Span, start time.Time) {
	rt := routes[rng.IntN(len(routes))]
	id := strconv.Itoa(100_000 + rng.IntN(900_000))
	code := statuses[rng.IntN(len(statuses))]
	s.SetName(rt.method + " " + rt.route)
	s.SetKind(ptrace.SpanKindServer)
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(1+rng.IntN(250_000)) * time.Microsecond)))
	if code >= 500 {
		s.Status().SetCode(ptrace.StatusCodeError)
	}

	a := s.Attributes()
	a.EnsureCapacity(14)
	a.PutStr("http.request.method", rt.method)
	a.PutStr("http.route", rt.route)
	a.PutInt("http.response.status_code", code)
	a.PutInt("http.request.body.size", int64(rng.IntN(2048)))
	a.PutInt("http.response.body.size", int64(200+rng.IntN(20_000)))
	a.PutStr("url.scheme", "https")
	a.PutStr("url.path", rt.path+id)
	a.PutStr("url.query", "locale=en-US&currency=USD")
	a.PutStr("network.protocol.name", "http")
	a.PutStr("network.protocol.version", "1.1")
	a.PutStr("network.transport", "tcp")
	a.PutStr("network.peer.address", fmt.Sprintf("10.0.%d.%d", rng.IntN(256), 1+rng.IntN(254)))
	a.PutInt("network.peer.port", int64(32768+rng.IntN(28000)))
	a.PutInt("network.local.port", 8080)
}
