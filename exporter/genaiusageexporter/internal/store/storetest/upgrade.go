package storetest

import (
	"database/sql"
	"testing"

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
func WriteUnsplit(t *testing.T, s Store, db *sql.DB, recs []usage.Record) {
	t.Helper()
	for _, col := range sqlstore.NewColumnsV4 {
		_, err := db.ExecContext(ctx, "ALTER TABLE usage_records ADD COLUMN "+col+" TEXT NOT NULL DEFAULT ''")
		require.NoError(t, err)
	}
	n, err := s.Write(ctx, recs, nil)
	require.NoError(t, err)
	require.Equal(t, len(recs), n)
	for _, col := range sqlstore.NewColumnsV4 {
		_, err = db.ExecContext(ctx, "ALTER TABLE usage_records DROP COLUMN "+col)
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
