package e2e

// The fault suite (docs/reliability.md): the built collector, with
// config/collector.yaml's persistent queue, under load while it is killed,
// its PostgreSQL is stopped, it is overloaded, its disk fills up or its
// metrics are flooded with label values; then every call sent is looked
// up in the store. Each test logs one line:
//
//	FAULT <name>: sent=... accepted=... refused=... unknown=... stored=... lost=0 duplicated=0 ...
//
// Run with OTELCOL_GENAI_FAULTS=1 (make faults); they skip otherwise.

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
)

// faultSets are the --set overrides of every fault test: the shipped
// config, without the debug exporter (it prints a line per batch).
var faultSets = []string{"service::pipelines::traces::exporters=[genai_usage]"}

func withSets(extra ...string) []string {
	return append(append([]string{}, faultSets...), extra...)
}

// collectorTarget is where the load goes: the running collector's OTLP/HTTP
// URL, changed when it is restarted.
type collectorTarget struct{ url atomic.Pointer[string] }

func (c *collectorTarget) set(u *usageCollector) { c.url.Store(&u.receiver) }
func (c *collectorTarget) get() string           { return *c.url.Load() }

// sqliteReader reads the store of a collector run in dir with the shipped
// config.
func sqliteReader(t *testing.T, dir string) func() ([]storedCall, storeTotals) {
	path := filepath.Join(dir, "data", "genai-usage.db")
	return func() ([]storedCall, storeTotals) { return readSQLite(t, path) }
}

func postgresReader(t *testing.T, dsn string) func() ([]storedCall, storeTotals) {
	return func() ([]storedCall, storeTotals) { return readPostgres(t, dsn) }
}

// killUnderLoad runs the load against the collector, kills it with SIGKILL
// twice while calls are coming in (the second time while it replays its
// queue from the first), restarts it on the same data directory each time,
// and once the load has stopped and the queue has drained holds the store
// to every call's answer.
func killUnderLoad(t *testing.T, name, dir string, sets []string, read func() ([]storedCall, storeTotals)) {
	killUnderLoadWith(t, name, dir, sets, read, false)
}

// killUnderLoadWith is killUnderLoad; with retrying, the clients send
// every request again until it is accepted, whatever went wrong (a closed
// port, a connection broken mid-request): then every call sent is stored,
// once, though some were sent twice.
func killUnderLoadWith(t *testing.T, name, dir string, sets []string, read func() ([]storedCall, storeTotals), retrying bool) {
	l := newFaultLoad(t, 50)
	l.retryAll = retrying
	c := startUsageCollector(t, dir, sets...)
	var target collectorTarget
	target.set(c)
	stop := l.background(4, 0, target.get)
	defer stop()

	var rss, queued int64
	for round := range 2 {
		l.waitFor(t, classAccepted, scaled(15000)*int64(round+1), faultWait())
		rss = max(rss, c.kill9(t))
		// What the killed collector had accepted but not stored: the
		// persistent queue must bring it back.
		l.mu.Lock()
		accepted := l.counts[classAccepted]
		l.mu.Unlock()
		stored := countStored(read)
		queued = max(queued, accepted-stored)
		t.Logf("kill %d: %d calls accepted, %d stored", round+1, accepted, stored)
		time.Sleep(200 * time.Millisecond) // the load meets a closed port
		c = startUsageCollector(t, dir, sets...)
		target.set(c)
	}
	l.waitFor(t, classAccepted, scaled(40000), faultWait())
	stop()
	l.mu.Lock()
	accepted := l.counts[classAccepted]
	l.mu.Unlock()
	c.drain(t, read, accepted, faultWait())
	r := l.account(read())
	r.peakRSS = max(rss, peakRSS(c.cmd.Process.Pid))
	assertExact(t, name, r)
	require.Positive(t, queued, "a kill found accepted calls not yet stored: the queue brought them back")
	if retrying {
		require.Equal(t, r.sent, r.accepted, "every request retried until accepted")
		require.Equal(t, r.sent, r.stored, "every call sent stored once")
		require.Positive(t, r.retried, "the kills made clients retry")
		return
	}
	require.Positive(t, r.unknown+r.refused, "the kills cut requests off or refused them")
}

