package api_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/api/apitest"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/sqlite"
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
