// Package storetest is the contract every usage store must pass. A backend
// test calls Run with a function that opens a fresh, empty store.
package storetest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// Base is the first hour the generated records fall in.
var Base = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// Records generates n varied records over hours hours from Base; the same
// seed gives the same records. Every field of usage.Record varies, values
// carry LIKE wildcards and capitals for the search, some calls follow
// the previous one in the same session within seconds or exactly one
// interval bound later, and some share its start, or its start and trace
// (ordering ties).
func Records(seed uint64, n, hours int) []usage.Record {
	r := rand.New(rand.NewPCG(seed, 7))
	providers := []struct{ provider, model, currency string }{
		{"openai", "gpt-4o-mini", "USD"}, {"anthropic", "claude-sonnet-4-5", "USD"},
		{"aws.bedrock", "amazon.nova-pro-v1:0", "USD"}, {"openai", "acme-llm-9000", ""}, {"mistral_ai", "mistral-large", "EUR"},
	}
	users := []string{"", "u-1", "u-2", "u-3", "Alice@Example.com"}
	out := make([]usage.Record, n)
	for i := range out {
		p := providers[r.IntN(len(providers))]
		rec := usage.Record{
			Start:        Base.Add(time.Duration(r.Int64N(int64(hours) * int64(time.Hour)))).Truncate(time.Millisecond),
			Duration:     time.Duration(r.IntN(30_000)) * time.Millisecond,
			Service:      []string{"web", "worker"}[r.IntN(2)],
			Environment:  []string{"prod", "staging"}[r.IntN(2)],
			Provider:     p.provider,
			Model:        p.model,
			RequestModel: p.model,
			Operation:    operations[i%len(operations)][0],
			RawOperation: operations[i%len(operations)][1],
			Streaming:    r.IntN(2) == 0,
			Status:       "priced",
			Currency:     p.currency,
			CostSource:   "local",
			Card:         p.provider + "/" + p.model + "#00000000",
			Dims: usage.Dimensions{User: users[r.IntN(len(users))], Tenant: []string{"acme", "globex"}[r.IntN(2)],
				Department: []string{"", "R&D", "sales_100%"}[r.IntN(3)], Session: fmt.Sprintf("s-%d-%d", seed, r.IntN(20)),
				Feature: []string{"search", "chat", ""}[r.IntN(3)], SessionType: "chat", APIKey: []string{"", "key_1", "key-2"}[r.IntN(3)]},
		}
		if r.IntN(5) == 0 {
			rec.Dims.Session = ""
		}
		if r.IntN(2) == 0 {
			rec.ResponseModel = p.model + "-2026-08-06"
			rec.ResponseID = fmt.Sprintf("resp_%d_%d", seed, i)
		}
		binary.LittleEndian.PutUint64(rec.TraceID[:], seed<<32|uint64(i))
		binary.LittleEndian.PutUint64(rec.SpanID[:], uint64(i)+1)
		if i > 0 {
			prev := &out[i-1]
			switch r.IntN(20) {
			case 0, 1, 2, 3: // the next call of a conversation
				rec.Start = prev.Start.Add(time.Duration(r.Int64N(int64(2 * time.Minute)))).Truncate(time.Millisecond)
				rec.Dims.Session, rec.Dims.User = prev.Dims.Session, prev.Dims.User
			case 4: // a parallel call
				rec.Start = prev.Start
			case 5: // another span of the same trace
				rec.Start, rec.TraceID = prev.Start, prev.TraceID
			case 6: // a gap exactly on a bound of the interval buckets
				rec.Start = prev.Start.Add(store.IntervalBounds[r.IntN(len(store.IntervalBounds))])
				rec.Dims.Session, rec.Dims.User = prev.Dims.Session, prev.Dims.User
			}
		}
		for _, m := range []meter.Meter{meter.Input, meter.CacheRead, meter.CacheWrite5m, meter.Output, meter.WebSearch, meter.OutputVideo} {
			rec.Tokens[m] = r.Int64N(100_000)
		}
		rec.Tokens[meter.Reasoning] = rec.Tokens[meter.Output] / 2
		switch {
		case p.currency == "" && r.IntN(4) == 0:
			rec.Status, rec.Reason = "invalid", "negative:gen_ai.usage.input_tokens"
		case p.currency == "":
			rec.Status, rec.Reason = "unpriced", "unknown_model"
		default:
			rec.Cost = money.Nanos(r.Int64N(5_000_000_000))
			rec.Cost++ // the request's nano: the parts add up to the cost
			rec.CostByMeter[meter.Input] = rec.Cost / 2
			rec.CostByMeter[meter.Output] = rec.Cost - rec.Cost/2 - 1
			rec.CostByMeter[meter.Request] = 1
			rec.CacheSaved = money.Nanos(r.Int64N(1_000_000_000))
			switch r.IntN(8) {
			case 0:
				rec.Status, rec.Reason = "partial", "unpriced_meter:input_audio"
			case 1:
				rec.Status, rec.CostSource = "provider_reported", "provider"
			case 2:
				rec.Estimated = true
			}
		}
		rec.ListCost = rec.Cost
		// Contracts, conversions and tiers, by position: a draw would
		// change every later field of a seed's records.
		if rec.Cost > 0 && i%3 == 0 {
			rec.ListCost = rec.Cost + rec.Cost/4
			rec.Contract, rec.Multiplier = "acme@2026-01-01", "0.8"
		}
		if rec.Currency == "EUR" && i%4 == 1 {
			rec.FXRate, rec.SourceCost, rec.SourceCurrency = "USD>EUR:EUR/USD=1.0823@2026-11-30", rec.Cost+rec.Cost/12, "USD"
		}
		if i%7 == 2 {
			rec.ServiceTier = []string{"batch", "flex", "priority", "standard"}[i%4]
		}
		if r.IntN(6) == 0 {
			// A reported cost, sometimes zero: NULL and 0 must differ.
			rec.HasReported, rec.Reported, rec.ReportedCurrency = true, money.Nanos(r.Int64N(3)*1_000_000), "USD"
			if rec.Currency == "USD" {
				rec.Reconcile, rec.ComputedCost = []string{"match", "mismatch", "unit"}[i%3], rec.ListCost
			}
		}
		if r.IntN(20) == 0 {
			rec.ErrorType = "RateLimitError"
		}
		if r.IntN(3) == 0 {
			rec.TTFT = time.Duration(1+r.IntN(2000)) * time.Millisecond
		}
		out[i] = rec
	}
	return out
}