// TestFaultKillUnderLoadSQLite: kill -9 under load, twice, with the
// persistent queue and SQLite.
func TestFaultKillUnderLoadSQLite(t *testing.T) {
	faultsEnabled(t)
	dir := t.TempDir()
	killUnderLoad(t, "kill-9 sqlite", dir, faultSets, sqliteReader(t, dir))
}

// TestFaultKillUnderLoadRetryingClients: kill -9 under load, SQLite, with
// clients that resend every request until it is accepted: a request whose
// answer the kill cut off is sent again, and stored once.
func TestFaultKillUnderLoadRetryingClients(t *testing.T) {
	faultsEnabled(t)
	dir := t.TempDir()
	killUnderLoadWith(t, "kill-9 sqlite, retrying clients", dir, faultSets, sqliteReader(t, dir), true)
}

// TestFaultKillUnderLoadPostgres: the same on PostgreSQL.
func TestFaultKillUnderLoadPostgres(t *testing.T) {
	faultsEnabled(t)
	dsn := pgDatabase(t, "e2e_fault_kill")
	killUnderLoad(t, "kill-9 postgres", t.TempDir(),
		withSets("exporters::genai_usage::store::driver=postgres", "exporters::genai_usage::store::postgres::dsn="+dsn),
		postgresReader(t, dsn))
}

// TestFaultOverload sends more than the collector can take (many
// concurrent senders, a queue of 2,000 calls) for a few seconds: the
// receiver refuses what the full queue cannot hold, and every call it
// accepted is stored.
func TestFaultOverload(t *testing.T) {
	c, r := overload(t, false)
	// Refusals are retryable (the client retries): 429 or 503.
	for kind := range r.answers {
		require.Contains(t, []string{"429", "503"}, kind, "refusal answers")
	}
	// and logged once a minute with the count since, not once a request
	// with a stack trace.
	logged := strings.Count(c.logs.String(), "Exporting failed. Rejecting data.")
	t.Logf("%d refused requests, %d refusal log lines", r.answers["503"]+r.answers["429"], logged)
	require.Positive(t, logged)
	require.LessOrEqual(t, logged, 3, "refusals are logged once a minute")
}

// overload runs the load of TestFaultOverload, over gRPC or HTTP, and
// asserts what both share: exact counts, calls refused, every request
// answered.
func overload(t *testing.T, grpc bool) (*usageCollector, faultResult) {
	faultsEnabled(t)
	dir := t.TempDir()
	read := sqliteReader(t, dir)
	l := newFaultLoad(t, 100)
	l.useGRPC = grpc
	c := startUsageCollector(t, dir, withSets(
		"exporters::genai_usage::sending_queue::queue_size=2000",
		"exporters::genai_usage::sending_queue::batch::min_size=500",
		"exporters::genai_usage::sending_queue::batch::max_size=1000",
	)...)
	target, name := func() string { return c.receiver }, "overload"
	if grpc {
		target, name = func() string { return c.grpc }, "overload, grpc"
	}
	l.sendFor(time.Duration(scaled(5))*time.Second, 24, 0, target)
	r := l.settle(t, c, read, name)
	require.Positive(t, r.refused, "an overload refuses calls")
	require.Zero(t, r.unknown, "every request answered")
	return c, r
}

// TestFaultOverloadGRPC is TestFaultOverload over OTLP/gRPC: the
// refusals are gRPC's retryable codes.
func TestFaultOverloadGRPC(t *testing.T) {
	_, r := overload(t, true)
	for kind := range r.answers {
		require.Contains(t, []string{codes.Unavailable.String(), codes.ResourceExhausted.String()}, kind, "refusal codes")
	}
}

