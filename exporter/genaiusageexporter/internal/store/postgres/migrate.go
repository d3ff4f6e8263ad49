package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/sqlstore"
)

// Advisory lock keys (database-wide). Arbitrary constants; they only have
// to differ from each other and from other applications' keys.
const (
	migrateLockKey   int64 = 0x6f74_6c67_6d69_6701 // "otlgmig" + 1
	partitionLockKey int64 = 0x6f74_6c67_7061_7201 // "otlgpar" + 1
)

// migrations are applied in order, each once, each in its own transaction.
// Never edit a released migration: add a new one.
var migrations = []migration{
	script(schemaV1),
	script(retentionV2),
	script(userWeeksV3),
	callDescriptionV4,
	script(budgetsV5),
	script(notificationsV6),
	script(environmentV7),
	script(costLifecycleV8),
}

// A migration changes the schema, and the rows to fit, in the
// transaction it is given.
type migration func(ctx context.Context, tx pgx.Tx) error

// script is a migration of SQL statements.
func script(statements func() string) migration {
	return func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, statements())
		return err
	}
}

// callDescriptionV4 keeps the instrumentation library's name of the
// operation beside the canonical one: sqlstore.DescribeCalls. Adding a
// column with a constant default rewrites no partition; the updates
// rewrite the rows that had an operation.
func callDescriptionV4(ctx context.Context, tx pgx.Tx) error {
	return sqlstore.DescribeCalls(ctx, migrationTx{tx})
}

// migrationTx is a migration's transaction as sqlstore.MigrationTx.
type migrationTx struct{ tx pgx.Tx }

func (m migrationTx) Exec(ctx context.Context, query string, args ...any) error {
	_, err := m.tx.Exec(ctx, dialect.Rebind(query), args...)
	return err
}

