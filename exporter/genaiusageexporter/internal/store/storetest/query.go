package storetest

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// The contract of store.Querier. Every expected answer is computed here,
// in Go, from the generated records, by the rules the interface states;
// the store computes it in SQL, from the rollups or from the records.

// queryData is the data set the query tests share: written once, read
// by every subtest.
type queryData struct {
	s    Store
	recs []usage.Record
}

func testQuery(t *testing.T, open Open) {
	d := &queryData{s: open(t)}
	// Five days from a Sunday, and three weeks for the users' week rows.
	d.recs = append(append(Records(31, 900, 120), Records(32, 400, 120)...), Records(33, 300, 21*24)...)
	for i := 0; i < len(d.recs); i += 500 {
		_, err := d.s.Write(ctx, d.recs[i:min(i+500, len(d.recs))], nil)
		require.NoError(t, err)
	}
	t.Run("GeneratorCoversEveryField", d.testCoverage)
	t.Run("Summary", d.testSummary)
	t.Run("Series", d.testSeries)
	t.Run("Breakdown", d.testBreakdown)
	t.Run("Records", d.testRecords)
	t.Run("Record", d.testRecord)
	t.Run("Export", d.testExport)
	t.Run("Intervals", d.testIntervals)
	t.Run("Errors", d.testErrors)
	t.Run("ExportIntoEmptyStore", func(t *testing.T) { d.testExportIntoEmptyStore(t, open(t)) })
	t.Run("RollupsOutliveRecords", func(t *testing.T) { testRollupsOutliveRecords(t, open(t)) })
	t.Run("BreakdownCurrencies", func(t *testing.T) { testBreakdownCurrencies(t, open(t)) })
	t.Run("RoundTripExtremes", func(t *testing.T) { testRoundTripExtremes(t, open(t)) })
	t.Run("EmptyStore", func(t *testing.T) { testQueryEmpty(t, open(t)) })
}

type namedFilter struct {
	name string
	f    store.Filter
}

func hour(n int) time.Time { return Base.Add(time.Duration(n) * time.Hour) }

// filters exercise every Filter field, both aggregate paths, and the
// search's escaping and case folding.
func (d *queryData) filters() []namedFilter {
	trace := strings.ToUpper(hex.EncodeToString(d.recs[10].TraceID[:]))
	// Bounds half a millisecond after a call: it is after From, before To.
	lo, hi := d.recs[5].Start, d.recs[20].Start
	if hi.Before(lo) {
		lo, hi = hi, lo
	}
	half := 500 * time.Microsecond
	return []namedFilter{
		{"sub-millisecond bounds", store.Filter{From: lo.Add(half), To: hi.Add(half)}},
		{"all", store.Filter{}},
		{"hours", store.Filter{From: hour(5), To: hour(29)}},
		{"days", store.Filter{From: hour(24), To: hour(72)}},
		{"from only", store.Filter{From: hour(48)}},
		{"unaligned", store.Filter{From: hour(5).Add(17*time.Minute + 3*time.Millisecond), To: hour(50).Add(time.Millisecond + 500*time.Microsecond)}},
		{"weeks unaligned", store.Filter{From: hour(30).Add(7 * time.Minute), To: hour(17*24 + 5)}},
		{"user over weeks", store.Filter{From: hour(20), To: hour(16*24 + 3), Dims: map[string]string{"user": "u-2"}}},
		{"provider", store.Filter{Provider: "openai"}},
		{"model window", store.Filter{Model: "gpt-4o-mini", From: hour(24), To: hour(48)}},
		{"service", store.Filter{Service: "worker"}},
		{"environment", store.Filter{Environment: "staging"}},
		{"environment and service hours", store.Filter{Environment: "prod", Service: "web", From: hour(5), To: hour(29)}},
		{"environment and user", store.Filter{Environment: "prod", Dims: map[string]string{"user": "u-2"}}},
		{"search environment", store.Filter{Search: "STAGING"}},
		{"user", store.Filter{Dims: map[string]string{"user": "u-2"}}},
		{"no user", store.Filter{Dims: map[string]string{"user": ""}}},
		{"department with wildcards", store.Filter{Dims: map[string]string{"department": "sales_100%"}}},
		{"session and provider", store.Filter{Provider: "anthropic", Dims: map[string]string{"session": "s-31-3"}}},
		{"two dims", store.Filter{Dims: map[string]string{"tenant": "acme", "feature": "search"}}},
		{"status", store.Filter{Status: "provider_reported"}},
		{"status provider window", store.Filter{Status: "priced", Provider: "anthropic", From: hour(10), To: hour(100)}},
		{"search capitals", store.Filter{Search: "ACME"}},
		{"search lower", store.Filter{Search: "alice@"}},
		{"search percent", store.Filter{Search: "%"}},
		{"search underscore", store.Filter{Search: "y_"}},
		{"search escape char", store.Filter{Search: "!"}},
		{"search error", store.Filter{Search: "ratelimit"}},
		{"search response id", store.Filter{Search: "resp_31_1"}},
		{"search trace id", store.Filter{Search: trace}},
		{"search nothing", store.Filter{Search: "no-such-thing"}},
		{"search and user", store.Filter{Search: "mistral", Dims: map[string]string{"user": "u-1"}}},
		{"currency", store.Filter{Currency: "EUR"}},
		{"currency user days", store.Filter{Currency: "USD", From: hour(24).Add(3 * time.Hour), To: hour(72), Dims: map[string]string{"user": "u-2"}}},
		{"currency provider", store.Filter{Currency: "USD", Provider: "openai", From: hour(5), To: hour(29)}},
	}
}

