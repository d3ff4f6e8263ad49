package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestFaultDiskFullKill fills the data directory's filesystem under load
// (to the disk guard's margin: without it, the persistent queue lost
// accepted calls here, docs/reliability.md),
// kills the collector with SIGKILL while it is full, starts it again on
// the full disk under load (three times: it must come up and lose nothing
// it accepts), then grows the filesystem: what the queue held is stored.
func TestFaultDiskFullKill(t *testing.T) {
	faultsEnabled(t)
	dir := smallDisk(t, "16m")
	read := sqliteReader(t, dir)
	l := newFaultLoad(t, 50)
	c := startUsageCollector(t, dir, smallDiskSets...)
	var target collectorTarget
	target.set(c)
	stop := l.background(2, 10*time.Millisecond, target.get)
	defer stop()
	l.waitFor(t, classRefused, 1000, faultWait())
	rss := c.kill9(t)
	stop()
	t.Logf("killed on a full disk at %s (calls 0-%d); %d stored, %d bytes free", l.snapshot(), l.next.Load()-1, countStored(read), freeBytes(dir))

	// Restarted on the full disk, three times: it comes up (its queue and
	// store open without growing), and refuses or takes calls as space
	// allows; killed again each time but the last.
	for round := range 3 {
		if round > 0 {
			rss = max(rss, c.kill9(t))
		}
		c = startUsageCollector(t, dir, smallDiskSets...)
		target.set(c)
		l.sendFor(2*time.Second, 2, 10*time.Millisecond, target.get)
		t.Logf("restarted on the full disk: %s (calls to %d); %d bytes free", l.snapshot(), l.next.Load()-1, freeBytes(dir))
	}

	resize(t, dir, "512m")
	accepted := l.count(classAccepted)
	l.sendFor(2*time.Second, 2, 10*time.Millisecond, target.get)
	require.Greater(t, l.count(classAccepted), accepted, "calls accepted once space is back")
	c.drain(t, read, l.count(classAccepted), faultWait())
	r := l.account(read())
	r.peakRSS = max(rss, peakRSS(c.cmd.Process.Pid))
	assertExact(t, "disk full, kill -9", r)
}
