// Package dedup decides which of the spans that record one LLM call carries
// its cost, across batches.
//
// Two spans record the same call when one is the parent of the other (two
// instrumentations wrapping one client call, or a wrapper span over the
// provider call) or when both carry the same response id in one trace (a
// gateway span and the client span that called it). The rules, applied to
// billable spans only:
//
//  1. A span with a billable child is a duplicate: the innermost span, the
//     one closest to the provider, carries the cost.
//  2. A span whose parent was priced in an earlier batch is a duplicate: a
//     decision already written on a span that has left the collector stands.
//  3. Of two spans with one response id, the one decided earlier wins; in
//     one batch, the one that started later (the inner one) wins.
//  4. A span seen again (a retried or replayed batch) gets the decision it
//     got the first time.
//
// The tracker remembers billable spans for between half a window and a
// window of time, and about a given number of entries, whichever is less. Spans of one trace must reach the
// same tracker: when several collectors share the load, route by trace id.
package dedup

import (
	"encoding/binary"
	"hash/maphash"
	"sync"
	"time"
)

// TraceID and SpanID are OpenTelemetry ids.
type (
	TraceID [16]byte
	SpanID  [8]byte
)

// Candidate is a billable span.
type Candidate struct {
	Trace      TraceID
	Span       SpanID
	Parent     SpanID
	ResponseID string
	// Start is the span's start time in Unix nanoseconds.
	Start int64
}

// Decision is the outcome for one candidate.
type Decision struct {
	Duplicate bool
	// Of is the span that carries the call's cost when Duplicate is set.
	Of SpanID
}

// Tracker holds what recent batches decided. Entries live in two
// generations of open-addressing tables keyed by a 64-bit fingerprint of
// (trace id, span id or response id). When the current table holds its
// share or is older than half the window, the older table is cleared and
// becomes the current one. Nothing is ever deleted alone, so probe chains
// stay short under constant churn.
type Tracker struct {
	window time.Duration
	limit  int // entries per generation
	k0, k1 uint64
	seed   maphash.Seed

	mu       sync.Mutex
	cur      *table
	prev     *table
	curSince time.Time
	work     []pending // per batch, reused
}

// New returns a tracker that remembers billable spans for between half the
// window and the window, in at most max entries (a span takes one, plus one
// for its parent's child mark and one for its response id).
func New(window time.Duration, maxEntries int) *Tracker {
	limit := max(maxEntries/2, 48)
	size := 1
	for size < 2*limit {
		size <<= 1
	}
	seed := maphash.MakeSeed()
	return &Tracker{
		window: window,
		limit:  limit,
		seed:   seed,
		k0:     maphash.Comparable(seed, 0) | 1,
		k1:     maphash.Comparable(seed, 1) | 1,
		cur:    newTable(size),
		prev:   newTable(size),
	}
}

// Len returns the number of entries remembered.
func (t *Tracker) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cur.n + t.prev.n
}

// slot is one entry: what is known about a span id or a response id. The
// low bits of key hold the flags, the others the fingerprint; 0 is empty.
type slot struct {
	key uint64
	id  SpanID // child (flagChild), duplicate-of, or the span that priced a response
}

const (
	flagDecided   uint64 = 1 << iota // a billable span, decided
	flagDuplicate                    // ... as a duplicate of id
	flagChild                        // has a billable child: id
	flagPending                      // a response id registered by the batch being decided; id holds its index
	flagMask      = 1<<iota - 1
)

func (s *slot) flags() uint64 { return s.key & flagMask }

type table struct {
	slots []slot
	mask  uint64
	n     int
	// seen is a one-hash presence filter over the fingerprints in slots:
	// small enough to stay in cache, it spares most lookups of absent
	// fingerprints a cache miss in the older table.
	seen []uint64
}

const filterWords = 1 << 13 // 64 KiB

func newTable(size int) *table {
	return &table{slots: make([]slot, size), mask: uint64(size - 1), seen: make([]uint64, filterWords)}
}

