package storetest

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/sqlstore"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// unsplitOperations are operations as the SQL stores kept them before
// their raw_operation column (schema v4): the library's own name, in
// operation. canonical is the operation an upgrade gives them.
var unsplitOperations = []struct{ raw, canonical string }{
	{"ai.generateText.doGenerate", "chat"}, {"LLM", "chat"}, {"chat", "chat"}, {"acompletion", "chat"},
	{"my_custom_op", "other"}, {"embedding", "embeddings"}, {"ai.embedMany", "embeddings"}, {"", ""},
}

// UnsplitRecords returns Records(seed, n, hours) as the collectors before
// raw_operation wrote them: the library's name of the operation in
// Operation, taken in turn from a list of them, and no RawOperation.
func UnsplitRecords(seed uint64, n, hours int) []usage.Record {
	recs := Records(seed, n, hours)
	for i := range recs {
		recs[i].Operation, recs[i].RawOperation = unsplitOperations[i%len(unsplitOperations)].raw, ""
		recs[i].Reason = "" // not stored before v4
	}
	return recs
}

// WriteUnsplit writes recs (of UnsplitRecords) to s, whose schema
// predates raw_operation, as its collectors did. The store writes every
// column it knows, so db, its writer, adds raw_operation for the write
// and drops it after: what is left is the old schema with the old rows.
// reconnect is WriteBeforeV7's.
func WriteUnsplit(t *testing.T, s Store, db *sql.DB, recs []usage.Record, reconnect func()) {
	t.Helper()
	for _, col := range sqlstore.NewColumnsV4 {
		_, err := db.ExecContext(ctx, "ALTER TABLE usage_records ADD COLUMN "+col+" TEXT NOT NULL DEFAULT ''")
		require.NoError(t, err)
	}
	WriteBeforeV7(t, s, db, recs, reconnect)
	for _, col := range sqlstore.NewColumnsV4 {
		_, err := db.ExecContext(ctx, "ALTER TABLE usage_records DROP COLUMN "+col)
		require.NoError(t, err)
	}
}

// WriteBeforeV7 writes recs to s, whose schema predates the environment
// in the rollups' key (v7), as its collectors did: each record with its
// environment, and rollups whose rows sum every environment. The store
// writes the rollups by their v7 key, so db, its writer, adds the
// environment column and a unique index on that key for the write, and
// drops both after; the records are written without their environment,
// which is then set on each. reconnect, if not nil, closes the store's
// connections after the change, for a store that keeps tables shaped
// like the old ones per connection (PostgreSQL's staging tables).
//
// The columns of v8 (sqlstore.NewColumnsV8) are added for the write too,
// and dropped after; recs are made, in place, what a collector before v8
// wrote: no tier, no contract, no conversion, a list cost that is the cost.
func WriteBeforeV7(t *testing.T, s Store, db *sql.DB, recs []usage.Record, reconnect func()) {
	t.Helper()
	for i := range recs {
		r := &recs[i]
		r.ServiceTier, r.ListCost, r.Contract, r.Multiplier = "", r.Cost, "", ""
		r.FXRate, r.SourceCost, r.SourceCurrency = "", 0, ""
		r.Reconcile, r.ComputedCost = "", 0
	}
	intType := "BIGINT"
	if db.Driver() != nil && strings.Contains(strings.ToLower(fmt.Sprintf("%T", db.Driver())), "sqlite") {
		intType = "INTEGER"
	}
	for _, c := range sqlstore.NewColumnsV8 {
		_, err := db.ExecContext(ctx, "ALTER TABLE "+c.Table+" ADD COLUMN "+c.Decl(intType))
		require.NoError(t, err)
	}
	defer func() {
		for _, c := range sqlstore.NewColumnsV8 {
			_, err := db.ExecContext(ctx, "ALTER TABLE "+c.Table+" DROP COLUMN "+c.Column)
			require.NoError(t, err)
		}
	}()
	_, err := db.ExecContext(ctx, "ALTER TABLE usage_rollups ADD COLUMN environment TEXT NOT NULL DEFAULT ''")
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "CREATE UNIQUE INDEX usage_rollups_key_v7 ON usage_rollups ("+sqlstore.Join("", sqlstore.RollupKeyColumns)+")")
	require.NoError(t, err)
	if reconnect != nil {
		reconnect()
	}
	bare := slices.Clone(recs)
	for i := range bare {
		bare[i].Environment = ""
	}
	n, err := s.Write(ctx, bare, nil)
	require.NoError(t, err)
	require.Equal(t, len(recs), n)
	_, err = db.ExecContext(ctx, "DROP INDEX usage_rollups_key_v7")
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "ALTER TABLE usage_rollups DROP COLUMN environment")
	require.NoError(t, err)
	set := s.(interface{ Rebind(string) string }).Rebind("UPDATE usage_records SET environment = ? WHERE ts_ms = ? AND trace_id = ? AND span_id = ?")
	for i := range recs {
		r := &recs[i]
		_, err := db.ExecContext(ctx, set, r.Environment, r.StartMillis(), r.TraceID[:], r.SpanID[:])
		require.NoError(t, err)
	}
}

