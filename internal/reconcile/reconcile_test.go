package reconcile

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

func TestCheck(t *testing.T) {
	tol, ok := ParseTolerance("0.02")
	require.True(t, ok)
	const usd = money.NanosPerUnit
	for _, c := range []struct {
		reported, computed money.Nanos
		want               string
	}{
		{225_000_000, 225_000_000, Match},
		{229_500_000, 225_000_000, Match},    // +2 % exactly
		{229_500_001, 225_000_000, Mismatch}, // just over
		{220_500_000, 225_000_000, Match},    // -2 %
		{300, 1000, Match},                   // under the floor of a millionth
		{225 * usd, 225_000_000, Unit},       // dollars reported as thousandths
		{225_000, 225_000_000, Unit},         // a thousand times too small
		{225, 225_000_000, Unit},             // a million times too small
		{2 * 225 * usd, 225_000_000, Mismatch},
		{0, 225_000_000, Mismatch}, // a reported zero for a priced call
	} {
		assert.Equal(t, c.want, Check(c.reported, c.computed, tol), "%d vs %d", c.reported, c.computed)
	}
	for _, bad := range []string{"-0.1", "1.5", "x", ""} {
		_, ok := ParseTolerance(bad)
		assert.False(t, ok, bad)
	}
}
