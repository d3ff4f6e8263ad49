package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/budgets/budgetstest"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/storetest"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// benchStore opens the query benchmark's database, a year of calls
// (storetest.FillYear). Building it takes a while, so it is kept at
// OTELCOL_GENAI_BENCH_DB (default in the temp dir, named by size) and
// reused by later runs.
func benchStore(b *testing.B) *Store {
	n := storetest.BenchRecords(b)
	path := os.Getenv("OTELCOL_GENAI_BENCH_DB")
	if path == "" {
		path = filepath.Join(os.TempDir(), fmt.Sprintf("otelcol-genai-bench-v3-%d.db", n))
	}
	ctx := context.Background()
	if _, err := os.Stat(path); os.IsNotExist(err) {
		// Built aside and renamed, so an interrupted build is never reused.
		tmp := path + ".building"
		for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
			if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
				b.Fatal(err)
			}
		}
		s, err := Open(ctx, tmp)
		if err != nil {
			b.Fatal(err)
		}
		storetest.FillYear(b, n, func(recs []usage.Record) error { _, err := s.Write(ctx, recs, nil); return err })
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
	}
	s, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := s.Close(); err != nil {
			b.Error(err)
		}
	})
	return s
}

// BenchmarkQueries: storetest.BenchQueries on SQLite.
func BenchmarkQueries(b *testing.B) { storetest.BenchQueries(b, benchStore(b)) }

// BenchmarkBudgets: budgetstest.Bench (budget statuses and checks) on the
// same store.
func BenchmarkBudgets(b *testing.B) { budgetstest.Bench(b, benchStore(b)) }
