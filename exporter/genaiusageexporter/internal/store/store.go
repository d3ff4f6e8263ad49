// Package store keeps usage records and their rollups. It holds the
// interface and the record and query types only: backends implement Store
// (the SQL they share is in sqlstore); storetest holds the contract every
// backend must pass.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// Store is a usage store.
type Store interface {
	// Write stores records. Records whose identity is already stored (or
	// comes earlier in recs) are ignored, so a retried batch never counts
	// twice. Rollups are updated in the same transaction from the records
	// actually inserted. It returns how many records were new and, if
	// inserted is not nil (it must be as long as recs), sets inserted[i] to
	// whether recs[i] was one of them. A backend may store a large batch
	// in parts, each in its own transaction with its rollups: if a part
	// fails after another was stored, Write returns the error with the
	// count and the marks of what it stored.
	Write(ctx context.Context, recs []usage.Record, inserted []bool) (int, error)
	// DeleteRecordsBefore drops raw records that started before t; rollups
	// are kept.
	DeleteRecordsBefore(ctx context.Context, t time.Time) (int64, error)
	// Querier reads records and aggregates for the usage API.
	Querier
	// BudgetStore keeps the budgets managed through the API.
	BudgetStore
	// NotificationStore keeps the budget notifications of webhooks.
	NotificationStore
	// RepriceStore recomputes stored records' amounts.
	RepriceStore
	Close() error
}

// TotalsQuery selects rollups, for the contract suite's checks of rollups
// against records (storetest.Store).
type TotalsQuery struct {
	From, To time.Time
	// Dimension and Value restrict to one attribution value; empty for all.
	Dimension, Value string
	// Grain selects the rows: by default hours for all values and days
	// for one; GrainWeek for a WeeklyDimension's value.
	Grain string
}

// Totals are sums per currency.
type Totals struct {
	Currency string
	Calls    int64
	Errors   int64
	Unpriced int64
	Tokens   meter.Counts
	Cost     money.Nanos
	// CacheSaved is the money prompt caching saved.
	CacheSaved money.Nanos
	// DurationMillis is the sum of call durations, for averages.
	DurationMillis int64
}

// ErrUnknownDimension is returned for a dimension that is not one of
// usage.DimensionNames.
var ErrUnknownDimension = errors.New("unknown dimension")

// NewerSchemaError is a write refused because another collector has
// migrated the database past this one's schema.
func NewerSchemaError(have, want int) error {
	return fmt.Errorf("the database has schema version %d, newer than this collector's %d: upgrade this collector (it keeps its records queued and retries)", have, want)
}

// ErrUnavailable marks the error of a store that cannot answer now but may
// later: down, unreachable, closed, busy or out of time. Other errors are
// the store failing, which trying again does not mend.
var ErrUnavailable = errors.New("usage store unavailable")

// Unavailable marks err as ErrUnavailable, keeping its message; nil stays
// nil.
func Unavailable(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) {
		return err
	}
	return unavailableError{err}
}

type unavailableError struct{ err error }

func (e unavailableError) Error() string   { return e.err.Error() }
func (e unavailableError) Unwrap() []error { return []error{e.err, ErrUnavailable} }