// Breakdown keys: every dimension and every By* key.
var keys = append([]string{store.ByProvider, store.ByModel, store.ByService, store.ByEnvironment, store.ByStatus}, usage.DimensionNames[:]...)

func keyOf(by string, r *usage.Record) string {
	switch by {
	case store.ByProvider:
		return r.Provider
	case store.ByModel:
		return r.Model
	case store.ByService:
		return r.Service
	case store.ByEnvironment:
		return r.Environment
	case store.ByStatus:
		return r.Status
	}
	vals := r.Dims.Values()
	return vals[slices.Index(usage.DimensionNames[:], by)]
}

// matches is Filter's meaning, restated.
func matches(f *store.Filter, r *usage.Record) bool {
	if !f.From.IsZero() && r.Start.Before(f.From) || !f.To.IsZero() && !r.Start.Before(f.To) {
		return false
	}
	if f.Provider != "" && r.Provider != f.Provider || f.Model != "" && r.Model != f.Model ||
		f.Service != "" && r.Service != f.Service || f.Environment != "" && r.Environment != f.Environment ||
		f.Status != "" && r.Status != f.Status ||
		f.Currency != "" && r.Currency != f.Currency {
		return false
	}
	for name, v := range f.Dims {
		if keyOf(name, r) != v {
			return false
		}
	}
	if f.Search == "" {
		return true
	}
	q := strings.ToLower(f.Search)
	dims := r.Dims.Values()
	for _, v := range append([]string{r.Model, r.RequestModel, r.ResponseModel, r.Provider, r.Service, r.Environment, r.ErrorType, r.ResponseID}, dims[:]...) {
		if strings.Contains(strings.ToLower(v), q) {
			return true
		}
	}
	return len(q) == 32 && hex.EncodeToString(r.TraceID[:]) == q
}

func (d *queryData) matching(f store.Filter) []*usage.Record {
	var out []*usage.Record
	for i := range d.recs {
		if matches(&f, &d.recs[i]) {
			out = append(out, &d.recs[i])
		}
	}
	return out
}

// aggregate is Aggregate's meaning: counts over every call, money per
// currency for the calls that have one, both maps made and with the same
// keys (every currency of the calls, even at zero).
func aggregate(recs []*usage.Record) store.Aggregate {
	a := store.Aggregate{Cost: map[string]money.Nanos{}, CacheSaved: map[string]money.Nanos{}, ListCost: map[string]money.Nanos{}, EstimatedCost: map[string]money.Nanos{}}
	for _, r := range recs {
		a.Calls++
		if r.ErrorType != "" {
			a.Errors++
		}
		if r.Status == "unpriced" || r.Status == "invalid" {
			a.Unpriced++
		}
		for m := range a.Tokens {
			if meter.Meter(m) != meter.Request { // the call itself, not stored
				a.Tokens[m] += r.Tokens[m]
			}
		}
		a.DurationMillis += r.Duration.Milliseconds()
		if r.TTFT > 0 {
			a.TTFTMillis += r.TTFT.Milliseconds()
			a.TTFTCount++
		}
		if r.Currency != "" {
			a.Cost[r.Currency] += r.Cost
			a.CacheSaved[r.Currency] += r.CacheSaved
			a.ListCost[r.Currency] += r.ListCost
			a.EstimatedCost[r.Currency] += 0 // every currency is a key, even at zero
			if r.Estimated {
				a.EstimatedCost[r.Currency] += r.Cost
			}
		}
		if r.Estimated {
			a.EstimatedCalls++
		}
	}
	return a
}

func sumAggregates(as []store.Aggregate) store.Aggregate {
	out := store.Aggregate{Cost: map[string]money.Nanos{}, CacheSaved: map[string]money.Nanos{}, ListCost: map[string]money.Nanos{}, EstimatedCost: map[string]money.Nanos{}}
	for _, a := range as {
		out.Calls += a.Calls
		out.Errors += a.Errors
		out.Unpriced += a.Unpriced
		for m := range out.Tokens {
			out.Tokens[m] += a.Tokens[m]
		}
		out.DurationMillis += a.DurationMillis
		out.TTFTMillis += a.TTFTMillis
		out.TTFTCount += a.TTFTCount
		for c, n := range a.Cost {
			out.Cost[c] += n
		}
		for c, n := range a.CacheSaved {
			out.CacheSaved[c] += n
		}
		for c, n := range a.ListCost {
			out.ListCost[c] += n
		}
		out.EstimatedCalls += a.EstimatedCalls
		for c, n := range a.EstimatedCost {
			out.EstimatedCost[c] += n
		}
	}
	return out
}

