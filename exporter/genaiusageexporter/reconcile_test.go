package genaiusageexporter

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// Calls whose emitter reported a cost (OpenLIT's gen_ai.usage.cost, in
// dollars), priced by the real processor: one agrees, one is 5 % off,
// one was reported in milli-dollars (a thousand times the cost). Each
// record says how its reported cost compares; the reconciliation route
// sums them per model, and the metrics count them, on both stores.
func TestExporterReconciles(t *testing.T) {
	onEachStore(t, func(t *testing.T, cfg *Config) {
		run := startExporter(t, cfg)
		// Each call: 0.15 + 0.015 + 0.06 = 0.225 USD at list prices.
		for i, reported := range []float64{0.225, 0.23625, 225} {
			td := chargingCall(time.Date(2026, 11, 20, 12, i, 0, 0, time.UTC), byte(i+1), "alice")
			td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().PutDouble("gen_ai.usage.cost", reported)
			require.NoError(t, run.exp.ConsumeTraces(context.Background(), priceTraces(t, td)[0]))
		}
		recs := exportRecords(t, run.impl.store)
		require.Len(t, recs, 3)
		for i, want := range []string{"match", "mismatch", "unit"} {
			assert.Equal(t, want, recs[i].Reconcile, "call %d", i)
			assert.Equal(t, money.Nanos(225_000_000), recs[i].ComputedCost)
			assert.Equal(t, money.Nanos(225_000_000), recs[i].Cost, "the computed cost is kept, never the reported one")
		}
		var got struct {
			Groups []struct {
				Provider, Model, Currency      string
				Calls, Match, Mismatch, Unit   int64
				Reported, Computed, Difference string
			} `json:"groups"`
		}
		api := "http://" + run.impl.addrs["api"] + "/api/v1/usage/reconciliation?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z"
		require.Equal(t, http.StatusOK, get(t, api, &struct {
			Data any `json:"data"`
		}{&got}))
		require.Len(t, got.Groups, 1)
		g := got.Groups[0]
		assert.Equal(t, [4]int64{3, 1, 1, 1}, [4]int64{g.Calls, g.Match, g.Mismatch, g.Unit})
		assert.Equal(t, "USD", g.Currency)
		assert.Equal(t, "225.46125", g.Reported)
		assert.Equal(t, "0.675", g.Computed)
		assert.Equal(t, "224.78625", g.Difference)

		fams := scrape(t, run)
		assert.InDelta(t, 3, counterSum(fams["genai_usage_reconciled_calls_total"]), 0)
		assert.InDelta(t, 225.46125, counterSum(fams["genai_usage_reported_cost_total"]), 1e-9)
		assert.InDelta(t, 0.675, counterSum(fams["genai_usage_reported_computed_cost_total"]), 1e-9)
	})
}
