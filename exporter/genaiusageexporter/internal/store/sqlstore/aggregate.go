package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

var _ store.Querier = (*Reader)(nil)

const (
	hourMs = int64(time.Hour / time.Millisecond)
	dayMs  = int64(24 * time.Hour / time.Millisecond)
)

// The value columns of an aggregate, the same from both sources so that
// one scan reads either: calls, errors, unpriced, tokens, cost, cache
// saved, duration, TTFT sum, TTFT count.
//
// A record's list cost is NULL when it was stored before schema v8, whose
// records had no contract: its list cost is its cost.
var (
	recordAggregatesV1 = "COUNT(*), " + Sum("CASE WHEN error_type <> '' THEN 1 ELSE 0 END") + ", " +
		Sum("CASE WHEN "+UnpricedSQL+" THEN 1 ELSE 0 END") + ", " + sums(TokenColumns) + ", " +
		Sum("cost_nanos") + ", " + Sum("cache_saved_nanos") + ", " + Sum("duration_ms") + ", " +
		Sum("ttft_ms") + ", " + Sum("CASE WHEN ttft_ms > 0 THEN 1 ELSE 0 END")
	recordAggregates = recordAggregatesV1 + ", " + Sum(ListCostSQL) + ", " + Sum("estimated") + ", " + Sum("CASE WHEN estimated <> 0 THEN cost_nanos ELSE 0 END")
	rollupAggregates = Sum("calls") + ", " + Sum("errors") + ", " + Sum("unpriced") + ", " + sums(TokenColumns) + ", " +
		Sum("cost_nanos") + ", " + Sum("cache_saved_nanos") + ", " + Sum("duration_ms") + ", " +
		Sum("ttft_ms") + ", " + Sum("ttft_count") + ", " + Sum("list_nanos") + ", " + Sum("estimated_calls") + ", " + Sum("estimated_nanos")
)

// ListCostSQL is a record's list cost.
const ListCostSQL = "COALESCE(list_nanos, cost_nanos)"

// segment is a part of a query's time range and the rows that answer it,
// added to the answer or, if neg, taken from it.
type segment struct {
	from, to time.Time // a zero bound is open
	grain    string    // the rollup grain, or "" for the records
	neg      bool
}

// plan splits [from, to) by the rollup grains usable (coarsest first):
// whole weeks from the week rows, whole UTC days from the day rows, whole
// hours from the hour rows, and what is left at either end from the
// records. Rollups equal the records they sum, so the parts add up to
// the same answer as the records alone, and a long range reads few rows
// whatever its bounds.
//
// A ragged end that covers most of its bucket is read as the whole
// bucket less the rest of it (end): a range that ends at 19:00 reads
// the day's rows less the five hours after, not the nineteen before, and
// nothing at all after now. Records older than kept (retention's mark)
// may be gone, so no part that old is answered that way.
func plan(from, to time.Time, grains []string, kept time.Time) []segment {
	if len(grains) == 0 {
		return []segment{{from: from, to: to}}
	}
	d := store.GrainDuration(grains[0])
	a, b := ceilTo(from, d), floorTo(to, d)
	if !a.IsZero() && !b.IsZero() && !a.Before(b) {
		return plan(from, to, grains[1:], kept) // no whole bucket inside
	}
	var out []segment
	if !a.Equal(from) {
		out = append(out, end(from, a, a.Add(-d), a, grains, kept)...)
	}
	out = append(out, segment{from: a, to: b, grain: grains[0]})
	if !b.Equal(to) {
		out = append(out, end(b, to, b, b.Add(d), grains, kept)...)
	}
	return out
}

// end plans [from, to), a ragged end of a range that shares one bound
// with its bucket [bs, be) of grains[0]: from the finer grains, or as the
// bucket less its complement when the complement is shorter.
func end(from, to, bs, be time.Time, grains []string, kept time.Time) []segment {
	cf, ct := bs, from // the complement
	if from.Equal(bs) {
		cf, ct = to, be
	}
	if ct.Sub(cf) >= to.Sub(from) || bs.Before(kept) {
		return plan(from, to, grains[1:], kept)
	}
	out := []segment{{from: bs, to: be, grain: grains[0]}}
	for _, s := range plan(cf, ct, grains[1:], kept) {
		s.neg = !s.neg
		out = append(out, s)
	}
	return out
}

