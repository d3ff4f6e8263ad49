// Package postgres is the server usage store: PostgreSQL through pgx, raw
// records in monthly range partitions, rollups updated in the same
// transaction as the records they sum.
//
// It needs session state (temporary staging tables), so it must not sit
// behind a transaction-pooling proxy.
package postgres

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/sqlstore"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// Store is a usage store in a PostgreSQL database.
type Store struct {
	*sqlstore.Reader
	pool      *pgxpool.Pool
	db        *sql.DB
	parts     partitions
	insertSQL string
	rollupSQL string
	// mergeNext counts the batches left to merge without trying a COPY.
	mergeNext atomic.Int32
}

var _ store.Store = (*Store)(nil)

// defaultConnectTimeout bounds connecting when the DSN sets no
// connect_timeout, so that an unreachable server fails Open instead of
// hanging on a context without deadline.
const defaultConnectTimeout = 10 * time.Second

// Open connects to the database of dsn (a postgres:// URL or key=value
// string), applies any pending schema migrations and returns the store.
func Open(ctx context.Context, dsn string, opts ...store.OpenOption) (*Store, error) {
	o := store.Options(opts)
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx redacts the password it can find; redact catches the rest.
		return nil, redact(fmt.Errorf("postgres: invalid DSN: %w", err), dsnPassword(dsn))
	}
	pw := cfg.ConnConfig.Password
	target := describe(cfg.ConnConfig)
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}

	// Migrate on a connection of its own first: the pool's connections
	// create their staging tables LIKE the migrated tables.
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig.Copy())
	if err != nil {
		return nil, redact(fmt.Errorf("postgres: connect to %s: %w", target, err), pw)
	}
	err = migrate(ctx, conn, &o)
	conn.Close(context.WithoutCancel(ctx)) //nolint:errcheck // nothing to do about it
	if err != nil {
		return nil, redact(fmt.Errorf("postgres: %s: %w", target, err), pw)
	}

	// Aggregates over rollups are short queries over tens of thousands
	// of rows with two dozen sums: JIT compilation costs more than it
	// saves on them, and the default work_mem spills their sorts to disk.
	// A DSN that sets either keeps its own value.
	for k, v := range sessionDefaults {
		if _, set := cfg.ConnConfig.RuntimeParams[k]; !set {
			cfg.ConnConfig.RuntimeParams[k] = v
		}
	}
	cfg.AfterConnect = createStaging
	// A batch writes on two connections, two queue consumers on four,
	// and the API reads beside them; a DSN that sets the pool's size
	// keeps it.
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = max(cfg.MaxConns, 8)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, redact(fmt.Errorf("postgres: connect to %s: %w", target, err), pw)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, redact(fmt.Errorf("postgres: connect to %s: %w", target, err), pw)
	}
	db := stdlib.OpenDBFromPool(pool)
	return &Store{
		Reader:    &sqlstore.Reader{DB: db, Writer: db, D: dialect},
		pool:      pool,
		db:        db,
		insertSQL: insertSQL(),
		rollupSQL: rollupSQL(),
	}, nil
}

// dialect is PostgreSQL's SQL.
var dialect = sqlstore.Dialect{Name: "postgres", Numbered: true, Unavailable: unavailable}

// unavailable reports the errors of a server that cannot answer now: not
// reached, its connection lost, timed out, shutting down or starting, or
// out of connections.
func unavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection_exception
			pe.Code == "57014",                // query_canceled (statement_timeout)
			strings.HasPrefix(pe.Code, "57P"), // admin_shutdown, crash_shutdown, cannot_connect_now, ...
			pe.Code == "53300":                // too_many_connections
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || pgconn.Timeout(err) || pgconn.SafeToRetry(err)
}

// sessionDefaults are the session settings of the pool's connections.
var sessionDefaults = map[string]string{"jit": "off", "work_mem": "64MB"}

// Close closes the database connections.
func (s *Store) Close() error {
	err := s.db.Close()
	s.pool.Close()
	return err
}

// describe names a server and database for errors, without the password.
func describe(c *pgx.ConnConfig) string {
	return fmt.Sprintf("%s@%s/%s", c.User, c.Host+":"+strconv.Itoa(int(c.Port)), c.Database)
}

// dsnPassword finds the password of a DSN that pgx could not parse, where
// it can.
func dsnPassword(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		pw, _ := u.User.Password()
		return pw
	}
	return ""
}

