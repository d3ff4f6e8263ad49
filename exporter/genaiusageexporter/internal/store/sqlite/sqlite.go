// Package sqlite is the embedded usage store: one SQLite file (pure Go,
// modernc.org/sqlite), write-ahead logged, one writer.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strings"

	_ "modernc.org/sqlite" // the "sqlite" driver

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/sqlstore"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// Store is a usage store in one SQLite file.
type Store struct {
	*sqlstore.Reader
	db        *sql.DB // the one writer connection; Reader.DB are the readers
	insertSQL string
	rollupSQL string
}

var _ store.Store = (*Store)(nil)

// Connection settings. The writer's apply to the file too (WAL).
var (
	writerPragmas = []string{"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(10000)", "foreign_keys(ON)",
		"cache_size(-65536)", "temp_store(MEMORY)", "wal_autocheckpoint(10000)",
		// A long read holds checkpoints back and the log grows meanwhile;
		// once they catch up, the file is cut back to this.
		"journal_size_limit(67108864)"}
	readerPragmas = []string{"busy_timeout(10000)", "query_only(1)", "cache_size(-16384)", "temp_store(MEMORY)"}
)

// maxReaders bounds the connections that answer queries at once, each
// with its own page cache.
const maxReaders = 4

func openDB(path string, pragmas []string, conns int) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	return db, nil
}

// Open opens (creating if needed) the database at path and applies any
// pending schema migrations.
//
// Writes go through one connection: SQLite has one writer, and a pool of
// one avoids SQLITE_BUSY between our own connections. Queries have
// connections of their own, which WAL lets read a snapshot while the
// writer goes on: an export that streams a year to a slow client, or a
// slow query, never holds up ingest, nor ingest a query.
func Open(ctx context.Context, path string, opts ...store.OpenOption) (*Store, error) {
	o := store.Options(opts)
	if path == "" {
		return nil, errors.New("sqlite: empty path")
	}
	if path == ":memory:" || strings.Contains(path, "mode=memory") {
		return nil, fmt.Errorf("sqlite: %s: an in-memory database is private to each connection, and the store has a writer and readers; give a file path", path)
	}
	db, err := openDB(path, writerPragmas, 1)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, errors.Join(err, db.Close()))
	}
	if err := migrate(ctx, db, &o); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", path, errors.Join(err, db.Close()))
	}
	reads, err := openDB(path, readerPragmas, maxReaders)
	if err == nil {
		if err = reads.PingContext(ctx); err != nil {
			err = errors.Join(err, reads.Close())
		}
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s for reading: %w", path, errors.Join(err, db.Close()))
	}
	return &Store{
		Reader: &sqlstore.Reader{DB: reads, Writer: db, D: sqlstore.Dialect{Name: "sqlite", OrderedInLists: true, Unavailable: unavailable}},
		db:     db, insertSQL: insertSQL(), rollupSQL: rollupSQL(),
	}, nil
}

// Close closes the database.
func (s *Store) Close() error { return errors.Join(s.DB.Close(), s.db.Close()) }

func insertSQL() string {
	cols := sqlstore.RecordColumns()
	return "INSERT OR IGNORE INTO usage_records (" + strings.Join(cols, ", ") + ") VALUES (" +
		sqlstore.Placeholders(len(cols)) + ")"
}

func rollupSQL() string {
	keys, vals := sqlstore.RollupKeyColumns, sqlstore.RollupValueColumns
	sets := make([]string, len(vals))
	for i, v := range vals {
		sets[i] = v + " = " + v + " + excluded." + v
	}
	all := append(append([]string{}, keys...), vals...)
	return "INSERT INTO usage_rollups (" + strings.Join(all, ", ") + ") VALUES (" +
		sqlstore.Placeholders(len(all)) + ") ON CONFLICT (" + strings.Join(keys, ", ") +
		") DO UPDATE SET " + strings.Join(sets, ", ")
}

// unavailable reports SQLite's errors that pass: the file busy or locked
// past the busy timeout, or not openable now.
func unavailable(err error) bool {
	var e interface{ Code() int }
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff { // the primary result code
	case sqliteBusy, sqliteLocked, sqliteCantOpen:
		return true
	}
	return false
}

// SQLite's primary result codes (https://sqlite.org/rescode.html).
const (
	sqliteBusy     = 5
	sqliteLocked   = 6
	sqliteCantOpen = 14
)

