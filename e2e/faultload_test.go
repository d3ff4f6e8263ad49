package e2e

// The fault suite's load driver and its accounting: every call sent has a
// trace id that says which run and which call it is, every request is
// classified by the collector's answer, and what the store holds is then
// compared with what was sent, call by call (fault_test.go).

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	_ "modernc.org/sqlite" // the "sqlite" driver, to read the collector's store

	"github.com/otelcol-genai/otelcol-genai/internal/fixtures"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// faultsEnabled skips the fault suite unless OTELCOL_GENAI_FAULTS=1 (make
// faults and .ci/run set it): it takes minutes, kills processes, stops
// PostgreSQL servers of its own and mounts filesystems.
func faultsEnabled(t *testing.T) {
	if os.Getenv("OTELCOL_GENAI_FAULTS") != "1" {
		t.Skip("the fault suite runs with OTELCOL_GENAI_FAULTS=1 (make faults)")
	}
}

// requireFaults is whether a fault that cannot be staged here (no root, no
// PostgreSQL binaries) fails the test instead of skipping it.
func requireFaults() bool { return os.Getenv("OTELCOL_GENAI_REQUIRE_FAULTS") == "1" }

// faultScale multiplies the suite's calls and load phases:
// OTELCOL_GENAI_FAULTS_SCALE=10 runs every fault on ten times the calls.
func faultScale() int64 {
	n, err := strconv.ParseInt(os.Getenv("OTELCOL_GENAI_FAULTS_SCALE"), 10, 64)
	if err != nil || n < 1 {
		return 1
	}
	return n
}

func scaled(n int64) int64 { return n * faultScale() }

// faultWait bounds a wait for the collector (a hung one fails the test; a
// slow one only takes longer): 3 minutes at scale 1.
func faultWait() time.Duration { return time.Duration(faultScale()) * 3 * time.Minute }

// callTemplate is one LLM span of a captured fixture whose golden output
// is a single priced call: sent again and again with fresh ids, each copy
// is one call of a known cost.
type callTemplate struct {
	name     string
	td       ptrace.Traces // the fixture: one resource, one scope, one span
	cost     money.Nanos
	currency string
}

// callTemplates are the captured fixtures of one span priced locally by
// the processor from measured usage, with their golden cost.
func callTemplates(t *testing.T) []callTemplate {
	fs, err := fixtures.Load("captured")
	require.NoError(t, err)
	var out []callTemplate
	for _, f := range fs {
		if f.Traces.SpanCount() != 1 {
			continue
		}
		data, err := os.ReadFile(filepath.Join(repoRoot(), "processor", "genaicostprocessor", "testdata", "golden", f.Name+".json"))
		require.NoError(t, err)
		var golden []fixtures.SpanResult
		require.NoError(t, json.Unmarshal(data, &golden))
		// Measured usage only: an estimate is the processor's guess, which
		// the versions of the rolling upgrade make differently.
		if len(golden) != 1 || golden[0].Status != genaiconv.StatusPriced || golden[0].Estimated {
			continue
		}
		c, ok := golden[0].LocalCost()
		if !ok || c <= 0 {
			continue
		}
		out = append(out, callTemplate{name: f.Name, td: f.Traces, cost: c, currency: golden[0].Currency})
	}
	require.GreaterOrEqual(t, len(out), 5, "captured fixtures of one priced span")
	return out
}

// Request classes, by the collector's answer.
const (
	classNone     byte = iota // not sent
	classAccepted             // 2xx: the collector took responsibility for it
	classRefused              // an HTTP error status, or a connection refused before anything was sent
	classUnknown              // the connection failed mid-request: it may or may not have been taken
)

