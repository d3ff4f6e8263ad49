// Package dedup decides which of the spans that record one LLM call carries
// its cost, across batches.
//
// Two billable spans record the same call when one is the only billable
// child of the other (two instrumentations wrapping one client call, or a
// wrapper span over the provider call), or when both carry the same
// response id in one trace (a gateway span and the client span that called
// it). A span with several billable children wraps several calls; it is
// part of none of them.
//
// The spans of one call form a group, and each group has exactly one
// carrier; every other span of it is a duplicate that points at the
// carrier, never at another duplicate:
//
//  1. A decision that has left stands: when some span of the group was
//     decided in an earlier batch, the carrier it named is the group's
//     carrier (its cost is already on its way downstream).
//  2. Otherwise the batch decides, by one total order: a span without a
//     billable child beats one with (the innermost span, closest to the
//     provider, carries the cost); then the later start; then the larger
//     span id.
//  3. A span with several billable children is a duplicate of the carrier
//     of one of them, and a span that comes later under it is a call of its
//     own.
//  4. A span seen again (a retried or replayed batch) gets the decision it
//     got the first time.
//
// Rule 2 is a total order and rule 1 always names a carrier, so no order
// of arrival and no split into batches leaves a call with no carrier or
// with two, as long as each batch holds a span linked to the spans of its
// call seen before (a chain of three spans whose middle span comes last,
// without a shared response id, cannot be linked until it comes).
//
// The tracker remembers billable spans for between half a window and a
// window of time, and about a given number of entries, whichever is less.
// Spans of one trace must reach the same tracker: when several collectors
// share the load, route by trace id.
package dedup

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"sync"
	"time"
)

// TraceID is an OpenTelemetry trace id.
type TraceID [16]byte

// SpanID is an OpenTelemetry span id.
type SpanID [8]byte

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

// entry is what is known about one span id or response id. The low bits
// of key hold the flags, the others the fingerprint; 0 is empty.
type entry struct {
	key uint64
	// id is, by flags: the carrier (a decided duplicate, a response id),
	// the first billable child (flagChild), or a batch index (flagPending).
	id SpanID
}

const (
	flagDecided   uint64 = 1 << iota // a billable span, decided
	flagDuplicate                    // ... as a duplicate of the carrier id
	flagWrapper                      // ... because it has a billable child: a later child is a call of its own
	flagChild                        // not decided yet: has a billable child, id
	flagChildren                     // ... and another one
	flagPending                      // a span or response id of the batch being decided; id holds its index
	flagBits             = iota
	flagMask      uint64 = 1<<flagBits - 1
)

func (e *entry) flags() uint64 { return e.key & flagMask }

// decision is the stored decision of a decided span.
func (e *entry) decision() Decision {
	if e.flags()&flagDuplicate != 0 {
		return Decision{Duplicate: true, Of: e.id}
	}
	return Decision{}
}

type table struct {
	entries []entry
	mask    uint64
	n       int
	// seen is a one-hash presence filter over the fingerprints in entries:
	// small enough to stay in cache, it spares most lookups of absent
	// fingerprints a cache miss in the older table.
	seen []uint64
}

const filterWords = 1 << 13 // 64 KiB

func newTable(size int) *table {
	return &table{entries: make([]entry, size), mask: uint64(size - 1), seen: make([]uint64, filterWords)}
}

func (tb *table) mark(fp uint64) {
	tb.seen[fp>>40&(filterWords-1)] |= 1 << (fp >> 34 & 63)
}

func (tb *table) mayHave(fp uint64) bool {
	return tb.seen[fp>>40&(filterWords-1)]&(1<<(fp>>34&63)) != 0
}

