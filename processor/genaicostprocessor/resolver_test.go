package genaicostprocessor

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/internal/normalize"
)

// A stream of ever new model names must neither grow the resolution cache
// without bound nor change what a known model resolves to.
func TestResolverCacheBounded(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cat, err := cfg.loadCatalog()
	require.NoError(t, err)
	r := newResolver(cat, cfg.Aliases)

	known := normalize.Call{Providers: [6]string{"openai"}, NProv: 1, ResponseModel: "gpt-4o-mini"}
	want := r.resolve(&known)
	require.NotNil(t, want.Model)

	for i := range 3 * maxResolved {
		c := normalize.Call{Providers: [6]string{"openai"}, NProv: 1, ResponseModel: fmt.Sprintf("no-such-model-%d", i)}
		assert.Nil(t, r.resolve(&c).Model)
		assert.LessOrEqual(t, r.size.Load(), int64(maxResolved))
	}
	got := r.resolve(&known)
	require.NotNil(t, got.Model)
	assert.Equal(t, want.Model.ID, got.Model.ID)
}