// faultLoad sends LLM calls and remembers what became of each.
type faultLoad struct {
	templates []callTemplate
	prefix    [8]byte // the first half of every trace id of this run
	perReq    int     // calls per request
	users     bool    // each call a user of its own (user.id)
	limit     uint64  // stop after this many calls (0: no limit)
	retry     bool    // resend a request refused with 429 or 503, as an OTLP client does, until it is answered otherwise
	retryAll  bool    // resend on any failure (a broken connection, a closed port) too, until accepted

	next atomic.Uint64 // calls handed out

	mu      sync.Mutex
	classes []byte // per call
	counts  [4]int64
	status  map[string]int // refusals and errors, by kind
	partial int64          // spans a 2xx answer reported as rejected
	retried int64          // requests sent again after a retryable refusal

	client  *http.Client
	t       *testing.T
	aborted atomic.Bool // the test has failed: retrying clients give up

	grpcMu    sync.Mutex
	grpcConns map[string]*grpc.ClientConn // with useGRPC, by target
	useGRPC   bool                        // send over OTLP/gRPC (the target is host:port) instead of OTLP/HTTP
}

func newFaultLoad(t *testing.T, perReq int) *faultLoad {
	l := &faultLoad{templates: callTemplates(t), perReq: perReq, status: map[string]int{}, t: t}
	_, err := rand.Read(l.prefix[:])
	require.NoError(t, err)
	l.prefix[0] |= 0x80 // never an all-zero id
	l.client = &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true},
	}
	t.Cleanup(l.client.CloseIdleConnections)
	t.Cleanup(l.closeGRPC)
	return l
}

func (l *faultLoad) traceID(seq uint64) [16]byte {
	var id [16]byte
	copy(id[:8], l.prefix[:])
	binary.BigEndian.PutUint64(id[8:], seq+1)
	return id
}

func (l *faultLoad) spanID(seq uint64) [8]byte {
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], (seq+1)^0x5a5a000000000000)
	return id
}

// request builds the OTLP request of calls [first, first+n).
func (l *faultLoad) request(first uint64, n int) []byte {
	td := ptrace.NewTraces()
	for i := range n {
		seq := first + uint64(i)
		tpl := l.templates[seq%uint64(len(l.templates))]
		srcRS := tpl.td.ResourceSpans().At(0)
		srcSS := srcRS.ScopeSpans().At(0)
		rs := td.ResourceSpans().AppendEmpty()
		srcRS.Resource().CopyTo(rs.Resource())
		ss := rs.ScopeSpans().AppendEmpty()
		srcSS.Scope().CopyTo(ss.Scope())
		sp := ss.Spans().AppendEmpty()
		srcSS.Spans().At(0).CopyTo(sp)
		sp.SetTraceID(l.traceID(seq))
		sp.SetSpanID(l.spanID(seq))
		if l.users {
			sp.Attributes().PutStr("user.id", fmt.Sprintf("user-%x-%d", l.prefix[:4], seq))
		}
	}
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		panic(err) // pdata always marshals
	}
	return body
}

// send posts one request of perReq new calls to url and records its class.
func (l *faultLoad) send(ctx context.Context, target func() string) byte {
	first := l.next.Add(uint64(l.perReq)) - uint64(l.perReq)
	body := l.request(first, l.perReq)
	class, kind := l.post(ctx, target(), body)
	giveUp := time.Now().Add(faultWait())
	for ((l.retry && (kind == "429" || kind == "503" || kind == codes.Unavailable.String() || kind == codes.ResourceExhausted.String())) ||
		(l.retryAll && class != classAccepted)) && !l.aborted.Load() && time.Now().Before(giveUp) {
		l.mu.Lock()
		l.status[kind]++
		l.retried++
		l.mu.Unlock()
		time.Sleep(100 * time.Millisecond)
		class, kind = l.post(ctx, target(), body)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for uint64(len(l.classes)) < first+uint64(l.perReq) {
		l.classes = append(l.classes, classNone)
	}
	for i := range uint64(l.perReq) {
		l.classes[first+i] = class
	}
	l.counts[class] += int64(l.perReq)
	if kind != "" {
		l.status[kind]++
	}
	return class
}

var errnoText = regexp.MustCompile(`\d+\.\d+\.\d+\.\d+:\d+`)

func (l *faultLoad) post(ctx context.Context, url string, body []byte) (class byte, kind string) {
	if l.useGRPC {
		return l.export(ctx, url, body)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/v1/traces", bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	resp, err := l.client.Do(req)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return classRefused, "connection refused"
		}
		return classUnknown, errnoText.ReplaceAllString(err.Error(), "ADDR")
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return classUnknown, "reading the answer: " + err.Error()
	}
	if resp.StatusCode/100 != 2 {
		return classRefused, strconv.Itoa(resp.StatusCode)
	}
	ans := ptraceotlp.NewExportResponse()
	if err := ans.UnmarshalProto(data); err == nil && ans.PartialSuccess().RejectedSpans() > 0 {
		l.mu.Lock()
		l.partial += ans.PartialSuccess().RejectedSpans()
		l.mu.Unlock()
	}
	return classAccepted, ""
}