func (m migrationTx) Strings(ctx context.Context, query string) ([]string, error) {
	rows, err := m.tx.Query(ctx, dialect.Rebind(query))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// costLifecycleV8 keeps list and actual costs, the contract term and
// exchange rate between them, and the service tier
// (sqlstore.CostLifecycleV8SQL).
func costLifecycleV8() string {
	return sqlstore.CostLifecycleV8SQL("BIGINT", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
}

// environmentV7 adds the environment to the key of the rollups
// (sqlstore.RebuildTotalsSQL). The key is dropped while the total rows
// are rebuilt and made again after, in one pass, and the planner learns
// of the new rows at once.
func environmentV7() string {
	return `
ALTER TABLE usage_rollups ADD COLUMN environment TEXT NOT NULL DEFAULT '';
ALTER TABLE usage_rollups DROP CONSTRAINT usage_rollups_pkey;
` + sqlstore.RebuildTotalsSQL() + `
ALTER TABLE usage_rollups ADD ` + sqlstore.RollupsPrimaryKeyV7() + `;
ANALYZE usage_rollups;`
}

// notificationsV6 keeps the budget notifications of webhooks, claimed
// and delivered once (sqlstore.NotificationsSchema).
func notificationsV6() string { return sqlstore.NotificationsSchema() }

// budgetsV5 keeps the budgets managed through the usage API and the
// audit trail of their changes (sqlstore.BudgetsSchema).
func budgetsV5() string {
	return sqlstore.BudgetsSchema("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
}

// userWeeksV3 adds the week rows of users (sqlstore.WeeklyDimension) for the
// days already stored; Write keeps them from then on. The planner learns
// of the new rows at once: until autovacuum's next analyze it would take
// them for none and pick a slow plan.
func userWeeksV3() string { return sqlstore.WeekRowsSQL() + "; ANALYZE usage_rollups;" }

// retentionV2 remembers how far retention has dropped records (every
// record that started at or after records_since_ms is present, so a count
// over such a range can be read from the rollups), and indexes the rollups
// by dimension value.
func retentionV2() string {
	return `
CREATE TABLE usage_retention (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  records_since_ms BIGINT NOT NULL
);
INSERT INTO usage_retention (id, records_since_ms) VALUES (1, 0);
-- One value over time (a user's spend, a budget): the key puts the time
-- before the value, for whole-dimension breakdowns.
CREATE INDEX usage_rollups_value ON usage_rollups (grain, dim, value, bucket_ms);
`
}

// schemaV1 mirrors the SQLite schema (same table and column names, so the
// shared sqlstore.Reader runs on both), with PostgreSQL types: BIGINT for
// every integer including the 0/1 booleans, BYTEA for the ids.
func schemaV1() string {
	defs := func(cols []string, typ string) string {
		out := make([]string, len(cols))
		for i, c := range cols {
			out[i] = c + " " + typ
		}
		return strings.Join(out, ",\n  ")
	}
	const text = "TEXT NOT NULL DEFAULT ''"
	return `
CREATE TABLE usage_records (
  ts_ms BIGINT NOT NULL,
  trace_id BYTEA NOT NULL,
  span_id BYTEA NOT NULL,
  duration_ms BIGINT NOT NULL,
  ttft_ms BIGINT NOT NULL,
  service ` + text + `,
  environment ` + text + `,
  ` + defs(sqlstore.DimensionColumns[:], text) + `,
  provider ` + text + `,
  model ` + text + `,
  request_model ` + text + `,
  response_model ` + text + `,
  operation ` + text + `,
  streaming BIGINT NOT NULL,
  status ` + text + `,
  error_type ` + text + `,
  ` + defs(sqlstore.TokenColumns, "BIGINT NOT NULL DEFAULT 0") + `,
  ` + defs(sqlstore.CostColumns, "BIGINT NOT NULL DEFAULT 0") + `,
  cost_nanos BIGINT NOT NULL,
  currency ` + text + `,
  cache_saved_nanos BIGINT NOT NULL,
  cost_source ` + text + `,
  reported_nanos BIGINT NULL,
  reported_currency ` + text + `,
  card ` + text + `,
  estimated BIGINT NOT NULL,
  response_id ` + text + `,
  -- Time first: inserts stay append-mostly (storage-measurements §3).
  PRIMARY KEY (ts_ms, trace_id, span_id)
) PARTITION BY RANGE (ts_ms);
-- Monthly partitions are created on demand by the writer (partition.go).
-- The same secondary indexes as SQLite's: the shared reader's queries
-- are written against them.
CREATE INDEX usage_records_user ON usage_records (user_id, ts_ms);
CREATE INDEX usage_records_session ON usage_records (session_id, ts_ms);
CREATE TABLE usage_rollups (
  grain TEXT NOT NULL,
  bucket_ms BIGINT NOT NULL,
  dim TEXT NOT NULL,
  value TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  service TEXT NOT NULL,
  currency TEXT NOT NULL,
  calls BIGINT NOT NULL,
  errors BIGINT NOT NULL,
  unpriced BIGINT NOT NULL,
  ` + defs(sqlstore.TokenColumns, "BIGINT NOT NULL DEFAULT 0") + `,
  cost_nanos BIGINT NOT NULL,
  cache_saved_nanos BIGINT NOT NULL,
  duration_ms BIGINT NOT NULL,
  ttft_ms BIGINT NOT NULL,
  ttft_count BIGINT NOT NULL,
  -- dim before bucket_ms, as in SQLite: queries read one dim over a
  -- time range.
  PRIMARY KEY (grain, dim, bucket_ms, value, provider, model, service, currency)
) WITH (fillfactor = 70); -- every batch updates rows in place: leave room for HOT updates
`
}

// migrate applies the migrations the database has not seen. A session
// advisory lock serialises collectors that start at once against one
// database; the lock goes with the connection if we die.
func migrate(ctx context.Context, conn *pgx.Conn, o *store.OpenOptions) error {
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLockKey); err != nil {
		return fmt.Errorf("lock for migrations: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLockKey) //nolint:errcheck // closing the connection releases it too

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_ms BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	var have int
	if err := conn.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("schema version: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("the database has schema version %d, newer than this collector's %d; use a newer collector", have, len(migrations))
	}
	defer o.LogMigrations("postgres", have, len(migrations))()
	for v := have + 1; v <= len(migrations); v++ {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if err := migrations[v-1](ctx, tx); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_ms) VALUES ($1, $2)`, v, time.Now().UnixMilli())
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %d: %w", v, err)
		}
	}
	return nil
}
