package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// newPrice is a repricing as a catalog change makes one: gpt-4o-mini's
// calls in the range cost 3 nanos an input token and 7 an output token,
// and those in dollars are converted into euros at 1/2 (so that their
// rollup rows move to another currency); everything else is left as it
// is. It depends only on a record's tokens, so applying it twice changes
// nothing the second time.
func newPrice(r *usage.Record) bool {
	if r.Model != "gpt-4o-mini" || r.Currency == "" {
		return false
	}
	before := *r
	r.CostByMeter = [meter.Count]money.Nanos{}
	r.CostByMeter[meter.Input] = money.Nanos(3 * r.Tokens[meter.Input])
	r.CostByMeter[meter.Output] = money.Nanos(7 * r.Tokens[meter.Output])
	r.ListCost = r.CostByMeter[meter.Input] + r.CostByMeter[meter.Output]
	r.Cost, r.Contract, r.Multiplier = r.ListCost, "", ""
	r.Card, r.Status, r.Reason, r.CostSource = "openai/gpt-4o-mini@2026-11-02#0000abcd", "priced", "", "local"
	if r.Currency == "USD" || r.SourceCurrency == "USD" {
		r.FXRate, r.SourceCost, r.SourceCurrency, r.Currency = "USD>EUR:EUR/USD=2@2026-01-01", r.Cost, "USD", "EUR"
		for m := range r.CostByMeter {
			r.CostByMeter[m] /= 2
		}
		r.Cost = r.CostByMeter[meter.Input] + r.CostByMeter[meter.Output]
		r.ListCost = r.Cost
	}
	return *r != before
}

func exportAll(t *testing.T, s Store) []usage.Record {
	t.Helper()
	var out []usage.Record
	require.NoError(t, s.Export(ctx, store.Filter{}, func(r *usage.Record) error {
		out = append(out, *r)
		return nil
	}))
	return out
}

// checkConsistent checks that the rollups answer as the records do: the
// total, by model, by user (day and week rows) and by tenant (hour rows).
func checkConsistent(t *testing.T, s Store, recs []usage.Record) {
	t.Helper()
	d := &queryData{s: s, recs: recs}
	for _, f := range []store.Filter{{}, {From: Base.Add(5 * time.Hour), To: Base.Add(30 * time.Hour)}} {
		got, err := s.Summary(ctx, f)
		require.NoError(t, err)
		assert.Equal(t, aggregate(d.matching(f)), got, "%+v", f)
		for _, by := range []string{store.ByModel, "user", "tenant"} {
			groups, err := s.Breakdown(ctx, f, by, 0)
			require.NoError(t, err)
			equalSlices(t, d.wantBreakdown(f, by, 0), groups, "%+v by %s", f, by)
		}
	}
	for _, q := range []store.TotalsQuery{all(), {From: Base, To: Base.Add(24 * time.Hour), Dimension: "tenant", Value: "acme"}} {
		rollupsMatchRecords(t, s, q)
	}
}

// step runs a run to its end, batch by batch.
func step(t *testing.T, s Store, id int64, batch int, fn func(*usage.Record) bool) store.RepriceRun {
	t.Helper()
	for range 10_000 {
		run, err := s.RepriceStep(ctx, id, batch, fn, Base.Add(1000*time.Hour))
		require.NoError(t, err)
		if run.Status == store.RepriceDone {
			_, err := s.RepriceStep(ctx, id, batch, fn, Base)
			require.ErrorIs(t, err, store.ErrRepriceDone)
			return run
		}
	}
	t.Fatal("the run never ends")
	return store.RepriceRun{}
}

