package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// upgradeFrom is the version the rolling-upgrade test upgrades from: the
// last commit before schema v8 (list and actual costs), so that
// the new collector migrates the store the old one is writing to.
const upgradeFrom = "8f1b86e3bbda5d172be9d8c87f3841182e83af19"

// oldCollector is the collector of upgradeFrom and its config/collector.yaml:
// OTELCOL_GENAI_UPGRADE_FROM_BIN (with the current config), else built
// from the repository's history into a cache under the temporary
// directory with the builder `make build` installs. When it cannot be
// built (a shallow clone, no builder) the test is skipped, unless
// OTELCOL_GENAI_REQUIRE_FAULTS=1.
func oldCollector(t *testing.T) (bin, config string) {
	if b := os.Getenv("OTELCOL_GENAI_UPGRADE_FROM_BIN"); b != "" {
		return b, filepath.Join(repoRoot(), "config", "collector.yaml")
	}
	dir := filepath.Join(os.TempDir(), "otelcol-genai-upgrade-"+upgradeFrom[:12])
	bin, config = filepath.Join(dir, "_build", "otelcol-genai"), filepath.Join(dir, "config", "collector.yaml")
	if _, err := os.Stat(bin); err == nil {
		return bin, config
	}
	fail := func(format string, args ...any) {
		msg := fmt.Sprintf("the collector of %s, to upgrade from: ", upgradeFrom[:12]) + fmt.Sprintf(format, args...)
		if requireFaults() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	builder, err := exec.LookPath("builder")
	if err != nil {
		gopath, err := exec.Command("go", "env", "GOPATH").Output()
		if err != nil {
			fail("go env GOPATH: %v", err)
		}
		builder = filepath.Join(strings.TrimSpace(string(gopath)), "bin", "builder")
	}
	tmp := dir + ".tmp"
	_ = os.RemoveAll(tmp)
	require.NoError(t, os.MkdirAll(tmp, 0o755))
	defer func() { _ = os.RemoveAll(tmp) }() // gone already once renamed
	if err := exec.Command("git", "-C", repoRoot(), "cat-file", "-e", upgradeFrom+"^{commit}").Run(); err != nil {
		// A property of the checkout (a shallow clone), not of the code:
		// said loudly, and skipped even where faults are required.
		t.Skipf("SKIPPED: the rolling upgrade needs commit %s in the repository's history, and this checkout lacks it (a shallow clone: git fetch --unshallow)", upgradeFrom[:12])
	}
	archive := exec.Command("sh", "-c", fmt.Sprintf("git -C %q archive %s | tar -x -C %q", repoRoot(), upgradeFrom, tmp))
	if out, err := archive.CombinedOutput(); err != nil {
		fail("git archive (is the history there? git fetch --unshallow): %v: %s", err, out)
	}
	build := exec.Command(builder, "--config=builder-config.yaml")
	build.Dir = tmp
	if out, err := build.CombinedOutput(); err != nil {
		fail("%s: %v: %s", builder, err, out)
	}
	_ = os.RemoveAll(dir)
	require.NoError(t, os.Rename(tmp, dir))
	return bin, config
}

// seedRecords inserts n records of calls of no test (their trace ids
// start with 8 zero bytes; the load's never do), one nano each, starting
// at startMs, one a millisecond: a store with history.
func seedRecords(t *testing.T, dsn string, startMs, n int64) int64 {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer func() { require.NoError(t, conn.Close(ctx)) }()
	tag, err := conn.Exec(ctx, `INSERT INTO usage_records (ts_ms, trace_id, span_id, duration_ms, ttft_ms, service, provider, model,
  streaming, status, cost_nanos, currency, cache_saved_nanos, estimated)
SELECT $1::bigint + i, decode(lpad(to_hex(i), 32, '0'), 'hex'), decode(lpad(to_hex(i), 16, '0'), 'hex'), 100, 0, 'seed', 'openai', 'gpt-4o-mini',
  0, 'priced', 1, 'USD', 0, 0
FROM generate_series(1, $2::bigint) AS i`, startMs, n)
	require.NoError(t, err)
	require.Equal(t, n, tag.RowsAffected())
	// Their rollup totals, as a collector would have written them: the
	// migration to v8 updates every rollup row.
	for _, g := range []struct{ grain, ms string }{{"h", "3600000"}, {"d", "86400000"}} {
		_, err = conn.Exec(ctx, `INSERT INTO usage_rollups (grain, dim, bucket_ms, value, provider, model, service, environment, currency,
  calls, errors, unpriced, cost_nanos, cache_saved_nanos, duration_ms, ttft_ms, ttft_count)
SELECT $1, '', (ts_ms / `+g.ms+`) * `+g.ms+`, '', provider, model, service, '', currency, COUNT(*), 0, 0, SUM(cost_nanos), 0, SUM(duration_ms), 0, 0
FROM usage_records WHERE service = 'seed' GROUP BY 3, provider, model, service, currency`, g.grain)
		require.NoError(t, err)
	}
	return n
}

// withoutSeeded reads the store without the seeded records, and takes
// them out of the rollups' totals.
func withoutSeeded(read func() ([]storedCall, storeTotals), seeded int64) func() ([]storedCall, storeTotals) {
	return func() ([]storedCall, storeTotals) {
		recs, tot := read()
		out := recs[:0]
		for _, r := range recs {
			if !bytes.HasPrefix(r.trace, make([]byte, 8)) {
				out = append(out, r)
			}
		}
		tot.calls -= seeded
		tot.cost -= seeded
		return out, tot
	}
}

func schemaVersion(t *testing.T, dsn string) int {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer func() { require.NoError(t, conn.Close(ctx)) }()
	var v int
	require.NoError(t, conn.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v))
	return v
}

