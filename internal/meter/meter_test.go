package meter

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNames(t *testing.T) {
	seen := map[string]bool{}
	for m := Meter(0); m < Count; m++ {
		n := m.String()
		assert.NotEmpty(t, n)
		assert.False(t, seen[n], "duplicate name %s", n)
		seen[n] = true
		back, ok := ByName(n)
		assert.True(t, ok)
		assert.Equal(t, m, back)
	}
	_, ok := ByName("nope")
	assert.False(t, ok)
	assert.Equal(t, "unknown", Count.String())
}

func TestSet(t *testing.T) {
	var s Set
	s = s.Add(CacheRead).Add(Request)
	assert.True(t, s.Has(CacheRead))
	assert.True(t, s.Has(Request))
	assert.False(t, s.Has(Input))
}
