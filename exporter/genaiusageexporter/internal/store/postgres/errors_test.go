package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
)

func TestUnavailableCodes(t *testing.T) {
	for code, want := range map[string]bool{
		"08006": true, "57P01": true, "57P03": true, "57014": true, "53300": true,
		"42P01": false, "23505": false, "22003": false,
	} {
		assert.Equal(t, want, unavailable(&pgconn.PgError{Code: code}), code)
	}
	assert.False(t, unavailable(errors.New("other")))
}

func TestClosedStoreIsUnavailable(t *testing.T) {
	s := openDSN(t, freshDB(t))
	ctx := context.Background()
	_, err := s.Summary(ctx, store.Filter{})
	assert.NoError(t, err)
	assert.NoError(t, s.Close())
	_, err = s.Summary(ctx, store.Filter{})
	assert.ErrorIs(t, err, store.ErrUnavailable)
}
