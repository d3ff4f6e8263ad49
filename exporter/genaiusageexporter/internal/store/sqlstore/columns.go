package sqlstore

import (
	"slices"
	"strings"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// The schema vocabulary of the SQL backends: column names, row values,
// placeholders and the SQL that both dialects share.

// TokenMeters are the meters with a token column; TokenColumns and
// CostColumns name the per-meter columns: tok_<meter> for every meter but
// the request, cost_<meter> for every meter.
var (
	TokenMeters  = meters(func(m meter.Meter) bool { return m != meter.Request })
	TokenColumns = columns("tok_", TokenMeters)
	CostColumns  = columns("cost_", meters(func(meter.Meter) bool { return true }))
)

// meters returns the meters that keep says to, in order.
func meters(keep func(meter.Meter) bool) []meter.Meter {
	var ms []meter.Meter
	for m := meter.Meter(0); m < meter.Count; m++ {
		if keep(m) {
			ms = append(ms, m)
		}
	}
	return ms
}

// columns names a column per meter: prefix and the meter's name.
func columns(prefix string, ms []meter.Meter) []string {
	cols := make([]string, len(ms))
	for i, m := range ms {
		cols[i] = prefix + m.String()
	}
	return cols
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
	cols = append(cols, "provider", "model", "request_model", "response_model", "operation", "raw_operation", "streaming", "status", "reason", "error_type")
	cols = append(cols, TokenColumns...)
	cols = append(cols, CostColumns...)
	cols = append(cols, "cost_nanos", "currency", "cache_saved_nanos", "cost_source", "reported_nanos", "reported_currency", "card", "estimated", "response_id")
	return append(cols, "service_tier", "list_nanos", "contract", "multiplier", "fx_rate", "source_nanos", "source_currency", "reconcile", "computed_nanos")
}

// RecordArgs appends a record's column values, in RecordColumns order.
// Booleans are 0 or 1; a missing reported cost is nil.
func RecordArgs(args []any, r *usage.Record) []any {
	args = append(args, r.StartMillis(), r.TraceID[:], r.SpanID[:], r.Duration.Milliseconds(), r.TTFT.Milliseconds(), r.Service, r.Environment)
	for _, v := range r.Dims.Values() {
		args = append(args, v)
	}
	args = append(args, r.Provider, r.Model, r.RequestModel, r.ResponseModel, r.Operation, r.RawOperation, boolInt(r.Streaming), r.Status, r.Reason, r.ErrorType)
	for _, m := range TokenMeters {
		args = append(args, r.Tokens[m])
	}
	for m := meter.Meter(0); m < meter.Count; m++ {
		args = append(args, int64(r.CostByMeter[m]))
	}
	// A list cost equal to the cost is NULL, as in the records stored
	// before v8 (ListCostSQL): nothing to box or store for most calls.
	var reported, source, computed, list any
	if r.ListCost != r.Cost {
		list = int64(r.ListCost)
	}
	if r.HasReported {
		reported = int64(r.Reported)
	}
	if r.FXRate != "" {
		source = int64(r.SourceCost)
	}
	if r.Reconcile != "" {
		computed = int64(r.ComputedCost)
	}
	args = append(args, int64(r.Cost), r.Currency, int64(r.CacheSaved), r.CostSource, reported, r.ReportedCurrency, r.Card, boolInt(r.Estimated), r.ResponseID)
	return append(args, r.ServiceTier, list, r.Contract, r.Multiplier, r.FXRate, source, r.SourceCurrency, r.Reconcile, computed)
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// RollupKeyColumns and RollupValueColumns are the columns of usage_rollups,
// its key in the primary key's order.
var (
	RollupKeyColumns   = []string{"grain", "dim", "bucket_ms", "value", "provider", "model", "service", "environment", "currency"}
	RollupValueColumns = append(slices.Clone(rollupValueColumnsV1), "list_nanos", "estimated_calls", "estimated_nanos")
)

// The columns of usage_rollups as the migrations written before a change
// of them knew them: its key before the environment (schema v7), its
// values before the list cost (schema v8). Released migrations must not
// change with the schema.
var (
	rollupKeyColumnsV1   = []string{"grain", "bucket_ms", "dim", "value", "provider", "model", "service", "currency"}
	rollupValueColumnsV1 = append(append([]string{"calls", "errors", "unpriced"}, TokenColumns...),
		"cost_nanos", "cache_saved_nanos", "duration_ms", "ttft_ms", "ttft_count")
)

// RollupArgs appends a rollup row's values, key columns first.
func RollupArgs(args []any, k RollupKey, v *RollupValues) []any {
	args = append(args, k.Grain, k.Dim, k.BucketMs, k.Value, k.Provider, k.Model, k.Service, k.Environment, k.Currency, v.Calls, v.Errors, v.Unpriced)
	for _, t := range v.Tokens {
		args = append(args, t)
	}
	return append(args, v.Cost, v.CacheSaved, v.DurationMs, v.TTFTMs, v.TTFTCount, v.List, v.EstimatedCalls, v.EstimatedCost)
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
		if g == store.GrainWeek {
			dims = append(dims, "'"+usage.DimensionNames[i]+"'")
		}
	}
	start := "bucket_ms - (((bucket_ms - " + monday + ") % " + week + ") + " + week + ") % " + week
	keys := Join("", rollupKeyColumnsV1[2:])
	sums := make([]string, len(rollupValueColumnsV1))
	for i, c := range rollupValueColumnsV1 {
		sums[i] = "SUM(" + c + ")"
	}
	return "INSERT INTO usage_rollups (" + Join("", rollupKeyColumnsV1) + ", " + Join("", rollupValueColumnsV1) + ")" +
		" SELECT '" + store.GrainWeek + "', " + start + ", " + keys + ", " + strings.Join(sums, ", ") +
		" FROM usage_rollups WHERE grain = '" + store.GrainDay + "' AND dim IN (" + strings.Join(dims, ", ") + ")" +
		" GROUP BY " + start + ", " + keys
}
