package postgres

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/api/apitest"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/budgets/budgetstest"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/sqlite"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/sqlstore"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/storetest"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// The tests need a server: OTELCOL_GENAI_PG_DSN names a database whose user
// may create databases (.ci/postgres sets up the default one). Without a
// reachable server they skip, unless OTELCOL_GENAI_REQUIRE_PG=1.
const defaultDSN = "postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable"

func adminDSN() string {
	if dsn := os.Getenv("OTELCOL_GENAI_PG_DSN"); dsn != "" {
		return dsn
	}
	return defaultDSN
}

// admin connects to the admin database, or skips the test.
func admin(tb testing.TB) *pgx.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminDSN())
	if err != nil {
		msg := fmt.Sprintf("postgres unreachable (set OTELCOL_GENAI_PG_DSN, or run .ci/postgres): %v", err)
		if os.Getenv("OTELCOL_GENAI_REQUIRE_PG") == "1" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return conn
}

// closeConn closes a connection of admin.
func closeConn(tb testing.TB, conn *pgx.Conn) {
	tb.Helper()
	assert.NoError(tb, conn.Close(context.Background()))
}

// freshDB creates an empty database, dropped when the test ends, and
// returns its DSN.
func freshDB(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	conn := admin(tb)
	defer closeConn(tb, conn)
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := "otelcol_genai_test_" + hex.EncodeToString(b[:])
	_, err := conn.Exec(ctx, "CREATE DATABASE "+name)
	require.NoError(tb, err)
	tb.Cleanup(func() {
		conn := admin(tb)
		defer closeConn(tb, conn)
		_, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		assert.NoError(tb, err)
	})
	return withDatabase(tb, adminDSN(), name)
}

func withDatabase(tb testing.TB, dsn, name string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		require.NoError(tb, err)
		u.Path = "/" + name
		return u.String()
	}
	return dsn + " dbname=" + name // key=value: the last setting wins
}

func openDSN(tb testing.TB, dsn string) *Store {
	tb.Helper()
	s, err := Open(context.Background(), dsn)
	require.NoError(tb, err)
	tb.Cleanup(func() { assert.NoError(tb, s.Close()) })
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return openDSN(t, freshDB(t)) })
}

