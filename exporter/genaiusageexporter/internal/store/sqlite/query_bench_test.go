package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/storetest"
)

// benchStore opens the query benchmark's database: a year of calls
// (OTELCOL_GENAI_BENCH_RECORDS, default 200,000) from 1,000 users with a
// session per user and day. Building it takes a while, so it is kept at
// OTELCOL_GENAI_BENCH_DB (default in the temp dir, named by size) and
// reused by later runs.
func benchStore(b *testing.B) *Store {
	n := 200_000
	if v := os.Getenv("OTELCOL_GENAI_BENCH_RECORDS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("OTELCOL_GENAI_BENCH_RECORDS=%q: want a positive number", v)
		}
	}
	path := os.Getenv("OTELCOL_GENAI_BENCH_DB")
	if path == "" {
		path = filepath.Join(os.TempDir(), fmt.Sprintf("otelcol-genai-bench-%d.db", n))
	}
	ctx := context.Background()
	if _, err := os.Stat(path); os.IsNotExist(err) {
		// Built aside and renamed, so an interrupted build is never reused.
		tmp := path + ".building"
		for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
			os.Remove(f)
		}
		s, err := Open(ctx, tmp)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		const batch = 5000
		for i := 0; i < n; i += batch {
			recs := storetest.Records(uint64(1000+i/batch), min(batch, n-i), 365*24)
			for j := range recs {
				r := &recs[j]
				user := (i + j) * 7919 % 1000
				r.Dims.User = fmt.Sprintf("u-%d", user)
				r.Dims.Session = fmt.Sprintf("u-%d/%s", user, r.Start.Format(time.DateOnly))
			}
			if _, err := s.Write(ctx, recs); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
		b.Logf("built %s: %d records in %s", path, n, time.Since(start).Round(time.Second))
	}
	s, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkQueries measures the usage API's queries on a big store:
// the dashboard's last 30 days, a year's heatmap, the gaps between the
// calls of sessions and a page of one user's calls.
func BenchmarkQueries(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	end := storetest.Base.Add(365 * 24 * time.Hour)
	month := store.Filter{From: end.Add(-30 * 24 * time.Hour), To: end}
	year := store.Filter{From: storetest.Base, To: end}
	user := store.Filter{Dims: map[string]string{"user": "u-17"}}
	for _, bc := range []struct {
		name string
		run  func() (int, error)
	}{
		{"Summary/30d", func() (int, error) { a, err := s.Summary(ctx, month); return int(a.Calls), err }},
		{"Series/day/30d", func() (int, error) { p, err := s.Series(ctx, month, store.GrainDay, ""); return len(p), err }},
		{"Series/hour/30d", func() (int, error) { p, err := s.Series(ctx, month, store.GrainHour, ""); return len(p), err }},
		{"Breakdown/model/30d", func() (int, error) { g, err := s.Breakdown(ctx, month, store.ByModel, 10); return len(g), err }},
		{"Breakdown/user/30d", func() (int, error) { g, err := s.Breakdown(ctx, month, "user", 10); return len(g), err }},
		{"Series/day/365d", func() (int, error) { p, err := s.Series(ctx, year, store.GrainDay, ""); return len(p), err }},
		{"Intervals/session/30d", func() (int, error) { st, err := s.Intervals(ctx, month, "session"); return int(st.Gaps), err }},
		{"Records/user/50", func() (int, error) {
			r, _, err := s.Records(ctx, user, store.Page{Limit: 50})
			return len(r), err
		}},
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
