package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// selectRecords selects RecordColumns, which recordScanner reads.
var selectRecords = "SELECT " + strings.Join(RecordColumns(), ", ") + " FROM usage_records"

// recordScanner reads rows of RecordColumns into records. Its
// destinations are made once and point into it, so a scan allocates
// little more than the strings.
type recordScanner struct {
	rec                  usage.Record
	ts, dur, ttft        int64
	trace, span          sql.RawBytes
	streaming, estimated int64
	tokens               [meter.Count - 1]int64
	costs                [meter.Count]int64
	cost, saved          int64
	reported, list       sql.NullInt64
	source, computed     sql.NullInt64
	dims                 [len(usage.DimensionNames)]string
	dest                 []any
}

func newRecordScanner() *recordScanner {
	s := &recordScanner{}
	r := &s.rec
	s.dest = []any{&s.ts, &s.trace, &s.span, &s.dur, &s.ttft, &r.Service, &r.Environment}
	for i := range s.dims {
		s.dest = append(s.dest, &s.dims[i])
	}
	s.dest = append(s.dest, &r.Provider, &r.Model, &r.RequestModel, &r.ResponseModel, &r.Operation, &r.RawOperation, &s.streaming, &r.Status, &r.Reason, &r.ErrorType)
	for i := range s.tokens {
		s.dest = append(s.dest, &s.tokens[i])
	}
	for i := range s.costs {
		s.dest = append(s.dest, &s.costs[i])
	}
	s.dest = append(s.dest, &s.cost, &r.Currency, &s.saved, &r.CostSource, &s.reported, &r.ReportedCurrency, &r.Card, &s.estimated, &r.ResponseID,
		&r.ServiceTier, &s.list, &r.Contract, &r.Multiplier, &r.FXRate, &s.source, &r.SourceCurrency, &r.Reconcile, &s.computed)
	return s
}

// scan reads the current row into rec.
func (s *recordScanner) scan(rows *sql.Rows, rec *usage.Record) error {
	if err := rows.Scan(s.dest...); err != nil {
		return err
	}
	if len(s.trace) != len(rec.TraceID) || len(s.span) != len(rec.SpanID) {
		return fmt.Errorf("record at %d: trace or span id of %d and %d bytes", s.ts, len(s.trace), len(s.span))
	}
	r := &s.rec
	r.Start = time.UnixMilli(s.ts).UTC()
	copy(r.TraceID[:], s.trace)
	copy(r.SpanID[:], s.span)
	r.Duration = time.Duration(s.dur) * time.Millisecond
	r.TTFT = time.Duration(s.ttft) * time.Millisecond
	r.Dims = usage.Dimensions{User: s.dims[0], Tenant: s.dims[1], Department: s.dims[2], Session: s.dims[3],
		SessionType: s.dims[4], Feature: s.dims[5], APIKey: s.dims[6]}
	r.Streaming, r.Estimated = s.streaming != 0, s.estimated != 0
	// The request meter is the call itself and has no token column.
	r.Tokens = meter.Counts{}
	for i, m := range TokenMeters {
		r.Tokens[m] = s.tokens[i]
	}
	for m := range s.costs {
		r.CostByMeter[m] = money.Nanos(s.costs[m])
	}
	r.Cost, r.CacheSaved = money.Nanos(s.cost), money.Nanos(s.saved)
	r.Reported, r.HasReported = money.Nanos(s.reported.Int64), s.reported.Valid
	r.ListCost = r.Cost // stored before schema v8, when no contract applied
	if s.list.Valid {
		r.ListCost = money.Nanos(s.list.Int64)
	}
	r.SourceCost = money.Nanos(s.source.Int64)
	r.ComputedCost = money.Nanos(s.computed.Int64)
	*rec = *r
	return nil
}