// TestBudgets: the budget suite on PostgreSQL.
func TestBudgets(t *testing.T) {
	budgetstest.Run(t, func(t *testing.T) store.Store { return openDSN(t, freshDB(t)) })
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	ctx := context.Background()
	dsn := freshDB(t)
	s, err := Open(ctx, dsn)
	require.NoError(t, err)
	recs := storetest.Records(9, 100, 24)
	_, err = s.Write(ctx, recs, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s = openDSN(t, dsn)
	n, err := s.Write(ctx, recs, nil)
	require.NoError(t, err)
	assert.Equal(t, 0, n, "identity survives a restart")
	var versions, maxVersion int
	require.NoError(t, s.pool.QueryRow(ctx, "SELECT COUNT(*), MAX(version) FROM schema_migrations").Scan(&versions, &maxVersion))
	assert.Equal(t, len(migrations), versions, "each migration applied once")
	assert.Equal(t, len(migrations), maxVersion)
	var records int
	require.NoError(t, s.pool.QueryRow(ctx, "SELECT COUNT(*) FROM usage_records").Scan(&records))
	assert.Equal(t, 100, records)
}

// A database made by the first two schemas upgrades in place: its users'
// days are summed into week rows, in PostgreSQL's arithmetic.
func TestUpgradeToWeekRows(t *testing.T) {
	ctx := context.Background()
	dsn := freshDB(t)
	recs := storetest.UnsplitRecords(11, 300, 48)
	s := writeAtSchema(t, dsn, 2, recs)
	// The collectors of those schemas wrote no week rows.
	_, err := s.pool.Exec(ctx, "DELETE FROM usage_rollups WHERE grain = $1", store.GrainWeek)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s = openDSN(t, dsn)
	storetest.CheckWeekRows(t, s, recs)
}

// writeAtSchema opens the database of dsn with the first v migrations
// only, and writes recs (of storetest.UnsplitRecords) as a collector of
// schema v did.
func writeAtSchema(t *testing.T, dsn string, v int, recs []usage.Record) *Store {
	s := openAtSchema(t, dsn, v)
	storetest.WriteUnsplit(t, s, s.db, recs, s.pool.Reset)
	return s
}

// A database of the third schema, whose operation column held the
// library's name of the operation, upgrades in place: that name moves to
// raw_operation and the operation becomes the canonical one, in every
// monthly partition.
func TestUpgradeSplitsOperations(t *testing.T) {
	dsn := freshDB(t)
	recs := storetest.UnsplitRecords(12, 200, 24*40) // November and December
	require.NoError(t, writeAtSchema(t, dsn, 3, recs).Close())

	s := openDSN(t, dsn)
	filled := 0
	for _, n := range partitionCounts(t, s) {
		if n > 0 {
			filled++
		}
	}
	require.Equal(t, 2, filled, "records in two partitions")
	storetest.CheckSplit(t, s, recs)
}

// A collector does not write to a database that a newer collector has
// migrated since it started, and a write waits for a migration under way
// instead of straddling it.
func TestWriteRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	s := openDSN(t, freshDB(t))
	recs := storetest.Records(5, 10, 1)

	// A migration under way: a write waits for it.
	lock, err := s.pool.Acquire(ctx)
	require.NoError(t, err)
	released := false
	defer func() {
		if !released {
			lock.Conn().Close(ctx) //nolint:errcheck // drops the lock with the session
			lock.Release()
		}
	}()
	_, err = lock.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLockKey)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { _, err := s.Write(ctx, recs, nil); done <- err }()
	select {
	case err := <-done:
		t.Fatalf("the write did not wait for the migration: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	_, err = lock.Exec(ctx, "INSERT INTO schema_migrations (version, applied_ms) VALUES ($1, 0)", len(migrations)+1)
	require.NoError(t, err)
	_, err = lock.Exec(ctx, "SELECT pg_advisory_unlock($1)", migrateLockKey)
	require.NoError(t, err)
	lock.Release()
	released = true
	err = <-done
	require.Error(t, err, "the migration made the schema newer than this collector's")
	assert.Contains(t, err.Error(), "newer than this collector's")
	var n int
	require.NoError(t, s.pool.QueryRow(ctx, "SELECT COUNT(*) FROM usage_records").Scan(&n))
	assert.Zero(t, n)

	_, err = s.pool.Exec(ctx, "DELETE FROM schema_migrations WHERE version > $1", len(migrations))
	require.NoError(t, err)
	written, err := s.Write(ctx, recs, nil)
	require.NoError(t, err)
	assert.Equal(t, 10, written)
}

func TestRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	dsn := freshDB(t)
	s, err := Open(ctx, dsn)
	require.NoError(t, err)
	_, err = s.pool.Exec(ctx, "INSERT INTO schema_migrations (version, applied_ms) VALUES (999, 0)")
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = Open(ctx, dsn)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "newer than this collector's")
}

func TestConcurrentOpenMigratesOnce(t *testing.T) {
	dsn := freshDB(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := Open(context.Background(), dsn)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	s := openDSN(t, dsn)
	var versions int
	require.NoError(t, s.pool.QueryRow(context.Background(), "SELECT COUNT(*) FROM schema_migrations").Scan(&versions))
	assert.Equal(t, len(migrations), versions)
}

// The schema must keep up with SQLite's: the shared reader's queries are
// planned against the same indexes, and the writer sorts rollups in
// primary key order.
func TestSchemaMirrorsSQLite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "usage.db")
	lite, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, lite.Close())
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer func() { assert.NoError(t, db.Close()) }()
	var want []string
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_records' AND sql IS NOT NULL ORDER BY name`)
	require.NoError(t, err)
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		want = append(want, name)
	}
	require.NoError(t, rows.Err())

	require.NotEmpty(t, want)

	s := openDSN(t, freshDB(t))
	names := func(q string) []string {
		rows, err := s.pool.Query(ctx, q)
		require.NoError(t, err)
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		return out
	}
	assert.Equal(t, want, names(`SELECT indexname FROM pg_indexes
WHERE tablename = 'usage_records' AND indexname <> 'usage_records_pkey' ORDER BY indexname`), "secondary indexes of usage_records")

	pk := names(`SELECT a.attname::text FROM pg_index i
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = 'usage_rollups'::regclass AND i.indisprimary ORDER BY k.n`)
	assert.Equal(t, sqlstore.RollupKeyColumns, pk, "the upsert orders rows by RollupKeyColumns: the primary key's order")
}

