package usage

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIDRoundTrip(t *testing.T) {
	r := Record{Start: time.UnixMilli(1764000000123).UTC()}
	copy(r.TraceID[:], []byte{0xab, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0xff})
	copy(r.SpanID[:], []byte{1, 2, 3, 4, 5, 6, 7, 0xfe})
	id := r.ID()
	assert.Equal(t, "1764000000123-ab0102030405060708090a0b0c0d0eff-01020304050607fe", id)
	ms, trace, span, err := ParseID(id)
	require.NoError(t, err)
	assert.Equal(t, r.StartMillis(), ms)
	assert.Equal(t, r.TraceID, trace)
	assert.Equal(t, r.SpanID, span)

	for _, bad := range []string{"", "1-2-3", "x-ab0102030405060708090a0b0c0d0eff-01020304050607fe",
		"1-zz0102030405060708090a0b0c0d0eff-01020304050607fe", "1-ab0102030405060708090a0b0c0d0eff-0102030405060zfe",
		"1-ab0102030405060708090a0b0c0d0eff-01020304050607fe-1"} {
		_, _, _, err := ParseID(bad)
		assert.ErrorIs(t, err, ErrBadID, bad)
	}
}
