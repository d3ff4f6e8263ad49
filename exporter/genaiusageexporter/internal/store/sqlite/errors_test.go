package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/storetest"
)

// A store that fails is unavailable (503) only when it cannot answer now:
// closed, busy or locked; a table gone is a failure (500).
func TestUnavailableErrors(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "usage.db")
	s, err := Open(ctx, path)
	require.NoError(t, err)
	recs := storetest.Records(3, 10, 2)
	_, err = s.Write(ctx, recs, nil)
	require.NoError(t, err)

	_, err = s.db.ExecContext(ctx, "DROP TABLE usage_records")
	require.NoError(t, err)
	_, _, err = s.Records(ctx, store.Filter{}, store.Page{Limit: 1})
	require.Error(t, err)
	assert.NotErrorIs(t, err, store.ErrUnavailable)

	require.NoError(t, s.Close())
	_, err = s.Summary(ctx, store.Filter{})
	assert.ErrorIs(t, err, store.ErrUnavailable)
	_, err = s.Write(ctx, recs, nil)
	assert.ErrorIs(t, err, store.ErrUnavailable)

	for code, want := range map[int]bool{sqliteBusy: true, sqliteLocked: true, sqliteBusy | 2<<8: true, sqliteCantOpen: true, 1: false, 19: false} {
		assert.Equal(t, want, unavailable(codeError(code)), "code %d", code)
	}
}

type codeError int

func (e codeError) Error() string { return "sqlite error" }
func (e codeError) Code() int     { return int(e) }