const secret = "s3cr3t-pw-7781"

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ name, dsn, want string }{
		{"unparsable", "postgres://me:" + secret + "@127.0.0.1:notaport/usage", "postgres: invalid DSN"},
		{"key=value unparsable", "host=127.0.0.1 port=notaport user=me password=" + secret, "postgres: invalid DSN"},
		{"unreachable", "postgres://me:" + secret + "@127.0.0.1:1/usage?sslmode=disable&connect_timeout=3", "postgres: connect to me@127.0.0.1:1/usage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(ctx, tc.dsn)
			require.Error(t, err)
			t.Log(err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), secret)
		})
	}
}

func TestWrongPassword(t *testing.T) {
	closeConn(t, admin(t))
	cfg, err := pgx.ParseConfig(adminDSN())
	require.NoError(t, err)
	dsn := fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", url.PathEscape(cfg.User), secret, cfg.Host, cfg.Port, cfg.Database)
	_, err = Open(context.Background(), dsn)
	require.Error(t, err)
	t.Log(err)
	assert.Contains(t, err.Error(), "postgres: connect to "+cfg.User+"@")
	assert.NotContains(t, err.Error(), secret)
	var pgErr *pgconn.PgError
	if assert.ErrorAs(t, err, &pgErr) {
		assert.Equal(t, "28P01", pgErr.Code, "invalid_password: %v", err)
	}
}

func TestWriteFailsCleanlyWhenClosed(t *testing.T) {
	s, err := Open(context.Background(), freshDB(t))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = s.Write(context.Background(), storetest.Records(1, 3, 1), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "postgres: ")
}

func TestDuplicatesInOneBatch(t *testing.T) {
	s := openDSN(t, freshDB(t))
	recs := storetest.Records(21, 50, 24)
	batch := append(append([]usage.Record{}, recs...), recs[:20]...)
	batch[len(recs)].Cost++ // a later copy of an identity loses, whatever it says
	n, err := s.Write(context.Background(), batch, nil)
	require.NoError(t, err)
	assert.Equal(t, 50, n)
	q := store.TotalsQuery{From: storetest.Base, To: storetest.Base.Add(24 * time.Hour)}
	roll, err := s.Totals(context.Background(), q)
	require.NoError(t, err)
	raw, err := s.RecordTotals(context.Background(), q)
	require.NoError(t, err)
	assert.Equal(t, raw, roll)
	var calls int64
	for _, tot := range roll {
		calls += tot.Calls
	}
	assert.Equal(t, int64(50), calls)
}