// Write stores records and updates the rollups, in one transaction. It
// runs on the driver's connection directly: database/sql checks and
// converts every argument of every row, about a tenth of the time of a
// batch of 66-column rows.
func (s *Store) Write(ctx context.Context, recs []usage.Record, inserted []bool) (_ int, err error) {
	defer func() { err = s.D.Classify(err) }()
	if len(recs) == 0 {
		return 0, nil
	}
	clear(inserted)
	// Another collector on the same file, of a newer version, may have
	// migrated it since we opened it.
	var have int
	if err := s.db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&have); err != nil {
		return 0, fmt.Errorf("sqlite: schema version: %w", err)
	}
	if have > len(migrations) {
		return 0, fmt.Errorf("sqlite: %w", store.NewerSchemaError(have, len(migrations)))
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("sqlite: connect: %w", err)
	}
	// Close only gives the connection back to the pool; it fails only if
	// it was given back already.
	defer func() { _ = conn.Close() }()
	var n int
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(rawConn)
		if !ok {
			return fmt.Errorf("sqlite: the driver's connection (%T) cannot begin or prepare with a context", dc)
		}
		n, err = s.write(ctx, c, recs, inserted)
		return err
	})
	if err != nil {
		clear(inserted)
		return 0, err
	}
	return n, nil
}

// rawConn is what Write needs of the driver's connection.
type rawConn interface {
	driver.ConnBeginTx
	driver.ConnPrepareContext
}

func (s *Store) write(ctx context.Context, c rawConn, recs []usage.Record, inserted []bool) (n int, err error) {
	tx, err := c.BeginTx(ctx, driver.TxOptions{})
	if err != nil {
		return 0, fmt.Errorf("sqlite: begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			tx.Rollback() //nolint:errcheck // the error that made us roll back is returned
		}
	}()
	ins, err := prepare(ctx, c, s.insertSQL)
	if err != nil {
		return 0, fmt.Errorf("sqlite: prepare insert: %w", err)
	}
	// Finalizing a statement fails only with the error of its last run,
	// which ExecContext has returned already.
	defer func() { _ = ins.Close() }()
	var rollups sqlstore.Rollups
	var vals []any
	var args []driver.NamedValue
	for i := range recs {
		r := &recs[i]
		vals = sqlstore.RecordArgs(vals[:0], r)
		args = namedValues(args, vals)
		res, err := ins.ExecContext(ctx, args)
		if err != nil {
			return 0, fmt.Errorf("sqlite: insert record: %w", err)
		}
		if affected, err := res.RowsAffected(); err != nil {
			return 0, fmt.Errorf("sqlite: insert record: %w", err)
		} else if affected == 1 {
			n++
			rollups.Add(r)
			if inserted != nil {
				inserted[i] = true
			}
		}
	}
	if rows := rollups.Rows(); len(rows) > 0 {
		up, err := prepare(ctx, c, s.rollupSQL)
		if err != nil {
			return 0, fmt.Errorf("sqlite: prepare rollup: %w", err)
		}
		defer func() { _ = up.Close() }() // as ins
		for k, v := range rows {
			vals = sqlstore.RollupArgs(vals[:0], k, v)
			if _, err := up.ExecContext(ctx, namedValues(args, vals)); err != nil {
				return 0, fmt.Errorf("sqlite: update rollup: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		// Rolled back by the deferred call: a COMMIT that failed (busy,
		// disk full) can leave the transaction open on the connection.
		return 0, fmt.Errorf("sqlite: commit: %w", err)
	}
	committed = true
	return n, nil
}

// stmtExec is a prepared statement of the driver.
type stmtExec interface {
	driver.Stmt
	driver.StmtExecContext
}

func prepare(ctx context.Context, c rawConn, query string) (stmtExec, error) {
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	ex, ok := st.(stmtExec)
	if !ok {
		return nil, errors.Join(errors.New("the driver's statements do not take a context"), st.Close())
	}
	return ex, nil
}

// namedValues returns vals as positional driver arguments, reusing args.
// RecordArgs and RollupArgs give only int64, string, []byte and nil, all
// driver values as they are.
func namedValues(args []driver.NamedValue, vals []any) []driver.NamedValue {
	args = args[:0]
	for i, v := range vals {
		args = append(args, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	return args
}
