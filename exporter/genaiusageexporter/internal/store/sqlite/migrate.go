package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/sqlstore"
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
type migration func(ctx context.Context, tx *sql.Tx) error

// script is a migration of SQL statements.
func script(statements func() string) migration {
	return func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, statements())
		return err
	}
}

// callDescriptionV4 keeps the instrumentation library's name of the
// operation beside the canonical one: sqlstore.DescribeCalls.
func callDescriptionV4(ctx context.Context, tx *sql.Tx) error {
	return sqlstore.DescribeCalls(ctx, migrationTx{tx})
}

// migrationTx is a migration's transaction as sqlstore.MigrationTx.
type migrationTx struct{ tx *sql.Tx }

func (m migrationTx) Exec(ctx context.Context, query string, args ...any) error {
	_, err := m.tx.ExecContext(ctx, query, args...)
	return err
}

func (m migrationTx) Strings(ctx context.Context, query string) ([]string, error) {
	rows, err := m.tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// costLifecycleV8 keeps list and actual costs, the contract term and
// exchange rate between them, and the service tier
// (sqlstore.CostLifecycleV8SQL).
func costLifecycleV8() string { return sqlstore.CostLifecycleV8SQL("INTEGER", "INTEGER PRIMARY KEY") }

// environmentV7 adds the environment to the key of the rollups
// (sqlstore.RebuildTotalsSQL). SQLite cannot change a primary key in
// place: the rows move to a table of the new shape, the same as v1's but
// for the environment.
func environmentV7() string {
	return `
CREATE TABLE usage_rollups_v7 (
  grain TEXT NOT NULL,
  bucket_ms INTEGER NOT NULL,
  dim TEXT NOT NULL,
  value TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  service TEXT NOT NULL,
  environment TEXT NOT NULL DEFAULT '',
  currency TEXT NOT NULL,
  calls INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  unpriced INTEGER NOT NULL,
  ` + intColumns(sqlstore.TokenColumns) + `,
  cost_nanos INTEGER NOT NULL,
  cache_saved_nanos INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  ttft_ms INTEGER NOT NULL,
  ttft_count INTEGER NOT NULL,
  ` + sqlstore.RollupsPrimaryKeyV7() + `
) WITHOUT ROWID;
INSERT INTO usage_rollups_v7 (` + sqlstore.RollupColumnsV1() + `) SELECT ` + sqlstore.RollupColumnsV1() + ` FROM usage_rollups;
DROP TABLE usage_rollups;
ALTER TABLE usage_rollups_v7 RENAME TO usage_rollups;
` + sqlstore.RebuildTotalsSQL()
}

// notificationsV6 keeps the budget notifications of webhooks, claimed
// and delivered once (sqlstore.NotificationsSchema).
func notificationsV6() string { return sqlstore.NotificationsSchema() }

// budgetsV5 keeps the budgets managed through the usage API and the
// audit trail of their changes (sqlstore.BudgetsSchema).
func budgetsV5() string { return sqlstore.BudgetsSchema("INTEGER PRIMARY KEY") }

// userWeeksV3 adds the week rows of users (sqlstore.WeeklyDimension) for the
// days already stored; Write keeps them from then on.
func userWeeksV3() string { return sqlstore.WeekRowsSQL() + ";" }

// retentionV2 remembers how far retention has dropped records: every
// record that started at or after records_since_ms is present, so a count
// over such a range can be read from the rollups. (PostgreSQL's v2 also
// indexes the rollups by dimension value; SQLite's planner kept to the
// key for one value's rows, measured, so the index would only cost writes.)
func retentionV2() string {
	return `
CREATE TABLE usage_retention (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  records_since_ms INTEGER NOT NULL
);
INSERT INTO usage_retention (id, records_since_ms) VALUES (1, 0);
`
}

// intColumns declares integer columns that default to 0.
func intColumns(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c + " INTEGER NOT NULL DEFAULT 0"
	}
	return strings.Join(out, ",\n  ")
}

func schemaV1() string {
	ints := intColumns
	texts := func(cols []string) string {
		out := make([]string, len(cols))
		for i, c := range cols {
			out[i] = c + " TEXT NOT NULL DEFAULT ''"
		}
		return strings.Join(out, ",\n  ")
	}
	return `
CREATE TABLE usage_records (
  ts_ms INTEGER NOT NULL,
  trace_id BLOB NOT NULL,
  span_id BLOB NOT NULL,
  duration_ms INTEGER NOT NULL,
  ttft_ms INTEGER NOT NULL,
  service TEXT NOT NULL,
  environment TEXT NOT NULL,
  ` + texts(sqlstore.DimensionColumns[:]) + `,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  request_model TEXT NOT NULL,
  response_model TEXT NOT NULL,
  operation TEXT NOT NULL,
  streaming INTEGER NOT NULL,
  status TEXT NOT NULL,
  error_type TEXT NOT NULL,
  ` + ints(sqlstore.TokenColumns) + `,
  ` + ints(sqlstore.CostColumns) + `,
  cost_nanos INTEGER NOT NULL,
  currency TEXT NOT NULL,
  cache_saved_nanos INTEGER NOT NULL,
  cost_source TEXT NOT NULL,
  reported_nanos INTEGER,
  reported_currency TEXT NOT NULL,
  card TEXT NOT NULL,
  estimated INTEGER NOT NULL,
  response_id TEXT NOT NULL,
  PRIMARY KEY (ts_ms, trace_id, span_id)
);
-- Each index costs every insert. Aggregates read the rollups; these two
-- serve what only records can: a user's or a session's calls (record
-- pages, the partial days of a dimension's aggregates, gaps between
-- calls). Values with few distinct members (tenant, model) are found
-- fast enough by walking the time-first key.
CREATE INDEX usage_records_user ON usage_records (user_id, ts_ms);
CREATE INDEX usage_records_session ON usage_records (session_id, ts_ms);
CREATE TABLE usage_rollups (
  grain TEXT NOT NULL,
  bucket_ms INTEGER NOT NULL,
  dim TEXT NOT NULL,
  value TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  service TEXT NOT NULL,
  currency TEXT NOT NULL,
  calls INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  unpriced INTEGER NOT NULL,
  ` + ints(sqlstore.TokenColumns) + `,
  cost_nanos INTEGER NOT NULL,
  cache_saved_nanos INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  ttft_ms INTEGER NOT NULL,
  ttft_count INTEGER NOT NULL,
  -- dim before bucket_ms: every query reads one dim over a time range,
  -- which this order makes one contiguous range of the table.
  PRIMARY KEY (grain, dim, bucket_ms, value, provider, model, service, currency)
) WITHOUT ROWID;
`
}

// migrate applies the migrations the database has not seen.
func migrate(ctx context.Context, db *sql.DB, o *store.OpenOptions) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	var have int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("schema version: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("the database has schema version %d, newer than this collector's %d; use a newer collector", have, len(migrations))
	}
	defer o.LogMigrations("sqlite", have, len(migrations))()
	for v := have + 1; v <= len(migrations); v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := migrations[v-1](ctx, tx); err != nil {
			return fmt.Errorf("migration %d: %w", v, errors.Join(err, tx.Rollback()))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_ms) VALUES (?, ?)`, v, time.Now().UnixMilli()); err != nil {
			return fmt.Errorf("migration %d: %w", v, errors.Join(err, tx.Rollback()))
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %d: %w", v, err)
		}
	}
	return nil
}