// Two collectors (two stores, two pools) against one database, with
// overlapping batches over two new months at once: every record counts
// exactly once, in records and rollups.
func TestTwoStoresConcurrent(t *testing.T) {
	ctx := context.Background()
	dsn := freshDB(t)
	stores := []*Store{openDSN(t, dsn), openDSN(t, dsn)}
	recs := storetest.Records(11, 4000, 24*45) // November and half of December
	var inserted atomic.Int64
	var wg sync.WaitGroup
	// Writer w covers records [w*1000, w*1000+2000) (wrapping) in batches
	// of 250; writers 0 and 2 use one store, 1 and 3 the other, so every
	// record is written twice, once through each store.
	for w := range 4 {
		s := stores[w%2]
		wg.Go(func() {
			lo := (w * 1000) % 4000
			for b := range 8 {
				i := (lo + b*250) % 4000
				n, err := s.Write(ctx, recs[i:i+250], nil)
				if err != nil {
					t.Error(err)
					return
				}
				inserted.Add(int64(n))
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(4000), inserted.Load(), "every record inserted exactly once")
	q := store.TotalsQuery{From: storetest.Base, To: storetest.Base.AddDate(0, 2, 0)}
	for _, s := range stores {
		roll, err := s.Totals(ctx, q)
		require.NoError(t, err)
		raw, err := s.RecordTotals(ctx, q)
		require.NoError(t, err)
		assert.Equal(t, raw, roll)
		var calls int64
		for _, tot := range roll {
			calls += tot.Calls
		}
		assert.Equal(t, int64(4000), calls)
	}
}

// shifted returns recs moved to start in the month of t.
func shifted(recs []usage.Record, t time.Time) []usage.Record {
	out := append([]usage.Record{}, recs...)
	for i := range out {
		out[i].Start = t.Add(out[i].Start.Sub(storetest.Base))
	}
	return out
}

func partitionCounts(t *testing.T, s *Store) map[string]int64 {
	rows, err := s.pool.Query(context.Background(), `SELECT c.relname, (SELECT COUNT(*) FROM usage_records r WHERE r.tableoid = c.oid)
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'usage_records'::regclass`)
	require.NoError(t, err)
	out := map[string]int64{}
	var name string
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&name, &n}, func() error { out[name] = n; return nil })
	require.NoError(t, err)
	return out
}

func TestPartitionsPerMonth(t *testing.T) {
	ctx := context.Background()
	s := openDSN(t, freshDB(t))
	jan := shifted(storetest.Records(31, 100, 24*10), time.Date(2026, 1, 25, 0, 0, 0, 0, time.UTC)) // January into February
	mar := shifted(storetest.Records(32, 100, 24*20), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	batch := append(append([]usage.Record{}, jan...), mar...)
	n, err := s.Write(ctx, batch, nil)
	require.NoError(t, err)
	assert.Equal(t, 200, n)

	want := map[string]int64{}
	for _, r := range batch {
		want[fmt.Sprintf("usage_records_p%04d%02d", r.Start.UTC().Year(), int(r.Start.UTC().Month()))]++
	}
	require.Len(t, want, 3, "the records span January, February and March")
	got := partitionCounts(t, s)
	for name, n := range want {
		assert.Equal(t, n, got[name], "records of %s", name)
	}
	next := monthOf(time.Now().UnixMilli()).end().table()
	assert.Contains(t, got, next, "next month is created ahead")
	assert.NotContains(t, got, "usage_records_p202604", "no partition for a month without records")

	// Retention drops whole months and deletes the rest; rollups stay.
	all := store.TotalsQuery{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}
	before, err := s.Totals(ctx, all)
	require.NoError(t, err)
	cut := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	var old int64
	for _, r := range batch {
		if r.Start.Before(cut) {
			old++
		}
	}
	deleted, err := s.DeleteRecordsBefore(ctx, cut)
	require.NoError(t, err)
	assert.Equal(t, old, deleted)
	got = partitionCounts(t, s)
	assert.NotContains(t, got, "usage_records_p202601")
	assert.NotContains(t, got, "usage_records_p202602")
	assert.Equal(t, int64(len(batch))-old, got["usage_records_p202603"])
	after, err := s.Totals(ctx, all)
	require.NoError(t, err)
	assert.Equal(t, before, after, "rollups outlive raw records")

	// A late record for a dropped month gets its partition back, also when
	// another store dropped it behind this one's back.
	other := openDSN(t, s.pool.Config().ConnString())
	n, err = other.Write(ctx, jan[:10], nil)
	require.NoError(t, err)
	assert.Equal(t, 10, n)
	_, err = s.DeleteRecordsBefore(ctx, cut)
	require.NoError(t, err)
	n, err = other.Write(ctx, jan[10:20], nil)
	require.NoError(t, err)
	assert.Equal(t, 10, n)
}

func TestRetryable(t *testing.T) {
	for _, tc := range []struct {
		err                  error
		retry, lostPartition bool
	}{
		{&pgconn.PgError{Code: "40001"}, true, false},
		{fmt.Errorf("postgres: update rollups: %w", &pgconn.PgError{Code: "40P01"}), true, false},
		{&pgconn.PgError{Code: "23514", Message: `no partition of relation "usage_records" found for row`}, true, true},
		{&pgconn.PgError{Code: "23514", Message: "new row violates check constraint"}, false, true},
		{&pgconn.PgError{Code: "23505"}, false, false},
		{context.Canceled, false, false},
	} {
		retry, lost := retryable(tc.err)
		assert.Equal(t, tc.retry, retry, "%v", tc.err)
		if retry {
			assert.Equal(t, tc.lostPartition, lost, "%v", tc.err)
		}
	}
}

func TestPartitionNames(t *testing.T) {
	m := monthOf(time.Date(2026, 12, 31, 23, 59, 59, 999e6, time.UTC).UnixMilli())
	assert.Equal(t, "usage_records_p202612", m.table())
	assert.Equal(t, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), int64(m.end()))
	back, ok := parseTable(m.table())
	assert.True(t, ok)
	assert.Equal(t, m, back)
	for _, bad := range []string{"usage_records_p202613", "usage_records_p20261", "usage_records_2026_12", "other"} {
		_, ok := parseTable(bad)
		assert.False(t, ok, bad)
	}
}

// BenchmarkWrite: storetest.BenchWrite on PostgreSQL, with one writer
// (the exporter's default) and two (sending_queue.num_consumers: 2).
// BenchmarkReprice: storetest.BenchReprice on PostgreSQL, 100,000 records.
func BenchmarkReprice(b *testing.B) {
	storetest.BenchReprice(b, func(tb testing.TB) store.Store { return openDSN(tb, freshDB(tb)) }, 100_000)
}

func BenchmarkWrite(b *testing.B) {
	open := func(tb testing.TB) store.Store { return openDSN(tb, freshDB(tb)) }
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("writers=%d", w), func(b *testing.B) { storetest.BenchWrite(b, open, w) })
	}
}

