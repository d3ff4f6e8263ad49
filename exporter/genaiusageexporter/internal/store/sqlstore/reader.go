// Package sqlstore holds what the SQL backends share: the schema's
// vocabulary (columns, row values, placeholders, SQL conditions), the
// rollups a batch adds, and the read side of the store (totals, queries,
// exports, retention), written once in the SQL that SQLite and PostgreSQL
// both speak, over database/sql.
package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// Dialect is what differs between the backends' SQL.
type Dialect struct {
	// Name prefixes error messages: "sqlite", "postgres".
	Name string
	// Numbered placeholders ($1, $2, ...) instead of "?".
	Numbered bool
	// OrderedInLists: the planner reads "col IN (subquery)" through an
	// index on (col, ts_ms) one value after the other, in order, so that
	// ORDER BY col, ts_ms needs no sort (SQLite). PostgreSQL joins such a
	// list and sorts, slower than its plan without the list.
	OrderedInLists bool
	// Unavailable reports the driver's errors that say the database cannot
	// answer now but may later (see Classify).
	Unavailable func(error) bool
}

// Reader is the read side of a SQL store.
type Reader struct {
	// DB answers queries; Writer takes retention's writes. They are one
	// pool on PostgreSQL. SQLite has one writer connection and a pool of
	// readers, so that a long export never holds up ingest.
	DB, Writer *sql.DB
	D          Dialect
	// DeleteChunk is how many records a retention transaction deletes
	// at most, about; 0 is 10,000.
	DeleteChunk int
}

// Rebind rewrites "?" placeholders for the dialect.
func (r *Reader) Rebind(q string) string { return r.D.Rebind(q) }

// Rebind rewrites "?" placeholders for the dialect.
func (d Dialect) Rebind(q string) string {
	if !d.Numbered {
		return q
	}
	var sb strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			sb.WriteByte('$')
			sb.WriteString(strconv.Itoa(n))
			continue
		}
		sb.WriteByte(q[i])
	}
	return sb.String()
}

// errorf builds an error of the dialect, classified (see Classify).
func (r *Reader) errorf(format string, args ...any) error {
	return r.D.Classify(fmt.Errorf(r.D.Name+": "+format, args...))
}

// Sum is an SQL sum that is an integer in both dialects and 0 over no rows.
func Sum(expr string) string { return "CAST(COALESCE(SUM(" + expr + "), 0) AS BIGINT)" }

func sums(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = Sum(c)
	}
	return strings.Join(out, ", ")
}

// Totals sums the rollups of [q.From, q.To): the hourly totals, or for a
// dimension value its daily rows (the bounds then count by whole UTC
// days), or the rows of q.Grain.
func (r *Reader) Totals(ctx context.Context, q store.TotalsQuery) ([]store.Totals, error) {
	if q.Dimension != "" {
		if _, ok := DimensionColumn(q.Dimension); !ok {
			return nil, fmt.Errorf("%w: %q", store.ErrUnknownDimension, q.Dimension)
		}
	}
	sel := "SELECT currency, " + Sum("calls") + ", " + Sum("errors") + ", " + Sum("unpriced") + ", " + sums(TokenColumns) +
		", " + Sum("cost_nanos") + ", " + Sum("cache_saved_nanos") + ", " + Sum("duration_ms") +
		" FROM usage_rollups WHERE grain = ? AND bucket_ms >= ? AND bucket_ms < ? AND dim = ?"
	grain := store.GrainHour
	if q.Dimension != "" {
		grain = store.GrainDay
	}
	switch {
	case q.Grain == "":
	case q.Grain == store.GrainDay,
		q.Grain == store.GrainHour && (q.Dimension == "" || HourlyDimension(q.Dimension)),
		q.Grain == store.GrainWeek && WeeklyDimension(q.Dimension):
		grain = q.Grain
	default:
		return nil, fmt.Errorf("%w: %q has no %q rows", store.ErrUnknownGrain, q.Dimension, q.Grain)
	}
	args := []any{grain, q.From.UnixMilli(), q.To.UnixMilli(), q.Dimension}
	if q.Dimension != "" {
		sel += " AND value = ?"
		args = append(args, q.Value)
	}
	return r.totals(ctx, sel+" GROUP BY currency ORDER BY currency", args)
}

