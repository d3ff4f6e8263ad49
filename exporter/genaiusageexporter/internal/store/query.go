package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// Querier answers the usage query API. Aggregates are read from the
// rollups whenever the filter allows it (see Filter.Rollupable), and from
// the raw records otherwise.
type Querier interface {
	// Summary aggregates the calls matching f.
	Summary(ctx context.Context, f Filter) (Aggregate, error)
	// Series aggregates the calls matching f into time buckets of grain
	// (GrainHour or GrainDay), split by the breakdown key by if not empty.
	// Buckets are UTC and only buckets with calls have a point. Points
	// are ordered by bucket, then key.
	Series(ctx context.Context, f Filter, grain, by string) ([]Point, error)
	// Breakdown aggregates the calls matching f by the breakdown key by
	// and returns the top limit groups by cost (then calls, then key),
	// with the rest folded into one group with Other set.
	Breakdown(ctx context.Context, f Filter, by string, limit int) ([]Group, error)
	// Values aggregates the calls matching f by the breakdown key by, for
	// the given values of it only, in their order; a value without calls
	// has no group. It answers what a breakdown would for those values,
	// in one query however many values the key has.
	Values(ctx context.Context, f Filter, by string, values []string) ([]Group, error)
	// Records returns one page of the records matching f, newest first
	// (start time descending, then trace id, then span id), with the
	// number of records matching f.
	Records(ctx context.Context, f Filter, p Page) ([]usage.Record, int64, error)
	// Record returns one record by its usage.Record ID.
	Record(ctx context.Context, id string) (usage.Record, error)
	// Export calls fn for every record matching f, oldest first, streaming
	// from the database; it stops at fn's first error.
	Export(ctx context.Context, f Filter, fn func(*usage.Record) error) error
	// Reconciliation sums, per provider, model and reported currency, the
	// calls matching f whose reported cost was compared with the computed
	// one (usage.Record.Reconcile), read from the records.
	Reconciliation(ctx context.Context, f Filter) ([]ReconciliationGroup, error)
	// Intervals measures the gaps between consecutive calls of one value
	// of the breakdown key by (e.g. one user or one session), for calls
	// matching f that carry a value.
	Intervals(ctx context.Context, f Filter, by string) (IntervalStats, error)
}

// Breakdown keys that are not dimensions.
const (
	ByProvider    = "provider"
	ByModel       = "model"
	ByService     = "service"
	ByEnvironment = "environment"
	ByStatus      = "status"
)

// Filter selects calls: start time in [From, To) (a zero bound is open),
// and every non-empty field equal.
type Filter struct {
	From, To                 time.Time
	Provider, Model, Service string
	// Environment is the resource's deployment environment.
	Environment string
	// Dims maps dimension names (usage.DimensionNames) to a value; an
	// entry with an empty value selects the calls without that dimension.
	Dims map[string]string
	// Currency selects the calls priced in this currency (rollups and
	// records both hold it): a budget ranks the values of a dimension by
	// its own currency's spend. Unpriced calls have no currency, so a
	// filter with one counts none of them. The API does not set it.
	Currency string
	// Status and Search apply to raw records only: an aggregate with
	// either is computed from the records. Search matches a substring
	// (case-insensitive) of the models (priced, requested, responding),
	// provider, service, environment, dimension values, error type or response id,
	// and, if it is 32 hex digits, the trace id exactly.
	Status string
	Search string
}

// Rollupable reports whether the rollups can answer f, given the
// breakdown key by ("" for none), for the whole UTC hours (days when a
// dimension is involved) of its range; the rest of the range is read from
// the records. The rollups cannot answer a status or a search, more than
// one dimension in the filter and the key together, nor a dimension with
// a provider, model, service or environment (dimension rollups hold
// none of them).
func (f *Filter) Rollupable(by string) bool {
	if f.Status != "" || f.Search != "" || by == ByStatus {
		return false
	}
	if !f.UsesDimension(by) {
		return true
	}
	dims := len(f.Dims)
	if isDimension(by) {
		if _, same := f.Dims[by]; !same {
			dims++
		}
	}
	fixed := f.Provider != "" || f.Model != "" || f.Service != "" || f.Environment != "" ||
		by == ByProvider || by == ByModel || by == ByService || by == ByEnvironment
	return dims <= 1 && !fixed
}

// UsesDimension reports whether f or the key by names a dimension.
func (f *Filter) UsesDimension(by string) bool { return f.Dimension(by) != "" }

// Dimension returns the dimension f and the key by name, the key's first;
// "" if none. A Rollupable filter names at most one.
func (f *Filter) Dimension(by string) string {
	if isDimension(by) {
		return by
	}
	for name := range f.Dims {
		return name
	}
	return ""
}

// isDimension reports whether name is one of usage.DimensionNames.
func isDimension(name string) bool { return slices.Contains(usage.DimensionNames[:], name) }

// Page is a window of a record listing.
type Page struct {
	Limit, Offset int
}

