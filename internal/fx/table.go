package fx

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// The kinds of failure of Table.Rate; the error it returns wraps one.
var (
	// ErrNoRate: the table has no rate that links the two currencies.
	ErrNoRate = errors.New("no exchange rate")
	// ErrTooEarly: the rates that link them all take effect later.
	ErrTooEarly = errors.New("no exchange rate yet")
	// ErrStale: the newest rate in force is older than the max age.
	ErrStale = errors.New("exchange rate too old")
)

// Table holds exchange rates by pair and date. It is immutable once
// loaded, and safe for concurrent use.
type Table struct {
	maxAge  time.Duration
	sources []string
	names   []string       // currency codes, sorted
	index   map[string]int // code -> position in names
	pivots  []int          // EUR, USD, then the others alphabetically
	pairs   []*series      // [base*len(names)+quote]

	// Cross rates are cached on the entry of their first leg. The cache
	// is bounded: past maxCross rates, crossGen moves on and every list of
	// an older generation counts as empty.
	mu         sync.Mutex // serializes writers of the cache
	crossGen   atomic.Uint64
	crossCount int
}

// series is the rates of one pair, oldest first.
type series struct {
	base, quote string
	at          []int64 // effective instants, Unix nanoseconds
	entries     []entry
}

type entry struct {
	text string // the rate as its source wrote it
	src  int32
	line int32
	// rates is made on first use: most entries of a long history never
	// are.
	rates atomic.Pointer[entryRates]
	// cross holds the cross rates whose first leg is this entry.
	cross atomic.Pointer[crossList]
}

type entryRates struct {
	direct, inverse Rate
	legs            [2]Leg
}

// crossList is an immutable list of cross rates, replaced whole when one
// is added, so that readers take no lock.
type crossList struct {
	gen   uint64
	rates []crossRate
}

type crossRate struct {
	second     *entry
	inv1, inv2 bool
	rate       Rate
}

// maxCurrencies bounds the currencies of a table, which keeps a slot for
// every pair of them; ISO 4217 lists fewer than 300, withdrawn codes
// included.
const maxCurrencies = 1000

// maxCross bounds the cache of cross rates; it is emptied when full.
const maxCross = 1 << 14

func (b *builder) finish(t *Table) error {
	var conflict, with *row
	var conflictPair pair
	for p, rows := range b.series {
		kept, c, w := dedup(rows)
		b.series[p] = kept
		if c != nil && (conflict == nil || c.before(conflict)) {
			conflict, with, conflictPair = c, w, p
		}
	}
	if conflict != nil {
		return fmt.Errorf("%s: %s: %s/%s on %s is %s, but %s says %s",
			b.where(conflict.src, conflict.line), conflict.field, conflictPair.base, conflictPair.quote,
			formatDate(time.Unix(0, conflict.at).UTC()), conflict.text, b.where(with.src, with.line), with.text)
	}
	t.sources = b.names
	seen := map[string]bool{}
	for p := range b.series {
		seen[p.base], seen[p.quote] = true, true
	}
	if len(seen) > maxCurrencies {
		return fmt.Errorf("%d currencies; a table holds at most %d", len(seen), maxCurrencies)
	}
	for c := range seen {
		t.names = append(t.names, c)
	}
	slices.Sort(t.names)
	t.index = make(map[string]int, len(t.names))
	for i, c := range t.names {
		t.index[c] = i
	}
	for _, c := range []string{"EUR", "USD"} {
		if i, ok := t.index[c]; ok {
			t.pivots = append(t.pivots, i)
		}
	}
	for i, c := range t.names {
		if c != "EUR" && c != "USD" {
			t.pivots = append(t.pivots, i)
		}
	}
	n := len(t.names)
	t.pairs = make([]*series, n*n)
	for p, rows := range b.series {
		s := &series{
			base:    t.names[t.index[p.base]],
			quote:   t.names[t.index[p.quote]],
			at:      make([]int64, len(rows)),
			entries: make([]entry, len(rows)),
		}
		for i, r := range rows {
			s.at[i] = r.at
			e := &s.entries[i]
			e.text, e.src, e.line = r.text, r.src, r.line
		}
		t.pairs[t.index[p.base]*n+t.index[p.quote]] = s
	}
	return nil
}

// Currencies returns the currencies the table has rates for, sorted.
func (t *Table) Currencies() []string { return slices.Clone(t.names) }

// status says whether a pair has a rate usable at an instant.
type status int8

const (
	usable status = iota
	tooEarly
	stale
)

// miss records the first pair that was tried and failed, for the error.
type miss struct {
	s      *series
	i      int
	status status
}

// find returns the index of the rate of s in force at the instant at, or
// why there is none.
func (t *Table) find(s *series, at int64) (int, status) {
	i, found := slices.BinarySearch(s.at, at)
	if !found {
		i--
	}
	if i < 0 {
		return 0, tooEarly
	}
	// at >= s.at[i], so the unsigned difference is exact.
	if t.maxAge > 0 && uint64(at)-uint64(s.at[i]) > uint64(t.maxAge) {
		return i, stale
	}
	return i, usable
}

// leg finds the entry to convert from a into b at the instant at: the pair
// a/b, else b/a inverted.
func (t *Table) leg(a, b int, at int64, m *miss) (s *series, i int, inverted, ok bool) {
	n := len(t.names)
	for _, inv := range [2]bool{false, true} {
		s = t.pairs[a*n+b]
		if inv {
			s = t.pairs[b*n+a]
		}
		if s == nil {
			continue
		}
		i, st := t.find(s, at)
		if st == usable {
			return s, i, inv, true
		}
		if m.s == nil {
			*m = miss{s: s, i: i, status: st}
		}
	}
	return nil, 0, false, false
}