// export sends one request over OTLP/gRPC. Only for faults that kill
// nothing: a gRPC Unavailable is the receiver's retryable refusal, but
// also what a broken connection gives, which would then count as refused.
func (l *faultLoad) export(ctx context.Context, target string, body []byte) (class byte, kind string) {
	l.grpcMu.Lock()
	conn, ok := l.grpcConns[target]
	if !ok {
		var err error
		conn, err = grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			panic(err) // a malformed target: the test's bug
		}
		if l.grpcConns == nil {
			l.grpcConns = map[string]*grpc.ClientConn{}
		}
		l.grpcConns[target] = conn
	}
	l.grpcMu.Unlock()
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(body); err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ans, err := ptraceotlp.NewGRPCClient(conn).Export(ctx, req)
	if err != nil {
		switch code := status.Code(err); code {
		case codes.Unavailable, codes.ResourceExhausted:
			return classRefused, code.String()
		default:
			return classUnknown, code.String()
		}
	}
	if n := ans.PartialSuccess().RejectedSpans(); n > 0 {
		l.mu.Lock()
		l.partial += n
		l.mu.Unlock()
	}
	return classAccepted, ""
}

// closeGRPC closes the gRPC connections.
func (l *faultLoad) closeGRPC() {
	l.grpcMu.Lock()
	defer l.grpcMu.Unlock()
	for _, c := range l.grpcConns {
		_ = c.Close() // the test is over
	}
}

// run sends from senders goroutines until ctx ends or stop says so, to the
// URL target returns at each request (it changes when the collector is
// restarted). pause is a sender's rest between requests, to keep the load
// modest on a shared machine.
func (l *faultLoad) run(ctx context.Context, senders int, pause time.Duration, target func() string) {
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for ctx.Err() == nil && (l.limit == 0 || l.next.Load() < l.limit) {
				// The request's own context outlives the run: a request in
				// flight when the run ends is answered, not cut off, so
				// that its class is the collector's answer.
				wait := pause
				if l.send(context.Background(), target) == classRefused {
					wait = max(wait, 50*time.Millisecond) // a client backs off
				}
				if wait > 0 {
					select {
					case <-ctx.Done():
					case <-time.After(wait):
					}
				}
			}
		})
	}
	wg.Wait()
}

// sendFor runs the load for d.
func (l *faultLoad) sendFor(d time.Duration, senders int, pause time.Duration, target func() string) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	l.run(ctx, senders, pause, target)
}

// background starts the load and returns a function that stops it and
// waits for the requests in flight.
func (l *faultLoad) background(senders int, pause time.Duration, target func() string) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.run(ctx, senders, pause, target); close(done) }()
	var once sync.Once
	return func() {
		once.Do(func() {
			if l.t.Failed() {
				l.aborted.Store(true) // no collector may come back to accept a retry
			}
			cancel()
			<-done
		})
	}
}