// The store's sessions run without JIT and with a larger work_mem, unless
// the DSN sets its own.
func TestSessionDefaults(t *testing.T) {
	dsn := freshDB(t)
	show := func(s *Store, name string) string {
		var v string
		require.NoError(t, s.db.QueryRowContext(context.Background(), "SHOW "+name).Scan(&v))
		return v
	}
	s := openDSN(t, dsn)
	assert.Equal(t, "off", show(s, "jit"))
	assert.Equal(t, "64MB", show(s, "work_mem"))

	sep := " " // a key=value DSN
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		sep = "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
	}
	own := openDSN(t, dsn+sep+"work_mem=8MB")
	assert.Equal(t, "8MB", show(own, "work_mem"), "the DSN's own setting wins")
	assert.Equal(t, "off", show(own, "jit"))
}

// A batch written in two parts one of which fails: the other part stays
// stored, and Write says so, with its count and its marks beside the
// error; the retry stores the rest, and the totals are exact.
func TestLargeBatchPartFails(t *testing.T) {
	ctx := context.Background()
	s := openDSN(t, freshDB(t))
	recs := storetest.Records(41, 4*minPart, 24)
	slices.SortFunc(recs, func(a, b usage.Record) int { // Write's order
		return cmp.Or(cmp.Compare(a.StartMillis(), b.StartMillis()), bytes.Compare(a.TraceID[:], b.TraceID[:]), bytes.Compare(a.SpanID[:], b.SpanID[:]))
	})
	all := make([]int, len(recs))
	for i := range all {
		all[i] = i
	}
	parts := halves(recs, all)
	require.NotEmpty(t, parts[0])
	require.NotEmpty(t, parts[1])
	bad := recs[parts[1][len(parts[1])-10]]
	stays := map[int]bool{}
	for _, i := range parts[0] {
		stays[i] = true
	}
	_, err := s.pool.Exec(ctx, `CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.trace_id = '\x`+hex.EncodeToString(bad.TraceID[:])+`' AND NEW.span_id = '\x`+hex.EncodeToString(bad.SpanID[:])+`' THEN
    RAISE EXCEPTION 'refused by the test';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER refuse_one BEFORE INSERT ON usage_records FOR EACH ROW EXECUTE FUNCTION refuse_one();`)
	require.NoError(t, err)

	inserted := make([]bool, len(recs))
	n, err := s.Write(ctx, recs, inserted)
	require.ErrorContains(t, err, "refused by the test")
	assert.Equal(t, len(parts[0]), n, "the other part is stored")
	wrong := 0
	for i, got := range inserted {
		if got != stays[i] {
			wrong++
		}
	}
	assert.Zero(t, wrong, "marks that are not whether the record is stored")
	stored := func() (records, rolled int64) {
		require.NoError(t, s.pool.QueryRow(ctx, "SELECT (SELECT COUNT(*) FROM usage_records), (SELECT SUM(calls) FROM usage_rollups WHERE grain = 'd' AND dim = '')").Scan(&records, &rolled))
		return records, rolled
	}
	records, rolled := stored()
	assert.Equal(t, int64(len(parts[0])), records)
	assert.Equal(t, int64(len(parts[0])), rolled, "the part's rollups are in its transaction")

	_, err = s.pool.Exec(ctx, "DROP TRIGGER refuse_one ON usage_records")
	require.NoError(t, err)
	n, err = s.Write(ctx, recs, inserted)
	require.NoError(t, err)
	assert.Equal(t, len(parts[1]), n, "the retry stores the rest")
	wrong = 0
	for i, got := range inserted {
		if got == stays[i] {
			wrong++
		}
	}
	assert.Zero(t, wrong)
	records, rolled = stored()
	assert.Equal(t, int64(len(recs)), records)
	assert.Equal(t, int64(len(recs)), rolled)
}