// CheckSplit checks that the records of s, upgraded since WriteUnsplit
// wrote recs to it, are recs with their operation split: the library's
// name in RawOperation, the canonical operation in Operation, every other
// field as written.
func CheckSplit(t *testing.T, s Store, recs []usage.Record) {
	t.Helper()
	want := make(map[string]usage.Record, len(recs))
	for i := range recs {
		r := recs[i]
		op := unsplitOperations[i%len(unsplitOperations)]
		require.Equal(t, op.raw, r.Operation, "record %d was not made by UnsplitRecords", i)
		r.Operation, r.RawOperation = op.canonical, op.raw
		want[r.ID()] = r
	}
	got := make(map[string]usage.Record, len(recs))
	require.NoError(t, s.Export(ctx, store.Filter{}, func(r *usage.Record) error {
		got[r.ID()] = *r
		return nil
	}))
	assert.Equal(t, want, got)
}

// CheckBudgetsUpgrade checks that s, upgraded from a schema without the
// budget tables after recs were written to it, keeps recs and stores
// budgets with their audit.
func CheckBudgetsUpgrade(t *testing.T, s Store, recs []usage.Record) {
	t.Helper()
	sum, err := s.Summary(ctx, store.Filter{})
	require.NoError(t, err)
	assert.Equal(t, int64(len(recs)), sum.Calls, "the records are kept")
	list, err := s.Budgets(ctx)
	require.NoError(t, err)
	assert.Empty(t, list)
	spec := []byte(`{"id":"up","period":{"kind":"month"},"limit":"1","currency":"USD"}`)
	_, err = s.CreateBudget(ctx, store.BudgetChange{ID: "up", Spec: spec, Actor: "upgrade", Time: Base})
	require.NoError(t, err)
	audit, total, err := s.BudgetAudit(ctx, store.Page{Limit: 10})
	require.NoError(t, err)
	assert.Equal(t, int64(1), total)
	require.Len(t, audit, 1)
	assert.Equal(t, "up", audit[0].BudgetID)
}

// CheckEnvironmentUpgrade checks that s, upgraded to v7 after
// WriteBeforeV7 wrote recs to it and retention dropped the records
// before cut, answers by environment from its rollups, the same by hour
// and by day: the calls from the first hour its records covered whole
// with their environment, the earlier ones with none, since their
// records, and with them their environment, were gone before the
// upgrade. Totals keep every call.
func CheckEnvironmentUpgrade(t *testing.T, s Store, recs []usage.Record, cut time.Time) {
	t.Helper()
	known := slices.Clone(recs)
	whole := cut.Truncate(time.Hour).Add(time.Hour)
	for i := range known {
		if known[i].Start.Before(whole) {
			// Nor, in the rows by environment, whether they were
			// estimated: v8 adds that to the rollups from the records of
			// the hours v7 summed whole.
			known[i].Environment, known[i].Estimated = "", false
		}
	}
	d := &queryData{s: s, recs: known}
	for _, f := range []store.Filter{
		{},
		{Environment: "prod"},
		{Environment: "staging", Service: "web"},
		{Environment: "staging", From: cut.Add(-12 * time.Hour), To: cut.Add(36 * time.Hour)},
		{Environment: ""},
	} {
		require.True(t, f.Rollupable(store.ByEnvironment), "%+v", f)
		got, err := s.Summary(ctx, f)
		require.NoError(t, err)
		assert.Equal(t, aggregate(d.matching(f)), got, "%+v", f)
		for _, grain := range []string{store.GrainHour, store.GrainDay} {
			series, err := s.Series(ctx, f, grain, store.ByEnvironment)
			require.NoError(t, err)
			assert.Equal(t, d.wantSeries(f, grain, store.ByEnvironment), series, "%+v by environment, %s", f, grain)
		}
	}
	sum, err := s.Summary(ctx, store.Filter{})
	require.NoError(t, err)
	assert.Equal(t, int64(len(recs)), sum.Calls, "the rollups keep every call")
	// From now on each call is written with its environment.
	more := Records(77, 50, 24)
	for i := range more {
		more[i].Start = more[i].Start.Add(30 * 24 * time.Hour)
	}
	_, err = s.Write(ctx, more, nil)
	require.NoError(t, err)
	d.recs = append(d.recs, more...)
	f := store.Filter{Environment: "staging", From: more[0].Start.Truncate(24 * time.Hour)}
	got, err := s.Summary(ctx, f)
	require.NoError(t, err)
	assert.Equal(t, aggregate(d.matching(f)), got)
}