// redact removes a password from an error's text, keeping the chain for
// errors.Is and errors.As.
func redact(err error, pw string) error {
	if pw == "" || !strings.Contains(err.Error(), pw) {
		return err
	}
	return &redactedError{msg: strings.ReplaceAll(err.Error(), pw, "xxxxx"), err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Staging tables, one pair per connection, emptied at every commit: a
// batch is COPYed into them, then merged into the real tables by one
// statement each (storage-measurements §3: the fastest idempotent path).
const (
	recordStaging = "usage_staging"
	rollupStaging = "usage_rollup_staging"
)

func createStaging(ctx context.Context, conn *pgx.Conn) error {
	_, err := conn.Exec(ctx, `
CREATE TEMP TABLE `+recordStaging+` (LIKE usage_records INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE `+rollupStaging+` (LIKE usage_rollups INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;`)
	if err != nil {
		return fmt.Errorf("create staging tables: %w", err)
	}
	return nil
}

// insertSQL moves the staged records into usage_records, skipping those
// already stored, and returns the identities of the rows it inserted. It
// inserts in key order so that two writers with overlapping batches wait
// on each other in the same order instead of deadlocking.
func insertSQL() string {
	cols := strings.Join(sqlstore.RecordColumns(), ", ")
	return "INSERT INTO usage_records (" + cols + ") SELECT " + cols + " FROM " + recordStaging +
		" ORDER BY ts_ms, trace_id, span_id ON CONFLICT (ts_ms, trace_id, span_id) DO NOTHING RETURNING ts_ms, trace_id, span_id"
}

// rollupSQL adds the staged rollup rows to usage_rollups, in primary key
// order for the same reason as insertSQL.
func rollupSQL() string {
	keys := strings.Join(sqlstore.RollupKeyColumns, ", ") // the primary key, in its order
	sets := make([]string, len(sqlstore.RollupValueColumns))
	for i, v := range sqlstore.RollupValueColumns {
		sets[i] = v + " = t." + v + " + excluded." + v
	}
	all := keys + ", " + strings.Join(sqlstore.RollupValueColumns, ", ")
	return "INSERT INTO usage_rollups AS t (" + all + ") SELECT " + all + " FROM " + rollupStaging +
		" ORDER BY " + keys + " ON CONFLICT (" + keys + ") DO UPDATE SET " + strings.Join(sets, ", ")
}

// identity is a record's primary key.
type identity struct {
	ms    int64
	trace [16]byte
	span  [8]byte
}

// maxAttempts bounds the retries of a write that lost a deadlock or
// serialization race.
const maxAttempts = 5

// Write stores records and updates the rollups. A batch of at least
// 2*minPart records is written in two halves at once, each in its own
// transaction with the rollups of its records: the server inserts a
// record's row and index entries on one core per transaction, and so
// takes a batch about 1.25x as fast in two (docs/benchmarks.md). If one
// half fails after the other committed, inserted marks the committed
// half's records, the count is theirs, and the error is returned: a
// retry finds them stored.
func (s *Store) Write(ctx context.Context, recs []usage.Record, inserted []bool) (_ int, err error) {
	defer func() { err = s.D.Classify(err) }()
	if len(recs) == 0 {
		return 0, nil
	}
	// One row per identity: the first record of an identity wins, as
	// when it comes in a later batch.
	byID := make(map[identity]int, len(recs))
	batch := make([]int, 0, len(recs))
	for i := range recs {
		r := &recs[i]
		id := identity{ms: r.StartMillis(), trace: r.TraceID, span: r.SpanID}
		if _, dup := byID[id]; dup {
			continue
		}
		byID[id] = i
		batch = append(batch, i)
	}
	// In key order, as the merge inserts: two writers whose batches
	// overlap then wait on each other in one order, never in a cycle.
	slices.SortFunc(batch, func(a, b int) int {
		ra, rb := &recs[a], &recs[b]
		return cmp.Or(cmp.Compare(ra.StartMillis(), rb.StartMillis()), bytes.Compare(ra.TraceID[:], rb.TraceID[:]), bytes.Compare(ra.SpanID[:], rb.SpanID[:]))
	})
	clear(inserted)
	if len(batch) < 2*minPart {
		return s.writePart(ctx, recs, batch, byID, inserted)
	}
	parts := halves(recs, batch)
	if len(parts[0]) == 0 || len(parts[1]) == 0 {
		return s.writePart(ctx, recs, batch, byID, inserted)
	}
	var (
		ns   [2]int
		errs [2]error
		wg   sync.WaitGroup
	)
	for i := range parts {
		wg.Go(func() { ns[i], errs[i] = s.writePart(ctx, recs, parts[i], byID, inserted) })
	}
	wg.Wait()
	return ns[0] + ns[1], errors.Join(errs[:]...)
}

// minPart is the least number of records Write gives a transaction of
// its own.
const minPart = 5_000

// halves splits a batch (indexes of recs in key order) in two of about
// the same size whose records share few rollup rows: the calls of one
// session, else of one user, else of one trace, go in one half. Halves
// cut in time order would both upsert the rows of every user and session
// of the batch, twice the upserts, and the second transaction would wait
// for the first to commit at each of them. Each half stays in key order.
func halves(recs []usage.Record, batch []int) [2][]int {
	type groupKey struct {
		kind  byte
		value string
		trace [16]byte
	}
	index := map[groupKey]int{}
	var sizes []int
	group := make([]int, len(batch))
	for j, i := range batch {
		r := &recs[i]
		k := groupKey{kind: 't', trace: r.TraceID}
		switch {
		case r.Dims.Session != "":
			k = groupKey{kind: 's', value: r.Dims.Session}
		case r.Dims.User != "":
			k = groupKey{kind: 'u', value: r.Dims.User}
		}
		g, ok := index[k]
		if !ok {
			g = len(sizes)
			index[k] = g
			sizes = append(sizes, 0)
		}
		sizes[g]++
		group[j] = g
	}
	// The largest groups first, each to the lighter half.
	order := make([]int, len(sizes))
	for g := range order {
		order[g] = g
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(sizes[b], sizes[a]) })
	half := make([]int, len(sizes))
	var load [2]int
	for _, g := range order {
		h := 0
		if load[1] < load[0] {
			h = 1
		}
		half[g] = h
		load[h] += sizes[g]
	}
	var out [2][]int
	for j, i := range batch {
		out[half[group[j]]] = append(out[half[group[j]]], i)
	}
	return out
}

// writePart writes the records of recs at part (in key order) in one
// transaction, retrying one that lost a deadlock or serialization race,
// or a partition that another collector's retention dropped.
func (s *Store) writePart(ctx context.Context, recs []usage.Record, part []int, byID map[identity]int, inserted []bool) (int, error) {
	months := map[month]bool{}
	for _, i := range part {
		months[monthOf(recs[i].StartMillis())] = true
	}
	unmark := func() {
		if inserted != nil {
			for _, i := range part {
				inserted[i] = false
			}
		}
	}
	for attempt := 1; ; attempt++ {
		if err := s.ensurePartitions(ctx, months); err != nil {
			return 0, err
		}
		unmark() // an attempt that failed was rolled back
		n, err := s.write(ctx, recs, part, byID, inserted)
		if err == nil {
			return n, nil
		}
		unmark()
		retry, lostPartition := retryable(err)
		if !retry || attempt == maxAttempts || ctx.Err() != nil {
			return 0, err
		}
		if lostPartition {
			// Another collector's retention dropped a month we knew of.
			forget := make([]month, 0, len(months))
			for m := range months {
				forget = append(forget, m)
			}
			s.parts.mark(forget, false)
		}
		// Back off with jitter so that the writers that collided do not
		// collide again.
		wait := time.Duration(attempt*attempt)*10*time.Millisecond + rand.N(10*time.Millisecond)
		select {
		case <-ctx.Done():
			return 0, err
		case <-time.After(wait):
		}
	}
}

// retryable reports whether a failed write transaction may succeed if run
// again, and whether it failed for want of a partition.
func retryable(err error) (retry, lostPartition bool) {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false, false
	}
	switch pgErr.Code {
	case "40001", "40P01": // serialization_failure, deadlock_detected
		return true, false
	case "23514": // check_violation: "no partition of relation ... found for row"
		return strings.Contains(pgErr.Message, "no partition"), true
	}
	return false, false
}

