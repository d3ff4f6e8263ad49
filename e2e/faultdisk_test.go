package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// smallDisk mounts a tmpfs of size (mount's size= syntax) at a new
// directory, unmounted when the test ends (after the collector it holds
// has stopped: cleanups run last-registered first). Without the right to
// mount, the test is skipped, unless OTELCOL_GENAI_REQUIRE_FAULTS=1.
func smallDisk(t *testing.T, size string) string {
	dir := filepath.Join(t.TempDir(), "disk")
	require.NoError(t, os.Mkdir(dir, 0o700))
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput()
	if err != nil {
		msg := fmt.Sprintf("cannot mount a tmpfs (needs root): %v: %s", err, strings.TrimSpace(string(out)))
		if requireFaults() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
			_ = exec.Command("umount", "-l", dir).Run()
		}
	})
	return dir
}

func resize(t *testing.T, dir, size string) {
	out, err := exec.Command("mount", "-o", "remount,size="+size, dir).CombinedOutput()
	require.NoError(t, err, "remount: %s", out)
}

// freeBytes is what the filesystem of dir has left.
func freeBytes(dir string) int64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return -1
	}
	return int64(st.Bavail) * st.Bsize
}

// smallDiskSets keep the disk guard's margin (64 MiB by default) to a
// fraction of the tests' 16 MiB filesystems: calls are refused with 3 MiB
// left, the store stops with 1.5 MiB left.
var smallDiskSets = withSets("exporters::genai_usage::disk_guard::min_free_bytes=3145728")

// TestFaultDiskFull runs the collector with its data directory (the SQLite
// store and the persistent queue) on a 16 MiB filesystem and sends until
// it is nearly full: the collector says why in its log and refuses calls
// (the disk guard), and loses none it accepted. Then the filesystem grows, and the collector
// stores what it held, takes new calls again, and the store is exact.
func TestFaultDiskFull(t *testing.T) {
	faultsEnabled(t)
	dir := smallDisk(t, "16m")
	read := sqliteReader(t, dir)
	l := newFaultLoad(t, 50)
	c := startUsageCollector(t, dir, smallDiskSets...)
	stop := l.background(2, 10*time.Millisecond, func() string { return c.receiver })
	defer stop()
	l.waitFor(t, classRefused, 1000, faultWait())
	before := l.answered()
	require.Eventually(t, func() bool { return l.answered() >= before+2000 }, faultWait(), 20*time.Millisecond)
	stop()
	full := l.snapshot()
	stored := countStored(read)
	t.Logf("disk full: %s; %d stored, %d bytes free", full, stored, freeBytes(dir))
	logs := c.logs.String()
	var said []string
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "the disk is nearly full") || strings.Contains(line, "no space left on device") || strings.Contains(line, "database or disk is full") {
			said = append(said, line)
		}
	}
	require.NotEmpty(t, said, "the log says the disk is full")

	t.Logf("%d log lines say so; the first: %.600s", len(said), said[0])

	// Space comes back: what the queue held is stored, and new calls are
	// taken.
	resize(t, dir, "512m")
	accepted := l.count(classAccepted)
	l.sendFor(2*time.Second, 2, 10*time.Millisecond, func() string { return c.receiver })
	require.Greater(t, l.count(classAccepted), accepted, "calls accepted once space is back")
	r := l.settle(t, c, read, "disk full")
	require.Positive(t, r.refused, "a full disk refuses calls")
	for kind := range r.answers {
		require.Contains(t, []string{"429", "503"}, kind, "a full disk's refusals are retryable")
	}
}

// TestFaultStoreDiskFullKill puts the SQLite store alone on a 16 MiB
// filesystem, its queue on another (the layout docs/reliability.md
// advises while a full queue disk loses calls): the store fills up under
// load, its writes fail and are retried while the queue holds what comes,
// the collector is killed, fails to start again while the disk is full,
// and once the filesystem grows starts and stores every accepted call
// once.
func TestFaultStoreDiskFullKill(t *testing.T) {
	faultsEnabled(t)
	disk := smallDisk(t, "16m")
	dir := t.TempDir()
	path := filepath.Join(disk, "genai-usage.db")
	read := func() ([]storedCall, storeTotals) { return readSQLite(t, path) }
	// The disk guard off: the store alone fills its disk, and its writes
	// fail and are retried (with the guard, they would stop short of it).
	sets := withSets("exporters::genai_usage::store::sqlite::path="+path, "exporters::genai_usage::disk_guard::min_free_bytes=0")
	l := newFaultLoad(t, 50)
	c := startUsageCollector(t, dir, sets...)
	var target collectorTarget
	target.set(c)
	stop := l.background(2, 10*time.Millisecond, target.get)
	defer stop()
	require.Eventually(t, func() bool { return strings.Contains(c.logs.String(), "database or disk is full") }, faultWait(), 100*time.Millisecond,
		"the store fills its filesystem")
	// More calls while the store cannot write: the queue holds them.
	before := l.count(classAccepted)
	l.waitFor(t, classAccepted, before+scaled(10000), faultWait())
	// Counted before the kill: after it, opening the file needs its WAL
	// recovered, which a full disk does not allow.
	stored := countStored(read)
	rss := c.kill9(t)
	t.Logf("killed with the store's disk full at %s; %d stored, %d bytes free", l.snapshot(), stored, freeBytes(disk))
	stop()

	// Started again on the full disk, it cannot open the store (SQLite
	// must recover its write-ahead log first) and stops, saying so, as
	// for any SQLite file it cannot open.
	out := failedStart(t, dir, sets...)
	require.Contains(t, out, "usage store unavailable: sqlite: open", "the failed start names the store")
	require.Contains(t, out, "bytes free: free some space", "and says the disk is full")
	t.Logf("restarted on the full disk: %s", out[strings.LastIndex(out, "Error:"):])

	// Space comes back: it starts, stores what its queue held, and takes
	// new calls.
	resize(t, disk, "512m")
	c = startUsageCollector(t, dir, sets...)
	target.set(c)
	before = l.count(classAccepted)
	l.sendFor(time.Duration(scaled(2))*time.Second, 2, 10*time.Millisecond, target.get)
	require.Greater(t, l.count(classAccepted), before, "calls accepted once space is back")
	c.drain(t, read, l.count(classAccepted), faultWait())
	r := l.account(read())
	r.peakRSS = max(rss, peakRSS(c.cmd.Process.Pid))
	assertExact(t, "store disk full, kill -9", r)
	require.Less(t, stored, r.accepted, "calls were queued while the store's disk was full")
}

// failedStart runs the collector as startUsageCollector would and expects
// it to exit with an error within a minute; it returns its output.
func failedStart(t *testing.T, dir string, sets ...string) string {
	args := []string{"--config=" + filepath.Join(repoRoot(), "config", "collector.yaml"),
		fmt.Sprintf("--set=receivers::otlp::protocols::http::endpoint=127.0.0.1:%d", freePort(t)),
		fmt.Sprintf("--set=receivers::otlp::protocols::grpc::endpoint=127.0.0.1:%d", freePort(t)),
		"--config=" + telemetryOverride(t, freePort(t)),
		fmt.Sprintf("--set=exporters::genai_usage::metrics::endpoint=127.0.0.1:%d", freePort(t)),
		fmt.Sprintf("--set=exporters::genai_usage::api::endpoint=127.0.0.1:%d", freePort(t)),
	}
	for _, s := range sets {
		args = append(args, "--set="+s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, collectorBinary(t), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "the collector started: %s", out)
	require.NoError(t, ctx.Err(), "the collector neither started nor stopped within a minute")
	return string(out)
}
