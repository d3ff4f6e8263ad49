package sqlstore

import "strings"

// List and actual costs (schema v8). From v8 a record keeps its list cost
// beside its cost, the contract term and the exchange rate that made one
// from the other, and its service tier; the rollups sum the list cost
// too. Records stored before hold NULL as their list cost, which is their
// cost (ListCostSQL): no contract applied then. Adding nullable columns
// or columns with a constant default rewrites no table in either
// database; only the rollups, a small table, are updated.

// NewColumnV8 is a column schema v8 adds; Type "INT" is the dialect's
// 64-bit integer type.
type NewColumnV8 struct{ Table, Column, Type string }

// NewColumnsV8 are the columns schema v8 adds.
var NewColumnsV8 = []NewColumnV8{
	{"usage_records", "service_tier", "TEXT NOT NULL DEFAULT ''"},
	{"usage_records", "list_nanos", "INT"},
	{"usage_records", "contract", "TEXT NOT NULL DEFAULT ''"},
	{"usage_records", "multiplier", "TEXT NOT NULL DEFAULT ''"},
	{"usage_records", "fx_rate", "TEXT NOT NULL DEFAULT ''"},
	{"usage_records", "source_nanos", "INT"},
	{"usage_records", "source_currency", "TEXT NOT NULL DEFAULT ''"},
	{"usage_records", "reconcile", "TEXT NOT NULL DEFAULT ''"},
	{"usage_records", "computed_nanos", "INT"},
	{"usage_rollups", "list_nanos", "INT NOT NULL DEFAULT 0"},
	{"usage_rollups", "estimated_calls", "INT NOT NULL DEFAULT 0"},
	{"usage_rollups", "estimated_nanos", "INT NOT NULL DEFAULT 0"},
}

// Decl is the column's declaration in ALTER TABLE ... ADD COLUMN, with
// intType the dialect's 64-bit integer type.
func (c NewColumnV8) Decl(intType string) string {
	return c.Column + " " + strings.Replace(c.Type, "INT", intType, 1)
}

// CostLifecycleV8SQL is the v8 migration, with intType the dialect's
// 64-bit integer type and idColumn its auto-numbered primary key; it also
// makes the table of repricing runs (RepriceRunsSchema).
func CostLifecycleV8SQL(intType, idColumn string) string {
	var sb strings.Builder
	sb.WriteString(RepriceRunsSchema(idColumn))
	for _, c := range NewColumnsV8 {
		sb.WriteString("ALTER TABLE " + c.Table + " ADD COLUMN " + c.Decl(intType) + ";\n")
	}
	sb.WriteString("UPDATE usage_rollups SET list_nanos = cost_nanos WHERE cost_nanos <> 0;\n")
	for _, q := range estimatedRollupsSQL() {
		sb.WriteString(q + ";\n")
	}
	return sb.String()
}