// waitFor waits until at least n calls have been answered with class (a
// progress point to stage a fault at, not an assertion).
func (l *faultLoad) waitFor(t *testing.T, class byte, n int64, within time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.counts[class] >= n
	}, within, 20*time.Millisecond, "waiting for %d calls of class %d: %v", n, class, l.snapshot())
}

// count is the number of calls answered with class.
func (l *faultLoad) count(class byte) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[class]
}

// answered is the number of calls answered, whatever the answer.
func (l *faultLoad) answered() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[classAccepted] + l.counts[classRefused] + l.counts[classUnknown]
}

func (l *faultLoad) snapshot() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprintf("accepted=%d refused=%d unknown=%d answers=%v", l.counts[classAccepted], l.counts[classRefused], l.counts[classUnknown], l.status)
}

// storedCall is one record of the store: its ids, cost and currency.
type storedCall struct {
	trace, span []byte
	cost        int64
	currency    string
}

// storeTotals are the store's own totals: the day rollups of all calls
// (the empty dim), and those of the user dimension.
type storeTotals struct {
	calls, cost       int64
	dimCalls, dimCost int64
}

const (
	recordsQuery = `SELECT trace_id, span_id, cost_nanos, currency FROM usage_records`
	totalsQuery  = `SELECT COALESCE(SUM(calls), 0), COALESCE(SUM(cost_nanos), 0) FROM usage_rollups WHERE grain = 'd' AND dim = ''`
	dimQuery     = `SELECT COALESCE(SUM(calls), 0), COALESCE(SUM(cost_nanos), 0) FROM usage_rollups WHERE grain = 'd' AND dim = 'user'`
)