func groupBy(recs []*usage.Record, key func(*usage.Record) string) map[string][]*usage.Record {
	out := map[string][]*usage.Record{}
	for _, r := range recs {
		k := key(r)
		out[k] = append(out[k], r)
	}
	return out
}

// viaRecords returns f changed so that only the records can answer it,
// with the same calls: every generated call has session type "chat".
func viaRecords(f store.Filter) store.Filter {
	f.Search = "chat"
	return f
}

func (d *queryData) testCoverage(t *testing.T) {
	// Round trips are checked on generated records: each field must vary.
	typ := reflect.TypeFor[usage.Record]()
	for i := range typ.NumField() {
		set := false
		for j := range d.recs {
			if !reflect.ValueOf(d.recs[j]).Field(i).IsZero() {
				set = true
				break
			}
		}
		assert.True(t, set, "no generated record sets %s", typ.Field(i).Name)
	}
	zeroReported := slices.ContainsFunc(d.recs, func(r usage.Record) bool { return r.HasReported && r.Reported == 0 })
	assert.True(t, zeroReported, "a reported cost of zero must be generated")
	var rollupable, not int
	for _, nf := range d.filters() {
		if nf.f.Rollupable("") {
			rollupable++
		} else {
			not++
		}
	}
	assert.True(t, rollupable > 5 && not > 5, "both aggregate paths are exercised")
}

func (d *queryData) testSummary(t *testing.T) {
	for _, nf := range d.filters() {
		want := aggregate(d.matching(nf.f))
		got, err := d.s.Summary(ctx, nf.f)
		require.NoError(t, err, nf.name)
		assert.Equal(t, want, got, nf.name)
		if nf.f.Search == "" {
			alt := viaRecords(nf.f)
			require.False(t, alt.Rollupable(""))
			got, err := d.s.Summary(ctx, alt)
			require.NoError(t, err, nf.name)
			assert.Equal(t, want, got, "%s: from the records", nf.name)
		}
	}
	// A filter no call matches: counts zero, maps empty and made.
	got, err := d.s.Summary(ctx, store.Filter{Model: "no-such-model"})
	require.NoError(t, err)
	assert.Equal(t, aggregate(nil), got)
}

func truncateUTC(t time.Time, grain string) time.Time {
	if grain == store.GrainDay {
		return time.UnixMilli(t.UnixMilli() / (24 * 3600 * 1000) * (24 * 3600 * 1000)).UTC()
	}
	return time.UnixMilli(t.UnixMilli() / (3600 * 1000) * (3600 * 1000)).UTC()
}

func (d *queryData) wantSeries(f store.Filter, grain, by string) []store.Point {
	type slot struct {
		bucket time.Time
		key    string
	}
	slots := map[slot][]*usage.Record{}
	for _, r := range d.matching(f) {
		s := slot{bucket: truncateUTC(r.Start, grain)}
		if by != "" {
			s.key = keyOf(by, r)
		}
		slots[s] = append(slots[s], r)
	}
	out := []store.Point{}
	for s, recs := range slots {
		out = append(out, store.Point{Bucket: s.bucket, Key: s.key, Aggregate: aggregate(recs)})
	}
	slices.SortFunc(out, func(a, b store.Point) int {
		return cmp.Or(a.Bucket.Compare(b.Bucket), strings.Compare(a.Key, b.Key))
	})
	return out
}

// equalSlices compares slices, a nil one equal to an empty one.
func equalSlices[T any](t *testing.T, want, got []T, msg string, args ...any) {
	t.Helper()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	// The first element that differs, not a diff of the whole slices: a
	// diff of thousands of records takes testify minutes.
	for i := range min(len(want), len(got)) {
		if !assert.ObjectsAreEqual(want[i], got[i]) {
			assert.Equal(t, want[i], got[i], append([]any{msg + " (element %d of %d)"}, append(args, i, len(want))...)...)
			return
		}
	}
	assert.Len(t, got, len(want), append([]any{msg}, args...)...)
}

