package api_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/api/apitest"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/budgets"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/sqlite"
	"github.com/otelcol-genai/otelcol-genai/internal/budget"
)

// TestBudgetChanges: the budget change routes over real HTTP on SQLite,
// two servers on one store.
func TestBudgetChanges(t *testing.T) {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "usage.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	apitest.RunChanges(t, s, s)
	apitest.NoAdmin(t, s)
}

// The budget gauges count stored budgets beside the configured ones.
func TestGaugesOfStoredBudgets(t *testing.T) {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "usage.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	m := &budgets.Managed{Config: apitest.Configured(t), Store: s}
	_, err = m.Create(t.Context(), budget.Spec{ID: "stored-weekly", Period: budget.Period{Kind: budget.Week}, Limit: "3", Currency: "USD"}, "test", apitest.Now)
	require.NoError(t, err)
	samples, err := budgets.New(s, m, 0).Samples(t.Context(), apitest.Now, 10)
	require.NoError(t, err)
	var ids []string
	for _, smp := range samples {
		ids = append(ids, smp.Budget)
	}
	assert.Equal(t, []string{"config-daily", "stored-weekly"}, ids)
}