// TestFaultRollingUpgrade upgrades two collectors on one PostgreSQL
// database one at a time, under load: the old version writes, the new one
// starts beside it and migrates the schema (the old one then refuses to
// write to it and keeps its calls queued), and the old one is killed and
// started again as the new version on its own data directory, where it
// finds its queue. Every call either of them accepted is stored once.
func TestFaultRollingUpgrade(t *testing.T) {
	faultsEnabled(t)
	oldBin, oldConfig := oldCollector(t)
	dsn := pgDatabase(t, "e2e_fault_upgrade")
	sets := withSets("exporters::genai_usage::store::driver=postgres", "exporters::genai_usage::store::postgres::dsn="+dsn)
	read := postgresReader(t, dsn)
	l := newFaultLoad(t, 50)

	dirA := t.TempDir()
	a := startUsageCollectorOf(t, oldBin, oldConfig, dirA, sets...)
	var toA collectorTarget
	toA.set(a)
	stopA := l.background(2, 10*time.Millisecond, toA.get)
	defer stopA()
	l.waitFor(t, classAccepted, scaled(5000), faultWait())
	require.Eventually(t, func() bool { return countStoredPG(dsn) > 0 }, faultWait(), 100*time.Millisecond, "the old collector stores")
	oldVersion := schemaVersion(t, dsn)
	// Records of other calls, so that the migration takes a while: the old
	// collector goes on writing while the new one migrates.
	seeded := seedRecords(t, dsn, l.templates[0].td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).StartTimestamp().AsTime().UnixMilli(), scaled(600000))
	read = withoutSeeded(read, seeded)

	b := startUsageCollector(t, t.TempDir(), sets...)
	stopB := l.background(2, 10*time.Millisecond, func() string { return b.receiver })
	defer stopB()
	require.Eventually(t, func() bool { return schemaVersion(t, dsn) > oldVersion }, faultWait(), 100*time.Millisecond, "the new collector migrates the schema")
	newVersion := schemaVersion(t, dsn)
	migrated := ""
	for _, line := range strings.Split(b.logs.String(), "\n") {
		if strings.Contains(line, "Upgraded the usage store's schema") {
			if _, took, ok := strings.Cut(line, `"took": `); ok {
				migrated = strings.TrimSuffix(took, "}")
			}
		}
	}
	before := l.count(classAccepted)
	l.waitFor(t, classAccepted, before+scaled(5000), faultWait())
	stored := countStoredPG(dsn)
	refusals := 0
	for _, line := range strings.Split(a.logs.String(), "\n") {
		if strings.Contains(line, "newer than this collector") {
			refusals++
		}
	}
	t.Logf("schema %d -> %d with both running, over %d other records (the migration took %s s); %s, %d records; the old collector's log refuses the newer schema in %d lines",
		oldVersion, newVersion, seeded, migrated, l.snapshot(), stored, refusals)

	// The old collector is upgraded: killed, and started as the new
	// version on its own data directory.
	rss := a.kill9(t)
	a = startUsageCollector(t, dirA, sets...)
	toA.set(a)
	before = l.count(classAccepted)
	l.waitFor(t, classAccepted, before+scaled(5000), faultWait())
	stopA()
	stopB()
	accepted := l.count(classAccepted)
	a.drain(t, read, 0, faultWait())
	b.drain(t, read, accepted, faultWait())
	r := l.account(read())
	r.peakRSS = max(rss, peakRSS(a.cmd.Process.Pid), peakRSS(b.cmd.Process.Pid))
	assertExact(t, "rolling upgrade", r)
}
