package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// BudgetStore keeps budgets managed through the usage API, and the audit
// trail of their changes: every change and its audit row are written in
// one transaction. Collectors that share a database share the budgets.
//
// Changes are optimistic: a budget has a version, 1 when created and one
// more at every update; an update or delete that gives the version it
// read fails with ErrBudgetVersion if the budget has changed since. A
// version of 0 asks for no such check: the last write wins.
type BudgetStore interface {
	// Budgets lists the stored budgets by id.
	Budgets(ctx context.Context) ([]StoredBudget, error)
	// Budget returns one; ErrBudgetNotFound if none has the id.
	Budget(ctx context.Context, id string) (StoredBudget, error)
	// CreateBudget stores a new budget at version 1; ErrBudgetExists if
	// one has the id.
	CreateBudget(ctx context.Context, c BudgetChange) (StoredBudget, error)
	// UpdateBudget replaces a budget's spec; ErrBudgetNotFound,
	// ErrBudgetVersion.
	UpdateBudget(ctx context.Context, c BudgetChange) (StoredBudget, error)
	// DeleteBudget deletes a budget; ErrBudgetNotFound, ErrBudgetVersion.
	// c.Spec is ignored.
	DeleteBudget(ctx context.Context, c BudgetChange) error
	// BudgetAudit lists audit rows newest first, a page of them, and how
	// many there are in all.
	BudgetAudit(ctx context.Context, p Page) ([]BudgetAuditEntry, int64, error)
}

// StoredBudget is a budget kept in the store: its spec as JSON (a
// budget.Spec; the store does not read it).
type StoredBudget struct {
	ID               string
	Spec             json.RawMessage
	Created, Updated time.Time
	Version          int64
}

// BudgetChange is a change to a stored budget, by an actor at a time.
type BudgetChange struct {
	ID   string
	Spec json.RawMessage
	// Version is the version the change was made against; 0: any.
	Version int64
	// Actor names who changes it, for the audit trail.
	Actor string
	Time  time.Time
}

// Audit actions.
const (
	AuditCreate = "create"
	AuditUpdate = "update"
	AuditDelete = "delete"
)

// BudgetAuditEntry is one change of a stored budget.
type BudgetAuditEntry struct {
	// Seq orders the entries: higher is later.
	Seq      int64
	Time     time.Time
	Actor    string
	Action   string
	BudgetID string
	// Before and After are the spec before and after the change: no
	// Before for a create, no After for a delete.
	Before, After json.RawMessage
	// Version is the budget's version after the change (before it, for a
	// delete).
	Version int64
}

// Budget store errors.
var (
	ErrBudgetExists   = errors.New("a budget with this id is stored already")
	ErrBudgetNotFound = errors.New("no stored budget with this id")
	ErrBudgetVersion  = errors.New("the budget has changed since the version given")

	ErrNotificationNotFound = errors.New("no notification with this key")
)