func (d *queryData) testSeries(t *testing.T) {
	for _, nf := range d.filters() {
		for _, grain := range []string{store.GrainHour, store.GrainDay} {
			for _, by := range []string{"", "user", store.ByStatus} {
				want := d.wantSeries(nf.f, grain, by)
				got, err := d.s.Series(ctx, nf.f, grain, by)
				require.NoError(t, err)
				equalSlices(t, want, got, "%s %s by %q", nf.name, grain, by)
				for _, p := range got {
					assert.Equal(t, time.UTC, p.Bucket.Location())
				}
				if nf.f.Search == "" && by != store.ByStatus {
					got, err := d.s.Series(ctx, viaRecords(nf.f), grain, by)
					require.NoError(t, err)
					equalSlices(t, want, got, "%s %s by %q from the records", nf.name, grain, by)
				}
			}
		}
	}
	// The hours of each day add up to the day, whichever source answers.
	for _, f := range []store.Filter{{}, {From: hour(24), To: hour(96)}, {From: hour(3), To: hour(75)}, {Dims: map[string]string{"user": "u-3"}}} {
		hours, err := d.s.Series(ctx, f, store.GrainHour, "")
		require.NoError(t, err)
		days, err := d.s.Series(ctx, f, store.GrainDay, "")
		require.NoError(t, err)
		byDay := map[time.Time][]store.Aggregate{}
		for _, p := range hours {
			day := truncateUTC(p.Bucket, store.GrainDay)
			byDay[day] = append(byDay[day], p.Aggregate)
		}
		require.Len(t, days, len(byDay))
		for _, p := range days {
			assert.Equal(t, sumAggregates(byDay[p.Bucket]), p.Aggregate, "%+v %s", f, p.Bucket)
		}
		sum, err := d.s.Summary(ctx, f)
		require.NoError(t, err)
		var all []store.Aggregate
		for _, p := range days {
			all = append(all, p.Aggregate)
		}
		assert.Equal(t, sum, sumAggregates(all), "%+v: days add up to the summary", f)
	}
}

func (d *queryData) wantBreakdown(f store.Filter, by string, limit int) []store.Group {
	var groups []store.Group
	for k, recs := range groupBy(d.matching(f), func(r *usage.Record) string { return keyOf(by, r) }) {
		groups = append(groups, store.Group{Key: k, Aggregate: aggregate(recs)})
	}
	total := func(g store.Group) money.Nanos {
		var n money.Nanos
		for _, c := range g.Cost {
			n += c
		}
		return n
	}
	slices.SortFunc(groups, func(a, b store.Group) int {
		return cmp.Or(cmp.Compare(total(b), total(a)), cmp.Compare(b.Calls, a.Calls), strings.Compare(a.Key, b.Key))
	})
	if limit <= 0 || len(groups) <= limit {
		return groups
	}
	var rest []store.Aggregate
	for _, g := range groups[limit:] {
		rest = append(rest, g.Aggregate)
	}
	return append(groups[:limit:limit], store.Group{Other: true, Values: int64(len(rest)), Aggregate: sumAggregates(rest)})
}

func (d *queryData) testBreakdown(t *testing.T) {
	folded := 0
	for _, nf := range d.filters() {
		sum, err := d.s.Summary(ctx, nf.f)
		require.NoError(t, err)
		// Every key on a few filters, a few keys on every filter.
		byKeys := []string{store.ByModel, "user", "session"}
		if slices.Contains([]string{"all", "days", "unaligned", "user", "two dims", "status", "search capitals"}, nf.name) {
			byKeys = keys
		}
		for _, by := range byKeys {
			limits := []int{0}
			if nf.f.Search == "" && len(nf.f.Dims) == 0 {
				limits = append(limits, 2)
			}
			for _, limit := range limits {
				want := d.wantBreakdown(nf.f, by, limit)
				got, err := d.s.Breakdown(ctx, nf.f, by, limit)
				require.NoError(t, err)
				equalSlices(t, want, got, "%s by %s limit %d", nf.name, by, limit)
				var parts []store.Aggregate
				for _, g := range got {
					parts = append(parts, g.Aggregate)
				}
				assert.Equal(t, sum, sumAggregates(parts), "%s by %s limit %d: groups add up to the summary", nf.name, by, limit)
				if limit > 0 && len(got) == limit+1 {
					folded++
				}
			}
			// Values: the groups of a breakdown, for the values asked.
			all := d.wantBreakdown(nf.f, by, 0)
			var asked []string
			var want []store.Group
			for i, g := range all {
				if i%2 == 0 {
					asked = append(asked, g.Key)
					want = append(want, g)
				}
			}
			asked = append(asked, "no-such-value")
			got, err := d.s.Values(ctx, nf.f, by, asked)
			require.NoError(t, err)
			equalSlices(t, want, got, "%s: values of %s", nf.name, by)
			if nf.f.Search == "" && (by == store.ByModel || by == "user" || by == "session") {
				got, err := d.s.Breakdown(ctx, viaRecords(nf.f), by, 2)
				require.NoError(t, err)
				equalSlices(t, d.wantBreakdown(nf.f, by, 2), got, "%s by %s from the records", nf.name, by)
			}
		}
	}
	assert.Greater(t, folded, 10, "the Other group is exercised")
	// A limit past the number of values folds nothing.
	got, err := d.s.Breakdown(ctx, store.Filter{}, store.ByModel, 100)
	require.NoError(t, err)
	assert.Equal(t, d.wantBreakdown(store.Filter{}, store.ByModel, 0), got)
}

