package storetest

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
)

// testBudgets: stored budgets are created, read, updated and deleted,
// optimistically on their version or last write wins, each change with
// its audit row, listed newest first.
func testBudgets(t *testing.T, s Store) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	spec := func(limit string) json.RawMessage {
		return json.RawMessage(`{"id":"b1","period":{"kind":"day"},"limit":"` + limit + `","currency":"USD"}`)
	}
	list, err := s.Budgets(ctx)
	require.NoError(t, err)
	assert.Empty(t, list)
	_, err = s.Budget(ctx, "b1")
	require.ErrorIs(t, err, store.ErrBudgetNotFound)

	b, err := s.CreateBudget(ctx, store.BudgetChange{ID: "b1", Spec: spec("5"), Actor: "alice", Time: t0})
	require.NoError(t, err)
	assert.Equal(t, store.StoredBudget{ID: "b1", Spec: spec("5"), Created: t0, Updated: t0, Version: 1}, b)
	_, err = s.CreateBudget(ctx, store.BudgetChange{ID: "b1", Spec: spec("6"), Actor: "bob", Time: t0})
	require.ErrorIs(t, err, store.ErrBudgetExists)
	got, err := s.Budget(ctx, "b1")
	require.NoError(t, err)
	assert.Equal(t, b, got, "the conflicting create changed nothing")

	t1 := t0.Add(time.Hour)
	b, err = s.UpdateBudget(ctx, store.BudgetChange{ID: "b1", Spec: spec("7"), Version: 1, Actor: "bob", Time: t1})
	require.NoError(t, err)
	assert.Equal(t, store.StoredBudget{ID: "b1", Spec: spec("7"), Created: t0, Updated: t1, Version: 2}, b)
	_, err = s.UpdateBudget(ctx, store.BudgetChange{ID: "b1", Spec: spec("8"), Version: 1, Actor: "carol", Time: t1})
	require.ErrorIs(t, err, store.ErrBudgetVersion, "an update against a stale version")
	b, err = s.UpdateBudget(ctx, store.BudgetChange{ID: "b1", Spec: spec("9"), Actor: "carol", Time: t1.Add(time.Minute)})
	require.NoError(t, err, "version 0: the last write wins")
	assert.Equal(t, int64(3), b.Version)
	_, err = s.UpdateBudget(ctx, store.BudgetChange{ID: "nope", Spec: spec("1"), Actor: "carol", Time: t1})
	require.ErrorIs(t, err, store.ErrBudgetNotFound)

	_, err = s.CreateBudget(ctx, store.BudgetChange{ID: "a0", Spec: spec("1"), Actor: "alice", Time: t1})
	require.NoError(t, err)
	list, err = s.Budgets(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, []string{"a0", "b1"}, []string{list[0].ID, list[1].ID}, "by id")

	require.ErrorIs(t, s.DeleteBudget(ctx, store.BudgetChange{ID: "b1", Version: 2, Actor: "dave", Time: t1}), store.ErrBudgetVersion)
	require.NoError(t, s.DeleteBudget(ctx, store.BudgetChange{ID: "b1", Version: 3, Actor: "dave", Time: t1.Add(2 * time.Minute)}))
	require.ErrorIs(t, s.DeleteBudget(ctx, store.BudgetChange{ID: "b1", Actor: "dave", Time: t1}), store.ErrBudgetNotFound)
	_, err = s.Budget(ctx, "b1")
	require.ErrorIs(t, err, store.ErrBudgetNotFound)
	// The id is free again.
	_, err = s.CreateBudget(ctx, store.BudgetChange{ID: "b1", Spec: spec("2"), Actor: "erin", Time: t1.Add(3 * time.Minute)})
	require.NoError(t, err)

	audit, total, err := s.BudgetAudit(ctx, store.Page{Limit: 100})
	require.NoError(t, err)
	assert.Equal(t, int64(6), total, "failed changes leave no audit row")
	type row struct {
		actor, action, id, before, after string
		version                          int64
	}
	var rows []row
	for i, e := range audit {
		rows = append(rows, row{e.Actor, e.Action, e.BudgetID, string(e.Before), string(e.After), e.Version})
		if i > 0 {
			assert.Less(t, e.Seq, audit[i-1].Seq, "newest first")
		}
	}
	assert.Equal(t, []row{
		{"erin", store.AuditCreate, "b1", "", string(spec("2")), 1},
		{"dave", store.AuditDelete, "b1", string(spec("9")), "", 3},
		{"alice", store.AuditCreate, "a0", "", string(spec("1")), 1},
		{"carol", store.AuditUpdate, "b1", string(spec("7")), string(spec("9")), 3},
		{"bob", store.AuditUpdate, "b1", string(spec("5")), string(spec("7")), 2},
		{"alice", store.AuditCreate, "b1", "", string(spec("5")), 1},
	}, rows)
	assert.Equal(t, t0, audit[5].Time)
	assert.Nil(t, audit[0].Before)
	assert.Nil(t, audit[1].After)

	page, total, err := s.BudgetAudit(ctx, store.Page{Limit: 2, Offset: 2})
	require.NoError(t, err)
	assert.Equal(t, int64(6), total)
	require.Len(t, page, 2)
	assert.Equal(t, audit[2:4], page)

	// Concurrent last-write-wins updates all land, each audited once
	// with the spec it replaced.
	var wg sync.WaitGroup
	const writers = 4
	errs := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.UpdateBudget(ctx, store.BudgetChange{ID: "a0", Spec: spec("1"), Actor: "w", Time: t1})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	got, err = s.Budget(ctx, "a0")
	require.NoError(t, err)
	assert.Equal(t, int64(1+writers), got.Version)
	audit, total, err = s.BudgetAudit(ctx, store.Page{Limit: writers})
	require.NoError(t, err)
	assert.Equal(t, int64(6+writers), total)
	versions := map[int64]bool{}
	for _, e := range audit {
		versions[e.Version] = true
	}
	assert.Len(t, versions, writers, "each update its own version")
}