var (
	minInstant = time.Unix(0, math.MinInt64)
	maxInstant = time.Unix(0, math.MaxInt64)
)

// Rate returns the rate to convert an amount in from into to at the
// instant at: the identity if from == to, else the pair from/to, the pair
// to/from inverted, or a cross through one pivot currency, whichever is
// first found with a rate in force at that instant and not older than the
// table's max age. The error wraps ErrNoRate, ErrTooEarly or ErrStale.
func (t *Table) Rate(from, to string, at time.Time) (Rate, error) {
	if err := checkCode(from); err != nil {
		return Rate{}, fmt.Errorf("from: %w", err)
	}
	if err := checkCode(to); err != nil {
		return Rate{}, fmt.Errorf("to: %w", err)
	}
	if from == to {
		return Rate{from: from, to: to}, nil
	}
	f, ok1 := t.index[from]
	g, ok2 := t.index[to]
	if !ok1 || !ok2 {
		missing := from
		if ok1 {
			missing = to
		}
		return Rate{}, fmt.Errorf("%w from %s to %s: the table has no rate for %s", ErrNoRate, from, to, missing)
	}
	key := at.UnixNano()
	switch {
	case at.Before(minInstant):
		key = math.MinInt64
	case at.After(maxInstant):
		key = math.MaxInt64
	}
	var m miss
	if s, i, inv, ok := t.leg(f, g, key, &m); ok {
		r := t.rates(s, i)
		if inv {
			return r.inverse, nil
		}
		return r.direct, nil
	}
	for _, p := range t.pivots {
		if p == f || p == g {
			continue
		}
		s1, i1, inv1, ok := t.leg(f, p, key, &m)
		if !ok {
			continue
		}
		s2, i2, inv2, ok := t.leg(p, g, key, &m)
		if !ok {
			continue
		}
		return t.crossRate(s1, i1, inv1, s2, i2, inv2), nil
	}
	return Rate{}, t.missErr(from, to, at, m)
}

func (t *Table) missErr(from, to string, at time.Time, m miss) error {
	if m.s == nil {
		return fmt.Errorf("%w from %s to %s: the table has neither %s/%s, %s/%s nor a currency that links them",
			ErrNoRate, from, to, from, to, to, from)
	}
	e := &m.s.entries[m.i]
	when := formatDate(time.Unix(0, m.s.at[m.i]).UTC())
	where := fmt.Sprintf("%s:%d", t.sources[e.src], e.line)
	if m.status == tooEarly {
		return fmt.Errorf("%w from %s to %s at %s: the first %s/%s rate takes effect on %s (%s)",
			ErrTooEarly, from, to, at.UTC().Format(time.RFC3339), m.s.base, m.s.quote, when, where)
	}
	return fmt.Errorf("%w from %s to %s at %s: the newest %s/%s rate is from %s (%s), older than the max age of %s",
		ErrStale, from, to, at.UTC().Format(time.RFC3339), m.s.base, m.s.quote, when, where, t.maxAge)
}

// rates returns the direct and inverse rates of an entry, made on first
// use.
func (t *Table) rates(s *series, i int) *entryRates {
	e := &s.entries[i]
	if r := e.rates.Load(); r != nil {
		return r
	}
	r := &entryRates{}
	r.legs[0] = s.leg(i, false)
	r.legs[1] = s.leg(i, true)
	// The legs were checked when loaded: newRate cannot fail.
	r.direct, _ = newRate(s.base, s.quote, r.legs[0:1:1])
	r.inverse, _ = newRate(s.quote, s.base, r.legs[1:2:2])
	if !e.rates.CompareAndSwap(nil, r) {
		return e.rates.Load()
	}
	return r
}

func (s *series) leg(i int, inverted bool) Leg {
	return Leg{Base: s.base, Quote: s.quote, Rate: s.entries[i].text, Date: time.Unix(0, s.at[i]).UTC(), Inverted: inverted}
}

// crossRate returns the rate made of two legs, from a cache.
func (t *Table) crossRate(s1 *series, i1 int, inv1 bool, s2 *series, i2 int, inv2 bool) Rate {
	e1, e2 := &s1.entries[i1], &s2.entries[i2]
	if r, ok := findCross(e1.cross.Load(), t.crossGen.Load(), e2, inv1, inv2); ok {
		return r
	}
	legs := []Leg{s1.leg(i1, inv1), s2.leg(i2, inv2)}
	from, to := legs[0].Base, legs[1].Quote
	if inv1 {
		from = legs[0].Quote
	}
	if inv2 {
		to = legs[1].Base
	}
	// The legs were checked when loaded: newRate cannot fail.
	r, _ := newRate(from, to, legs)

	t.mu.Lock()
	defer t.mu.Unlock()
	gen := t.crossGen.Load()
	old := e1.cross.Load()
	if c, ok := findCross(old, gen, e2, inv1, inv2); ok {
		return c // another goroutine was first
	}
	if t.crossCount >= maxCross {
		gen++
		t.crossGen.Store(gen)
		t.crossCount = 0
	}
	var rates []crossRate
	if old != nil && old.gen == gen {
		rates = old.rates
	}
	rates = append(slices.Clip(rates), crossRate{second: e2, inv1: inv1, inv2: inv2, rate: r})
	e1.cross.Store(&crossList{gen: gen, rates: rates})
	t.crossCount++
	return r
}

func findCross(l *crossList, gen uint64, second *entry, inv1, inv2 bool) (Rate, bool) {
	if l == nil || l.gen != gen {
		return Rate{}, false
	}
	for i := range l.rates {
		if c := &l.rates[i]; c.second == second && c.inv1 == inv1 && c.inv2 == inv2 {
			return c.rate, true
		}
	}
	return Rate{}, false
}