// wantRecords are the records matching f in key order (start, trace id,
// span id), or that order backwards for newestFirst.
func (d *queryData) wantRecords(f store.Filter, newestFirst bool) []usage.Record {
	var out []usage.Record
	for _, r := range d.matching(f) {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b usage.Record) int {
		c := cmp.Or(a.Start.Compare(b.Start), bytes.Compare(a.TraceID[:], b.TraceID[:]), bytes.Compare(a.SpanID[:], b.SpanID[:]))
		if newestFirst {
			return -c
		}
		return c
	})
	return out
}

func (d *queryData) testRecords(t *testing.T) {
	for _, nf := range d.filters() {
		want := d.wantRecords(nf.f, true)
		size := max(7, len(want)/3)
		var pages []usage.Record
		for off := 0; ; off += size {
			page, total, err := d.s.Records(ctx, nf.f, store.Page{Limit: size, Offset: off})
			require.NoError(t, err)
			assert.Equal(t, int64(len(want)), total, nf.name)
			if off >= len(want) {
				assert.Empty(t, page, "%s: past the end", nf.name)
				break
			}
			assert.Len(t, page, min(size, len(want)-off), "%s: page at %d", nf.name, off)
			pages = append(pages, page...)
		}
		equalSlices(t, want, pages, "%s: pages concatenate to the list", nf.name)
		all, total, err := d.s.Records(ctx, nf.f, store.Page{})
		require.NoError(t, err)
		assert.Equal(t, int64(len(want)), total)
		equalSlices(t, want, all, "%s: no limit", nf.name)
	}
	want := d.wantRecords(store.Filter{}, true)
	got, _, err := d.s.Records(ctx, store.Filter{}, store.Page{Offset: len(want) - 3})
	require.NoError(t, err)
	assert.Equal(t, want[len(want)-3:], got, "an offset without a limit")
}