// testReprice: a repricing of a range changes exactly the records it
// should, keeps the rollups equal to the records, gives the same result
// run twice, interrupted and resumed, or all at once; a dry run changes
// nothing; the run's row says what changed.
func testReprice(t *testing.T, open func(*testing.T) Store) {
	recs := Records(31, 400, 48)
	from, to := Base.Add(6*time.Hour), Base.Add(40*time.Hour)
	want := slices.Clone(recs)
	wantChanged := int64(0)
	for i := range want {
		if !want[i].Start.Before(from) && want[i].Start.Before(to) && newPrice(&want[i]) {
			wantChanged++
		}
	}
	require.Positive(t, wantChanged)
	sortRecords := func(rs []usage.Record) []usage.Record {
		rs = slices.Clone(rs)
		slices.SortFunc(rs, func(a, b usage.Record) int { return compareID(&a, &b) })
		return rs
	}

	t.Run("DryRun", func(t *testing.T) {
		s := open(t)
		_, err := s.Write(ctx, recs, nil)
		require.NoError(t, err)
		run := store.RepriceRun{Created: Base, Actor: "alice", Reason: "new gpt-4o-mini prices", From: from, To: to, DryRun: true}
		require.NoError(t, s.CreateRepriceRun(ctx, &run))
		done := step(t, s, run.ID, 50, newPrice)
		assert.Equal(t, wantChanged, done.Changed)
		assert.Equal(t, sortRecords(recs), exportAll(t, s), "a dry run changes no record")
		checkConsistent(t, s, recs)
		require.Len(t, done.Models, 1)
		m := done.Models[0]
		assert.Equal(t, [3]any{"openai", "gpt-4o-mini", wantChanged}, [3]any{m.Provider, m.Model, m.Calls})
		var after money.Nanos
		for i := range want {
			if !want[i].Start.Before(from) && want[i].Start.Before(to) && want[i].Model == "gpt-4o-mini" && want[i].Currency != "" {
				after += want[i].Cost
			}
		}
		assert.Equal(t, after, m.After["EUR"], "the new totals, as a real run would store them")
		got, err := s.RepriceRunByID(ctx, run.ID)
		require.NoError(t, err)
		assert.Equal(t, done, got)
		assert.Equal(t, "alice", got.Actor)
	})

	t.Run("RunTwiceAndInterrupted", func(t *testing.T) {
		s := open(t)
		_, err := s.Write(ctx, recs, nil)
		require.NoError(t, err)
		run := store.RepriceRun{Created: Base, Actor: "ops", From: from, To: to}
		require.NoError(t, s.CreateRepriceRun(ctx, &run))
		// The second step fails half way: its transaction leaves nothing.
		first, err := s.RepriceStep(ctx, run.ID, 37, newPrice, Base)
		require.NoError(t, err)
		require.Equal(t, store.RepriceRunning, first.Status)
		cctx, cancel := context.WithCancel(ctx)
		n := 0
		_, err = s.RepriceStep(cctx, run.ID, 37, func(r *usage.Record) bool {
			n++
			if n == 20 {
				cancel()
			}
			return newPrice(r)
		}, Base)
		cancel()
		if err == nil { // the read was done before the cancel: the write must see it
			t.Fatal("a step whose context is cancelled must not commit")
		}
		again, err := s.RepriceRunByID(ctx, run.ID)
		require.NoError(t, err)
		assert.Equal(t, first.Cursor, again.Cursor, "the failed step moved no cursor")
		require.NoError(t, s.FailRepriceRun(ctx, run.ID, "interrupted", Base))
		failed, err := s.RepriceRunByID(ctx, run.ID)
		require.NoError(t, err)
		assert.Equal(t, store.RepriceFailed, failed.Status)
		// Resumed, after calls came in meanwhile, priced at the new
		// prices as ingest prices them: on either side of the cursor,
		// the run leaves them as they are.
		late := Records(32, 30, 48)
		for i := range late {
			late[i].Model, late[i].Provider, late[i].Currency = "gpt-4o-mini", "openai", "USD"
			late[i].FXRate, late[i].SourceCost, late[i].SourceCurrency = "", 0, ""
			newPrice(&late[i])
		}
		_, err = s.Write(ctx, late, nil)
		require.NoError(t, err)
		step(t, s, run.ID, 37, newPrice)
		all := append(slices.Clone(want), late...)
		assert.Equal(t, sortRecords(all), exportAll(t, s), "every record in the range repriced once, the others untouched")
		checkConsistent(t, s, all)

		// Run twice: nothing changes the second time.
		second := store.RepriceRun{Created: Base, Actor: "ops", From: from, To: to}
		require.NoError(t, s.CreateRepriceRun(ctx, &second))
		again2 := step(t, s, second.ID, 500, newPrice)
		assert.Zero(t, again2.Changed)
		assert.Equal(t, sortRecords(all), exportAll(t, s))
		runs, total, err := s.RepriceRuns(ctx, store.Page{Limit: 10})
		require.NoError(t, err)
		assert.Equal(t, int64(2), total)
		assert.Equal(t, []int64{second.ID, run.ID}, []int64{runs[0].ID, runs[1].ID}, "newest first")
	})

	t.Run("AllAtOnceEqualsInBatches", func(t *testing.T) {
		s := open(t)
		_, err := s.Write(ctx, recs, nil)
		require.NoError(t, err)
		run := store.RepriceRun{Created: Base, From: from, To: to}
		require.NoError(t, s.CreateRepriceRun(ctx, &run))
		done := step(t, s, run.ID, 100_000, newPrice)
		assert.Equal(t, wantChanged, done.Changed)
		assert.Equal(t, int64(0), func() int64 {
			n := int64(0)
			for i := range recs {
				if !recs[i].Start.Before(from) && recs[i].Start.Before(to) {
					n++
				}
			}
			return n - done.Scanned
		}(), "every record of the range read once")
		assert.Equal(t, sortRecords(want), exportAll(t, s))
		checkConsistent(t, s, want)
	})

	t.Run("Unknown", func(t *testing.T) {
		s := open(t)
		_, err := s.RepriceStep(ctx, 999, 10, newPrice, Base)
		assert.ErrorIs(t, err, store.ErrRepriceNotFound)
		_, err = s.RepriceRunByID(ctx, 999)
		assert.ErrorIs(t, err, store.ErrRepriceNotFound)
	})
}

// compareID orders records as the stores' keys do.
func compareID(a, b *usage.Record) int {
	if c := a.Start.Compare(b.Start); c != 0 {
		return c
	}
	if c := slices.Compare(a.TraceID[:], b.TraceID[:]); c != 0 {
		return c
	}
	return slices.Compare(a.SpanID[:], b.SpanID[:])
}
