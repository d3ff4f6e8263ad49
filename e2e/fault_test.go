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
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
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
	l := newFaultLoad(t, 50)
	c := startUsageCollector(t, dir, sets...)
	var target collectorTarget
	target.set(c)
	stop := l.background(4, 0, target.get)
	defer stop()

	var rss int64
	for round := range 2 {
		l.waitFor(t, classAccepted, int64(15000*(round+1)), 2*time.Minute)
		rss = max(rss, c.kill9(t))
		// What the killed collector had accepted but not stored: the
		// persistent queue must bring it back.
		l.mu.Lock()
		accepted := l.counts[classAccepted]
		l.mu.Unlock()
		t.Logf("kill %d: %d calls accepted, %d stored", round+1, accepted, countStored(t, read))
		time.Sleep(200 * time.Millisecond) // the load meets a closed port
		c = startUsageCollector(t, dir, sets...)
		target.set(c)
	}
	l.waitFor(t, classAccepted, 40000, 2*time.Minute)
	stop()
	l.mu.Lock()
	accepted := l.counts[classAccepted]
	l.mu.Unlock()
	c.drain(t, read, accepted, 3*time.Minute)
	r := l.account(read())
	r.peakRSS = max(rss, peakRSS(c.cmd.Process.Pid))
	assertExact(t, name, r)
	require.Positive(t, r.unknown+r.refused, "the kills cut requests off or refused them")
}

// TestFaultKillUnderLoadSQLite: kill -9 under load, twice, with the
// persistent queue and SQLite.
func TestFaultKillUnderLoadSQLite(t *testing.T) {
	faultsEnabled(t)
	dir := t.TempDir()
	killUnderLoad(t, "kill-9 sqlite", dir, faultSets, sqliteReader(t, dir))
}

// TestFaultKillUnderLoadPostgres: the same on PostgreSQL.
func TestFaultKillUnderLoadPostgres(t *testing.T) {
	faultsEnabled(t)
	dsn := pgDatabase(t, "e2e_fault_kill")
	killUnderLoad(t, "kill-9 postgres", t.TempDir(),
		withSets("exporters::genai_usage::store::driver=postgres", "exporters::genai_usage::store::postgres::dsn="+dsn),
		postgresReader(t, dsn))
}
