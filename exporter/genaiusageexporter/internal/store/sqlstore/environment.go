package sqlstore

import (
	"strings"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
)

// The environment in the rollups (schema v7). Until v7 the total rows of
// usage_rollups were by provider, model, service and currency; from v7
// they are by environment too, so that a filter or a budget on the
// environment reads them like one on the service.

// RollupsPrimaryKeyV7 is the primary key of usage_rollups from schema v7.
func RollupsPrimaryKeyV7() string { return "PRIMARY KEY (" + Join("", RollupKeyColumns) + ")" }

// RollupColumnsV1 lists the columns of usage_rollups before v7, to copy
// its rows into a table of the v7 shape.
func RollupColumnsV1() string {
	return Join("", rollupKeyColumnsV1) + ", " + Join("", rollupValueColumnsV1)
}

// RebuildTotalsSQL sums the total rows (dim ”) again by environment:
// the environment of the rows before v7 is unknown, and the records know
// it. The hours that the records cover whole (from retention's
// records_since_ms on) are summed from the records, with the reader's own
// sums (recordAggregates), so a rebuilt row holds what the records would
// answer; earlier hours keep an empty environment, since their records,
// and with them the environment of their calls, are gone. The days from
// that of records_since_ms on are summed from their hours, so that days
// and hours agree on every call's environment.
func RebuildTotalsSQL() string {
	since := "(SELECT records_since_ms FROM usage_retention WHERE id = 1)"
	hour, day := truncate("ts_ms", hourMs), truncate("bucket_ms", dayMs)
	values := make([]string, len(rollupValueColumnsV1))
	for i, c := range rollupValueColumnsV1 {
		values[i] = Sum(c)
	}
	cols := Join("", RollupKeyColumns) + ", " + Join("", rollupValueColumnsV1)
	groups := "provider, model, service, environment, currency"
	return strings.Join([]string{
		"DELETE FROM usage_rollups WHERE dim = '' AND grain = '" + store.GrainHour + "' AND bucket_ms >= " + since,
		"INSERT INTO usage_rollups (" + cols + ") SELECT '" + store.GrainHour + "', '', " + hour + ", '', " + groups + ", " + recordAggregatesV1 +
			" FROM usage_records WHERE ts_ms >= " + since + " AND " + hour + " >= " + since +
			" GROUP BY " + hour + ", " + groups,
		"DELETE FROM usage_rollups WHERE dim = '' AND grain = '" + store.GrainDay + "' AND bucket_ms >= " + truncate(since, dayMs),
		"INSERT INTO usage_rollups (" + cols + ") SELECT '" + store.GrainDay + "', '', " + day + ", '', " + groups + ", " + strings.Join(values, ", ") +
			" FROM usage_rollups WHERE dim = '' AND grain = '" + store.GrainHour + "' AND bucket_ms >= " + truncate(since, dayMs) +
			" GROUP BY " + day + ", " + groups,
	}, ";\n") + ";"
}
