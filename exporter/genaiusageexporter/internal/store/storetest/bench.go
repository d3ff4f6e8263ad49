package storetest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/otelcol-genai/otelcol-genai/config/pricing"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/reprice"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// BenchRecords is the size of the query benchmarks' store:
// OTELCOL_GENAI_BENCH_RECORDS, default 200,000 (10,000,000 for the figures
// in docs/benchmarks.md).
func BenchRecords(b *testing.B) int {
	n := 200_000
	if v := os.Getenv("OTELCOL_GENAI_BENCH_RECORDS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("OTELCOL_GENAI_BENCH_RECORDS=%q: want a positive number", v)
		}
	}
	return n
}

// BenchWrite measures ingest into fresh stores from open: batches of the
// exporter's size under load (sending_queue.batch.min_size) of calls of the
// last hour, as a live collector writes them, generated outside the
// timer, by writers at once (an exporter with that many queue consumers).
// Two loads: calls of a few users and sessions (Records), and of a
// thousand users in twenty teams with a session per user and day (as
// FillYear), whose rollup rows are many more per batch.
func BenchWrite(b *testing.B, open func(testing.TB) store.Store, writers int) {
	for _, load := range []struct {
		name  string
		users bool
	}{{"few", false}, {"1000users", true}} {
		b.Run(load.name, func(b *testing.B) {
			s := open(b)
			const batch = 20_000
			var seed, calls uint64
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				work := make([][]usage.Record, writers)
				for w := range work {
					seed++
					work[w] = Records(seed, batch, 1)
					if load.users {
						calls = attribute(work[w], calls)
					}
				}
				errs := make(chan error, writers)
				b.StartTimer()
				for w := range work {
					go func() {
						_, err := s.Write(context.Background(), work[w], nil)
						errs <- err
					}()
				}
				for range work {
					if err := <-errs; err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.N*batch*writers)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// attribute gives recs, the calls after the first calls ones, the users,
// teams and sessions of the query benchmarks: a thousand users, each in
// one of twenty teams, with a session per user and day. It returns the
// calls so far.
func attribute(recs []usage.Record, calls uint64) uint64 {
	for j := range recs {
		r := &recs[j]
		user := calls * 7919 % 1000
		r.Dims.User = fmt.Sprintf("u-%d", user)
		r.Dims.Tenant = fmt.Sprintf("team-%d", user%20)
		r.Dims.Session = fmt.Sprintf("u-%d/%s", user, r.Start.Format(time.DateOnly))
		calls++
	}
	return calls
}

// benchYear is the span of the query benchmarks' calls.
const benchYear = 365 * 24 * time.Hour

// FillYear writes n calls spread evenly over a year from Base, in time
// order as a live collector would, in batches of the exporter's size:
// 1,000 users, each in one of 20 tenants, with a session per user and day.
func FillYear(b *testing.B, n int, write func([]usage.Record) error) {
	const batch = 5000
	batches := (n + batch - 1) / batch
	step := benchYear / time.Duration(batches)
	start := time.Now()
	for i := range batches {
		recs := Records(uint64(1000+i), min(batch, n-i*batch), 1)
		offset := time.Duration(i) * step
		for j := range recs {
			r := &recs[j]
			r.Start = r.Start.Add(offset + time.Duration(j)*(step/batch)).Truncate(time.Millisecond)
		}
		attribute(recs, uint64(i*batch))
		if err := write(recs); err != nil {
			b.Fatal(err)
		}
		if i%200 == 199 {
			b.Logf("%d of %d records in %s", (i+1)*batch, n, time.Since(start).Round(time.Second))
		}
	}
	b.Logf("built: %d records in %s", n, time.Since(start).Round(time.Second))
}

// BenchQueries measures the usage API's queries on a store filled by
// FillYear: 30 days with ragged ends (as a dashboard's time picker sends
// them) and 30 whole days (the API's default range), a year's heatmap,
// the gaps between one user's calls and pages of records.
func BenchQueries(b *testing.B, s store.Querier) {
	ctx := context.Background()
	end := Base.Add(benchYear).Add(-5 * time.Hour) // not on a day: ragged ends
	month := store.Filter{From: end.Add(-30 * 24 * time.Hour), To: end}
	days := store.Filter{From: end.Truncate(24 * time.Hour).Add(-29 * 24 * time.Hour), To: end.Truncate(24 * time.Hour).Add(24 * time.Hour)} // the API's default
	year := store.Filter{From: Base, To: Base.Add(benchYear)}
	user := month
	user.Dims = map[string]string{"user": "u-17"}
	model := month
	model.Model = "gpt-4o-mini"
	for _, bc := range []struct {
		name string
		run  func() (int, error)
	}{
		{"Summary/30d", func() (int, error) { a, err := s.Summary(ctx, month); return int(a.Calls), err }},
		{"Summary/user/30d", func() (int, error) { a, err := s.Summary(ctx, user); return int(a.Calls), err }},
		{"Series/day/30d", func() (int, error) { p, err := s.Series(ctx, month, store.GrainDay, ""); return len(p), err }},
		{"Series/hour/30d", func() (int, error) { p, err := s.Series(ctx, month, store.GrainHour, ""); return len(p), err }},
		{"Series/day/model/30d", func() (int, error) { p, err := s.Series(ctx, month, store.GrainDay, store.ByModel); return len(p), err }},
		{"Series/day/tenant/30d", func() (int, error) { p, err := s.Series(ctx, month, store.GrainDay, "tenant"); return len(p), err }},
		{"Breakdown/model/30d", func() (int, error) { g, err := s.Breakdown(ctx, month, store.ByModel, 10); return len(g), err }},
		{"Breakdown/user/30d", func() (int, error) { g, err := s.Breakdown(ctx, month, "user", 10); return len(g), err }},
		{"Breakdown/user/30days", func() (int, error) { g, err := s.Breakdown(ctx, days, "user", 10); return len(g), err }},
		{"Heatmap/365d", func() (int, error) { p, err := s.Series(ctx, year, store.GrainDay, ""); return len(p), err }},
		{"Records/user/30d", func() (int, error) {
			r, _, err := s.Records(ctx, user, store.Page{Limit: 50})
			return len(r), err
		}},
		{"Records/model/30d", func() (int, error) {
			r, _, err := s.Records(ctx, model, store.Page{Limit: 50})
			return len(r), err
		}},
		{"Intervals/user/30d", func() (int, error) { st, err := s.Intervals(ctx, user, "user"); return int(st.Gaps), err }},
		{"Intervals/all/30d", func() (int, error) { st, err := s.Intervals(ctx, month, "user"); return int(st.Gaps), err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				n, err := bc.run()
				if err != nil {
					b.Fatal(err)
				}
				if n == 0 {
					b.Fatal("empty answer")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
		})
	}
}

// BenchReprice measures repricing runs over n records of 30 days in a
// fresh store from open, with the real record repricer and the embedded
// catalog, in the exporter's batches: "changes" reprices records written
// with other prices (every priced record is written again, with its
// rollups), "unchanged" runs again over the same records (reads only).
// It reports records read per second.
func BenchReprice(b *testing.B, open func(testing.TB) store.Store, n int) {
	cat, err := pricing.Load(true, nil)
	if err != nil {
		b.Fatal(err)
	}
	p := &reprice.Pricer{Catalog: cat}
	run := func(b *testing.B, s store.Store) store.RepriceRun {
		r := store.RepriceRun{Created: Base, From: Base, To: Base.Add(31 * 24 * time.Hour)}
		if err := s.CreateRepriceRun(context.Background(), &r); err != nil {
			b.Fatal(err)
		}
		for {
			done, err := s.RepriceStep(context.Background(), r.ID, 1000, p.Reprice, Base)
			if err != nil {
				b.Fatal(err)
			}
			if done.Status == store.RepriceDone {
				return done
			}
		}
	}
	for _, kind := range []string{"changes", "unchanged"} {
		b.Run(kind, func(b *testing.B) {
			var read int64
			var elapsed time.Duration
			for b.Loop() {
				b.StopTimer()
				s := open(b)
				for i := 0; i < n; i += 20_000 {
					recs := Records(uint64(i+1), min(20_000, n-i), 30*24)
					for j := range recs {
						recs[j].Card = "" // priced elsewhere: every priced call gets the catalog's card
					}
					if _, err := s.Write(context.Background(), recs, nil); err != nil {
						b.Fatal(err)
					}
				}
				if kind == "unchanged" {
					run(b, s)
				}
				b.StartTimer()
				start := time.Now()
				done := run(b, s)
				elapsed += time.Since(start)
				read += done.Scanned
				if kind == "changes" && done.Changed == 0 || kind == "unchanged" && done.Changed != 0 {
					b.Fatalf("%s: %d of %d records changed", kind, done.Changed, done.Scanned)
				}
			}
			b.ReportMetric(float64(read)/elapsed.Seconds(), "records/s")
		})
	}
}