// TestFaultCardinality sends 200,000 calls of 200,000 distinct users with
// the user dimension on the metrics, from clients that retry what is
// refused (a queue of 20,000 calls): each metric keeps its
// cardinality_limit series and folds the rest into its overflow series,
// which counts every call beyond them; the store keeps every call with its
// user, and its totals, by user too, are exact.
func TestFaultCardinality(t *testing.T) {
	faultsEnabled(t)
	users, limit := scaled(200000), 1000
	dir := t.TempDir()
	read := sqliteReader(t, dir)
	l := newFaultLoad(t, 200)
	l.users, l.limit, l.retry = true, uint64(users), true
	c := startUsageCollector(t, dir, withSets(
		"exporters::genai_usage::sending_queue::queue_size=20000",
		"exporters::genai_usage::sending_queue::batch::min_size=5000",
		"exporters::genai_usage::sending_queue::batch::max_size=10000",
		"exporters::genai_usage::metrics::dimensions=[user]",
		fmt.Sprintf("exporters::genai_usage::metrics::cardinality_limit=%d", limit),
	)...)
	l.sendFor(faultWait(), 4, 0, func() string { return c.receiver })
	r := l.settle(t, c, read, "cardinality")
	require.Equal(t, users, r.sent)
	require.Equal(t, users, r.stored, "the clients retried every refusal")
	// A sanity bound, not a measure: 1,000 series per metric and a queue
	// of 20,000 calls hold well under it whatever the number of users.
	require.Less(t, r.peakRSS, int64(1536*1024), "peak RSS, kB")
	require.Equal(t, r.stored, r.totals.dimCalls, "the users' rollups count every call")
	require.Equal(t, int64(r.gotCost), r.totals.dimCost, "the users' rollups' cost, to the nano")

	// The metrics: at most limit real series of calls_total, each one user
	// of one call, and one overflow series holding every other call.
	resp, err := http.Get(c.metrics)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	series := map[string]int{}
	var realCalls, overflowCalls, folded float64
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		name, _, _ := strings.Cut(line, "{")
		series[name]++
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		require.NoError(t, err, line)
		switch {
		case name == "genai_usage_calls_total" && strings.Contains(line, `user="__overflow__"`):
			overflowCalls += v
		case name == "genai_usage_calls_total":
			realCalls += v
		case name == "genai_usage_overflow_observations_total" && strings.Contains(line, `metric="genai_usage_calls_total"`):
			folded += v
		}
	}
	t.Logf("series per metric: %v; scrape %d bytes", series, len(body))
	for name, n := range series {
		if strings.HasPrefix(name, "genai_usage_") {
			// A histogram's limit is in series of label sets, each
			// exposed as buckets, _sum and _count lines.
			require.LessOrEqual(t, n, (limit+1)*20, "%s: lines", name)
		}
	}
	require.Equal(t, limit+1, series["genai_usage_calls_total"], "calls_total: the limit's series and one overflow series")
	require.Equal(t, float64(limit), realCalls, "one call in each real series")
	require.Equal(t, float64(r.stored-int64(limit)), overflowCalls, "every other call in the overflow series")
	require.Equal(t, overflowCalls, folded, "overflow_observations_total counts them")
}

// TestFaultSQLiteLocked holds an exclusive lock on the collector's SQLite
// file from another connection (as a backup tool or an operator's sqlite3
// shell might) for longer than the collector's busy timeout (10 s), under
// load: its writes wait, fail as busy and are retried, and once the lock
// is released every accepted call is stored once.
func TestFaultSQLiteLocked(t *testing.T) {
	faultsEnabled(t)
	dir := t.TempDir()
	read := sqliteReader(t, dir)
	l := newFaultLoad(t, 50)
	c := startUsageCollector(t, dir, faultSets...)
	stop := l.background(3, 10*time.Millisecond, func() string { return c.receiver })
	defer stop()
	l.waitFor(t, classAccepted, scaled(5000), faultWait())
	require.Eventually(t, func() bool { return countStored(read) > 0 }, faultWait(), 100*time.Millisecond, "the collector stores")

	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "data", "genai-usage.db")+"?_pragma=busy_timeout(30000)")
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, "BEGIN EXCLUSIVE")
	require.NoError(t, err)
	locked := l.snapshot()
	// Staging, not an assertion: longer than the busy timeout, so that a
	// write gives up and is retried.
	time.Sleep(time.Duration(scaled(13)) * time.Second)
	_, err = conn.ExecContext(ctx, "COMMIT")
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	t.Logf("SQLite locked at %s, released at %s", locked, l.snapshot())
	l.answerMore(t, scaled(5000))
	stop()
	l.settle(t, c, read, "sqlite locked")
	require.Contains(t, c.logs.String(), "Will retry the request", "a write failed on the lock, and was retried")
}