func floorTo(t time.Time, d time.Duration) time.Time {
	if t.IsZero() {
		return t
	}
	return t.Truncate(d)
}

func ceilTo(t time.Time, d time.Duration) time.Time {
	if t.IsZero() {
		return t
	}
	if f := t.Truncate(d); f.Before(t) {
		return f.Add(d)
	}
	return t
}

// usableGrains are the rollup grains that can answer f split by key by in
// buckets of grain ("" for none), coarsest first. Users and sessions have
// no hourly rows, so an hourly series of one reads the records; users'
// week rows answer whole weeks of a total or a breakdown.
func usableGrains(f *store.Filter, grain, by string) []string {
	switch {
	case !f.Rollupable(by):
		return nil
	case f.UsesDimension(by) && !HourlyDimension(f.Dimension(by)):
		switch {
		case grain == store.GrainHour:
			return nil
		case grain == "" && WeeklyDimension(f.Dimension(by)):
			return []string{store.GrainWeek, store.GrainDay}
		}
		return []string{store.GrainDay}
	case grain == store.GrainHour:
		return []string{store.GrainHour}
	}
	return []string{store.GrainDay, store.GrainHour}
}

// bucketKey is one bucket and key of an aggregate query.
type bucketKey struct {
	bucket int64
	key    string
}

// dbtx runs queries: the database (*sql.DB) or a read transaction (*sql.Tx).
type dbtx interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readTx runs fn in a read-only transaction, so that the several queries
// of one answer (the parts of a range, a ranking and its details) see one
// snapshot of the store.
func (r *Reader) readTx(ctx context.Context, fn func(q dbtx) error) error {
	tx, err := r.DB.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return r.errorf("begin read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return r.errorf("end read: %w", err)
	}
	return nil
}

// sumSet selects what an aggregate query sums: everything, or only calls
// and cost, which is all a ranking needs.
type sumSet int

const (
	allSums sumSet = iota
	rankSums
)

// aggregate sums the calls matching f by bucket of grain ("" for none)
// and by the key by ("" for none), from the rollups for the parts of the
// range they can answer and from the records for the rest. If in is not
// nil, only the keys in it are summed.
func (r *Reader) aggregate(ctx context.Context, q dbtx, f *store.Filter, grain, by string, in []string, what sumSet) (map[bucketKey]*store.Aggregate, error) {
	keyCol, dim, err := keyColumn(by)
	if err != nil {
		return nil, err
	}
	if err := checkDims(f); err != nil {
		return nil, err
	}
	grains := usableGrains(f, grain, by)
	var kept time.Time
	if len(grains) > 0 {
		ms, err := r.recordsSince(ctx, q)
		if err != nil {
			return nil, err
		}
		kept = time.UnixMilli(ms)
	}
	sums := map[bucketKey]map[string]*RollupValues{}
	for _, seg := range plan(f.From, f.To, grains, kept) {
		part := *f
		part.From, part.To = seg.from, seg.to
		var (
			c              *clause
			from, aggs     string
			bucket, keyExp string
		)
		if seg.grain != "" {
			c, from, aggs = rollupClause(&part, seg.grain, by), "usage_rollups", rollupAggregates
			if what == rankSums {
				aggs = Sum("calls") + ", " + Sum("cost_nanos")
			}
			switch grain {
			case "":
			case seg.grain:
				bucket = "bucket_ms"
			default: // days from hours
				bucket = truncate("bucket_ms", dayMs)
			}
			keyExp = keyCol
			if dim {
				keyExp = "value"
			}
		} else {
			if c, err = recordClause(&part); err != nil {
				return nil, err
			}
			from, aggs, keyExp = "usage_records", recordAggregates, keyCol
			if what == rankSums {
				aggs = "COUNT(*), " + Sum("cost_nanos")
			}
			switch grain {
			case store.GrainHour:
				bucket = truncate("ts_ms", hourMs)
			case store.GrainDay:
				bucket = truncate("ts_ms", dayMs)
			}
		}
		if in != nil {
			args := make([]any, len(in))
			for i, k := range in {
				args[i] = k
			}
			c.add(keyExp+" IN ("+Placeholders(len(in))+")", args...)
		}
		if err := r.sumInto(ctx, q, sums, from, aggs, bucket, keyExp, c, what, seg.neg); err != nil {
			return nil, err
		}
	}
	out := make(map[bucketKey]*store.Aggregate, len(sums))
	for s, byCurrency := range sums {
		for currency, v := range byCurrency {
			if v.Calls == 0 { // only in a part taken away
				if *v != (RollupValues{}) {
					return nil, r.errorf("aggregate: the rollups and the records differ at %v %q %s", time.UnixMilli(s.bucket).UTC(), s.key, currency)
				}
				continue
			}
			a := out[s]
			if a == nil {
				a = newAggregate()
				out[s] = a
			}
			addValues(a, currency, v)
		}
	}
	return out, nil
}

