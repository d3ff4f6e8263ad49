package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCommitted holds config/grafana to the generator: the committed
// dashboards are its output, byte for byte. After changing dashboards.go,
// run `make dashboards` and commit both.
func TestCommitted(t *testing.T) {
	for _, d := range All() {
		want, err := JSON(d)
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join("..", "..", "..", "config", "grafana", d.File))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "config/grafana/%s differs from the generator's output: run make dashboards", d.File)
	}
}