// Aggregate sums calls over currencies. Counts add up across currencies;
// money is kept per currency and never summed across them.
type Aggregate struct {
	Calls, Errors, Unpriced int64
	Tokens                  meter.Counts
	DurationMillis          int64
	TTFTMillis, TTFTCount   int64
	// Cost and CacheSaved are by currency; unpriced calls add nothing.
	// Neither is ever nil, and both have a key, even at zero, for every
	// currency of the calls aggregated.
	Cost       map[string]money.Nanos
	CacheSaved map[string]money.Nanos
	// ListCost is the calls at list prices, by currency, as Cost is: Cost
	// is what is paid once contract terms apply.
	ListCost map[string]money.Nanos
	// EstimatedCalls are the calls whose usage was estimated (no usage on
	// the span: counted from its content), and EstimatedCost their cost,
	// by currency: parts of Calls and Cost. Measured cost is Cost less
	// EstimatedCost.
	EstimatedCalls int64
	EstimatedCost  map[string]money.Nanos
}

// Point is one time bucket of a series.
type Point struct {
	Bucket time.Time
	// Key is the breakdown value when the series is split.
	Key string
	Aggregate
}

// Group is one value of a breakdown.
type Group struct {
	Key string
	// Other marks the group that folds every value past the limit.
	Other bool
	// Values is how many values an Other group folds.
	Values int64
	Aggregate
}

// IntervalStats describes the gaps between consecutive calls of one key.
type IntervalStats struct {
	// Gaps is how many gaps were measured; Keys how many values had calls.
	Gaps, Keys int64
	// Within5m and Within1h count the gaps a 5-minute or a 1-hour prompt
	// cache would have bridged (gap <= the TTL).
	Within5m, Within1h int64
	// Buckets is the distribution of gaps, by upper bound, ascending; the
	// last bucket has no bound (UpTo 0).
	Buckets []IntervalBucket
}

// IntervalBucket counts the gaps up to UpTo (and above the previous bound).
type IntervalBucket struct {
	UpTo  time.Duration
	Count int64
}

// IntervalBounds are the upper bounds of IntervalStats.Buckets.
var IntervalBounds = []time.Duration{
	10 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute,
	10 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 24 * time.Hour,
}

// ErrNotFound is returned for a record id that is not stored.
var ErrNotFound = errors.New("not found")

// ErrUnknownKey is returned for a breakdown key that is neither a
// dimension nor one of the By* keys.
var ErrUnknownKey = errors.New("unknown breakdown key")

// ErrUnknownGrain is returned by Series for a grain other than GrainHour
// and GrainDay.
var ErrUnknownGrain = errors.New("unknown grain")

// Add adds b to a; a's maps are made if nil.
func (a *Aggregate) Add(b *Aggregate) {
	a.Calls += b.Calls
	a.Errors += b.Errors
	a.Unpriced += b.Unpriced
	for m := range a.Tokens {
		a.Tokens[m] += b.Tokens[m]
	}
	a.DurationMillis += b.DurationMillis
	a.TTFTMillis += b.TTFTMillis
	a.TTFTCount += b.TTFTCount
	if a.Cost == nil {
		a.Cost = map[string]money.Nanos{}
	}
	if a.CacheSaved == nil {
		a.CacheSaved = map[string]money.Nanos{}
	}
	if a.ListCost == nil {
		a.ListCost = map[string]money.Nanos{}
	}
	if a.EstimatedCost == nil {
		a.EstimatedCost = map[string]money.Nanos{}
	}
	a.EstimatedCalls += b.EstimatedCalls
	for c, n := range b.EstimatedCost {
		a.EstimatedCost[c] += n
	}
	for c, n := range b.Cost {
		a.Cost[c] += n
	}
	for c, n := range b.CacheSaved {
		a.CacheSaved[c] += n
	}
	for c, n := range b.ListCost {
		a.ListCost[c] += n
	}
}

// Sub takes b from a, currency by currency: what is left of a sum when
// some of its parts are known.
func (a *Aggregate) Sub(b *Aggregate) {
	a.Calls -= b.Calls
	a.Errors -= b.Errors
	a.Unpriced -= b.Unpriced
	for m := range a.Tokens {
		a.Tokens[m] -= b.Tokens[m]
	}
	a.DurationMillis -= b.DurationMillis
	a.TTFTMillis -= b.TTFTMillis
	a.TTFTCount -= b.TTFTCount
	if a.Cost == nil {
		a.Cost = map[string]money.Nanos{}
	}
	if a.CacheSaved == nil {
		a.CacheSaved = map[string]money.Nanos{}
	}
	if a.ListCost == nil {
		a.ListCost = map[string]money.Nanos{}
	}
	if a.EstimatedCost == nil {
		a.EstimatedCost = map[string]money.Nanos{}
	}
	a.EstimatedCalls -= b.EstimatedCalls
	for c, n := range b.EstimatedCost {
		a.EstimatedCost[c] -= n
	}
	for c, n := range b.Cost {
		a.Cost[c] -= n
	}
	for c, n := range b.CacheSaved {
		a.CacheSaved[c] -= n
	}
	for c, n := range b.ListCost {
		a.ListCost[c] -= n
	}
}

// ReconciliationGroup is what a provider and model reported against what
// was computed, in one reported currency.
type ReconciliationGroup struct {
	Provider, Model, Currency string
	// Calls were compared: Match, Mismatch and Unit of them by result,
	// OtherCurrency not compared (reported in another currency than the
	// price card's).
	Calls, Match, Mismatch, Unit, OtherCurrency int64
	// Reported and Computed sum the compared calls (Match, Mismatch,
	// Unit) in Currency.
	Reported, Computed money.Nanos
}
