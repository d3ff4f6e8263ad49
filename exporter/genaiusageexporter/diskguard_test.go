package genaiusageexporter

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"
)

// The guard refuses calls while a watched disk is under its minimum, reads
// free space at most once a second, and takes calls again once space is
// back; a path it cannot read never refuses.
func TestDiskGuard(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Store.SQLite.Path = "/data/usage.db"
	cfg.DiskGuard.Paths = []string{"/queue", "/not-there"}
	g := newDiskGuard(cfg, zap.NewNop())
	require.NotNil(t, g)
	assert.Equal(t, []string{"/queue", "/not-there", "/data"}, g.paths)
	free := map[string]int64{"/queue": 1 << 30, "/data": 1 << 30}
	reads := 0
	g.free = func(p string) (int64, error) {
		reads++
		if n, ok := free[p]; ok {
			return n, nil
		}
		return 0, errors.New("no such directory")
	}
	clock := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)
	g.now = func() time.Time { return clock }
	guarded := &guardedTraces{Traces: nopTraces(t), guard: g}
	ctx := context.Background()

	require.NoError(t, guarded.ConsumeTraces(ctx, ptrace.NewTraces()))
	free["/data"] = 10 << 20
	require.NoError(t, guarded.ConsumeTraces(ctx, ptrace.NewTraces()), "read a second ago: not read again yet")
	assert.Equal(t, 3, reads)
	clock = clock.Add(time.Second)
	err := guarded.ConsumeTraces(ctx, ptrace.NewTraces())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "10485760 bytes free on the filesystem of /data, under disk_guard.min_free_bytes (67108864)")
	free["/data"] = 1 << 30
	clock = clock.Add(time.Second)
	require.NoError(t, guarded.ConsumeTraces(ctx, ptrace.NewTraces()), "space is back")

	// The store is written down to half the minimum: draining the queue
	// goes on while new calls are refused, then stops.
	free["/data"] = 40 << 20
	require.NoError(t, g.storeLow())
	free["/data"] = 20 << 20
	require.ErrorContains(t, g.storeLow(), "the store is not written until space is freed")
	free["/queue"], free["/data"] = 1<<20, 1<<30
	require.NoError(t, g.storeLow(), "only the SQLite file's disk stops the store")

	cfg.DiskGuard.MinFreeBytes = 0
	assert.Nil(t, newDiskGuard(cfg, zap.NewNop()), "0 turns it off")
	var off *diskGuard
	require.NoError(t, off.storeLow())
}

// The real free space of a real directory is read.
func TestFreeBytes(t *testing.T) {
	n, err := freeBytes(filepath.Clean(t.TempDir()))
	require.NoError(t, err)
	assert.Positive(t, n)
}

// sinkExporter is an exporter that keeps what it is given.
type sinkExporter struct {
	component.StartFunc
	component.ShutdownFunc
	*consumertest.TracesSink
}

func nopTraces(*testing.T) sinkExporter {
	return sinkExporter{TracesSink: new(consumertest.TracesSink)}
}