// RecordTotals sums the raw records of [q.From, q.To).
func (r *Reader) RecordTotals(ctx context.Context, q store.TotalsQuery) ([]store.Totals, error) {
	sel := "SELECT currency, COUNT(*), " + Sum("CASE WHEN error_type <> '' THEN 1 ELSE 0 END") + ", " +
		Sum("CASE WHEN "+UnpricedSQL+" THEN 1 ELSE 0 END") + ", " + sums(TokenColumns) +
		", " + Sum("cost_nanos") + ", " + Sum("cache_saved_nanos") + ", " + Sum("duration_ms") +
		" FROM usage_records WHERE ts_ms >= ? AND ts_ms < ?"
	args := []any{q.From.UnixMilli(), q.To.UnixMilli()}
	if q.Dimension != "" {
		col, ok := DimensionColumn(q.Dimension)
		if !ok {
			return nil, fmt.Errorf("%w: %q", store.ErrUnknownDimension, q.Dimension)
		}
		sel += " AND " + col + " = ?"
		args = append(args, q.Value)
	}
	return r.totals(ctx, sel+" GROUP BY currency ORDER BY currency", args)
}

func (r *Reader) totals(ctx context.Context, query string, args []any) ([]store.Totals, error) {
	rows, err := r.DB.QueryContext(ctx, r.Rebind(query), args...)
	if err != nil {
		return nil, r.errorf("totals: %w", err)
	}
	defer rows.Close()
	var out []store.Totals
	for rows.Next() {
		var t store.Totals
		var cost, saved int64
		dest := []any{&t.Currency, &t.Calls, &t.Errors, &t.Unpriced}
		toks := make([]int64, len(TokenMeters))
		for i := range toks {
			dest = append(dest, &toks[i])
		}
		dest = append(dest, &cost, &saved, &t.DurationMillis)
		if err := rows.Scan(dest...); err != nil {
			return nil, r.errorf("totals: %w", err)
		}
		for i, m := range TokenMeters {
			t.Tokens[m] = toks[i]
		}
		t.Cost, t.CacheSaved = money.Nanos(cost), money.Nanos(saved)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, r.errorf("totals: %w", err)
	}
	return out, nil
}

// DeleteRecordsBefore drops raw records older than t; rollups stay. It
// deletes the oldest DeleteChunk records at a time, each chunk its own
// transaction: on SQLite a first retention run over months of records
// would otherwise hold the one writer, and ingest, for as long as it
// takes, and log every page it frees at once.
func (r *Reader) DeleteRecordsBefore(ctx context.Context, t time.Time) (int64, error) {
	if err := r.RaiseRecordsSince(ctx, t); err != nil {
		return 0, err
	}
	cut := t.UnixMilli()
	chunk := cmp.Or(r.DeleteChunk, 10_000)
	var total int64
	for {
		// A chunk ends with the record chunk records in, and with
		// the records of its millisecond, so that each makes progress; the
		// last, which has no such record, ends at the cut.
		del, arg, last := "DELETE FROM usage_records WHERE ts_ms <= ?", int64(0), false
		err := r.DB.QueryRowContext(ctx, r.Rebind("SELECT ts_ms FROM usage_records WHERE ts_ms < ? ORDER BY ts_ms LIMIT 1 OFFSET ?"), cut, chunk).Scan(&arg)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			del, arg, last = "DELETE FROM usage_records WHERE ts_ms < ?", cut, true
		case err != nil:
			return total, r.errorf("retention: %w", err)
		}
		res, err := r.Writer.ExecContext(ctx, r.Rebind(del), arg)
		if err != nil {
			return total, r.errorf("retention: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, r.errorf("retention: %w", err)
		}
		total += n
		if last {
			return total, nil
		}
	}
}

// RaiseRecordsSince records that records before t may be gone. It is
// called before anything is deleted, so that a reader never counts from
// the rollups a range whose records are being dropped.
func (r *Reader) RaiseRecordsSince(ctx context.Context, t time.Time) error {
	ms := t.UnixMilli()
	if _, err := r.Writer.ExecContext(ctx, r.Rebind("UPDATE usage_retention SET records_since_ms = ? WHERE records_since_ms < ?"), ms, ms); err != nil {
		return r.errorf("retention: %w", err)
	}
	return nil
}

// recordsSince returns the time from which every record is present.
func (r *Reader) recordsSince(ctx context.Context, q dbtx) (int64, error) {
	var ms int64
	if err := q.QueryRowContext(ctx, "SELECT records_since_ms FROM usage_retention").Scan(&ms); err != nil {
		return 0, r.errorf("retention: %w", err)
	}
	return ms, nil
}
