package store

import (
	"strings"
	"time"

	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// Shared schema vocabulary of the SQL backends.

// TokenColumns and CostColumns name the per-meter columns: tok_<meter>
// for every meter but the request, cost_<meter> for every meter.
var (
	TokenMeters  []meter.Meter
	TokenColumns []string
	CostColumns  []string
)

func init() {
	for m := meter.Meter(0); m < meter.Count; m++ {
		if m != meter.Request {
			TokenMeters = append(TokenMeters, m)
			TokenColumns = append(TokenColumns, "tok_"+m.String())
		}
		CostColumns = append(CostColumns, "cost_"+m.String())
	}
}

// DimensionColumns are the record columns of usage.DimensionNames.
var DimensionColumns = [len(usage.DimensionNames)]string{"user_id", "tenant", "department", "session_id", "session_type", "feature", "api_key"}

// DimensionColumn returns the record column of a dimension name.
func DimensionColumn(dim string) (string, bool) {
	for i, n := range usage.DimensionNames {
		if n == dim {
			return DimensionColumns[i], true
		}
	}
	return "", false
}

// RecordColumns are the columns of usage_records, in the order of
// RecordArgs. Both SQL backends use these names.
func RecordColumns() []string {
	cols := []string{"ts_ms", "trace_id", "span_id", "duration_ms", "ttft_ms", "service", "environment"}
	cols = append(cols, DimensionColumns[:]...)
	cols = append(cols, "provider", "model", "request_model", "response_model", "operation", "streaming", "status", "error_type")
	cols = append(cols, TokenColumns...)
	cols = append(cols, CostColumns...)
	return append(cols, "cost_nanos", "currency", "cache_saved_nanos", "cost_source", "reported_nanos", "reported_currency", "card", "estimated", "response_id")
}

// RecordArgs appends a record's column values, in RecordColumns order.
// Booleans are 0 or 1; a missing reported cost is nil.
func RecordArgs(args []any, r *usage.Record) []any {
	args = append(args, r.StartMillis(), r.TraceID[:], r.SpanID[:], r.Duration.Milliseconds(), r.TTFT.Milliseconds(), r.Service, r.Environment)
	for _, v := range r.Dims.Values() {
		args = append(args, v)
	}
	args = append(args, r.Provider, r.Model, r.RequestModel, r.ResponseModel, r.Operation, boolInt(r.Streaming), r.Status, r.ErrorType)
	for _, m := range TokenMeters {
		args = append(args, r.Tokens[m])
	}
	for m := meter.Meter(0); m < meter.Count; m++ {
		args = append(args, int64(r.CostByMeter[m]))
	}
	var reported any
	if r.HasReported {
		reported = int64(r.Reported)
	}
	return append(args, int64(r.Cost), r.Currency, int64(r.CacheSaved), r.CostSource, reported, r.ReportedCurrency, r.Card, boolInt(r.Estimated), r.ResponseID)
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// RollupKeyColumns and RollupValueColumns are the columns of usage_rollups.
var (
	RollupKeyColumns   = []string{"grain", "bucket_ms", "dim", "value", "provider", "model", "service", "currency"}
	RollupValueColumns = append(append([]string{"calls", "errors", "unpriced"}, TokenColumnsList()...),
		"cost_nanos", "cache_saved_nanos", "duration_ms", "ttft_ms", "ttft_count")
)

// TokenColumnsList returns the token column names (for package-level
// initialisation order).
func TokenColumnsList() []string {
	var cols []string
	for m := meter.Meter(0); m < meter.Count; m++ {
		if m != meter.Request {
			cols = append(cols, "tok_"+m.String())
		}
	}
	return cols
}

// RollupArgs appends a rollup row's values, key columns first.
func RollupArgs(args []any, k RollupKey, v *RollupValues) []any {
	args = append(args, k.Grain, k.BucketMs, k.Dim, k.Value, k.Provider, k.Model, k.Service, k.Currency, v.Calls, v.Errors, v.Unpriced)
	for _, t := range v.Tokens {
		args = append(args, t)
	}
	return append(args, v.Cost, v.CacheSaved, v.DurationMs, v.TTFTMs, v.TTFTCount)
}

// Grains of the rollups. Weeks start on Monday 00:00 UTC (ISO weeks);
// only dimensions with many values have week rows (WeeklyDimension).
const (
	GrainHour = "h"
	GrainDay  = "d"
	GrainWeek = "w"
)

// GrainDuration is the length of a grain's buckets.
func GrainDuration(grain string) time.Duration {
	switch grain {
	case GrainWeek:
		return 7 * 24 * time.Hour
	case GrainDay:
		return 24 * time.Hour
	}
	return time.Hour
}

// BucketStart is the start of the bucket of grain that t falls in. Time's
// zero, 1 January of year 1, was a Monday, so truncating to whole weeks
// gives ISO weeks.
func BucketStart(t time.Time, grain string) time.Time {
	return t.UTC().Truncate(GrainDuration(grain))
}

// RollupKey identifies a rollup row: a time bucket, one dimension value
// (Dim "" is the total over all values), and the fixed breakdowns.
type RollupKey struct {
	Grain    string
	BucketMs int64
	Dim      string
	Value    string
	Provider string
	Model    string
	Service  string
	Currency string
}

// RollupValues are the sums of a rollup row.
type RollupValues struct {
	Calls, Errors, Unpriced int64
	Tokens                  [meter.Count - 1]int64
	Cost                    int64
	CacheSaved              int64
	DurationMs              int64
	TTFTMs, TTFTCount       int64
}

// Rollups aggregates records in memory: the rows a batch adds to each
// rollup key, so that a batch costs one upsert per key, not per record.
//
// A record adds to three kinds of rows: the total of its hour and of its
// day, by provider, model, service and currency (Dim ""); and, for each
// dimension, the row of its day and value by currency alone, and of its
// hour too for the dimensions with few values (HourlyDimension), and of its
// week too for users (WeeklyDimension). Dimension rows are not by
// provider, model or service, and a user or a session has no hourly rows:
// such a value has about as many hours with calls as it has calls, so
// those rows would be as many as the records, make every batch pay for
// them, and answer nothing faster.
//
// Add sums each record into groups by hour: one of the total (by
// provider, model, service and currency) and one per dimension (by value
// and currency); Rows spreads each group over the rows of its hour, day
// and week. One lookup per dimension and one for the total, of small
// keys, instead of one per row of the whole key.
type Rollups struct {
	totals map[totalGroup]*RollupValues
	dims   map[dimGroup]*RollupValues
}

type totalGroup struct {
	hourMs                             int64
	provider, model, service, currency string
}

type dimGroup struct {
	hourMs          int64
	dim             int
	value, currency string
}

// Add adds one inserted record to every rollup it belongs to.
func (r *Rollups) Add(rec *usage.Record) {
	if r.totals == nil {
		r.totals = make(map[totalGroup]*RollupValues)
		r.dims = make(map[dimGroup]*RollupValues)
	}
	hour := BucketStart(time.UnixMilli(rec.StartMillis()), GrainHour).UnixMilli()
	sum(r.totals, totalGroup{hourMs: hour, provider: rec.Provider, model: rec.Model, service: rec.Service, currency: rec.Currency}).add(rec)
	for d, v := range rec.Dims.Values() {
		sum(r.dims, dimGroup{hourMs: hour, dim: d, value: v, currency: rec.Currency}).add(rec)
	}
}

// sum returns the sums of key k in m, adding them if new.
func sum[K comparable](m map[K]*RollupValues, k K) *RollupValues {
	v := m[k]
	if v == nil {
		v = &RollupValues{}
		m[k] = v
	}
	return v
}

// Rows returns the sums of every rollup row the added records belong to.
// Hours nest in days and days in weeks, so a group's hour tells them.
func (r *Rollups) Rows() map[RollupKey]*RollupValues {
	rows := make(map[RollupKey]*RollupValues, 2*len(r.totals)+len(r.dims))
	for g, v := range r.totals {
		k := RollupKey{Grain: GrainHour, BucketMs: g.hourMs, Provider: g.provider, Model: g.model, Service: g.service, Currency: g.currency}
		sum(rows, k).Merge(v, 1)
		k.Grain, k.BucketMs = GrainDay, BucketStart(time.UnixMilli(g.hourMs), GrainDay).UnixMilli()
		sum(rows, k).Merge(v, 1)
	}
	for g, v := range r.dims {
		start := time.UnixMilli(g.hourMs)
		k := RollupKey{Grain: GrainDay, BucketMs: BucketStart(start, GrainDay).UnixMilli(), Dim: usage.DimensionNames[g.dim], Value: g.value, Currency: g.currency}
		sum(rows, k).Merge(v, 1)
		switch dimGrains[g.dim] {
		case GrainHour:
			k.Grain, k.BucketMs = GrainHour, g.hourMs
			sum(rows, k).Merge(v, 1)
		case GrainWeek:
			k.Grain, k.BucketMs = GrainWeek, BucketStart(start, GrainWeek).UnixMilli()
			sum(rows, k).Merge(v, 1)
		}
	}
	return rows
}

// dimGrains is, in DimensionNames order, the grain each dimension has
// rollup rows of beside days: hours for those whose values are few
// (teams, departments, session types, features, API keys), weeks for
// users, so that a month's ranking of a thousand users reads a fifth of
// the rows. Sessions have days only: most last minutes, so their week
// rows would be as many as their day rows.
var dimGrains = func() (m [len(usage.DimensionNames)]string) {
	for i, n := range usage.DimensionNames {
		switch n {
		case "user":
			m[i] = GrainWeek
		case "session":
		default:
			m[i] = GrainHour
		}
	}
	return m
}()

func dimGrain(name string) string {
	for i, n := range usage.DimensionNames {
		if n == name {
			return dimGrains[i]
		}
	}
	return ""
}

// HourlyDimension reports whether the dimension name has hourly rollup
// rows as well as daily ones.
func HourlyDimension(name string) bool { return dimGrain(name) == GrainHour }

// WeeklyDimension reports whether the dimension name has weekly rollup
// rows as well as daily ones.
func WeeklyDimension(name string) bool { return dimGrain(name) == GrainWeek }

// IndexedDimension reports whether the records are indexed by the
// dimension's value and start (usage_records_user, usage_records_session):
// the dimensions with many values, whose calls are read value by value.
func IndexedDimension(name string) bool { return name == "user" || name == "session" }

func (v *RollupValues) add(rec *usage.Record) {
	v.Calls++
	if rec.Failed() {
		v.Errors++
	}
	if genaiconv.Unpriced(rec.Status) {
		v.Unpriced++
	}
	for i, m := range TokenMeters {
		v.Tokens[i] += rec.Tokens[m]
	}
	v.Cost += int64(rec.Cost)
	v.CacheSaved += int64(rec.CacheSaved)
	v.DurationMs += rec.Duration.Milliseconds()
	if rec.TTFT.Milliseconds() > 0 { // as the records count it: whole milliseconds
		v.TTFTMs += rec.TTFT.Milliseconds()
		v.TTFTCount++
	}
}

// Merge adds o to v, times sign (1 to add, -1 to take away).
func (v *RollupValues) Merge(o *RollupValues, sign int64) {
	v.Calls += sign * o.Calls
	v.Errors += sign * o.Errors
	v.Unpriced += sign * o.Unpriced
	for i := range v.Tokens {
		v.Tokens[i] += sign * o.Tokens[i]
	}
	v.Cost += sign * o.Cost
	v.CacheSaved += sign * o.CacheSaved
	v.DurationMs += sign * o.DurationMs
	v.TTFTMs += sign * o.TTFTMs
	v.TTFTCount += sign * o.TTFTCount
}

// UnpricedSQL is genaiconv.Unpriced as an SQL condition on the status column.
const UnpricedSQL = "status IN ('" + genaiconv.StatusUnpriced + "', '" + genaiconv.StatusInvalid + "')"

// Placeholders returns n "?" placeholders separated by ", ".
func Placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// Join joins names with ", ", each with a prefix: Join("excluded.", cols).
func Join(prefix string, names []string) string {
	var sb strings.Builder
	for i, n := range names {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(prefix)
		sb.WriteString(n)
	}
	return sb.String()
}

// WeekRowsSQL builds the week rows of the weekly dimensions from their
// day rows, for a store written before weeks had rows (both dialects:
// integer arithmetic only). Days nest in weeks, so the sums are exact.
// The week of a day is its start less the days since the last Monday;
// the epoch's first Monday is 1970-01-05, and the double modulo keeps
// days before it in the right week.
func WeekRowsSQL() string {
	const week, monday = "604800000", "345600000"
	var dims []string
	for i, g := range dimGrains {
		if g == GrainWeek {
			dims = append(dims, "'"+usage.DimensionNames[i]+"'")
		}
	}
	start := "bucket_ms - (((bucket_ms - " + monday + ") % " + week + ") + " + week + ") % " + week
	keys := Join("", RollupKeyColumns[2:])
	sums := make([]string, len(RollupValueColumns))
	for i, c := range RollupValueColumns {
		sums[i] = "SUM(" + c + ")"
	}
	return "INSERT INTO usage_rollups (" + Join("", RollupKeyColumns) + ", " + Join("", RollupValueColumns) + ")" +
		" SELECT '" + GrainWeek + "', " + start + ", " + keys + ", " + strings.Join(sums, ", ") +
		" FROM usage_rollups WHERE grain = '" + GrainDay + "' AND dim IN (" + strings.Join(dims, ", ") + ")" +
		" GROUP BY " + start + ", " + keys
}
