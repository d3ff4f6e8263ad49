// Package sqlite is the embedded usage store: one SQLite file (pure Go,
// modernc.org/sqlite), write-ahead logged, one writer.
package sqlite

import (
	"context"
	"database/sql"
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
	db        *sql.DB
	insertSQL string
	rollupSQL string
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database at path and applies any
// pending schema migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty path")
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(10000)", "foreign_keys(ON)", "cache_size(-65536)", "temp_store(MEMORY)", "wal_autocheckpoint(10000)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// One connection: SQLite has one writer, and a pool of one avoids
	// SQLITE_BUSY between our own connections.
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	return &Store{Reader: &sqlstore.Reader{DB: db, D: sqlstore.Dialect{Name: "sqlite"}}, db: db, insertSQL: insertSQL(), rollupSQL: rollupSQL()}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func insertSQL() string {
	cols := store.RecordColumns()
	return "INSERT OR IGNORE INTO usage_records (" + strings.Join(cols, ", ") + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
}

func rollupSQL() string {
	keys, vals := store.RollupKeyColumns, store.RollupValueColumns
	sets := make([]string, len(vals))
	for i, v := range vals {
		sets[i] = v + " = " + v + " + excluded." + v
	}
	all := append(append([]string{}, keys...), vals...)
	return "INSERT INTO usage_rollups (" + strings.Join(all, ", ") + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(all)), ", ") + ") ON CONFLICT (" + strings.Join(keys, ", ") +
		") DO UPDATE SET " + strings.Join(sets, ", ")
}

// Write stores records and updates the rollups, in one transaction.
func (s *Store) Write(ctx context.Context, recs []usage.Record, inserted []bool) (int, error) {
	if len(recs) == 0 {
		return 0, nil
	}
	clear(inserted)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	ins, err := tx.PrepareContext(ctx, s.insertSQL)
	if err != nil {
		return 0, fmt.Errorf("sqlite: prepare insert: %w", err)
	}
	defer ins.Close()
	rollups := store.Rollups{}
	n := 0
	args := make([]any, 0, len(store.RecordColumns()))
	for i := range recs {
		r := &recs[i]
		args = store.RecordArgs(args[:0], r)
		res, err := ins.ExecContext(ctx, args...)
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
	if len(rollups) > 0 {
		up, err := tx.PrepareContext(ctx, s.rollupSQL)
		if err != nil {
			return 0, fmt.Errorf("sqlite: prepare rollup: %w", err)
		}
		defer up.Close()
		for k, v := range rollups {
			if _, err := up.ExecContext(ctx, store.RollupArgs(nil, k, v)...); err != nil {
				return 0, fmt.Errorf("sqlite: update rollup: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		clear(inserted)
		return 0, fmt.Errorf("sqlite: commit: %w", err)
	}
	return n, nil
}
