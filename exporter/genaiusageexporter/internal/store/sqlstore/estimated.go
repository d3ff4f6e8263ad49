package sqlstore

import (
	"strings"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// estimatedRollupsSQL adds, at schema v8, the estimated calls already
// stored (imported records can carry the flag) to the rollups' new
// estimated_calls and estimated_nanos: for each rollup grain and
// dimension, the estimated records' sums are added to the rows of their
// key, which exist since the records do. Released with v8: frozen.
func estimatedRollupsSQL() []string {
	hour, day := truncate("ts_ms", hourMs), truncate("ts_ms", dayMs)
	const weekMs, monday = "604800000", "345600000"
	week := "(" + day + " - (((" + day + " - " + monday + ") % " + weekMs + ") + " + weekMs + ") % " + weekMs + ")"
	keys := "grain, dim, bucket_ms, value, provider, model, service, environment, currency"
	// The total rows (by environment) exist for the hours v7 summed from
	// their records, from retention's mark on; before it, their rows have
	// no environment, and the records, where left, are in no row of theirs.
	since := " AND " + hour + " >= (SELECT records_since_ms FROM usage_retention WHERE id = 1)"
	add := func(grain, dim, bucket, value, fixed string) string {
		where := "estimated <> 0"
		if dim == "" {
			where += since
		}
		groups := bucket + ", currency"
		if value != "''" {
			groups += ", " + value
		}
		if fixed != "'', '', '', ''" {
			groups += ", provider, model, service, environment"
		}
		return "INSERT INTO usage_rollups (" + keys + ", calls, errors, unpriced, cost_nanos, cache_saved_nanos, duration_ms, ttft_ms, ttft_count, estimated_calls, estimated_nanos)" +
			" SELECT '" + grain + "', '" + dim + "', " + bucket + ", " + value + ", " + fixed + ", currency, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*), SUM(cost_nanos)" +
			" FROM usage_records WHERE " + where + " GROUP BY " + groups +
			" ON CONFLICT (" + strings.Join(RollupKeyColumns, ", ") + ") DO UPDATE SET" +
			" estimated_calls = usage_rollups.estimated_calls + excluded.estimated_calls," +
			" estimated_nanos = usage_rollups.estimated_nanos + excluded.estimated_nanos"
	}
	out := []string{
		add(store.GrainHour, "", hour, "''", "provider, model, service, environment"),
		add(store.GrainDay, "", day, "''", "provider, model, service, environment"),
	}
	for i, name := range usage.DimensionNames {
		col := DimensionColumns[i]
		out = append(out, add(store.GrainDay, name, day, col, "'', '', '', ''"))
		switch dimGrains[i] {
		case store.GrainHour:
			out = append(out, add(store.GrainHour, name, hour, col, "'', '', '', ''"))
		case store.GrainWeek:
			out = append(out, add(store.GrainWeek, name, week, col, "'', '', '', ''"))
		}
	}
	return out
}
