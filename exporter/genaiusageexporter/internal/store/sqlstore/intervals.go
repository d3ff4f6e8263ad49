package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
)

// Intervals measures the gaps between consecutive calls of each non-empty
// value of the key by. The calls come back ordered by value and time, and
// the gaps are counted here as they stream: SQLite took three times as
// long to compute them in SQL with a window function over a month of
// calls (docs/benchmarks.md).
func (r *Reader) Intervals(ctx context.Context, f store.Filter, by string) (store.IntervalStats, error) {
	col, dim, err := keyColumn(by)
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
	if _, one := f.Dims[by]; dim && !one && IndexedDimension(by) && r.D.OrderedInLists {
		// Only the values that have a day row in the range: every stored
		// call has one (rollups are written with the records and outlive
		// them). SQLite then reads each value's calls through the record
		// index, value after value, already in the order asked, instead
		// of every call of the range in time order and a sort of them
		// all: twice as fast for every user's gaps over a month of 10
		// million records (docs/benchmarks.md).
		vals := &clause{}
		vals.add("grain = ?", store.GrainDay)
		vals.add("dim = ?", by)
		vals.add("value <> ''")
		if !f.From.IsZero() {
			vals.add("bucket_ms >= ?", store.BucketStart(f.From, store.GrainDay).UnixMilli())
		}
		if !f.To.IsZero() {
			vals.add("bucket_ms < ?", ceilMillis(f.To))
		}
		c.add(col+" IN (SELECT value FROM usage_rollups"+vals.where()+")", vals.args...)
	}
	rows, err := r.DB.QueryContext(ctx, r.Rebind("SELECT "+col+", ts_ms FROM usage_records"+c.where()+" ORDER BY "+col+", ts_ms"), c.args...)
	if err != nil {
		return store.IntervalStats{}, r.errorf("intervals: %w", err)
	}
	defer rows.Close()

	bounds := make([]int64, len(store.IntervalBounds))
	for i, b := range store.IntervalBounds {
		bounds[i] = b.Milliseconds()
	}
	within5m, within1h := (5 * time.Minute).Milliseconds(), time.Hour.Milliseconds()
	st := store.IntervalStats{Buckets: make([]store.IntervalBucket, len(bounds)+1)}
	for i := range bounds {
		st.Buckets[i].UpTo = store.IntervalBounds[i]
	}
	var (
		key, prev []byte // RawBytes: valid until the next Next, so prev is a copy
		ts, last  int64
	)
	for rows.Next() {
		if err := rows.Scan((*sql.RawBytes)(&key), &ts); err != nil {
			return store.IntervalStats{}, r.errorf("intervals: %w", err)
		}
		if st.Keys == 0 || !bytes.Equal(key, prev) { // a value's first call: no gap
			st.Keys++
			prev = append(prev[:0], key...)
			last = ts
			continue
		}
		gap := ts - last
		last = ts
		st.Gaps++
		if gap <= within5m {
			st.Within5m++
		}
		if gap <= within1h {
			st.Within1h++
		}
		i, _ := slices.BinarySearch(bounds, gap) // the first bound >= gap; past the last, the open bucket
		st.Buckets[i].Count++
	}
	if err := rows.Err(); err != nil {
		return store.IntervalStats{}, r.errorf("intervals: %w", err)
	}
	return st, nil
}
