package sqlite

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/budgets/budgetstest"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/storetest"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

func open(t *testing.T) storetest.Store {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "usage.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestContract(t *testing.T) { storetest.Run(t, open) }

// TestBudgets: the budget suite on SQLite.
func TestBudgets(t *testing.T) {
	budgetstest.Run(t, func(t *testing.T) store.Store { return open(t) })
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "usage.db")
	s, err := Open(ctx, path)
	require.NoError(t, err)
	recs := storetest.Records(9, 100, 24)
	_, err = s.Write(ctx, recs, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s, err = Open(ctx, path)
	require.NoError(t, err)
	defer func() { assert.NoError(t, s.Close()) }()
	n, err := s.Write(ctx, recs, nil)
	require.NoError(t, err)
	assert.Equal(t, 0, n, "identity survives a restart")
	var versions int
	require.NoError(t, s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&versions))
	assert.Equal(t, len(migrations), versions, "each migration applied once")
	var mode string
	require.NoError(t, s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
	assert.Equal(t, "wal", mode)
}

func TestRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "usage.db")
	s, err := Open(ctx, path)
	require.NoError(t, err)
	_, err = s.db.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_ms) VALUES (999, 0)")
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = Open(ctx, path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "newer than this collector's")
}

func TestOpenErrors(t *testing.T) {
	_, err := Open(context.Background(), "")
	assert.Error(t, err)
	_, err = Open(context.Background(), filepath.Join(t.TempDir(), "no", "such", "dir", "usage.db"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "usage.db")
}

func TestWriteFailsCleanlyWhenClosed(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "usage.db"))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = s.Write(context.Background(), storetest.Records(1, 3, 1), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sql: database is closed")
}

// A collector does not write to a file that a newer collector has
// migrated since it opened it, and writes again once the versions agree.
func TestWriteRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "usage.db"))
	require.NoError(t, err)
	defer func() { assert.NoError(t, s.Close()) }()
	_, err = s.db.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_ms) VALUES (?, 0)", len(migrations)+1)
	require.NoError(t, err)
	recs := storetest.Records(5, 10, 1)
	_, err = s.Write(ctx, recs, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "newer than this collector's")
	_, total, err := s.Records(ctx, store.Filter{}, store.Page{Limit: 1})
	require.NoError(t, err)
	assert.Zero(t, total)

	_, err = s.db.ExecContext(ctx, "DELETE FROM schema_migrations WHERE version > ?", len(migrations))
	require.NoError(t, err)
	n, err := s.Write(ctx, recs, nil)
	require.NoError(t, err)
	assert.Equal(t, 10, n)
}

// BenchmarkWrite: storetest.BenchWrite on SQLite (one writer: SQLite has
// one, and the exporter's default is one queue consumer).
// BenchmarkReprice: storetest.BenchReprice on SQLite, 100,000 records.
func BenchmarkReprice(b *testing.B) {
	storetest.BenchReprice(b, func(tb testing.TB) store.Store {
		s, err := Open(context.Background(), filepath.Join(tb.TempDir(), "usage.db"))
		require.NoError(tb, err)
		tb.Cleanup(func() { assert.NoError(tb, s.Close()) })
		return s
	}, 100_000)
}

func BenchmarkWrite(b *testing.B) {
	storetest.BenchWrite(b, func(tb testing.TB) store.Store {
		s, err := Open(context.Background(), filepath.Join(tb.TempDir(), "usage.db"))
		require.NoError(tb, err)
		tb.Cleanup(func() { assert.NoError(tb, s.Close()) })
		return s
	}, 1)
}

// A file made by the first schema upgrades in place: its records stay,
// retention and record counts work on it, and its users' days are summed
// into week rows.
func TestUpgradeFromFirstSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "usage.db")
	recs := storetest.UnsplitRecords(11, 300, 48)
	s := writeAtSchema(t, path, 1, recs)
	// The collectors of the first schema wrote no week rows.
	_, err := s.db.ExecContext(ctx, "DELETE FROM usage_rollups WHERE grain = ?", store.GrainWeek)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s, err = Open(ctx, path)
	require.NoError(t, err)
	defer func() { assert.NoError(t, s.Close()) }()
	_, total, err := s.Records(ctx, store.Filter{}, store.Page{Limit: 1})
	require.NoError(t, err)
	assert.Equal(t, int64(300), total)
	cut := storetest.Base.Add(24 * time.Hour)
	n, err := s.DeleteRecordsBefore(ctx, cut)
	require.NoError(t, err)
	_, total, err = s.Records(ctx, store.Filter{}, store.Page{Limit: 1})
	require.NoError(t, err)
	assert.Equal(t, int64(300)-n, total, "counted from what is left")
	sum, err := s.Summary(ctx, store.Filter{})
	require.NoError(t, err)
	assert.Equal(t, int64(300), sum.Calls, "the rollups keep what retention dropped")
	storetest.CheckWeekRows(t, s, recs)
}