func (tb *table) mark(fp uint64) {
	tb.seen[fp>>40&(filterWords-1)] |= 1 << (fp >> 34 & 63)
}

func (tb *table) mayHave(fp uint64) bool {
	return tb.seen[fp>>40&(filterWords-1)]&(1<<(fp>>34&63)) != 0
}

// find returns the slot of fp, or the empty slot where it would go.
func (tb *table) find(fp uint64) *slot {
	for i := fp >> 3 & tb.mask; ; i = (i + 1) & tb.mask {
		if s := &tb.slots[i]; s.key&^flagMask == fp || s.key == 0 {
			return s
		}
	}
}

// fingerprint mixes a trace id and an 8-byte id with the tracker's keys.
func (t *Tracker) fingerprint(trace *TraceID, id uint64) uint64 {
	a := binary.LittleEndian.Uint64(trace[:8])
	b := binary.LittleEndian.Uint64(trace[8:])
	h := (a*t.k0 ^ b) * t.k1
	h ^= id * 0x9e3779b97f4a7c15
	h ^= h >> 29
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 32
	h &^= flagMask
	if h == 0 {
		h = flagMask + 1
	}
	return h
}

func (t *Tracker) spanFP(trace *TraceID, s SpanID) uint64 {
	return t.fingerprint(trace, binary.LittleEndian.Uint64(s[:]))
}

func (t *Tracker) rotate(now time.Time) {
	if t.cur.n < t.limit && now.Sub(t.curSince) < t.window/2 {
		return
	}
	t.prev, t.cur, t.curSince = t.cur, t.prev, now
	clear(t.cur.slots)
	clear(t.cur.seen)
	t.cur.n = 0
}

// pending is the per-batch work state of one candidate.
type pending struct {
	self    *slot  // the span's entry in the current table
	resp    *slot  // its response id's entry in the current table, if any
	parent  uint64 // the parent's flags before this batch
	seen    SpanID // the span that priced the response id in an earlier batch
	isNew   bool
	hasSeen bool
	clash   bool // another span of this batch has the same response id
}

// lookup finds fp in the current table, copying it there from the older
// one if it lives only there. It returns the current slot (with key 0 if
// fp is unknown) and whether fp was known.
func (t *Tracker) lookup(fp uint64) (*slot, bool) {
	s := t.cur.find(fp)
	if s.key != 0 {
		return s, true
	}
	if !t.prev.mayHave(fp) {
		return s, false
	}
	if old := t.prev.find(fp); old.key != 0 {
		*s = *old
		t.cur.n++
		t.cur.mark(fp)
		return s, true
	}
	return s, false
}

// claim makes an empty slot returned by lookup hold fp.
func (t *Tracker) claim(s *slot, fp uint64) {
	if s.key == 0 {
		s.key = fp
		t.cur.n++
		t.cur.mark(fp &^ flagMask)
	}
}

// Decide decides a batch of candidates; out must have the same length.
// A batch larger than a third of a generation is decided in chunks, each
// seeing the ones before it as earlier batches.
func (t *Tracker) Decide(now time.Time, batch []Candidate, out []Decision) {
	t.mu.Lock()
	defer t.mu.Unlock()
	chunk := t.limit / 3
	for len(batch) > chunk {
		t.decideChunk(now, batch[:chunk], out[:chunk])
		batch, out = batch[chunk:], out[chunk:]
	}
	t.decideChunk(now, batch, out)
}