// sumInto runs one aggregate query and adds its rows to sums, or takes
// them away if neg.
func (r *Reader) sumInto(ctx context.Context, q dbtx, sums map[bucketKey]map[string]*RollupValues, from, aggs, bucket, keyExp string, c *clause, what sumSet, neg bool) error {
	var groups []string
	if bucket != "" {
		groups = append(groups, bucket)
	}
	if keyExp != "" {
		groups = append(groups, keyExp)
	}
	groups = append(groups, "currency")
	sel := "SELECT " + Join("", groups) + ", " + aggs + " FROM " + from + c.where() + " GROUP BY " + Join("", groups)
	rows, err := q.QueryContext(ctx, r.Rebind(sel), c.args...)
	if err != nil {
		return r.errorf("aggregate: %w", err)
	}
	defer rows.Close()
	var (
		s        bucketKey
		currency string
		v        RollupValues
	)
	dest := []any{}
	if bucket != "" {
		dest = append(dest, &s.bucket)
	}
	if keyExp != "" {
		dest = append(dest, &s.key)
	}
	dest = append(dest, &currency, &v.Calls)
	if what == rankSums {
		dest = append(dest, &v.Cost)
	} else {
		dest = append(dest, &v.Errors, &v.Unpriced)
		for i := range v.Tokens {
			dest = append(dest, &v.Tokens[i])
		}
		dest = append(dest, &v.Cost, &v.CacheSaved, &v.DurationMs, &v.TTFTMs, &v.TTFTCount, &v.List, &v.EstimatedCalls, &v.EstimatedCost)
	}
	sign := int64(1)
	if neg {
		sign = -1
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return r.errorf("aggregate: %w", err)
		}
		byCurrency := sums[s]
		if byCurrency == nil {
			byCurrency = map[string]*RollupValues{}
			sums[s] = byCurrency
		}
		sum := byCurrency[currency]
		if sum == nil {
			sum = &RollupValues{}
			byCurrency[currency] = sum
		}
		sum.Merge(&v, sign)
	}
	if err := rows.Err(); err != nil {
		return r.errorf("aggregate: %w", err)
	}
	return nil
}

// truncate is col rounded down to a multiple of ms; integer division in
// both dialects (times are after 1970).
func truncate(col string, ms int64) string {
	n := strconv.FormatInt(ms, 10)
	return "(" + col + " / " + n + ") * " + n
}

// newAggregate returns an empty aggregate with its maps made: callers
// index them without checks, and an empty aggregate has no currency.
func newAggregate() *store.Aggregate {
	return &store.Aggregate{Cost: map[string]money.Nanos{}, CacheSaved: map[string]money.Nanos{}, ListCost: map[string]money.Nanos{}, EstimatedCost: map[string]money.Nanos{}}
}