func (d *queryData) testRecord(t *testing.T) {
	for i := 0; i < len(d.recs); i += 97 {
		got, err := d.s.Record(ctx, d.recs[i].ID())
		require.NoError(t, err)
		assert.Equal(t, d.recs[i], got)
	}
	for _, bad := range []string{"", "nope", "1-2-3", d.recs[0].ID() + "0"} {
		_, err := d.s.Record(ctx, bad)
		assert.ErrorIs(t, err, usage.ErrBadID, bad)
	}
	missing := d.recs[0]
	missing.SpanID[7] ^= 0xff
	_, err := d.s.Record(ctx, missing.ID())
	assert.ErrorIs(t, err, store.ErrNotFound)
	missing = d.recs[0]
	missing.Start = missing.Start.Add(time.Millisecond)
	_, err = d.s.Record(ctx, missing.ID())
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func (d *queryData) testExport(t *testing.T) {
	for _, nf := range d.filters() {
		var got []usage.Record
		var last *usage.Record
		err := d.s.Export(ctx, nf.f, func(r *usage.Record) error {
			require.NotSame(t, last, r, "each call gets its own record")
			last = r
			got = append(got, *r)
			return nil
		})
		require.NoError(t, err)
		equalSlices(t, d.wantRecords(nf.f, false), got, "%s: oldest first, complete", nf.name)
	}
	stop := errors.New("stop")
	n := 0
	err := d.s.Export(ctx, store.Filter{}, func(*usage.Record) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 3, n, "stops at the first error")
}

func (d *queryData) testExportIntoEmptyStore(t *testing.T, dst Store) {
	var batch []usage.Record
	err := d.s.Export(ctx, store.Filter{}, func(r *usage.Record) error {
		batch = append(batch, *r)
		if len(batch) < 300 {
			return nil
		}
		_, err := dst.Write(ctx, batch, nil)
		batch = batch[:0]
		return err
	})
	require.NoError(t, err)
	_, err = dst.Write(ctx, batch, nil)
	require.NoError(t, err)
	for _, f := range []store.Filter{{}, {From: hour(24), To: hour(48)}, {Dims: map[string]string{"user": "u-1"}}} {
		want, err := d.s.Summary(ctx, f)
		require.NoError(t, err)
		got, err := dst.Summary(ctx, f)
		require.NoError(t, err)
		assert.Equal(t, want, got, "%+v", f)
		wantS, err := d.s.Series(ctx, f, store.GrainHour, store.ByModel)
		require.NoError(t, err)
		gotS, err := dst.Series(ctx, f, store.GrainHour, store.ByModel)
		require.NoError(t, err)
		assert.Equal(t, wantS, gotS, "%+v", f)
	}
	_, total, err := dst.Records(ctx, store.Filter{}, store.Page{Limit: 1})
	require.NoError(t, err)
	assert.Equal(t, int64(len(d.recs)), total)
}

func (d *queryData) wantIntervals(f store.Filter, by string) store.IntervalStats {
	st := store.IntervalStats{}
	for _, b := range store.IntervalBounds {
		st.Buckets = append(st.Buckets, store.IntervalBucket{UpTo: b})
	}
	st.Buckets = append(st.Buckets, store.IntervalBucket{})
	for k, recs := range groupBy(d.matching(f), func(r *usage.Record) string { return keyOf(by, r) }) {
		if k == "" {
			continue
		}
		st.Keys++
		starts := make([]time.Time, len(recs))
		for i, r := range recs {
			starts[i] = r.Start
		}
		slices.SortFunc(starts, time.Time.Compare)
		for i := 1; i < len(starts); i++ {
			gap := starts[i].Sub(starts[i-1])
			st.Gaps++
			if gap <= 5*time.Minute {
				st.Within5m++
			}
			if gap <= time.Hour {
				st.Within1h++
			}
			b := len(store.IntervalBounds)
			for j, bound := range store.IntervalBounds {
				if gap <= bound {
					b = j
					break
				}
			}
			st.Buckets[b].Count++
		}
	}
	return st
}

func (d *queryData) testIntervals(t *testing.T) {
	// Gaps exactly on a bound belong to the bucket below it.
	onBound := 0
	for _, recs := range groupBy(d.matching(store.Filter{}), func(r *usage.Record) string { return r.Dims.Session }) {
		starts := make([]time.Time, len(recs))
		for i, r := range recs {
			starts[i] = r.Start
		}
		slices.SortFunc(starts, time.Time.Compare)
		for i := 1; i < len(starts); i++ {
			if slices.Contains(store.IntervalBounds, starts[i].Sub(starts[i-1])) {
				onBound++
			}
		}
	}
	assert.Greater(t, onBound, 5, "gaps on the bounds are generated")
	nonzero := map[int]bool{}
	for _, nf := range d.filters() {
		for _, by := range []string{"session", "user", store.ByStatus} {
			want := d.wantIntervals(nf.f, by)
			got, err := d.s.Intervals(ctx, nf.f, by)
			require.NoError(t, err)
			assert.Equal(t, want, got, "%s by %s", nf.name, by)
			for i, b := range got.Buckets {
				if b.Count > 0 {
					nonzero[i] = true
				}
			}
		}
	}
	assert.Len(t, nonzero, len(store.IntervalBounds)+1, "every bucket is exercised")
}

func (d *queryData) testErrors(t *testing.T) {
	badDim := store.Filter{Dims: map[string]string{"colour": "red"}}
	isDim := func(err error) {
		t.Helper()
		assert.ErrorIs(t, err, store.ErrUnknownDimension)
		assert.ErrorContains(t, err, "colour")
	}
	_, err := d.s.Summary(ctx, badDim)
	isDim(err)
	_, err = d.s.Series(ctx, badDim, store.GrainDay, "")
	isDim(err)
	_, err = d.s.Breakdown(ctx, badDim, store.ByModel, 3)
	isDim(err)
	_, _, err = d.s.Records(ctx, badDim, store.Page{Limit: 10})
	isDim(err)
	isDim(d.s.Export(ctx, badDim, func(*usage.Record) error { return nil }))
	_, err = d.s.Intervals(ctx, badDim, "session")
	isDim(err)

	for _, by := range []string{"colour", "user_id", "ts_ms", "model; DROP TABLE usage_records"} {
		isKey := func(err error) {
			t.Helper()
			assert.ErrorIs(t, err, store.ErrUnknownKey, by)
			assert.ErrorContains(t, err, fmt.Sprintf("%q", by))
		}
		_, err = d.s.Series(ctx, store.Filter{}, store.GrainDay, by)
		isKey(err)
		_, err = d.s.Breakdown(ctx, store.Filter{}, by, 0)
		isKey(err)
		_, err = d.s.Intervals(ctx, store.Filter{}, by)
		isKey(err)
	}
	_, err = d.s.Breakdown(ctx, store.Filter{}, "", 0)
	assert.ErrorIs(t, err, store.ErrUnknownKey, "a breakdown needs a key")
	_, err = d.s.Intervals(ctx, store.Filter{}, "")
	assert.ErrorIs(t, err, store.ErrUnknownKey, "intervals need a key")
	_, err = d.s.Series(ctx, store.Filter{}, "w", "")
	assert.ErrorIs(t, err, store.ErrUnknownGrain)
	// Values are parameters, never SQL.
	for _, v := range []string{"' OR '1'='1", `"; --`} {
		got, err := d.s.Summary(ctx, store.Filter{Model: v, Dims: map[string]string{"user": v}})
		require.NoError(t, err)
		assert.Zero(t, got.Calls)
		got, err = d.s.Summary(ctx, store.Filter{Search: v})
		require.NoError(t, err)
		assert.Zero(t, got.Calls)
	}
}

// testRollupsOutliveRecords shows which source answers: after the raw
// records of the first day are dropped, the aggregates the rollups can
// answer still count them, and those only the records can answer do not.
// A range that does not fall on whole hours (whole days for a dimension)
// is answered by the rollups for its whole buckets and by the records for
// the rest.
func testRollupsOutliveRecords(t *testing.T, s Store) {
	d := &queryData{s: s, recs: Records(41, 400, 48)}
	_, err := s.Write(ctx, d.recs, nil)
	require.NoError(t, err)
	_, err = s.DeleteRecordsBefore(ctx, hour(24))
	require.NoError(t, err)
	kept := &queryData{recs: d.wantRecords(store.Filter{From: hour(24)}, false)}
	user := map[string]string{"user": "u-1"}
	for _, f := range []store.Filter{{}, {From: hour(0), To: hour(36)}, {Model: "gpt-4o-mini"}, {Environment: "staging", From: hour(0), To: hour(36)}, {Dims: user}, {From: hour(0), To: hour(48), Dims: user}} {
		got, err := s.Summary(ctx, f)
		require.NoError(t, err)
		assert.Equal(t, aggregate(d.matching(f)), got, "%+v: from the rollups", f)
		series, err := s.Series(ctx, f, store.GrainDay, "")
		require.NoError(t, err)
		assert.Equal(t, d.wantSeries(f, store.GrainDay, ""), series, "%+v: from the rollups", f)
		if len(f.Dims) == 0 { // with a dimension, see below
			for _, by := range []string{store.ByProvider, store.ByEnvironment} {
				series, err = s.Series(ctx, f, store.GrainDay, by)
				require.NoError(t, err)
				assert.Equal(t, d.wantSeries(f, store.GrainDay, by), series, "%+v by %s: from the rollups", f, by)
			}
		}

		got, err = s.Summary(ctx, viaRecords(f))
		require.NoError(t, err)
		assert.Equal(t, aggregate(kept.matching(f)), got, "%+v: from the records", f)
	}
	// Record pages count what is left, never what the rollups remember.
	for _, f := range []store.Filter{{}, {From: hour(0)}, {From: hour(23)}, {Model: "gpt-4o-mini"}, {From: hour(30), Dims: user}} {
		recs, total, err := s.Records(ctx, f, store.Page{Limit: 5})
		require.NoError(t, err)
		want := kept.wantRecords(f, true)
		assert.Equal(t, int64(len(want)), total, "%+v", f)
		assert.Equal(t, want[:min(5, len(want))], recs, "%+v", f)
	}

	// Dimension rows hold no provider: a dimension split by provider, and
	// an hourly series of a dimension, come from the records.
	f := store.Filter{Dims: user}
	series, err := s.Series(ctx, f, store.GrainDay, store.ByProvider)
	require.NoError(t, err)
	assert.Equal(t, kept.wantSeries(f, store.GrainDay, store.ByProvider), series)
	series, err = s.Series(ctx, f, store.GrainHour, "")
	require.NoError(t, err)
	assert.Equal(t, kept.wantSeries(f, store.GrainHour, ""), series)
	// Dimensions with few values (a tenant) have hourly rows as well.
	series, err = s.Series(ctx, store.Filter{}, store.GrainHour, "tenant")
	require.NoError(t, err)
	assert.Equal(t, d.wantSeries(store.Filter{}, store.GrainHour, "tenant"), series, "hourly by tenant: from the rollups")
	got, err := s.Summary(ctx, store.Filter{From: hour(3), To: hour(30), Dims: map[string]string{"tenant": "acme"}})
	require.NoError(t, err)
	assert.Equal(t, aggregate(d.matching(store.Filter{From: hour(3), To: hour(30), Dims: map[string]string{"tenant": "acme"}})), got, "a tenant's whole hours: from the rollups")

	// A bound inside an hour: the first, partial hour is read from the
	// records (dropped here), the whole hours after it from the rollups.
	f = store.Filter{From: hour(0).Add(time.Minute), To: hour(36)}
	got, err = s.Summary(ctx, f)
	require.NoError(t, err)
	assert.Equal(t, aggregate(d.matching(store.Filter{From: hour(1), To: hour(36)})), got)
	// The same for a dimension, by whole days: [00:01, day 1) from the
	// records, day 1 from its daily rows.
	f = store.Filter{From: hour(0).Add(time.Minute), To: hour(48), Dims: user}
	got, err = s.Summary(ctx, f)
	require.NoError(t, err)
	assert.Equal(t, aggregate(d.matching(store.Filter{From: hour(24), To: hour(48), Dims: user})), got)
}

// testBreakdownCurrencies: the Other group names the currencies of its
// own calls only, whatever the top groups' are.
func testBreakdownCurrencies(t *testing.T, s Store) {
	recs := Records(77, 40, 24)
	for i := range recs {
		r := &recs[i]
		r.Status, r.Dims.User, r.Currency, r.Cost = "priced", fmt.Sprintf("small-%d", i%4), "USD", money.Nanos(1000+i)
		r.CacheSaved, r.CostByMeter = 0, [len(r.CostByMeter)]money.Nanos{}
		if i < 3 {
			r.Dims.User, r.Currency, r.Cost = "big", "EUR", money.Nanos(1_000_000_000+i)
		}
		r.ListCost, r.Contract, r.Multiplier, r.FXRate, r.SourceCost, r.SourceCurrency = r.Cost, "", "", "", 0, ""
		r.Reconcile, r.ComputedCost = "", 0
	}
	_, err := s.Write(ctx, recs, nil)
	require.NoError(t, err)
	d := &queryData{recs: recs}
	for _, f := range []store.Filter{{}, {From: Base, To: Base.Add(48 * time.Hour)}, viaRecords(store.Filter{})} {
		got, err := s.Breakdown(ctx, f, "user", 1)
		require.NoError(t, err)
		equalSlices(t, d.wantBreakdown(f, "user", 1), got, "%+v", f)
		require.Len(t, got, 2)
		assert.Equal(t, "big", got[0].Key)
		assert.Equal(t, map[string]money.Nanos{"EUR": 3_000_000_003}, got[0].Cost)
		assert.Equal(t, []string{"USD"}, slices.Collect(maps.Keys(got[1].Cost)), "%+v", f)
		assert.Equal(t, int64(37), got[1].Calls)
		assert.Equal(t, int64(4), got[1].Values)
	}
}

// testRoundTripExtremes writes records with every field at an unusual
// value and reads them back through every read method.
func testRoundTripExtremes(t *testing.T, s Store) {
	var a usage.Record
	a.Start = time.Date(2027, 2, 28, 23, 59, 59, 999_000_000, time.UTC)
	for i := range a.TraceID {
		a.TraceID[i] = 0xff - byte(i)
	}
	a.SpanID = [8]byte{0, 0, 0, 0, 0, 0, 0, 1}
	a.Duration, a.TTFT = 36*time.Hour+time.Millisecond, time.Millisecond
	a.Service, a.Environment = "sérvice ünïcode ✓", "e'nv\"; --"
	a.Dims = usage.Dimensions{User: "user", Tenant: "tenant", Department: "dept", Session: "session", SessionType: "type", Feature: "feature", APIKey: "key"}
	a.Provider, a.Model, a.RequestModel, a.ResponseModel = "p", "m", "rm", "rsm"
	a.Operation, a.RawOperation = "other", "op ünïcode'; --"
	a.Streaming, a.Estimated = true, true
	a.Status, a.ErrorType = "partial", "Timeout"
	for m := range a.Tokens {
		if meter.Meter(m) != meter.Request {
			a.Tokens[m] = int64(1<<40 + m)
		}
	}
	for m := range a.CostByMeter {
		a.CostByMeter[m] = money.Nanos(-int64(m) - 1) // credits are negative
	}
	a.Cost, a.CacheSaved, a.Currency = 1<<62, -5, "JPY"
	a.CostSource, a.Reported, a.ReportedCurrency, a.HasReported = "provider", -1<<62, "EUR", true
	a.Card, a.ResponseID = "card#1", "resp"
	a.ServiceTier, a.ListCost, a.Contract, a.Multiplier = "priority", 1<<62+1, "acme'; --@2026-01-01", "0.999999999"
	a.FXRate, a.SourceCost, a.SourceCurrency = "USD>JPY:USD/JPY=155.5@2026-12-01", 1<<61, "USD"
	a.Reconcile, a.ComputedCost = "unit", 0

	b := usage.Record{Start: time.UnixMilli(1).UTC()} // every field zero but the time
	b.SpanID[0] = 1
	_, err := s.Write(ctx, []usage.Record{a, b}, nil)
	require.NoError(t, err)
	for _, want := range []usage.Record{a, b} {
		got, err := s.Record(ctx, want.ID())
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	page, total, err := s.Records(ctx, store.Filter{}, store.Page{Limit: 10})
	require.NoError(t, err)
	assert.Equal(t, int64(2), total)
	assert.Equal(t, []usage.Record{a, b}, page)
	var exported []usage.Record
	require.NoError(t, s.Export(ctx, store.Filter{}, func(r *usage.Record) error {
		exported = append(exported, *r)
		return nil
	}))
	assert.Equal(t, []usage.Record{b, a}, exported)
}

func testQueryEmpty(t *testing.T, s Store) {
	sum, err := s.Summary(ctx, store.Filter{})
	require.NoError(t, err)
	assert.Equal(t, aggregate(nil), sum, "zero counts, empty maps")
	series, err := s.Series(ctx, store.Filter{}, store.GrainDay, store.ByModel)
	require.NoError(t, err)
	assert.Empty(t, series)
	groups, err := s.Breakdown(ctx, store.Filter{Search: "x"}, store.ByModel, 3)
	require.NoError(t, err)
	assert.Empty(t, groups)
	recs, total, err := s.Records(ctx, store.Filter{}, store.Page{Limit: 10})
	require.NoError(t, err)
	assert.Empty(t, recs)
	assert.Zero(t, total)
	_, err = s.Record(ctx, "1-00000000000000000000000000000001-0000000000000001")
	assert.ErrorIs(t, err, store.ErrNotFound)
	require.NoError(t, s.Export(ctx, store.Filter{}, func(*usage.Record) error {
		t.Error("no record to export")
		return nil
	}))
	st, err := s.Intervals(ctx, store.Filter{}, "session")
	require.NoError(t, err)
	assert.Equal(t, (&queryData{}).wantIntervals(store.Filter{}, "session"), st)
}