// find returns the entry of fp, or the empty entry where it would go.
func (tb *table) find(fp uint64) *entry {
	for i := fp >> flagBits & tb.mask; ; i = (i + 1) & tb.mask {
		if e := &tb.entries[i]; e.key&^flagMask == fp || e.key == 0 {
			return e
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

func (t *Tracker) responseFP(trace *TraceID, id string) uint64 {
	return t.fingerprint(trace, maphash.String(t.seed, id))
}

func (t *Tracker) rotate(now time.Time) {
	if t.cur.n < t.limit && now.Sub(t.curSince) < t.window/2 {
		return
	}
	t.prev, t.cur, t.curSince = t.cur, t.prev, now
	clear(t.cur.entries)
	clear(t.cur.seen)
	t.cur.n = 0
}

// lookup finds fp in the current table, copying it there from the older
// one if it lives only there. It returns the current entry (with key 0 if
// fp is unknown).
func (t *Tracker) lookup(fp uint64) *entry {
	e := t.cur.find(fp)
	if e.key != 0 || !t.prev.mayHave(fp) {
		return e
	}
	if old := t.prev.find(fp); old.key != 0 {
		*e = *old
		t.cur.n++
		t.cur.mark(fp)
	}
	return e
}

// claim makes an empty entry returned by lookup hold fp.
func (t *Tracker) claim(e *entry, fp uint64) {
	if e.key == 0 {
		e.key = fp
		t.cur.n++
		t.cur.mark(fp &^ flagMask)
	}
}

// pending is the per-batch work state of one candidate.
type pending struct {
	self     *entry // the span's entry in the current table
	respFP   uint64 // its response id's fingerprint, 0 if none or not used
	group    int32  // union-find link towards the group's root
	parent   int32  // the parent's index in the batch, or -1
	child    int32  // the first billable child in the batch, or -1
	children int32  // billable children known, from earlier batches and this one
	wraps    bool   // wraps several calls: several billable children, or one that does
	best     int32  // at a group's root: the member that carries the cost
	// earlier is the first billable child decided in an earlier batch.
	earlier    SpanID
	hasEarlier bool
	// carrier is the carrier of this span's call decided in an earlier
	// batch; at a group's root, the group's.
	carrier    SpanID
	hasCarrier bool
	done       bool // decided already: a replay, or the span twice in the batch
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
	// it never fills, and entry pointers stay valid until the next rotation.
	if t.cur.n+3*len(batch) > t.limit {
		t.curSince = time.Time{}
	}
	t.rotate(now)
	t.work = resize(t.work, len(batch))
	t.register(batch, out)
	t.linkParents(batch)
	t.markWrappers(batch)
	t.linkResponses(batch)
	t.group(batch)
	for i := range batch {
		if w := &t.work[i]; !w.done {
			out[i] = t.decide(batch, i)
		}
	}
	t.record(batch, out)
}

// register enters the batch's spans, marked pending with their index, so
// that relations inside the batch are found. A span decided before keeps
// its decision (rule 4).
func (t *Tracker) register(batch []Candidate, out []Decision) {
	for i := range batch {
		c, w := &batch[i], &t.work[i]
		w.group, w.parent, w.child, w.best = int32(i), -1, -1, int32(i)
		fp := t.spanFP(&c.Trace, c.Span)
		e := t.lookup(fp)
		switch {
		case e.flags()&flagDecided != 0:
			out[i], w.done = e.decision(), true
			continue
		case e.flags()&flagPending != 0:
			// The same span twice in one batch: one call, one decision,
			// given by the first.
			w.done, w.group = true, int32(idIndex(e.id))
			continue
		case e.flags()&flagChild != 0:
			w.earlier, w.hasEarlier = e.id, true
			w.children = 1
			if e.flags()&flagChildren != 0 {
				w.children = 2
			}
		}
		t.claim(e, fp)
		e.key = e.key&^flagMask | flagPending
		e.id = indexID(i)
		w.self = e
	}
}

// linkParents finds each span's parent, in the batch or decided earlier,
// and marks parents not seen yet as having a billable child.
func (t *Tracker) linkParents(batch []Candidate) {
	for i := range batch {
		c, w := &batch[i], &t.work[i]
		if w.done || c.Parent == (SpanID{}) {
			continue
		}
		pfp := t.spanFP(&c.Trace, c.Parent)
		p := t.lookup(pfp)
		switch f := p.flags(); {
		case f&flagPending != 0:
			j := int32(idIndex(p.id))
			w.parent = j
			pw := &t.work[j]
			pw.children++
			if pw.child < 0 {
				pw.child = int32(i)
			}
		case f&flagDecided != 0:
			// Rule 1, unless the parent only wrapped another call.
			if f&flagWrapper == 0 {
				w.setCarrier(carrierOf(p, c.Parent))
			}
		case f&flagChild != 0:
			if p.id != c.Span {
				p.key |= flagChildren
			}
		default:
			t.claim(p, pfp)
			p.key |= flagChild
			p.id = c.Span
		}
	}
}

// markWrappers marks the spans that wrap several calls, and joins each
// other span to the group of its only billable child.
func (t *Tracker) markWrappers(batch []Candidate) {
	for i := range batch {
		w := &t.work[i]
		if w.done || w.children < 2 || w.wraps {
			continue
		}
		// A span whose only child wraps several calls wraps them too.
		for k, steps := int32(i), 0; k >= 0 && steps <= len(batch); steps++ {
			t.work[k].wraps = true
			k = t.work[k].parent
			if k < 0 || t.work[k].wraps || t.work[k].children != 1 {
				break
			}
		}
	}
	for i := range batch {
		w := &t.work[i]
		if w.done || w.wraps {
			continue
		}
		if w.parent >= 0 && !t.work[w.parent].wraps {
			t.union(int32(i), w.parent)
		}
		if w.hasEarlier {
			w.setCarrier(t.carrierOfSpan(&batch[i].Trace, w.earlier))
		}
	}
}

// linkResponses joins the spans of one response id into one group, or to
// the carrier an earlier batch gave it. A span that wraps several calls
// shares its response id with none of them.
func (t *Tracker) linkResponses(batch []Candidate) {
	for i := range batch {
		c, w := &batch[i], &t.work[i]
		if w.done || c.ResponseID == "" || w.wraps {
			continue
		}
		w.respFP = t.responseFP(&c.Trace, c.ResponseID)
		r := t.lookup(w.respFP)
		switch {
		case r.key == 0:
			t.claim(r, w.respFP)
			r.key |= flagPending
			r.id = indexID(i)
		case r.flags()&flagPending != 0:
			t.union(int32(i), int32(idIndex(r.id)))
		default:
			w.setCarrier(r.id) // a response id points at its carrier
		}
	}
}

// group gives each group's root the carrier decided earlier, if any
// member knows one, and else the member that carries the cost (rule 2).
func (t *Tracker) group(batch []Candidate) {
	for i := range batch {
		w := &t.work[i]
		if w.done || w.wraps {
			continue
		}
		root := &t.work[t.find(int32(i))]
		if w.hasCarrier && !root.hasCarrier {
			root.carrier, root.hasCarrier = w.carrier, true
		}
		if t.beats(batch, int32(i), root.best) {
			root.best = int32(i)
		}
	}
}

// beats is rule 2's order: whether span i should carry a call rather
// than span j.
func (t *Tracker) beats(batch []Candidate, i, j int32) bool {
	if wi, wj := t.work[i].children == 0, t.work[j].children == 0; wi != wj {
		return wi
	}
	if a, b := batch[i].Start, batch[j].Start; a != b {
		return a > b
	}
	return bytes.Compare(batch[i].Span[:], batch[j].Span[:]) > 0
}

// decide is a new span's decision, once the groups are known.
func (t *Tracker) decide(batch []Candidate, i int) Decision {
	k := int32(i)
	// Rule 3: follow the first child down to a span of a group.
	for steps := 0; t.work[k].wraps; steps++ {
		w := &t.work[k]
		if w.hasEarlier {
			return Decision{Duplicate: true, Of: t.carrierOfSpan(&batch[k].Trace, w.earlier)}
		}
		if w.child < 0 || steps == len(batch) {
			return Decision{} // a cycle of parents: malformed, counted once
		}
		k = w.child
	}
	root := &t.work[t.find(k)]
	switch {
	case root.hasCarrier && root.carrier == batch[i].Span:
		// The carrier itself, replayed after its own entry was forgotten
		// while its response id was still remembered.
		return Decision{}
	case root.hasCarrier:
		return Decision{Duplicate: true, Of: root.carrier}
	case root.best == int32(i):
		return Decision{}
	default:
		return Decision{Duplicate: true, Of: batch[root.best].Span}
	}
}

// record stores the batch's decisions, and points each response id at the
// carrier of its call.
func (t *Tracker) record(batch []Candidate, out []Decision) {
	for i := range batch {
		w := &t.work[i]
		if w.done {
			if j := w.group; j != int32(i) {
				out[i] = out[j] // the same span twice in the batch
			}
			continue
		}
		e := w.self
		e.key = e.key&^flagMask | flagDecided
		carrier := batch[i].Span
		if d := out[i]; d.Duplicate {
			e.key |= flagDuplicate
			if w.children > 0 {
				e.key |= flagWrapper
			}
			e.id, carrier = d.Of, d.Of
		}
		if w.respFP != 0 {
			if r := t.cur.find(w.respFP); r.flags()&flagPending != 0 {
				r.key &^= flagPending
				r.id = carrier
			}
		}
	}
}

// carrierOf is the carrier named by the decided entry e of span id.
func carrierOf(e *entry, id SpanID) SpanID {
	if e.flags()&flagDuplicate != 0 {
		return e.id
	}
	return id
}

// carrierOfSpan is the carrier named by span id, decided earlier; the span
// itself if it is no longer remembered.
func (t *Tracker) carrierOfSpan(trace *TraceID, id SpanID) SpanID {
	if e := t.lookup(t.spanFP(trace, id)); e.flags()&flagDecided != 0 {
		return carrierOf(e, id)
	}
	return id
}

func (w *pending) setCarrier(id SpanID) {
	if !w.hasCarrier {
		w.carrier, w.hasCarrier = id, true
	}
}

func (t *Tracker) find(i int32) int32 {
	for t.work[i].group != i {
		g := &t.work[i].group
		*g = t.work[*g].group // path halving
		i = *g
	}
	return i
}

func (t *Tracker) union(i, j int32) {
	if a, b := t.find(i), t.find(j); a != b {
		t.work[a].group = b
	}
}

// indexID and idIndex keep a batch index in a pending entry's id.
func indexID(i int) SpanID {
	var id SpanID
	binary.LittleEndian.PutUint64(id[:], uint64(i))
	return id
}

func idIndex(id SpanID) int { return int(binary.LittleEndian.Uint64(id[:])) }

// resize returns s with length n and every element zero, reusing its array.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}