// addValues adds one currency's sums. A currency's keys are present in
// both maps, even at zero, for every currency that has calls; unpriced
// calls (currency "") add counts but no money.
func addValues(a *store.Aggregate, currency string, v *RollupValues) {
	a.Calls += v.Calls
	a.Errors += v.Errors
	a.Unpriced += v.Unpriced
	for i, m := range TokenMeters {
		a.Tokens[m] += v.Tokens[i]
	}
	a.DurationMillis += v.DurationMs
	a.TTFTMillis += v.TTFTMs
	a.TTFTCount += v.TTFTCount
	a.EstimatedCalls += v.EstimatedCalls
	if currency != "" {
		a.Cost[currency] += money.Nanos(v.Cost)
		a.CacheSaved[currency] += money.Nanos(v.CacheSaved)
		a.ListCost[currency] += money.Nanos(v.List)
		a.EstimatedCost[currency] += money.Nanos(v.EstimatedCost)
	}
}

// Summary aggregates the calls matching f.
func (r *Reader) Summary(ctx context.Context, f store.Filter) (store.Aggregate, error) {
	var m map[bucketKey]*store.Aggregate
	err := r.readTx(ctx, func(q dbtx) (err error) {
		m, err = r.aggregate(ctx, q, &f, "", "", nil, allSums)
		return err
	})
	if err != nil {
		return store.Aggregate{}, err
	}
	if a := m[bucketKey{}]; a != nil {
		return *a, nil
	}
	return *newAggregate(), nil
}

// Series aggregates the calls matching f by UTC bucket of grain and by
// key; only buckets with calls have points.
func (r *Reader) Series(ctx context.Context, f store.Filter, grain, by string) ([]store.Point, error) {
	if grain != store.GrainHour && grain != store.GrainDay {
		return nil, fmt.Errorf("%w: %q", store.ErrUnknownGrain, grain)
	}
	var m map[bucketKey]*store.Aggregate
	err := r.readTx(ctx, func(q dbtx) (err error) {
		m, err = r.aggregate(ctx, q, &f, grain, by, nil, allSums)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]store.Point, 0, len(m))
	for s, a := range m {
		out = append(out, store.Point{Bucket: time.UnixMilli(s.bucket).UTC(), Key: s.key, Aggregate: *a})
	}
	// Sorted here, not in SQL: text order would follow PostgreSQL's
	// collation there, and byte order is the same everywhere.
	slices.SortFunc(out, func(a, b store.Point) int {
		return cmp.Or(a.Bucket.Compare(b.Bucket), cmp.Compare(a.Key, b.Key))
	})
	return out, nil
}