// halves puts every record in one half, keeps each half in the batch's
// order, never splits a session's calls (nor a user's without sessions,
// nor a trace's without either), and balances the halves to within the
// largest group.
func TestHalves(t *testing.T) {
	noDims := storetest.Records(52, 3000, 2)
	for i := range noDims {
		noDims[i].Dims = usage.Dimensions{}
	}
	users := storetest.Records(53, 3000, 2)
	for i := range users {
		users[i].Dims.Session = ""
	}
	for name, recs := range map[string][]usage.Record{"sessions": storetest.Records(51, 3000, 2), "users": users, "traces": noDims} {
		t.Run(name, func(t *testing.T) {
			batch := make([]int, len(recs))
			for i := range batch {
				batch[i] = len(recs) - 1 - i // any order: halves keeps it
			}
			group := func(r *usage.Record) string {
				switch {
				case r.Dims.Session != "":
					return "s" + r.Dims.Session
				case r.Dims.User != "":
					return "u" + r.Dims.User
				}
				return "t" + hex.EncodeToString(r.TraceID[:])
			}
			sizes := map[string]int{}
			for i := range recs {
				sizes[group(&recs[i])]++
			}
			largest := 0
			for _, n := range sizes {
				largest = max(largest, n)
			}
			parts := halves(recs, batch)
			seen := map[int]bool{}
			in := map[string]int{}
			for h, part := range parts {
				for j, i := range part {
					require.False(t, seen[i], "record %d twice", i)
					seen[i] = true
					if j > 0 {
						require.Greater(t, part[j-1], i, "half %d out of the batch's order", h)
					}
					g := group(&recs[i])
					if prev, ok := in[g]; ok {
						require.Equal(t, prev, h, "group %s in both halves", g)
					}
					in[g] = h
				}
			}
			assert.Len(t, seen, len(recs))
			diff := len(parts[0]) - len(parts[1])
			assert.LessOrEqual(t, max(diff, -diff), largest, "halves of %d and %d records", len(parts[0]), len(parts[1]))
			assert.Greater(t, len(sizes), 2)
		})
	}
}

// A database of the fourth schema, before the budget tables, upgrades in
// place under the migration lock: its records stay and budgets are stored.
func TestUpgradeAddsBudgets(t *testing.T) {
	ctx := context.Background()
	dsn := freshDB(t)
	s := openAtSchema(t, dsn, 4)
	recs := storetest.Records(13, 100, 24)
	storetest.WriteBeforeV7(t, s, s.db, recs, s.pool.Reset)
	_, err := s.Budgets(ctx)
	require.Error(t, err, "no budget table at schema 4")
	require.NoError(t, s.Close())

	storetest.CheckBudgetsUpgrade(t, openDSN(t, dsn), recs)
}

