package genaiusageexporter

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"
)

// DiskGuardConfig refuses new calls while a data directory's filesystem is
// nearly full. A persistent queue or a SQLite file that runs out of space
// mid-write can lose what it had accepted (the fault suite's "disk full,
// kill -9" showed the queue's bookkeeping failing); refused calls are
// retried by the client and lose nothing.
type DiskGuardConfig struct {
	// MinFreeBytes is the free space below which calls are refused; 0
	// turns the guard off.
	MinFreeBytes int64 `mapstructure:"min_free_bytes"`
	// Paths are the directories watched, such as file_storage's directory
	// when it is on another filesystem. The SQLite file's directory is
	// always watched.
	Paths []string `mapstructure:"paths"`
}

// defaultMinFreeBytes leaves room for a full queue batch and the SQLite
// journal of one transaction.
const defaultMinFreeBytes = 64 << 20

// diskGuardEvery is how often free space is read, at most: a statfs per
// request would cost more than the check is worth.
const diskGuardEvery = time.Second

// diskGuard reads free space on the watched paths, at most once a second.
// Under min_free_bytes it refuses new calls; under half of it, on the
// SQLite file's disk, it also stops writing to the store (the queue keeps
// the records, retried until space is back): draining a full queue into
// SQLite grows the file, and the queue's own bookkeeping must never be
// the write that finds the disk full (exporterhelper's persistent queue
// drops an item whose dispatch it cannot record).
type diskGuard struct {
	paths   []string
	sqlite  string // the SQLite file's directory; "" for other stores
	min     int64
	free    func(path string) (int64, error)
	now     func() time.Time
	logger  *zap.Logger
	mu      sync.Mutex
	checked time.Time
	low     error // the refusal while space is low; nil otherwise
	logged  time.Time
}

func newDiskGuard(cfg *Config, logger *zap.Logger) *diskGuard {
	g := &diskGuard{min: cfg.DiskGuard.MinFreeBytes, free: freeBytes, now: time.Now, logger: logger}
	if g.min <= 0 {
		return nil
	}
	g.paths = append(g.paths, cfg.DiskGuard.Paths...)
	if cfg.Store.Driver == DriverSQLite {
		g.sqlite = filepath.Dir(cfg.Store.SQLite.Path)
		g.paths = append(g.paths, g.sqlite)
	}
	if len(g.paths) == 0 {
		return nil
	}
	return g
}

// check returns the refusal while a watched path has less free space
// than the minimum; nil otherwise, and when free space cannot be read
// (a path not made yet: the guard never refuses on its own error).
func (g *diskGuard) check() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if !g.checked.IsZero() && now.Sub(g.checked) < diskGuardEvery {
		return g.low
	}
	g.checked, g.low = now, nil
	for _, p := range g.paths {
		free, err := g.free(p)
		if err != nil || free >= g.min {
			continue
		}
		g.low = fmt.Errorf("genai_usage: %d bytes free on the filesystem of %s, under disk_guard.min_free_bytes (%d): new calls are refused until space is freed, so that the queue and the store never run out mid-write (the client retries)", free, p, g.min)
		if now.Sub(g.logged) >= time.Minute {
			g.logger.Warn("Refusing new calls: the disk is nearly full", zap.String("path", p), zap.Int64("free_bytes", free), zap.Int64("min_free_bytes", g.min))
			g.logged = now
		}
		break
	}
	return g.low
}

// storeLow returns an error while the SQLite file's disk has less than
// half of min_free_bytes free: the store is not written, so that the
// queue keeps its room. It reads free space at every call, a statfs per
// batch of thousands of records.
func (g *diskGuard) storeLow() error {
	if g == nil || g.sqlite == "" {
		return nil
	}
	free, err := g.free(g.sqlite)
	if err != nil || free >= g.min/2 {
		return nil
	}
	return fmt.Errorf("genai_usage: %d bytes free on the filesystem of %s, under half of disk_guard.min_free_bytes: the store is not written until space is freed; the queue keeps the records", free, g.sqlite)
}

// guardedTraces refuses calls while the disk guard says space is low,
// before they reach the queue.
type guardedTraces struct {
	exporter.Traces
	guard *diskGuard
}

func (g *guardedTraces) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	if err := g.guard.check(); err != nil {
		return err
	}
	return g.Traces.ConsumeTraces(ctx, td)
}
