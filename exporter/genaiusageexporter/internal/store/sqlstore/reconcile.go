package sqlstore

import (
	"cmp"
	"context"
	"slices"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/reconcile"
)

// Reconciliation answers store.Querier.Reconciliation from the records:
// few calls carry a reported cost, and the rollups do not sum it.
func (r *Reader) Reconciliation(ctx context.Context, f store.Filter) ([]store.ReconciliationGroup, error) {
	c, err := recordClause(&f)
	if err != nil {
		return nil, err
	}
	c.add("reconcile <> ''")
	compared := "reconcile IN ('" + reconcile.Match + "', '" + reconcile.Mismatch + "', '" + reconcile.Unit + "')"
	count := func(result string) string { return Sum("CASE WHEN reconcile = '" + result + "' THEN 1 ELSE 0 END") }
	q := "SELECT provider, model, reported_currency, COUNT(*), " + count(reconcile.Match) + ", " + count(reconcile.Mismatch) + ", " +
		count(reconcile.Unit) + ", " + count(reconcile.Currency) + ", " +
		Sum("CASE WHEN "+compared+" THEN reported_nanos ELSE 0 END") + ", " + Sum("CASE WHEN "+compared+" THEN computed_nanos ELSE 0 END") +
		" FROM usage_records" + c.where() + " GROUP BY provider, model, reported_currency"
	rows, err := r.DB.QueryContext(ctx, r.Rebind(q), c.args...)
	if err != nil {
		return nil, r.errorf("reconciliation: %w", err)
	}
	defer rows.Close()
	out := []store.ReconciliationGroup{}
	for rows.Next() {
		var g store.ReconciliationGroup
		var reported, computed int64
		if err := rows.Scan(&g.Provider, &g.Model, &g.Currency, &g.Calls, &g.Match, &g.Mismatch, &g.Unit, &g.OtherCurrency, &reported, &computed); err != nil {
			return nil, r.errorf("reconciliation: %w", err)
		}
		g.Reported, g.Computed = money.Nanos(reported), money.Nanos(computed)
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, r.errorf("reconciliation: %w", err)
	}
	sortGroups(out)
	return out, nil
}

// sortGroups orders groups by provider, model and currency, in byte order
// (the same on both databases, whatever their collation).
func sortGroups(gs []store.ReconciliationGroup) {
	slices.SortFunc(gs, func(a, b store.ReconciliationGroup) int {
		return cmp.Or(cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.Model, b.Model), cmp.Compare(a.Currency, b.Currency))
	})
}
