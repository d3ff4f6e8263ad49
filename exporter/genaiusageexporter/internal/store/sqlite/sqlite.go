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
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// Store is a usage store in one SQLite file.
type Store struct {
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
	for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(10000)", "foreign_keys(ON)"} {
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
	return &Store{db: db, insertSQL: insertSQL(), rollupSQL: rollupSQL()}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// recordColumns are the columns of usage_records, in insert order.
func recordColumns() []string {
	cols := []string{"ts_ms", "trace_id", "span_id", "duration_ms", "ttft_ms", "service", "environment"}
	cols = append(cols, store.DimensionColumns[:]...)
	cols = append(cols, "provider", "model", "request_model", "response_model", "operation", "streaming", "status", "error_type")
	cols = append(cols, store.TokenColumns...)
	cols = append(cols, store.CostColumns...)
	return append(cols, "cost_nanos", "currency", "cost_source", "reported_nanos", "reported_currency", "card", "estimated", "response_id")
}

func insertSQL() string {
	cols := recordColumns()
	return "INSERT OR IGNORE INTO usage_records (" + strings.Join(cols, ", ") + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
}

func rollupKeyColumns() []string {
	return []string{"grain", "bucket_ms", "dim", "value", "provider", "model", "service", "currency"}
}

func rollupValueColumns() []string {
	cols := []string{"calls", "errors", "unpriced"}
	cols = append(cols, store.TokenColumns...)
	return append(cols, "cost_nanos", "duration_ms", "ttft_ms", "ttft_count")
}

func rollupSQL() string {
	keys, vals := rollupKeyColumns(), rollupValueColumns()
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
func (s *Store) Write(ctx context.Context, recs []usage.Record) (int, error) {
	if len(recs) == 0 {
		return 0, nil
	}
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
	inserted := 0
	args := make([]any, 0, len(recordColumns()))
	for i := range recs {
		r := &recs[i]
		args = recordArgs(args[:0], r)
		res, err := ins.ExecContext(ctx, args...)
		if err != nil {
			return 0, fmt.Errorf("sqlite: insert record: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return 0, fmt.Errorf("sqlite: insert record: %w", err)
		} else if n == 1 {
			inserted++
			rollups.Add(r)
		}
	}
	if len(rollups) > 0 {
		up, err := tx.PrepareContext(ctx, s.rollupSQL)
		if err != nil {
			return 0, fmt.Errorf("sqlite: prepare rollup: %w", err)
		}
		defer up.Close()
		for k, v := range rollups {
			if _, err := up.ExecContext(ctx, rollupArgs(k, v)...); err != nil {
				return 0, fmt.Errorf("sqlite: update rollup: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: commit: %w", err)
	}
	return inserted, nil
}

func recordArgs(args []any, r *usage.Record) []any {
	args = append(args, r.StartMillis(), r.TraceID[:], r.SpanID[:], r.Duration.Milliseconds(), r.TTFT.Milliseconds(), r.Service, r.Environment)
	for _, v := range r.Dims.Values() {
		args = append(args, v)
	}
	args = append(args, r.Provider, r.Model, r.RequestModel, r.ResponseModel, r.Operation, r.Streaming, r.Status, r.ErrorType)
	for _, m := range store.TokenMeters {
		args = append(args, r.Tokens[m])
	}
	for m := meter.Meter(0); m < meter.Count; m++ {
		args = append(args, int64(r.CostByMeter[m]))
	}
	var reported any
	if r.HasReported {
		reported = int64(r.Reported)
	}
	return append(args, int64(r.Cost), r.Currency, r.CostSource, reported, r.ReportedCurrency, r.Card, r.Estimated, r.ResponseID)
}

func rollupArgs(k store.RollupKey, v *store.RollupValues) []any {
	args := []any{k.Grain, k.BucketMs, k.Dim, k.Value, k.Provider, k.Model, k.Service, k.Currency, v.Calls, v.Errors, v.Unpriced}
	for _, t := range v.Tokens {
		args = append(args, t)
	}
	return append(args, v.Cost, v.DurationMs, v.TTFTMs, v.TTFTCount)
}

// Totals sums the hourly rollups of [q.From, q.To).
func (s *Store) Totals(ctx context.Context, q store.TotalsQuery) ([]store.Totals, error) {
	sums := "SUM(calls), SUM(errors), SUM(unpriced), " + sumOf(store.TokenColumns) + ", SUM(cost_nanos), SUM(duration_ms)"
	if q.Dimension != "" {
		if _, ok := store.DimensionColumn(q.Dimension); !ok {
			return nil, fmt.Errorf("%w: %q", store.ErrUnknownDimension, q.Dimension)
		}
	}
	query := "SELECT currency, " + sums + " FROM usage_rollups WHERE grain = 'h' AND bucket_ms >= ? AND bucket_ms < ? AND dim = ?"
	args := []any{q.From.UnixMilli(), q.To.UnixMilli(), q.Dimension}
	if q.Dimension != "" {
		query += " AND value = ?"
		args = append(args, q.Value)
	}
	return s.totals(ctx, query+" GROUP BY currency ORDER BY currency", args)
}

// RecordTotals sums the raw records of [q.From, q.To).
func (s *Store) RecordTotals(ctx context.Context, q store.TotalsQuery) ([]store.Totals, error) {
	sums := "COUNT(*), SUM(error_type != ''), SUM(" + store.UnpricedSQL + "), " + sumOf(store.TokenColumns) + ", SUM(cost_nanos), SUM(duration_ms)"
	query := "SELECT currency, " + sums + " FROM usage_records WHERE ts_ms >= ? AND ts_ms < ?"
	args := []any{q.From.UnixMilli(), q.To.UnixMilli()}
	if q.Dimension != "" {
		col, ok := store.DimensionColumn(q.Dimension)
		if !ok {
			return nil, fmt.Errorf("%w: %q", store.ErrUnknownDimension, q.Dimension)
		}
		query += " AND " + col + " = ?"
		args = append(args, q.Value)
	}
	return s.totals(ctx, query+" GROUP BY currency ORDER BY currency", args)
}

func sumOf(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = "SUM(" + c + ")"
	}
	return strings.Join(out, ", ")
}

func (s *Store) totals(ctx context.Context, query string, args []any) ([]store.Totals, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: totals: %w", err)
	}
	defer rows.Close()
	var out []store.Totals
	for rows.Next() {
		var t store.Totals
		var cost int64
		dest := []any{&t.Currency, &t.Calls, &t.Errors, &t.Unpriced}
		toks := make([]int64, len(store.TokenMeters))
		for i := range toks {
			dest = append(dest, &toks[i])
		}
		dest = append(dest, &cost, &t.DurationMillis)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("sqlite: totals: %w", err)
		}
		for i, m := range store.TokenMeters {
			t.Tokens[m] = toks[i]
		}
		t.Cost = money.Nanos(cost)
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteRecordsBefore drops raw records older than t; rollups stay.
func (s *Store) DeleteRecordsBefore(ctx context.Context, t time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, "DELETE FROM usage_records WHERE ts_ms < ?", t.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("sqlite: retention: %w", err)
	}
	return res.RowsAffected()
}