// readSQLite reads the collector's SQLite file beside the collector (WAL:
// readers never block its writer).
func readSQLite(t *testing.T, path string) ([]storedCall, storeTotals) {
	return readStore(t, "sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
}

func readPostgres(t *testing.T, dsn string) ([]storedCall, storeTotals) {
	return readStore(t, "pgx", dsn)
}

// readStore reads every stored call and the store's totals through
// database/sql: the queries are the same on both backends.
func readStore(t *testing.T, driver, dsn string) ([]storedCall, storeTotals) {
	db, err := sql.Open(driver, dsn)
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	rows, err := db.Query(recordsQuery)
	require.NoError(t, err)
	var out []storedCall
	for rows.Next() {
		var c storedCall
		require.NoError(t, rows.Scan(&c.trace, &c.span, &c.cost, &c.currency))
		out = append(out, c)
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	var tot storeTotals
	require.NoError(t, db.QueryRow(totalsQuery).Scan(&tot.calls, &tot.cost))
	require.NoError(t, db.QueryRow(dimQuery).Scan(&tot.dimCalls, &tot.dimCost))
	return out, tot
}

// countStored is the number of records, for waiting on the queue.
func countStored(read func() ([]storedCall, storeTotals)) int64 {
	recs, _ := read()
	return int64(len(recs))
}

// faultResult is the accounting of one run.
type faultResult struct {
	sent, accepted, refused, unknown int64
	stored, lost, duplicated         int64
	foreign                          int64 // records of no call this run sent
	refusedStored, unknownStored     int64
	wrongCost                        int64 // records whose cost or currency is not the template's
	wantCost, gotCost                money.Nanos
	totals                           storeTotals
	partial, retried                 int64
	answers                          map[string]int
	peakRSS                          int64 // kB, the largest VmHWM of the collector processes
	lostRanges                       []string
}

// account compares the store's records with what was sent.
func (l *faultLoad) account(recs []storedCall, tot storeTotals) faultResult {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := faultResult{
		accepted: l.counts[classAccepted], refused: l.counts[classRefused], unknown: l.counts[classUnknown],
		totals: tot, partial: l.partial, retried: l.retried, answers: l.status,
	}
	r.sent = r.accepted + r.refused + r.unknown
	seen := make([]uint8, len(l.classes))
	for _, c := range recs {
		if len(c.trace) != 16 || !bytes.Equal(c.trace[:8], l.prefix[:]) {
			r.foreign++
			continue
		}
		seq := binary.BigEndian.Uint64(c.trace[8:]) - 1
		if seq >= uint64(len(l.classes)) || l.classes[seq] == classNone {
			r.foreign++
			continue
		}
		if want := l.spanID(seq); !bytes.Equal(c.span, want[:]) {
			r.foreign++
			continue
		}
		r.gotCost += money.Nanos(c.cost)
		tpl := l.templates[seq%uint64(len(l.templates))]
		r.wantCost += tpl.cost
		if money.Nanos(c.cost) != tpl.cost || c.currency != tpl.currency {
			r.wrongCost++
		}
		if seen[seq] < 255 {
			seen[seq]++
		}
	}
	for seq, class := range l.classes {
		n := int64(seen[seq])
		if n > 0 {
			r.stored++
			r.duplicated += n - 1
		}
		switch class {
		case classAccepted:
			if n == 0 {
				r.lost++
				r.lostRanges = addToRanges(r.lostRanges, uint64(seq))
			}
		case classRefused:
			if n > 0 {
				r.refusedStored++
			}
		case classUnknown:
			if n > 0 {
				r.unknownStored++
			}
		}
	}
	return r
}

// addToRanges adds seq to a list of "first-last" ranges of calls, kept
// short: the lost calls' numbers, for a report.
func addToRanges(ranges []string, seq uint64) []string {
	if n := len(ranges); n > 0 {
		first, last, _ := strings.Cut(ranges[n-1], "-")
		if l, err := strconv.ParseUint(last, 10, 64); err == nil && l+1 == seq {
			ranges[n-1] = first + "-" + strconv.FormatUint(seq, 10)
			return ranges
		}
	}
	if len(ranges) >= 20 {
		return ranges
	}
	return append(ranges, fmt.Sprintf("%d-%d", seq, seq))
}

func (r faultResult) String() string {
	s := fmt.Sprintf("sent=%d accepted=%d refused=%d unknown=%d stored=%d lost=%d duplicated=%d",
		r.sent, r.accepted, r.refused, r.unknown, r.stored, r.lost, r.duplicated)
	if r.peakRSS > 0 {
		s += fmt.Sprintf(" peak_rss=%dMiB", r.peakRSS/1024)
	}
	s += fmt.Sprintf(" cost=%s", r.gotCost)
	if r.retried > 0 {
		s += fmt.Sprintf(" requests_retried=%d", r.retried)
	}
	if r.unknownStored > 0 || r.refusedStored > 0 || r.foreign > 0 || r.wrongCost > 0 || r.partial > 0 {
		s += fmt.Sprintf(" (unknown_stored=%d refused_stored=%d foreign=%d wrong_cost=%d partial_rejected=%d)",
			r.unknownStored, r.refusedStored, r.foreign, r.wrongCost, r.partial)
	}
	var kinds []string
	for k, n := range r.answers {
		kinds = append(kinds, fmt.Sprintf("%q:%d", k, n))
	}
	if len(kinds) > 0 {
		s += " answers other than 2xx, by request {" + strings.Join(kinds, ", ") + "}"
	}
	return s
}

// assertExact holds a run to the guarantee: every accepted call stored
// once, nothing stored that was not sent or that was refused, costs and
// the store's totals exact to the nano.
// settle waits for the collector to store what its queue holds, accounts
// the store against the load, with the collector's peak memory, and
// asserts the account exact.
func (l *faultLoad) settle(t *testing.T, c *usageCollector, read func() ([]storedCall, storeTotals), name string) faultResult {
	t.Helper()
	c.drain(t, read, l.count(classAccepted), faultWait())
	r := l.account(read())
	r.peakRSS = peakRSS(c.cmd.Process.Pid)
	assertExact(t, name, r)
	return r
}

// answerMore waits until n more requests are answered, whatever the
// answer: the load went on past the fault.
func (l *faultLoad) answerMore(t *testing.T, n int64) {
	t.Helper()
	before := l.answered()
	require.Eventually(t, func() bool { return l.answered() >= before+n }, faultWait(), 20*time.Millisecond)
}

func assertExact(t *testing.T, name string, r faultResult) {
	t.Helper()
	t.Logf("FAULT %s: %s", name, r)
	if r.lost > 0 {
		t.Logf("lost calls (by number, first ranges): %v", r.lostRanges)
	}
	if path := os.Getenv("OTELCOL_GENAI_FAULTS_REPORT"); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			_, _ = fmt.Fprintf(f, "%s %s: %s\n", time.Now().UTC().Format(time.RFC3339), name, r)
			_ = f.Close()
		}
	}
	assert.Positive(t, r.accepted, "the run had accepted calls")
	assert.Zero(t, r.lost, "accepted calls not stored")
	assert.Zero(t, r.duplicated, "calls stored twice")
	assert.Zero(t, r.foreign, "records of calls never sent")
	assert.Zero(t, r.refusedStored, "refused calls stored")
	assert.Zero(t, r.wrongCost, "records whose cost is not the call's")
	assert.Zero(t, r.partial, "spans an accepted request reported rejected")
	assert.LessOrEqual(t, r.accepted, r.stored, "accepted <= stored")
	assert.LessOrEqual(t, r.stored, r.accepted+r.unknown, "stored <= accepted + unknown")
	assert.Equal(t, r.wantCost, r.gotCost, "the stored calls' cost, to the nano")
	assert.Equal(t, r.stored, r.totals.calls, "the rollups' calls")
	assert.Equal(t, int64(r.gotCost), r.totals.cost, "the rollups' cost, to the nano")
}