// Breakdown aggregates the calls matching f by the key by. Groups are
// ranked by cost summed across currencies (a ranking only: the amounts
// stay per currency), then calls, then key in byte order; past limit
// (if > 0) they fold into one Other group.
//
// A dimension can have many values, each with a row per day and currency
// in the rollups: the values are then ranked on calls and cost alone, the
// full sums are read for the top ones only, and the Other group is the
// total less those, all in one snapshot.
func (r *Reader) Breakdown(ctx context.Context, f store.Filter, by string, limit int) ([]store.Group, error) {
	if by == "" {
		return nil, fmt.Errorf("%w: %q", store.ErrUnknownKey, by)
	}
	_, dim, err := keyColumn(by)
	if err != nil {
		return nil, err
	}
	var out []store.Group
	err = r.readTx(ctx, func(q dbtx) error {
		if dim && limit > 0 && f.Rollupable(by) {
			var done bool
			out, done, err = r.topBreakdown(ctx, q, &f, by, limit)
			if err != nil || done {
				return err
			}
		}
		m, err := r.aggregate(ctx, q, &f, "", by, nil, allSums)
		if err != nil {
			return err
		}
		all := rank(m)
		if limit <= 0 || limit > len(all) {
			limit = len(all)
		}
		out = make([]store.Group, 0, limit+1)
		for _, k := range all[:limit] {
			out = append(out, store.Group{Key: k, Aggregate: *m[bucketKey{key: k}]})
		}
		if len(all) > limit {
			other := store.Group{Other: true, Values: int64(len(all) - limit), Aggregate: *newAggregate()}
			for _, k := range all[limit:] {
				other.Add(m[bucketKey{key: k}])
			}
			out = append(out, other)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Values answers store.Querier.Values.
func (r *Reader) Values(ctx context.Context, f store.Filter, by string, values []string) ([]store.Group, error) {
	if by == "" {
		return nil, fmt.Errorf("%w: %q", store.ErrUnknownKey, by)
	}
	if len(values) == 0 {
		return nil, nil
	}
	var out []store.Group
	err := r.readTx(ctx, func(q dbtx) error {
		m, err := r.aggregate(ctx, q, &f, "", by, values, allSums)
		if err != nil {
			return err
		}
		for _, v := range values {
			if a := m[bucketKey{key: v}]; a != nil {
				out = append(out, store.Group{Key: v, Aggregate: *a})
				delete(m, bucketKey{key: v}) // a value given twice has one group
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// rank orders the keys of m by cost summed across currencies, then calls,
// then key.
func rank(m map[bucketKey]*store.Aggregate) []string {
	type ranked struct {
		key   string
		cost  money.Nanos
		calls int64
	}
	all := make([]ranked, 0, len(m))
	for s, a := range m {
		g := ranked{key: s.key, calls: a.Calls}
		for _, n := range a.Cost {
			g.cost += n
		}
		all = append(all, g)
	}
	slices.SortFunc(all, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(b.cost, a.cost), cmp.Compare(b.calls, a.calls), cmp.Compare(a.key, b.key))
	})
	keys := make([]string, len(all))
	for i, g := range all {
		keys[i] = g.key
	}
	return keys
}

// topBreakdown is Breakdown for many values: done is false when there
// are no more values than limit, and the full sums of all are as cheap.
func (r *Reader) topBreakdown(ctx context.Context, q dbtx, f *store.Filter, by string, limit int) ([]store.Group, bool, error) {
	light, err := r.aggregate(ctx, q, f, "", by, nil, rankSums)
	if err != nil || len(light) <= limit {
		return nil, false, err
	}
	all := rank(light)
	top, rest := all[:limit], all[limit:]
	full, err := r.aggregate(ctx, q, f, "", by, top, allSums)
	if err != nil {
		return nil, false, err
	}
	total, err := r.aggregate(ctx, q, f, "", "", nil, allSums)
	if err != nil {
		return nil, false, err
	}
	other := *newAggregate()
	if t := total[bucketKey{}]; t != nil {
		other.Add(t)
	}
	out := make([]store.Group, 0, limit+1)
	for _, k := range top {
		a := full[bucketKey{key: k}]
		if a == nil { // cannot happen in one snapshot
			return nil, false, r.errorf("breakdown: %s %q ranked but not summed", by, k)
		}
		out = append(out, store.Group{Key: k, Aggregate: *a})
		other.Sub(a)
	}
	// The rest's currencies are those its values have calls in; the
	// total's other currencies are now at zero.
	keep := map[string]bool{}
	for _, k := range rest {
		for c := range light[bucketKey{key: k}].Cost {
			keep[c] = true
		}
	}
	for c := range other.Cost {
		if keep[c] {
			continue
		}
		if other.Cost[c] != 0 || other.CacheSaved[c] != 0 || other.ListCost[c] != 0 || other.EstimatedCost[c] != 0 {
			return nil, false, r.errorf("breakdown: the total and the top %d differ in %s", limit, c)
		}
		delete(other.Cost, c)
		delete(other.CacheSaved, c)
		delete(other.ListCost, c)
		delete(other.EstimatedCost, c)
	}
	out = append(out, store.Group{Other: true, Values: int64(len(rest)), Aggregate: other})
	return out, true, nil
}
