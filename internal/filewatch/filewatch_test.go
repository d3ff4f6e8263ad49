package filewatch

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func write(t *testing.T, path, text string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
}

func TestChanges(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	write(t, a, "one")
	write(t, b, "two")
	w := New([]string{a, b})
	assert.Nil(t, w.Check(), "nothing changed")

	write(t, a, "uno") // same size; the time may or may not move
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(a, old, old))
	assert.Equal(t, []string{a}, w.Check(), "new content, same size")
	assert.Nil(t, w.Check(), "seen once")

	now := time.Now()
	require.NoError(t, os.Chtimes(b, now, now))
	assert.Nil(t, w.Check(), "a touch is no change")

	require.NoError(t, os.Remove(b))
	assert.Equal(t, []string{b}, w.Check(), "gone")
	assert.Nil(t, w.Check(), "still gone: said once")
	write(t, b, "two")
	assert.Equal(t, []string{b}, w.Check(), "back")
}

// A Kubernetes ConfigMap volume: the file is a symlink through "..data" to
// a timestamped directory; an update writes a new directory and swaps the
// "..data" symlink. The old file is untouched (same size and time).
func TestConfigMapSwap(t *testing.T) {
	dir := t.TempDir()
	stamp := time.Now().Add(-time.Hour)
	version := func(name, text string) {
		require.NoError(t, os.Mkdir(filepath.Join(dir, name), 0o700))
		p := filepath.Join(dir, name, "prices.yaml")
		write(t, p, text)
		require.NoError(t, os.Chtimes(p, stamp, stamp)) // the same time as the other version
	}
	swap := func(name string) {
		tmp := filepath.Join(dir, "..data_tmp")
		require.NoError(t, os.Symlink(name, tmp))
		require.NoError(t, os.Rename(tmp, filepath.Join(dir, "..data")))
	}
	version("..2026_12_01", "rate: 1")
	swap("..2026_12_01")
	path := filepath.Join(dir, "prices.yaml")
	require.NoError(t, os.Symlink(filepath.Join("..data", "prices.yaml"), path))

	w := New([]string{path})
	version("..2026_12_02", "rate: 2") // same size, same time, another inode
	swap("..2026_12_02")
	require.NoError(t, os.RemoveAll(filepath.Join(dir, "..2026_12_01")))
	assert.Equal(t, []string{path}, w.Check())
	assert.Nil(t, w.Check())
}
