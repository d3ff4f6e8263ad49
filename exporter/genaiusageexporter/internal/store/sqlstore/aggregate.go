package sqlstore

import (
	"cmp"
	"context"
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
var (
	recordAggregates = "COUNT(*), " + Sum("CASE WHEN error_type <> '' THEN 1 ELSE 0 END") + ", " +
		Sum("CASE WHEN "+store.UnpricedSQL+" THEN 1 ELSE 0 END") + ", " + sums(store.TokenColumns) + ", " +
		Sum("cost_nanos") + ", " + Sum("cache_saved_nanos") + ", " + Sum("duration_ms") + ", " +
		Sum("ttft_ms") + ", " + Sum("CASE WHEN ttft_ms > 0 THEN 1 ELSE 0 END")
	rollupAggregates = Sum("calls") + ", " + Sum("errors") + ", " + Sum("unpriced") + ", " + sums(store.TokenColumns) + ", " +
		Sum("cost_nanos") + ", " + Sum("cache_saved_nanos") + ", " + Sum("duration_ms") + ", " +
		Sum("ttft_ms") + ", " + Sum("ttft_count")
)

// rollupGrain is the rollup grain that answers f exactly with key by, or
// "" if only the records can: rollups hold neither status nor search,
// hold one dimension per row, and cannot split a bucket. Whole UTC days
// read the day rollups, 24 times fewer rows than the hours.
func rollupGrain(f *store.Filter, by string) string {
	switch {
	case !f.Rollupable(by) || !aligned(f.From, time.Hour) || !aligned(f.To, time.Hour):
		return ""
	case aligned(f.From, 24*time.Hour) && aligned(f.To, 24*time.Hour):
		return store.GrainDay
	}
	return store.GrainHour
}

// slot is one bucket and key of an aggregate query.
type slot struct {
	bucket int64
	key    string
}

// aggregate sums the calls matching f by bucket of grain ("" for none)
// and by the key by ("" for none), from the rollups when they can answer.
func (r *Reader) aggregate(ctx context.Context, f *store.Filter, grain, by string) (map[slot]*store.Aggregate, error) {
	keyCol, dim, err := keyColumn(by)
	if err != nil {
		return nil, err
	}
	if err := checkDims(f); err != nil {
		return nil, err
	}
	var (
		c              *clause
		from, aggs     string
		bucket, keyExp string
	)
	if rg := rollupGrain(f, by); rg != "" {
		if grain == store.GrainHour {
			rg = store.GrainHour
		}
		c, from, aggs = rollupClause(f, rg, by), "usage_rollups", rollupAggregates
		switch {
		case grain == "":
		case grain == rg:
			bucket = "bucket_ms"
		default: // days from hours
			bucket = truncate("bucket_ms", dayMs)
		}
		keyExp = keyCol
		if dim {
			keyExp = "value"
		}
	} else {
		if c, err = recordClause(f); err != nil {
			return nil, err
		}
		from, aggs, keyExp = "usage_records", recordAggregates, keyCol
		switch grain {
		case store.GrainHour:
			bucket = truncate("ts_ms", hourMs)
		case store.GrainDay:
			bucket = truncate("ts_ms", dayMs)
		}
	}
	var groups []string
	if bucket != "" {
		groups = append(groups, bucket)
	}
	if keyExp != "" {
		groups = append(groups, keyExp)
	}
	groups = append(groups, "currency")
	q := "SELECT " + store.Join("", groups) + ", " + aggs + " FROM " + from + c.where() + " GROUP BY " + store.Join("", groups)
	rows, err := r.DB.QueryContext(ctx, r.Rebind(q), c.args...)
	if err != nil {
		return nil, r.errorf("aggregate: %w", err)
	}
	defer rows.Close()
	out := map[slot]*store.Aggregate{}
	var (
		s        slot
		currency string
		v        store.RollupValues
	)
	dest := []any{}
	if bucket != "" {
		dest = append(dest, &s.bucket)
	}
	if keyExp != "" {
		dest = append(dest, &s.key)
	}
	dest = append(dest, &currency, &v.Calls, &v.Errors, &v.Unpriced)
	for i := range v.Tokens {
		dest = append(dest, &v.Tokens[i])
	}
	dest = append(dest, &v.Cost, &v.CacheSaved, &v.DurationMs, &v.TTFTMs, &v.TTFTCount)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, r.errorf("aggregate: %w", err)
		}
		a := out[s]
		if a == nil {
			a = newAggregate()
			out[s] = a
		}
		addValues(a, currency, &v)
	}
	if err := rows.Err(); err != nil {
		return nil, r.errorf("aggregate: %w", err)
	}
	return out, nil
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
	return &store.Aggregate{Cost: map[string]money.Nanos{}, CacheSaved: map[string]money.Nanos{}}
}

// addValues adds one currency's sums. A currency's keys are present in
// both maps, even at zero, for every currency that has calls; unpriced
// calls (currency "") add counts but no money.
func addValues(a *store.Aggregate, currency string, v *store.RollupValues) {
	a.Calls += v.Calls
	a.Errors += v.Errors
	a.Unpriced += v.Unpriced
	for i, m := range store.TokenMeters {
		a.Tokens[m] += v.Tokens[i]
	}
	a.DurationMillis += v.DurationMs
	a.TTFTMillis += v.TTFTMs
	a.TTFTCount += v.TTFTCount
	if currency != "" {
		a.Cost[currency] += money.Nanos(v.Cost)
		a.CacheSaved[currency] += money.Nanos(v.CacheSaved)
	}
}

// Summary aggregates the calls matching f.
func (r *Reader) Summary(ctx context.Context, f store.Filter) (store.Aggregate, error) {
	m, err := r.aggregate(ctx, &f, "", "")
	if err != nil {
		return store.Aggregate{}, err
	}
	if a := m[slot{}]; a != nil {
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
	m, err := r.aggregate(ctx, &f, grain, by)
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
func (r *Reader) Breakdown(ctx context.Context, f store.Filter, by string, limit int) ([]store.Group, error) {
	if by == "" {
		return nil, fmt.Errorf("%w: %q", store.ErrUnknownKey, by)
	}
	m, err := r.aggregate(ctx, &f, "", by)
	if err != nil {
		return nil, err
	}
	type ranked struct {
		store.Group
		cost money.Nanos
	}
	all := make([]ranked, 0, len(m))
	for s, a := range m {
		g := ranked{Group: store.Group{Key: s.key, Aggregate: *a}}
		for _, n := range a.Cost {
			g.cost += n
		}
		all = append(all, g)
	}
	slices.SortFunc(all, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(b.cost, a.cost), cmp.Compare(b.Calls, a.Calls), cmp.Compare(a.Key, b.Key))
	})
	if limit <= 0 || limit > len(all) {
		limit = len(all)
	}
	out := make([]store.Group, 0, limit+1)
	for i := range limit {
		out = append(out, all[i].Group)
	}
	if len(all) > limit {
		other := store.Group{Other: true, Values: int64(len(all) - limit), Aggregate: *newAggregate()}
		for i := limit; i < len(all); i++ {
			other.Aggregate.Add(&all[i].Aggregate)
		}
		out = append(out, other)
	}
	return out, nil
}