// writeAtSchema opens the file at path with the first v migrations only,
// and writes recs (of storetest.UnsplitRecords) as a collector of schema
// v did.
func writeAtSchema(t *testing.T, path string, v int, recs []usage.Record) *Store {
	s := openAtSchema(t, path, v)
	storetest.WriteUnsplit(t, s, s.db, recs, nil)
	return s
}

// A file of the third schema, whose operation column held the library's
// name of the operation, upgrades in place: that name moves to
// raw_operation and the operation becomes the canonical one.
func TestUpgradeSplitsOperations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "usage.db")
	recs := storetest.UnsplitRecords(12, 200, 24)
	require.NoError(t, writeAtSchema(t, path, 3, recs).Close())

	s, err := Open(ctx, path)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	storetest.CheckSplit(t, s, recs)
}

// An export that streams to a slow client reads a snapshot on a
// connection of its own: ingest and other queries go on meanwhile.
func TestExportDoesNotHoldUpWrites(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	first := storetest.Records(21, 500, 24)
	_, err := s.Write(ctx, first, nil)
	require.NoError(t, err)
	all := store.Filter{From: storetest.Base.Add(-time.Hour), To: storetest.Base.Add(48 * time.Hour)}

	paused, resume := make(chan struct{}), make(chan struct{})
	exported := make(chan int, 1)
	go func() {
		n := 0
		err := s.Export(ctx, all, func(*usage.Record) error {
			if n == 0 {
				close(paused)
				<-resume
			}
			n++
			return nil
		})
		assert.NoError(t, err)
		exported <- n
	}()
	<-paused

	// Bounded so that a regression fails instead of hanging the suite.
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	more := storetest.Records(22, 300, 24)
	n, err := s.Write(wctx, more, nil)
	require.NoError(t, err, "a write while an export is open")
	assert.Equal(t, len(more), n)
	sum, err := s.Summary(wctx, all)
	require.NoError(t, err, "a query while an export is open")
	assert.EqualValues(t, len(first)+len(more), sum.Calls)

	close(resume)
	assert.Equal(t, len(first), <-exported, "the export reads the snapshot it started on")
}

func TestRefusesInMemoryDatabase(t *testing.T) {
	_, err := Open(context.Background(), ":memory:")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "give a file path")
}

