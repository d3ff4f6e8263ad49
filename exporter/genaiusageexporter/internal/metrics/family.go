package metrics

import (
	"math"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// family is the series bookkeeping of one metric: how many real series it
// holds and its overflow series. S is the series type: a counterSeries or
// a histogram child. All fields but folded are guarded by Metrics.mu.
type family[S any] struct {
	name   string
	own    bool // has a label of its own after the attribution labels
	limit  int  // 0: no limit
	n      int  // real series
	newS   func(lvs []string) S
	all    []S // every series, real and overflow, for collection
	folded atomic.Int64

	overflow      map[string]S // by own label value
	overflowAttrs []string

	// Counters only.
	desc  *prometheus.Desc
	scale float64
}

func newFamily[S any](name string, nattrs int, own bool, limit int, newS func([]string) S) *family[S] {
	f := &family[S]{name: name, own: own, limit: limit, newS: newS, overflow: map[string]S{}}
	f.overflowAttrs = make([]string, nattrs)
	for i := range f.overflowAttrs {
		f.overflowAttrs[i] = OverflowValue
	}
	return f
}

// seriesRef is a series with, for an overflow series, the counter of folded
// observations to add to.
type seriesRef[S any] struct {
	s    S
	fold *atomic.Int64
	ok   bool
}

// admit returns the series of attrs and own: a new one while the family is
// under its limit, else its overflow series.
func (f *family[S]) admit(attrs []string, own string) seriesRef[S] {
	if f.limit <= 0 || f.n < f.limit {
		f.n++
		s := f.newS(f.labels(attrs, own))
		f.all = append(f.all, s)
		return seriesRef[S]{s: s, ok: true}
	}
	s, ok := f.overflow[own]
	if !ok {
		// Bound the overflow series too: past limit own values, the own
		// label folds as well.
		if len(f.overflow) >= f.limit {
			own = OverflowValue
			s, ok = f.overflow[own]
		}
		if !ok {
			s = f.newS(f.labels(f.overflowAttrs, own))
			f.overflow[own] = s
			f.all = append(f.all, s)
		}
	}
	return seriesRef[S]{s: s, fold: &f.folded, ok: true}
}

func (f *family[S]) labels(attrs []string, own string) []string {
	lvs := make([]string, len(attrs), len(attrs)+1)
	copy(lvs, attrs)
	if f.own {
		lvs = append(lvs, own)
	}
	return lvs
}

// counterSeries is one counter series: an exact integer (a count or
// nanos), scaled only when collected.
type counterSeries struct {
	v   atomic.Int64
	lvs []string
}

// add adds n > 0, saturating rather than wrapping to a negative value.
func (c *counterSeries) add(n int64) {
	for {
		old := c.v.Load()
		if c.v.CompareAndSwap(old, addSat(old, n)) {
			return
		}
	}
}

func addSat(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func (s seriesRef[S]) count() {
	if s.fold != nil {
		s.fold.Add(1)
	}
}

// add adds n to a counter series; unset refs and n <= 0 add nothing.
func (s seriesRef[S]) add(n int64) {
	if !s.ok || n <= 0 {
		return
	}
	any(s.s).(*counterSeries).add(n)
	s.count()
}

// observe observes v in a histogram series; unset refs observe nothing.
func (s seriesRef[S]) observe(v float64) {
	if !s.ok {
		return
	}
	any(s.s).(prometheus.Observer).Observe(v)
	s.count()
}

// folded names the overflow counter of one family.
type folded struct {
	name string
	n    *atomic.Int64
}

// collector exposes the counters, kept as integers, and the overflow
// counters; the histogram vectors are registered on their own.
type collector struct {
	m        *Metrics
	counters []*family[*counterSeries]
	overflow *prometheus.Desc
	folded   []folded
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, f := range c.counters {
		ch <- f.desc
	}
	ch <- c.overflow
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	// Series are only ever appended, so a copy of each list taken under
	// the lock can be read after it; values are atomics.
	lists := make([][]*counterSeries, len(c.counters))
	c.m.mu.RLock()
	for i, f := range c.counters {
		lists[i] = f.all
	}
	c.m.mu.RUnlock()

	for i, f := range c.counters {
		for _, s := range lists[i] {
			v := float64(s.v.Load())
			if f.scale != 1 {
				v /= f.scale
			}
			ch <- constCounter(f.desc, v, s.lvs...)
		}
	}
	for _, f := range c.folded {
		ch <- constCounter(c.overflow, float64(f.n.Load()), f.name)
	}
}

func constCounter(desc *prometheus.Desc, v float64, lvs ...string) prometheus.Metric {
	m, err := prometheus.NewConstMetric(desc, prometheus.CounterValue, v, lvs...)
	if err != nil {
		return prometheus.NewInvalidMetric(desc, err)
	}
	return m
}
