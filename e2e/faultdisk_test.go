package e2e

import (
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

// TestFaultDiskFull runs the collector with its data directory (the SQLite
// store and the persistent queue) on a 16 MiB filesystem and sends until
// it is full: the collector says why in its log and refuses calls, and
// loses none it accepted. Then the filesystem grows, and the collector
// stores what it held, takes new calls again, and the store is exact.
func TestFaultDiskFull(t *testing.T) {
	faultsEnabled(t)
	dir := smallDisk(t, "16m")
	read := sqliteReader(t, dir)
	l := newFaultLoad(t, 50)
	c := startUsageCollector(t, dir, faultSets...)
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
		if strings.Contains(line, "no space left on device") || strings.Contains(line, "database or disk is full") {
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
	c.drain(t, read, l.count(classAccepted), faultWait())
	r := l.account(read())
	r.peakRSS = peakRSS(c.cmd.Process.Pid)
	assertExact(t, "disk full", r)
	require.Positive(t, r.refused, "a full disk refuses calls")
	for kind := range r.answers {
		require.Contains(t, []string{"429", "503"}, kind, "a full disk's refusals are retryable")
	}
}