// Retention deletes in chunks, each its own transaction, and chunks end
// on a whole millisecond: records that share one are deleted together.
func TestRetentionInChunks(t *testing.T) {
	ctx := context.Background()
	s := open(t).(*Store)
	s.DeleteChunk = 7
	recs := storetest.Records(31, 600, 24)
	slices.SortFunc(recs, func(a, b usage.Record) int { return a.Start.Compare(b.Start) })
	for i := range recs { // runs of more calls in one millisecond than a chunk holds
		if i%12 != 0 {
			recs[i].Start = recs[i-1].Start
		}
	}
	n, err := s.Write(ctx, recs, nil)
	require.NoError(t, err)
	all := store.Filter{From: storetest.Base.Add(-time.Hour), To: storetest.Base.Add(48 * time.Hour)}
	before, err := s.Summary(ctx, all)
	require.NoError(t, err)
	require.EqualValues(t, n, before.Calls)

	cut := storetest.Base.Add(10*time.Hour + 17*time.Minute)
	var old int64
	for i := range recs {
		if recs[i].StartMillis() < cut.UnixMilli() {
			old++
		}
	}
	require.Greater(t, old, int64(10*s.DeleteChunk), "several chunks")
	deleted, err := s.DeleteRecordsBefore(ctx, cut)
	require.NoError(t, err)
	assert.Equal(t, old, deleted)
	var left, early int64
	require.NoError(t, s.db.QueryRowContext(ctx, "SELECT COUNT(*), COUNT(CASE WHEN ts_ms < ? THEN 1 END) FROM usage_records", cut.UnixMilli()).Scan(&left, &early))
	assert.Equal(t, int64(n)-old, left)
	assert.Zero(t, early)
	after, err := s.Summary(ctx, store.Filter{From: storetest.Base, To: storetest.Base.Add(48 * time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, before.Calls, after.Calls, "the rollups keep the deleted calls")
}

// A file of the fourth schema, before the budget tables, upgrades in
// place: its records stay and budgets are stored.
func TestUpgradeAddsBudgets(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "usage.db")
	s := openAtSchema(t, path, 4)
	recs := storetest.Records(13, 100, 24)
	storetest.WriteBeforeV7(t, s, s.db, recs, nil)
	_, err := s.Budgets(ctx)
	require.Error(t, err, "no budget table at schema 4")
	require.NoError(t, s.Close())

	s, err = Open(ctx, path)
	require.NoError(t, err)
	defer func() { assert.NoError(t, s.Close()) }()
	storetest.CheckBudgetsUpgrade(t, s, recs)
}

// A file of the fifth schema, before the notification table, upgrades in
// place: its records stay and notifications are claimed.
func TestUpgradeAddsNotifications(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "usage.db")
	s := openAtSchema(t, path, 5)
	recs := storetest.Records(14, 100, 24)
	storetest.WriteBeforeV7(t, s, s.db, recs, nil)
	_, err := s.PendingNotifications(ctx, storetest.Base, 1)
	require.Error(t, err, "no notification table at schema 5")
	require.NoError(t, s.Close())

	s, err = Open(ctx, path)
	require.NoError(t, err)
	defer func() { assert.NoError(t, s.Close()) }()
	storetest.CheckNotificationsUpgrade(t, s, recs)
}

// TestNotifications: the notification suite on SQLite, collectors sharing
// one file.
func TestNotifications(t *testing.T) {
	budgetstest.RunNotifications(t, func(t *testing.T) func(t *testing.T) store.Store {
		path := filepath.Join(t.TempDir(), "usage.db")
		return func(t *testing.T) store.Store {
			s, err := Open(context.Background(), path)
			require.NoError(t, err)
			t.Cleanup(func() { assert.NoError(t, s.Close()) })
			return s
		}
	})
}

// A file of the sixth schema, whose rollups summed every environment,
// upgrades in place: the hours and days its records still cover are
// summed again by environment, the rest keep no environment.
func TestUpgradeAddsEnvironment(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "usage.db")
	s := openAtSchema(t, path, 6)
	recs := storetest.Records(15, 400, 72)
	storetest.WriteBeforeV7(t, s, s.db, recs, nil)
	cut := storetest.Base.Add(24*time.Hour + 30*time.Minute) // in an hour: its rows keep no environment
	_, err := s.DeleteRecordsBefore(ctx, cut)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	core, logs := observer.New(zap.InfoLevel)
	s, err = Open(ctx, path, store.WithLogger(zap.New(core)))
	require.NoError(t, err)
	defer func() { assert.NoError(t, s.Close()) }()
	storetest.CheckEnvironmentUpgrade(t, s, recs, cut)
	// The upgrade, which can take a while, is announced and its end told.
	entries := logs.All()
	require.Len(t, entries, 2)
	assert.Contains(t, entries[0].Message, "Upgrading the usage store's schema")
	assert.Equal(t, map[string]any{"backend": "sqlite", "from_version": int64(6), "to_version": int64(len(migrations))}, entries[0].ContextMap())
	assert.Equal(t, "Upgraded the usage store's schema", entries[1].Message)

	// Opened again, there is nothing to tell.
	core, logs = observer.New(zap.InfoLevel)
	again, err := Open(ctx, path, store.WithLogger(zap.New(core)))
	require.NoError(t, err)
	require.NoError(t, again.Close())
	assert.Zero(t, logs.Len())
}

// openAtSchema opens the store at path with the first v migrations only, as
// a collector of schema v did.
func openAtSchema(t *testing.T, path string, v int) *Store {
	t.Helper()
	all := migrations
	migrations = all[:v]
	s, err := Open(context.Background(), path)
	migrations = all
	require.NoError(t, err)
	return s
}