// operations are the records' canonical and raw operations, taken in
// turn (drawing them would change every other field of a seed's records).
var operations = [...][2]string{{"chat", "chat"}, {"chat", "ai.streamText.doStream"}, {"embeddings", "embedding"}, {"other", "my_custom_op"}, {"other", ""}}

// Store is a store under test: the production interface, and the sums the
// suite checks the rollups with, which only tests read. Both SQL stores
// implement it (through sqlstore.Reader).
type Store interface {
	store.Store
	// Totals sums the rollups of [from, to): the hourly totals, or the
	// daily rows of one dimension value (whole UTC days).
	Totals(ctx context.Context, q store.TotalsQuery) ([]store.Totals, error)
	// RecordTotals sums the raw records of [from, to) the same way; it
	// scans the records.
	RecordTotals(ctx context.Context, q store.TotalsQuery) ([]store.Totals, error)
}

// Open opens a fresh, empty store for one test.
type Open func(t *testing.T) Store

// Run runs the contract.
func Run(t *testing.T, open Open) {
	t.Run("Idempotent", func(t *testing.T) { testIdempotent(t, open(t)) })
	t.Run("RollupsEqualRecords", func(t *testing.T) { testRollupsEqualRecords(t, open(t)) })
	t.Run("PartialReplay", func(t *testing.T) { testPartialReplay(t, open(t)) })
	t.Run("LargeBatch", func(t *testing.T) { testLargeBatch(t, open(t)) })
	t.Run("ConcurrentWriters", func(t *testing.T) { testConcurrentWriters(t, open(t)) })
	t.Run("RetentionKeepsRollups", func(t *testing.T) { testRetention(t, open(t)) })
	t.Run("UnknownDimension", func(t *testing.T) { testUnknownDimension(t, open(t)) })
	t.Run("Empty", func(t *testing.T) { testEmpty(t, open(t)) })
	t.Run("Query", func(t *testing.T) { testQuery(t, open) })
	t.Run("Budgets", func(t *testing.T) { testBudgets(t, open(t)) })
	t.Run("Notifications", func(t *testing.T) { testNotifications(t, open(t)) })
	t.Run("Reprice", func(t *testing.T) { testReprice(t, open) })
}

