package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
)

// Intervals measures the gaps between consecutive calls of each non-empty
// value of the key by. The gaps are computed and bucketed in SQL, so one
// row comes back whatever the number of calls.
func (r *Reader) Intervals(ctx context.Context, f store.Filter, by string) (store.IntervalStats, error) {
	col, _, err := keyColumn(by)
	if err != nil {
		return store.IntervalStats{}, err
	}
	if col == "" {
		return store.IntervalStats{}, fmt.Errorf("%w: %q", store.ErrUnknownKey, by)
	}
	c, err := recordClause(&f)
	if err != nil {
		return store.IntervalStats{}, err
	}
	c.add(col + " <> ''")
	ms := func(d time.Duration) int64 { return d.Milliseconds() }
	// The outer select's arguments come first in the text, so first in args.
	sel := "SELECT COUNT(DISTINCT k), COUNT(gap), " + Sum("CASE WHEN gap <= ? THEN 1 ELSE 0 END") + ", " + Sum("CASE WHEN gap <= ? THEN 1 ELSE 0 END")
	args := []any{ms(5 * time.Minute), ms(time.Hour)}
	for i, b := range store.IntervalBounds {
		if i == 0 {
			sel += ", " + Sum("CASE WHEN gap <= ? THEN 1 ELSE 0 END")
			args = append(args, ms(b))
			continue
		}
		sel += ", " + Sum("CASE WHEN gap > ? AND gap <= ? THEN 1 ELSE 0 END")
		args = append(args, ms(store.IntervalBounds[i-1]), ms(b))
	}
	sel += ", " + Sum("CASE WHEN gap > ? THEN 1 ELSE 0 END")
	args = append(args, ms(store.IntervalBounds[len(store.IntervalBounds)-1]))
	// LAG is NULL on each value's first call: no gap, counted nowhere.
	sel += " FROM (SELECT " + col + " AS k, ts_ms - LAG(ts_ms) OVER (PARTITION BY " + col + " ORDER BY ts_ms) AS gap FROM usage_records" +
		c.where() + ") AS g"
	args = append(args, c.args...)

	st := store.IntervalStats{Buckets: make([]store.IntervalBucket, len(store.IntervalBounds)+1)}
	dest := []any{&st.Keys, &st.Gaps, &st.Within5m, &st.Within1h}
	for i := range st.Buckets {
		if i < len(store.IntervalBounds) {
			st.Buckets[i].UpTo = store.IntervalBounds[i]
		}
		dest = append(dest, &st.Buckets[i].Count)
	}
	if err := r.DB.QueryRowContext(ctx, r.Rebind(sel), args...).Scan(dest...); err != nil {
		return store.IntervalStats{}, r.errorf("intervals: %w", err)
	}
	return st, nil
}