// Two collectors on one database share the stored budgets: what one
// changes, the other reads.
func TestTwoStoresShareBudgets(t *testing.T) {
	ctx := context.Background()
	dsn := freshDB(t)
	a, b := openDSN(t, dsn), openDSN(t, dsn)
	spec := []byte(`{"id":"shared","period":{"kind":"day"},"limit":"3","currency":"USD"}`)
	_, err := a.CreateBudget(ctx, store.BudgetChange{ID: "shared", Spec: spec, Actor: "a", Time: storetest.Base})
	require.NoError(t, err)
	got, err := b.Budget(ctx, "shared")
	require.NoError(t, err)
	assert.JSONEq(t, string(spec), string(got.Spec))
	_, err = b.CreateBudget(ctx, store.BudgetChange{ID: "shared", Spec: spec, Actor: "b", Time: storetest.Base})
	require.ErrorIs(t, err, store.ErrBudgetExists)
	require.NoError(t, b.DeleteBudget(ctx, store.BudgetChange{ID: "shared", Version: 1, Actor: "b", Time: storetest.Base}))
	list, err := a.Budgets(ctx)
	require.NoError(t, err)
	assert.Empty(t, list)
	audit, _, err := a.BudgetAudit(ctx, store.Page{Limit: 10})
	require.NoError(t, err)
	require.Len(t, audit, 2)
	assert.Equal(t, []string{"b", "a"}, []string{audit[0].Actor, audit[1].Actor})
}

// TestBudgetChangesTwoCollectors: the budget change routes over real
// HTTP, two collectors' stores on one database: what one changes through
// its API, the other's answers.
func TestBudgetChangesTwoCollectors(t *testing.T) {
	dsn := freshDB(t)
	apitest.RunChanges(t, openDSN(t, dsn), openDSN(t, dsn))
}

// A database of the fifth schema, before the notification table, upgrades
// in place: its records stay and notifications are claimed.
func TestUpgradeAddsNotifications(t *testing.T) {
	ctx := context.Background()
	dsn := freshDB(t)
	s := openAtSchema(t, dsn, 5)
	recs := storetest.Records(14, 100, 24)
	storetest.WriteBeforeV7(t, s, s.db, recs, s.pool.Reset)
	_, err := s.PendingNotifications(ctx, storetest.Base, 1)
	require.Error(t, err, "no notification table at schema 5")
	require.NoError(t, s.Close())

	storetest.CheckNotificationsUpgrade(t, openDSN(t, dsn), recs)
}

// TestNotifications: the notification suite on PostgreSQL, collectors
// sharing one database.
func TestNotifications(t *testing.T) {
	budgetstest.RunNotifications(t, func(t *testing.T) func(t *testing.T) store.Store {
		dsn := freshDB(t)
		return func(t *testing.T) store.Store { return openDSN(t, dsn) }
	})
}

// A database of the sixth schema, whose rollups summed every environment,
// upgrades in place: the hours and days its records still cover are
// summed again by environment, the rest keep no environment.
func TestUpgradeAddsEnvironment(t *testing.T) {
	ctx := context.Background()
	dsn := freshDB(t)
	s := openAtSchema(t, dsn, 6)
	recs := storetest.Records(15, 400, 72)
	storetest.WriteBeforeV7(t, s, s.db, recs, s.pool.Reset)
	cut := storetest.Base.Add(24*time.Hour + 30*time.Minute) // in an hour: its rows keep no environment
	_, err := s.DeleteRecordsBefore(ctx, cut)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	storetest.CheckEnvironmentUpgrade(t, openDSN(t, dsn), recs, cut)
}

// openAtSchema opens the store at dsn with the first v migrations only, as
// a collector of schema v did.
func openAtSchema(t *testing.T, dsn string, v int) *Store {
	t.Helper()
	all := migrations
	migrations = all[:v]
	s, err := Open(context.Background(), dsn)
	migrations = all
	require.NoError(t, err)
	return s
}