var ctx = context.Background()

func all() store.TotalsQuery {
	return store.TotalsQuery{From: Base, To: Base.Add(365 * 24 * time.Hour)}
}

func testIdempotent(t *testing.T, s Store) {
	recs := Records(1, 500, 48)
	n, err := s.Write(ctx, recs, nil)
	require.NoError(t, err)
	assert.Equal(t, 500, n)
	before, err := s.Totals(ctx, all())
	require.NoError(t, err)
	for range 2 {
		n, err = s.Write(ctx, recs, nil)
		require.NoError(t, err)
		assert.Equal(t, 0, n, "a replayed batch inserts nothing")
	}
	after := rollupsMatchRecords(t, s, all())
	assert.Equal(t, before, after, "and changes no total")
	assert.Equal(t, int64(500), calls(after))
}

// rollupsMatchRecords checks the rollups against the raw records for q and
// returns the rollup totals.
func rollupsMatchRecords(t *testing.T, s Store, q store.TotalsQuery) []store.Totals {
	t.Helper()
	roll, err := s.Totals(ctx, q)
	require.NoError(t, err)
	raw, err := s.RecordTotals(ctx, q)
	require.NoError(t, err)
	assert.Equal(t, raw, roll, "rollups must equal the records they sum: %+v", q)
	return roll
}

// CheckWeekRows checks that the users' week rows of s sum recs, the
// records written to it: for a store upgraded to week rows after recs
// were written (whose records retention may have dropped since).
func CheckWeekRows(t *testing.T, s Store, recs []usage.Record) {
	t.Helper()
	users := map[string]bool{}
	for i := range recs {
		users[recs[i].Dims.User] = true
	}
	first := store.BucketStart(Base, store.GrainWeek)
	var seen int64
	for w := first; w.Before(Base.AddDate(0, 1, 0)); w = w.AddDate(0, 0, 7) {
		for u := range users {
			q := store.TotalsQuery{From: w, To: w.AddDate(0, 0, 7), Dimension: "user", Value: u, Grain: store.GrainWeek}
			got, err := s.Totals(ctx, q)
			require.NoError(t, err)
			want := map[string]*store.Totals{}
			for i := range recs {
				r := &recs[i]
				if r.Dims.User != u || r.Start.Before(q.From) || !r.Start.Before(q.To) {
					continue
				}
				tot := want[r.Currency]
				if tot == nil {
					tot = &store.Totals{Currency: r.Currency}
					want[r.Currency] = tot
				}
				tot.Calls++
				tot.Cost += r.Cost
				tot.DurationMillis += r.Duration.Milliseconds()
				for m, n := range r.Tokens {
					tot.Tokens[m] += n
				}
			}
			require.Len(t, got, len(want), "%+v", q)
			for _, g := range got {
				w := want[g.Currency]
				require.NotNil(t, w, "%+v: currency %q", q, g.Currency)
				assert.Equal(t, [4]int64{w.Calls, int64(w.Cost), w.DurationMillis}, [4]int64{g.Calls, int64(g.Cost), g.DurationMillis}, "%+v %s", q, g.Currency)
				assert.Equal(t, w.Tokens, g.Tokens, "%+v %s", q, g.Currency)
				seen += g.Calls
			}
		}
	}
	assert.Equal(t, int64(len(recs)), seen, "every record is in one week row of its user")
}