// write runs one attempt of Write: the records of recs at batch, whose
// identities byID maps back to their index.
func (s *Store) write(ctx context.Context, recs []usage.Record, batch []int, byID map[identity]int, marks []bool) (int, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("postgres: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
	if err := checkSchema(ctx, tx); err != nil {
		return 0, err
	}

	var rollups sqlstore.Rollups
	inserted := 0
	direct, err := s.copyNew(ctx, tx, recs, batch)
	if err != nil {
		return 0, err
	}
	if direct {
		for _, i := range batch {
			rollups.Add(&recs[i])
			if marks != nil {
				marks[i] = true
			}
		}
		inserted = len(batch)
	} else if inserted, err = s.merge(ctx, tx, recs, batch, byID, marks, &rollups); err != nil {
		return 0, err
	}

	if rows := rollups.Rows(); len(rows) > 0 {
		keys := make([]sqlstore.RollupKey, 0, len(rows))
		for k := range rows {
			keys = append(keys, k)
		}
		width := len(sqlstore.RollupKeyColumns) + len(sqlstore.RollupValueColumns)
		cols := append(append([]string{}, sqlstore.RollupKeyColumns...), sqlstore.RollupValueColumns...)
		_, err = tx.CopyFrom(ctx, pgx.Identifier{rollupStaging}, cols, pgx.CopyFromSlice(len(keys), func(i int) ([]any, error) {
			return sqlstore.RollupArgs(make([]any, 0, width), keys[i], rows[keys[i]]), nil
		}))
		if err != nil {
			return 0, fmt.Errorf("postgres: copy rollups: %w", err)
		}
		if _, err := tx.Exec(ctx, s.rollupSQL); err != nil {
			return 0, fmt.Errorf("postgres: update rollups: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("postgres: commit: %w", err)
	}
	return inserted, nil
}

// checkSchema waits while another collector migrates the schema (a
// migration holds the lock exclusively) and refuses to write to a schema
// newer than this collector's: in a rolling upgrade, the collectors not
// yet upgraded would write rows the new schema's readers count wrong (a
// collector of schema 2 writes no week rows). The error is not permanent:
// the exporter keeps the batch queued and retries until this collector is
// replaced.
func checkSchema(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock_shared($1)", migrateLockKey); err != nil {
		return fmt.Errorf("postgres: wait for migrations: %w", err)
	}
	// A statement after the lock: its snapshot sees a migration that
	// committed while we waited.
	var have int
	if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&have); err != nil {
		return fmt.Errorf("postgres: schema version: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("postgres: %w", store.NewerSchemaError(have, len(migrations)))
	}
	return nil
}

// copyNew COPYs the batch straight into usage_records, inside a
// savepoint, and reports whether it could: it cannot when one of the
// records is already stored (a retried or replayed batch), and the
// savepoint then undoes it. A batch of new calls, the usual case, so
// skips the staging table and the merge, which cost about as much as the
// COPY itself. After a batch with stored records, the next few go
// straight to the merge: replays come in runs.
func (s *Store) copyNew(ctx context.Context, tx pgx.Tx, recs []usage.Record, batch []int) (bool, error) {
	if s.mergeNext.Load() > 0 {
		s.mergeNext.Add(-1)
		return false, nil
	}
	sp, err := tx.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("postgres: savepoint: %w", err)
	}
	_, err = sp.CopyFrom(ctx, pgx.Identifier{"usage_records"}, sqlstore.RecordColumns(), recordRows(recs, batch))
	if err == nil {
		if err := sp.Commit(ctx); err != nil {
			return false, fmt.Errorf("postgres: release savepoint: %w", err)
		}
		return true, nil
	}
	if rbErr := sp.Rollback(ctx); rbErr != nil {
		return false, fmt.Errorf("postgres: copy records: %w (and rolling back: %v)", err, rbErr)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" { // unique_violation: some are stored
		s.mergeNext.Store(mergeRun)
		return false, nil
	}
	return false, fmt.Errorf("postgres: copy records: %w", err)
}

// mergeRun is how many batches go straight to the merge after one that
// held stored records.
const mergeRun = 10

func recordRows(recs []usage.Record, batch []int) pgx.CopyFromSource {
	ncols := len(sqlstore.RecordColumns())
	return pgx.CopyFromSlice(len(batch), func(i int) ([]any, error) {
		return sqlstore.RecordArgs(make([]any, 0, ncols), &recs[batch[i]]), nil
	})
}

// merge stores the records of the batch that are not stored yet: COPY to
// the staging table, then one INSERT ... ON CONFLICT DO NOTHING that
// returns what it inserted, which is marked and added to rollups.
func (s *Store) merge(ctx context.Context, tx pgx.Tx, recs []usage.Record, batch []int, byID map[identity]int, marks []bool, rollups *sqlstore.Rollups) (int, error) {
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{recordStaging}, sqlstore.RecordColumns(), recordRows(recs, batch)); err != nil {
		return 0, fmt.Errorf("postgres: copy records: %w", err)
	}
	rows, err := tx.Query(ctx, s.insertSQL)
	if err != nil {
		return 0, fmt.Errorf("postgres: insert records: %w", err)
	}
	defer rows.Close()
	inserted := 0
	var (
		id          identity
		trace, span []byte
	)
	for rows.Next() {
		if err := rows.Scan(&id.ms, &trace, &span); err != nil {
			return 0, fmt.Errorf("postgres: insert records: %w", err)
		}
		copy(id.trace[:], trace)
		copy(id.span[:], span)
		i, ok := byID[id]
		if !ok {
			return 0, fmt.Errorf("postgres: insert records: the database returned a record not in the batch (ts_ms %d)", id.ms)
		}
		rollups.Add(&recs[i])
		inserted++
		if marks != nil {
			marks[i] = true
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("postgres: insert records: %w", err)
	}
	return inserted, nil
}

// DeleteRecordsBefore drops raw records older than t; rollups stay. Whole
// months before t go as partitions (no row-by-row delete, no bloat), the
// rest with a DELETE.
func (s *Store) DeleteRecordsBefore(ctx context.Context, t time.Time) (int64, error) {
	if err := s.RaiseRecordsSince(ctx, t); err != nil {
		return 0, err
	}
	dropped, err := s.dropPartitionsBefore(ctx, t.UnixMilli())
	if err != nil {
		return 0, err
	}
	n, err := s.Reader.DeleteRecordsBefore(ctx, t)
	return dropped + n, err
}
