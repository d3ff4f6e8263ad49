package postgres

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/budgets/budgetstest"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/storetest"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// benchStore opens the query benchmark's database, a year of calls
// (storetest.FillYear) in a database named by its size. Building it takes
// a while, so it is kept and reused: a table written last marks it
// complete, and an incomplete one is dropped and built again.
func benchStore(b *testing.B) *Store {
	ctx := context.Background()
	n := storetest.BenchRecords(b)
	name := fmt.Sprintf("otelcol_genai_bench_v3_%d", n)
	conn := admin(b)
	defer closeConn(b, conn)
	var exists bool
	require.NoError(b, conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists))
	dsn := withDatabase(b, adminDSN(), name)
	if exists {
		s := openDSN(b, dsn)
		var done bool
		require.NoError(b, s.db.QueryRowContext(ctx, "SELECT to_regclass('bench_complete') IS NOT NULL").Scan(&done))
		if done {
			return s
		}
		require.NoError(b, s.Close())
		_, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)")
		require.NoError(b, err)
	}
	_, err := conn.Exec(ctx, "CREATE DATABASE "+name)
	require.NoError(b, err)
	s := openDSN(b, dsn)
	storetest.FillYear(b, n, func(recs []usage.Record) error { _, err := s.Write(ctx, recs, nil); return err })
	for _, q := range []string{"ANALYZE", "CREATE TABLE bench_complete ()"} {
		_, err = s.db.ExecContext(ctx, q)
		require.NoError(b, err)
	}
	return s
}

// BenchmarkQueries: storetest.BenchQueries on PostgreSQL.
func BenchmarkQueries(b *testing.B) { storetest.BenchQueries(b, benchStore(b)) }

// BenchmarkBudgets: budgetstest.Bench (budget statuses and checks) on the
// same store.
func BenchmarkBudgets(b *testing.B) { budgetstest.Bench(b, benchStore(b)) }