func calls(tots []store.Totals) int64 {
	var n int64
	for _, tot := range tots {
		n += tot.Calls
	}
	return n
}

func testRollupsEqualRecords(t *testing.T, s Store) {
	for b := range 10 {
		_, err := s.Write(ctx, Records(uint64(100+b), 300, 72), nil)
		require.NoError(t, err)
	}
	queries := []store.TotalsQuery{all(),
		{From: Base.Add(24 * time.Hour), To: Base.Add(48 * time.Hour)},
		{From: Base.Add(5 * time.Hour), To: Base.Add(6 * time.Hour)}}
	for _, dim := range []struct{ name, value string }{{"user", "u-2"}, {"user", ""}, {"tenant", "acme"}, {"feature", "search"}, {"session_type", "chat"}} {
		q := all()
		q.Dimension, q.Value = dim.name, dim.value
		queries = append(queries, q)
	}
	// Users have week rows too: the weeks around the records (Base is a
	// Sunday, so they fall in two).
	monday := store.BucketStart(Base, store.GrainWeek)
	for _, w := range []struct{ from, to time.Time }{{monday, monday.AddDate(0, 0, 14)}, {monday, monday.AddDate(0, 0, 7)}, {monday.AddDate(0, 0, 7), monday.AddDate(0, 0, 14)}} {
		for _, user := range []string{"u-2", ""} {
			queries = append(queries, store.TotalsQuery{From: w.from, To: w.to, Dimension: "user", Value: user, Grain: store.GrainWeek})
		}
	}
	for _, q := range queries {
		require.NotEmpty(t, rollupsMatchRecords(t, s, q), "%+v", q)
	}
	for _, q := range []store.TotalsQuery{
		{Dimension: "tenant", Value: "acme", Grain: store.GrainWeek}, // tenants have hours, not weeks
		{Dimension: "user", Value: "u-2", Grain: store.GrainHour},    // users have weeks, not hours
		{Grain: store.GrainWeek},                                     // totals have hours and days
		{Grain: "month"},
	} {
		_, err := s.Totals(ctx, q)
		assert.ErrorIs(t, err, store.ErrUnknownGrain, "%+v", q)
	}
	// And the rows that exist answer.
	for _, q := range []store.TotalsQuery{{Dimension: "tenant", Value: "acme", Grain: store.GrainHour}, {Grain: store.GrainDay}} {
		q.From, q.To = all().From, all().To
		require.NotEmpty(t, rollupsMatchRecords(t, s, q), "%+v", q)
	}
	// Currencies are never summed together; unpriced calls carry none.
	tots, err := s.Totals(ctx, all())
	require.NoError(t, err)
	var currencies []string
	for _, tot := range tots {
		currencies = append(currencies, tot.Currency)
		if tot.Currency == "" {
			assert.Equal(t, money.Nanos(0), tot.Cost)
			assert.Equal(t, tot.Calls, tot.Unpriced)
		}
	}
	assert.Equal(t, []string{"", "EUR", "USD"}, currencies)
}

func testPartialReplay(t *testing.T, s Store) {
	recs := Records(3, 400, 24)
	_, err := s.Write(ctx, recs[:250], nil)
	require.NoError(t, err)
	// 100 seen, 150 new, and the first new one once more at the end: the
	// marks name exactly the records stored by this call.
	batch := append(slices.Clone(recs[150:]), recs[250])
	inserted := make([]bool, len(batch))
	for i := range inserted {
		inserted[i] = i%2 == 0 // stale marks are overwritten
	}
	n, err := s.Write(ctx, batch, inserted)
	require.NoError(t, err)
	assert.Equal(t, 150, n)
	for i, got := range inserted {
		assert.Equal(t, i >= 100 && i < 250, got, "record %d of the batch", i)
	}
	assert.Equal(t, int64(400), calls(rollupsMatchRecords(t, s, all())))
	n, err = s.Write(ctx, batch, inserted)
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.NotContains(t, inserted, true, "a replay stores nothing")
}

