package store

import (
	"context"
	"errors"
	"time"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// RepriceStore recomputes the amounts of stored records, a batch at a
// time: each step reads the next records of a run's range after its
// cursor, lets a function reprice them, and writes those that changed,
// the rollups' differences and the run's new cursor and counts in one
// transaction. A run interrupted anywhere resumes at its cursor with
// nothing counted twice, and ingest goes on between the steps.
//
// The run's row is its audit entry: who asked, why, the range, what
// changed per model.
type RepriceStore interface {
	// CreateRepriceRun stores a new run and sets its ID.
	CreateRepriceRun(ctx context.Context, run *RepriceRun) error
	// RepriceStep reprices the next at most batch records of run id
	// with fn, which changes a record in place and reports whether it
	// did, and returns the run as it is after the step. A run whose
	// last step read fewer records than batch is done. A dry run
	// writes nothing but its own row. ErrRepriceNotFound for an unknown
	// id, ErrRepriceDone for a run that is done.
	RepriceStep(ctx context.Context, id int64, batch int, fn func(*usage.Record) bool, now time.Time) (RepriceRun, error)
	// FailRepriceRun marks a run failed with a reason; it can still be
	// resumed.
	FailRepriceRun(ctx context.Context, id int64, reason string, now time.Time) error
	// RepriceRuns lists the runs newest first, a page, and how many there
	// are; RepriceRunByID one.
	RepriceRuns(ctx context.Context, p Page) ([]RepriceRun, int64, error)
	RepriceRunByID(ctx context.Context, id int64) (RepriceRun, error)
}

// Reprice run statuses.
const (
	RepriceRunning = "running"
	RepriceDone    = "done"
	RepriceFailed  = "failed"
)

// RepriceRun is one repricing of a range of records.
type RepriceRun struct {
	ID       int64
	Created  time.Time
	Updated  time.Time
	Actor    string
	Reason   string
	From, To time.Time
	DryRun   bool
	Status   string
	// Cursor is the ID (usage.Record.ID) of the last record a step read;
	// "" before the first.
	Cursor string
	// Scanned counts the records read, Changed those whose amounts
	// changed (that would change, for a dry run).
	Scanned, Changed int64
	// Models sums the changed records per provider and model, before and
	// after.
	Models []RepriceModel
	// Error is why the run failed, if it did.
	Error string
}

// RepriceModel is what a run changed for one provider and model (as
// stored before the run).
type RepriceModel struct {
	Provider, Model string
	Calls           int64
	// Before and After are the records' costs, and BeforeList and
	// AfterList their list costs, by currency ("" for calls without a
	// cost: unpriced before, or after).
	Before, After         map[string]money.Nanos
	BeforeList, AfterList map[string]money.Nanos
}

// Add counts one changed record, before and after.
func (m *RepriceModel) Add(before, after *usage.Record) {
	m.Calls++
	add := func(dst *map[string]money.Nanos, cur string, n money.Nanos) {
		if *dst == nil {
			*dst = map[string]money.Nanos{}
		}
		(*dst)[cur] += n
	}
	add(&m.Before, before.Currency, before.Cost)
	add(&m.After, after.Currency, after.Cost)
	add(&m.BeforeList, before.Currency, before.ListCost)
	add(&m.AfterList, after.Currency, after.ListCost)
}

// Reprice store errors.
var (
	ErrRepriceNotFound = errors.New("no repricing run with this id")
	ErrRepriceDone     = errors.New("the repricing run is done")
)