func (t *Tracker) decideChunk(now time.Time, batch []Candidate, out []Decision) {
	if t.curSince.IsZero() {
		t.curSince = now
	}
	// Keep a chunk's entries in one generation (at most three per span):
	// rotate first if they would not fit. The table is twice the limit, so
	// it never fills, and slot pointers stay valid until the next rotation.
	if t.cur.n+3*len(batch) > t.limit {
		t.curSince = time.Time{}
	}
	t.rotate(now)

	// Register the batch first, so relations inside it count.
	t.work = resize(t.work, len(batch))
	for i := range batch {
		c, w := &batch[i], &t.work[i]
		fp := t.spanFP(&c.Trace, c.Span)
		self, _ := t.lookup(fp)
		if self.flags()&flagDecided != 0 {
			out[i] = self.decision() // rule 4: a replay
			continue
		}
		t.claim(self, fp)
		w.self, w.isNew = self, true
		if c.Parent != (SpanID{}) {
			pfp := t.spanFP(&c.Trace, c.Parent)
			p, _ := t.lookup(pfp)
			w.parent = p.flags()
			if w.parent&flagChild == 0 {
				t.claim(p, pfp)
				p.key |= flagChild
				p.id = c.Span
			}
		}
		if c.ResponseID != "" {
			rfp := t.fingerprint(&c.Trace, maphash.String(t.seed, c.ResponseID))
			r, ok := t.lookup(rfp)
			switch {
			case !ok:
				t.claim(r, rfp|flagPending)
				r.id = indexID(i)
			case r.flags()&flagPending != 0:
				// Another span of this batch: mark both, point at the latest.
				t.work[idIndex(r.id)].clash, w.clash = true, true
				r.id = indexID(i)
			default:
				w.seen, w.hasSeen = r.id, true
			}
			w.resp = r
		}
	}
	for i := range batch {
		if t.work[i].isNew {
			out[i] = t.decide(batch, i)
		}
	}
	for i := range batch {
		w := &t.work[i]
		if !w.isNew {
			continue
		}
		s := w.self
		s.key |= flagDecided
		if out[i].Duplicate {
			s.key |= flagDuplicate
			if s.flags()&flagChild == 0 {
				s.id = out[i].Of
			}
		}
		// Point the response id at the span that carries the cost.
		if r := w.resp; r != nil && r.flags()&flagPending != 0 || r != nil && !out[i].Duplicate && !w.hasSeen {
			r.key &^= flagPending
			if out[i].Duplicate {
				r.id = out[i].Of
			} else {
				r.id = batch[i].Span
			}
		}
	}
}

func (s slot) decision() Decision {
	if s.flags()&flagDuplicate != 0 {
		return Decision{Duplicate: true, Of: s.id}
	}
	return Decision{}
}

func (t *Tracker) decide(batch []Candidate, i int) Decision {
	c, w := &batch[i], &t.work[i]
	// Rule 1: a billable child, seen before or in this batch.
	if w.self.flags()&flagChild != 0 {
		return Decision{Duplicate: true, Of: w.self.id}
	}
	// Rule 2: a parent priced in an earlier batch.
	if w.parent&(flagDecided|flagDuplicate) == flagDecided {
		return Decision{Duplicate: true, Of: c.Parent}
	}
	// Rule 3: one response id, one call.
	if w.hasSeen && w.seen != c.Span {
		return Decision{Duplicate: true, Of: w.seen}
	}
	if !w.clash {
		return Decision{}
	}
	// The same response id within this batch: the inner (latest) span wins,
	// and the others point at it.
	win := i
	for j := range batch {
		o, b := &batch[j], &batch[win]
		if t.work[j].resp == w.resp && (o.Start > b.Start || (o.Start == b.Start && lessSpan(b.Span, o.Span))) {
			win = j
		}
	}
	if win != i {
		return Decision{Duplicate: true, Of: batch[win].Span}
	}
	return Decision{}
}

// indexID and idIndex keep a batch index in a pending slot's id.
func indexID(i int) SpanID {
	var id SpanID
	binary.LittleEndian.PutUint64(id[:], uint64(i))
	return id
}

func idIndex(id SpanID) int { return int(binary.LittleEndian.Uint64(id[:])) }

func lessSpan(a, b SpanID) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// resize returns s with length n and every element zero, reusing its array.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}