// Records returns one page of the records matching f, newest first, and
// how many match. A Limit <= 0 returns every record from Offset on.
func (r *Reader) Records(ctx context.Context, f store.Filter, p store.Page) ([]usage.Record, int64, error) {
	c, err := recordClause(&f)
	if err != nil {
		return nil, 0, err
	}
	// Counted first and apart, often from the rollups: calls written
	// between the count and the page are in one and not the other.
	total, err := r.count(ctx, &f, c)
	if err != nil {
		return nil, 0, err
	}
	limit, offset := int64(p.Limit), int64(max(p.Offset, 0))
	if limit <= 0 {
		limit = math.MaxInt64
	}
	out := []usage.Record{}
	if offset >= total {
		return out, total, nil
	}
	// The key's order backwards, every column descending: both databases
	// then walk the key from the end and stop at the page, where a mixed
	// order needs a sort of every match (SQLite, once ANALYZE had run,
	// chose to sort a model's 30 days of calls: 2.7 s instead of 2 ms).
	q := selectRecords + c.where() + " ORDER BY ts_ms DESC, trace_id DESC, span_id DESC LIMIT ? OFFSET ?"
	err = r.scanRecords(ctx, q, append(c.args, limit, offset), func(rec *usage.Record) error {
		out = append(out, *rec)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// count counts the records matching f (whose clause is c): from the
// rollups when they can answer and retention has dropped no record of the
// range, since counting a long range of records row by row is slow; but
// one user's or one session's records through their index, which is
// faster than their rollup rows on SQLite.
func (r *Reader) count(ctx context.Context, f *store.Filter, c *clause) (int64, error) {
	_, user := f.Dims["user"]
	_, session := f.Dims["session"]
	if f.Rollupable("") && !user && !session {
		since, err := r.recordsSince(ctx, r.DB)
		if err != nil {
			return 0, err
		}
		if since == 0 || (!f.From.IsZero() && ceilMillis(f.From) >= since) {
			a, err := r.Summary(ctx, *f)
			if err != nil {
				return 0, err
			}
			return a.Calls, nil
		}
	}
	var total int64
	if err := r.DB.QueryRowContext(ctx, r.Rebind("SELECT COUNT(*) FROM usage_records"+c.where()), c.args...).Scan(&total); err != nil {
		return 0, r.errorf("records: %w", err)
	}
	return total, nil
}

// Record returns the record with the given usage.Record ID.
func (r *Reader) Record(ctx context.Context, id string) (usage.Record, error) {
	ms, trace, span, err := usage.ParseID(id)
	if err != nil {
		return usage.Record{}, err
	}
	var out usage.Record
	found := false
	err = r.scanRecords(ctx, selectRecords+" WHERE ts_ms = ? AND trace_id = ? AND span_id = ?", []any{ms, trace[:], span[:]},
		func(rec *usage.Record) error {
			out, found = *rec, true
			return nil
		})
	if err != nil {
		return usage.Record{}, err
	}
	if !found {
		return usage.Record{}, fmt.Errorf("record %s: %w", id, store.ErrNotFound)
	}
	return out, nil
}

// Export calls fn for every record matching f, oldest first, one row at
// a time; each call gets its own record. It reads one snapshot, and on
// SQLite a connection of the readers' pool, until it returns.
func (r *Reader) Export(ctx context.Context, f store.Filter, fn func(*usage.Record) error) error {
	c, err := recordClause(&f)
	if err != nil {
		return err
	}
	return r.scanRecords(ctx, selectRecords+c.where()+" ORDER BY ts_ms, trace_id, span_id", c.args, func(rec *usage.Record) error {
		own := *rec
		return fn(&own)
	})
}

// scanRecords runs q and calls fn for each record, stopping at fn's first
// error, which it returns as is.
func (r *Reader) scanRecords(ctx context.Context, q string, args []any, fn func(*usage.Record) error) error {
	return r.scanRecordsIn(ctx, r.DB, q, args, fn)
}

// scanRecordsIn is scanRecords on db, a pool or a transaction.
func (r *Reader) scanRecordsIn(ctx context.Context, db dbtx, q string, args []any, fn func(*usage.Record) error) error {
	rows, err := db.QueryContext(ctx, r.Rebind(q), args...)
	if err != nil {
		return r.errorf("records: %w", err)
	}
	defer rows.Close()
	s := newRecordScanner()
	var rec usage.Record
	for rows.Next() {
		if err := s.scan(rows, &rec); err != nil {
			return r.errorf("records: %w", err)
		}
		if err := fn(&rec); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return r.errorf("records: %w", err)
	}
	return nil
}