// A batch as large as the exporter's under load, which a backend may
// write in parts (PostgreSQL: two transactions at once), with stored
// records in both halves and a record repeated at its end: the count, the
// marks and the rollups are those of one write.
func testLargeBatch(t *testing.T, s Store) {
	recs := Records(6, 12_000, 24)
	slices.SortFunc(recs, func(a, b usage.Record) int { return a.Start.Compare(b.Start) }) // halves in time order, as a backend splits
	_, err := s.Write(ctx, recs[:3000], nil)
	require.NoError(t, err)
	_, err = s.Write(ctx, recs[9000:10_000], nil)
	require.NoError(t, err)
	batch := append(slices.Clone(recs), recs[11_000])
	inserted := make([]bool, len(batch))
	n, err := s.Write(ctx, batch, inserted)
	require.NoError(t, err)
	assert.Equal(t, 8000, n)
	want := func(i int) bool { return i >= 3000 && i < 9000 || i >= 10_000 && i < 12_000 }
	wrong := 0
	for i, got := range inserted {
		if got != want(i) {
			wrong++
		}
	}
	assert.Zero(t, wrong, "records whose mark is not whether this write stored them")
	assert.Equal(t, int64(12_000), calls(rollupsMatchRecords(t, s, all())))
	n, err = s.Write(ctx, batch, inserted)
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.NotContains(t, inserted, true, "a replay stores nothing")
	assert.Equal(t, int64(12_000), calls(rollupsMatchRecords(t, s, all())))
}

func testConcurrentWriters(t *testing.T, s Store) {
	recs := Records(4, 2000, 24)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Overlapping slices: every record is written by two writers.
			for i := w * 250; i < w*250+1000; i += 100 {
				if _, err := s.Write(ctx, recs[i%2000:min(i%2000+100, 2000)], nil); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	// The writers cover records 0-999, 250-1249, 500-1499 and 750-1749.
	assert.Equal(t, int64(1750), calls(rollupsMatchRecords(t, s, all())))
}

func testRetention(t *testing.T, s Store) {
	recs := Records(5, 600, 72)
	_, err := s.Write(ctx, recs, nil)
	require.NoError(t, err)
	before, err := s.Totals(ctx, all())
	require.NoError(t, err)
	cut := Base.Add(48 * time.Hour)
	var old int64
	for _, r := range recs {
		if r.Start.Before(cut) {
			old++
		}
	}
	n, err := s.DeleteRecordsBefore(ctx, cut)
	require.NoError(t, err)
	assert.Equal(t, old, n)
	after, err := s.Totals(ctx, all())
	require.NoError(t, err)
	assert.Equal(t, before, after, "rollups outlive raw records")
	raw, err := s.RecordTotals(ctx, store.TotalsQuery{From: Base, To: cut})
	require.NoError(t, err)
	assert.Empty(t, raw)
}

func testUnknownDimension(t *testing.T, s Store) {
	q := all()
	q.Dimension = "colour"
	_, err := s.Totals(ctx, q)
	assert.True(t, errors.Is(err, store.ErrUnknownDimension), "%v", err)
	_, err = s.RecordTotals(ctx, q)
	assert.True(t, errors.Is(err, store.ErrUnknownDimension), "%v", err)
}

func testEmpty(t *testing.T, s Store) {
	n, err := s.Write(ctx, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, 0, n)
	tots, err := s.Totals(ctx, all())
	require.NoError(t, err)
	assert.Empty(t, tots)
}