// peakRSS is the collector's peak resident set (VmHWM, kB), read while it
// runs.
func peakRSS(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

var queueSizeLine = regexp.MustCompile(`(?m)^otelcol_exporter_queue_size\{[^}]*exporter="genai_usage"[^}]*\} ([0-9.e+]+)$`)

// queueSize reads the genai_usage exporter's queue size from the
// collector's own telemetry; -1 when it cannot be read.
func (c *usageCollector) queueSize() float64 {
	resp, err := http.Get(c.telemetry)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := queueSizeLine.FindSubmatch(body)
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		return -1
	}
	return v
}

// drain waits until the collector's queue is empty and the store holds at
// least min records, unchanged over two readings: what was queued is
// stored. The bound is for a hung collector only; nothing is asserted on
// time.
func (c *usageCollector) drain(t *testing.T, read func() ([]storedCall, storeTotals), minimum int64, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	last, still := int64(-1), 0
	for time.Now().Before(deadline) {
		n := countStored(read)
		q := c.queueSize()
		if q == 0 && n >= minimum && n == last {
			return
		}
		// An empty queue and a store unchanged for 60 readings (twice the
		// exporter's longest retry interval, 30 s, as a batch in retry is
		// no longer in the queue): the collector has nothing left to
		// write, though calls are missing.
		still++
		if q != 0 || n != last {
			still = 0
		}
		if still >= 60 {
			t.Errorf("the queue is empty and the store has not changed for 60 s: %d records stored, want at least %d", n, minimum)
			return
		}
		last = n
		time.Sleep(time.Second)
	}
	// Not fatal: the accounting that follows says what is missing.
	t.Errorf("the queue did not drain within %s: queue %v, %d records stored, want at least %d", within, c.queueSize(), countStored(read), minimum)
}

// kill9 kills the collector with SIGKILL and reaps it; its peak RSS read
// just before.
func (c *usageCollector) kill9(t *testing.T) int64 {
	rss := peakRSS(c.cmd.Process.Pid)
	require.NoError(t, c.cmd.Process.Signal(syscall.SIGKILL))
	<-c.exited
	return rss
}
