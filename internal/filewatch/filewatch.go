// Package filewatch tells when the content of configuration files has
// changed, by polling: the components that reload their price and rate
// files at run time check them on a ticker.
//
// Each check stats every path anew (os.Stat follows symlinks), so a file
// replaced by renaming a new one over it, or a Kubernetes ConfigMap volume
// whose "..data" symlink is swapped to a new directory, is seen like one
// written in place; no file is kept open between checks. A file whose
// size, modification time and identity (device and inode) are unchanged is
// not read; one where any of them changed is read and hashed, and counts as
// changed only if its content did (a touch is no change). A file that
// cannot be stat'ed or read counts as changed when it becomes so and again
// when it comes back.
package filewatch

import (
	"crypto/sha256"
	"os"
	"time"
)

// Files watches a fixed list of paths. It is not safe for concurrent use:
// one goroutine (a reload loop) owns it.
type Files struct {
	paths []string
	seen  []state
}

// state is what the last check saw of one path.
type state struct {
	info os.FileInfo // nil if the path could not be stat'ed or read
	size int64
	mod  time.Time
	hash [sha256.Size]byte
	err  string // the stat or read error, "" if none
}

// New records the current state of paths, as the baseline the first Check
// compares with. Call it before loading the files, so that a change made
// while they load is seen by the next Check rather than missed.
func New(paths []string) *Files {
	f := &Files{paths: paths, seen: make([]state, len(paths))}
	for i, p := range paths {
		f.seen[i] = look(p, nil)
	}
	return f
}

// Check returns the paths whose content changed since the last Check (or
// New), in the order given; nil if none did.
func (f *Files) Check() []string {
	var changed []string
	for i, p := range f.paths {
		prev := &f.seen[i]
		now := look(p, prev)
		if now.err != prev.err || now.hash != prev.hash {
			changed = append(changed, p)
		}
		*prev = now
	}
	return changed
}

// look returns the state of path. With prev, and the same size, time and
// file identity as prev, the content is taken to be prev's without reading.
func look(path string, prev *state) state {
	info, err := os.Stat(path)
	if err != nil {
		return state{err: err.Error()}
	}
	s := state{info: info, size: info.Size(), mod: info.ModTime()}
	if prev != nil && prev.info != nil && prev.size == s.size && prev.mod.Equal(s.mod) && os.SameFile(prev.info, info) {
		s.hash = prev.hash
		return s
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return state{err: err.Error()}
	}
	s.hash = sha256.Sum256(data)
	return s
}
