// Package budgets reads the spend of budgets (internal/budget) from the
// usage store: a budget, for an each-budget one of its values, and a window
// map to a store.Filter, whose Summary (read from the rollups where they
// can answer) gives the spent amount in the budget's currency and the
// calls in scope that could not be priced. It answers the status of every
// budget, of one, and the check of a subject, for the usage API and the
// budget gauges.
//
// The budgets come from a Source: the configured ones (Static), or those
// and the ones kept in the store (Managed).
package budgets // import "github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/budgets"

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/metrics"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/budget"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// DefaultTopValues is how many values of an each-budget a status lists
// when no other number is configured.
const DefaultTopValues = 20

// Source lists the budgets in force, in a stable order.
type Source interface {
	Budgets(ctx context.Context) ([]*budget.Budget, error)
}

// Static is a fixed list of budgets: the exporter's configured ones.
type Static []*budget.Budget

// Budgets returns the list.
func (s Static) Budgets(context.Context) ([]*budget.Budget, error) { return s, nil }

// Compile validates and compiles specs, each error prefixed with
// "budgets[i]." and ids required to be unique.
func Compile(specs []budget.Spec) (Static, error) {
	var errs []error
	out := make(Static, 0, len(specs))
	seen := map[string]int{}
	for i, s := range specs {
		b, err := budget.New(s)
		if err != nil {
			errs = append(errs, prefix(fmt.Sprintf("budgets[%d].", i), err))
		}
		if s.ID != "" {
			if j, dup := seen[s.ID]; dup {
				errs = append(errs, fmt.Errorf("budgets[%d].id: %q is also the id of budgets[%d]", i, s.ID, j))
			} else {
				seen[s.ID] = i
			}
		}
		if err := Supported(&s); err != nil {
			errs = append(errs, prefix(fmt.Sprintf("budgets[%d].", i), err))
		}
		if b != nil {
			out = append(out, b)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// ReservedIDs are the path segments of the check and audit routes, which
// no budget id may take.
var ReservedIDs = []string{"check", "audit"}

// Supported refuses what budget.Validate accepts but the usage API
// cannot serve, naming the field: an id that is a route of its own.
func Supported(s *budget.Spec) error {
	if slices.Contains(ReservedIDs, s.ID) {
		return fmt.Errorf("id: %q is reserved (GET /api/v1/budgets/%s)", s.ID, s.ID)
	}
	return nil
}

// prefix prefixes every error joined in err.
func prefix(p string, err error) error {
	var parts []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		parts = j.Unwrap()
	} else {
		parts = []error{err}
	}
	out := make([]error, len(parts))
	for i, e := range parts {
		out[i] = fmt.Errorf("%s%w", p, e)
	}
	return errors.Join(out...)
}

// Rollupable reports whether the spend of s is read from the rollups
// alone (ragged window ends aside): at most one dimension among the fixed
// ones and each, and no provider, model or service with a dimension.
func Rollupable(s *budget.Spec) bool {
	f := scopeFilter(s, "x")
	return f.Rollupable("")
}

// Querier is what the service reads.
type Querier interface {
	Summary(ctx context.Context, f store.Filter) (store.Aggregate, error)
	Breakdown(ctx context.Context, f store.Filter, by string, limit int) ([]store.Group, error)
	Values(ctx context.Context, f store.Filter, by string, values []string) ([]store.Group, error)
}

// Service answers budget statuses and checks from a store.
type Service struct {
	q   Querier
	src Source
	top int
}

// New returns a service over q for the budgets of src; top is how many
// values of an each-budget a status lists (DefaultTopValues if <= 0).
func New(q Querier, src Source, top int) *Service {
	if top <= 0 {
		top = DefaultTopValues
	}
	return &Service{q: q, src: src, top: top}
}

// TopValues is how many values of an each-budget a status lists.
func (s *Service) TopValues() int { return s.top }

// ErrUnknownBudget is the error of a budget id that is not in force.
var ErrUnknownBudget = errors.New("no budget with this id")

// Status is a budget's status at an instant.
type Status struct {
	Budget *budget.Budget
	// Start and End are the window containing the instant.
	Start, End time.Time
	// Total is the status of a budget without scope.each; nil for an
	// each-budget.
	Total *budget.Status
	// Values are an each-budget's values with spend in the window, top
	// by ratio (then value), at most the service's TopValues.
	Values []Value
	// MoreValues counts the values with spend in the budget's currency in
	// the window that Values leaves out (in the gauges' pass, the values
	// under the lowest threshold, ForecastOnly ones included).
	MoreValues int64
	// Unpriced counts an each-budget's calls in scope, of every value,
	// that could not be priced (each value's are in its status).
	Unpriced int64
	// Entry says where the budget comes from.
	Entry Entry
}

// Value is the status of one value of an each-budget.
type Value struct {
	Value string
	budget.Status
	// ForecastOnly marks a value under the budget's lowest threshold that
	// the gauges' pass lists for its forecast alone: its spend will cross
	// the limit before the window ends at one of the forecasts' rates.
	// Notifications warn of it; the gauges leave it out.
	ForecastOnly bool
}

// scopeFilter is the filter of s's fixed values, with the each dimension
// set to value when s has one.
func scopeFilter(s *budget.Spec, value string) store.Filter {
	f := store.Filter{Provider: s.Scope.Provider, Model: s.Scope.Model, Service: s.Scope.Service, Environment: s.Scope.Environment}
	if len(s.Scope.Dimensions) > 0 || (s.Scope.Each != "" && value != "") {
		f.Dims = maps.Clone(s.Scope.Dimensions)
		if f.Dims == nil {
			f.Dims = map[string]string{}
		}
		if s.Scope.Each != "" && value != "" {
			f.Dims[s.Scope.Each] = value
		}
	}
	return f
}

// Filter is the store filter of budget b (of value for an each-budget; ""
// for all its values) over [from, to).
func Filter(b *budget.Budget, value string, from, to time.Time) store.Filter {
	spec := b.Spec()
	f := scopeFilter(&spec, value)
	f.From, f.To = from, to
	return f
}

// spentTo is the end of what a window has spent at now: now, within the
// window.
func spentTo(start, end, now time.Time) time.Time {
	switch {
	case now.Before(start):
		return start
	case now.After(end):
		return end
	}
	return now
}

// Usage reads what b (of value) has spent in its window at now: the cost in
// its currency only, and the unpriced calls in scope.
func (s *Service) Usage(ctx context.Context, b *budget.Budget, value string, now time.Time) (budget.Usage, error) {
	start, end := b.Window(now)
	a, err := s.q.Summary(ctx, Filter(b, value, start, spentTo(start, end, now)))
	if err != nil {
		return budget.Usage{}, err
	}
	return budget.Usage{Spent: a.Cost[b.Currency()], Unpriced: a.Unpriced}, nil
}

// last24h is the spend of b (of value) in its currency in [now-24h, now).
func (s *Service) last24h(ctx context.Context, b *budget.Budget, value string, now time.Time) (money.Nanos, error) {
	a, err := s.q.Summary(ctx, Filter(b, value, now.Add(-24*time.Hour), now))
	if err != nil {
		return 0, err
	}
	return a.Cost[b.Currency()], nil
}

// Managed is the service's source when it keeps budgets in the store;
// nil otherwise.
func (s *Service) Managed() *Managed {
	m, _ := s.src.(*Managed)
	return m
}

// entries lists the budgets in force with their origin: a Source that
// does not tell has configured budgets only.
func (s *Service) entries(ctx context.Context) ([]Entry, error) {
	if es, ok := s.src.(interface {
		Entries(context.Context) ([]Entry, error)
	}); ok {
		return es.Entries(ctx)
	}
	bs, err := s.src.Budgets(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(bs))
	for i, b := range bs {
		out[i] = Entry{Budget: b}
	}
	return out, nil
}

// Statuses answers every budget's status at now.
func (s *Service) Statuses(ctx context.Context, now time.Time) ([]Status, error) {
	es, err := s.entries(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Status, 0, len(es))
	for _, e := range es {
		st, err := s.status(ctx, e.Budget, now, s.top)
		if err != nil {
			return nil, fmt.Errorf("budget %s: %w", e.Budget.ID(), err)
		}
		st.Entry = e
		out = append(out, st)
	}
	return out, nil
}

// values is Querier.Values by value.
func (s *Service) values(ctx context.Context, f store.Filter, by string, values []string) (map[string]*store.Group, error) {
	out := map[string]*store.Group{}
	if len(values) == 0 {
		return out, nil
	}
	gs, err := s.q.Values(ctx, f, by, values)
	if err != nil {
		return nil, err
	}
	for i := range gs {
		out[gs[i].Key] = &gs[i]
	}
	return out, nil
}

// Status answers one budget's status at now; ErrUnknownBudget if no budget
// has the id.
func (s *Service) Status(ctx context.Context, id string, now time.Time) (Status, error) {
	es, err := s.entries(ctx)
	if err != nil {
		return Status{}, err
	}
	for _, e := range es {
		if e.Budget.ID() == id {
			st, err := s.status(ctx, e.Budget, now, s.top)
			st.Entry = e
			return st, err
		}
	}
	return Status{}, ErrUnknownBudget
}

func (s *Service) status(ctx context.Context, b *budget.Budget, now time.Time, top int) (Status, error) {
	return s.statusOf(ctx, b, now, top, true)
}

// statusOf computes b's status at now, with at most top values of an
// each-budget. For the gauges (full false), values below the lowest
// threshold are left out, and their unpriced calls are not counted; but
// those whose forecast crosses the limit before the window ends are
// listed as ForecastOnly, for the notifications.
func (s *Service) statusOf(ctx context.Context, b *budget.Budget, now time.Time, top int, full bool) (Status, error) {
	start, end := b.Window(now)
	st := Status{Budget: b, Start: start, End: end}
	each := b.Spec().Scope.Each
	to := spentTo(start, end, now)
	// Every call in scope: a budget's spend and unpriced calls, or an
	// each-budget's unpriced calls over all its values.
	a, err := s.q.Summary(ctx, Filter(b, "", start, to))
	if err != nil {
		return Status{}, err
	}
	if each == "" {
		l24, err := s.last24h(ctx, b, "", now)
		if err != nil {
			return Status{}, err
		}
		t := b.Status(budget.Input{Start: start, End: end, Now: now, Spent: a.Cost[b.Currency()], Unpriced: a.Unpriced, Last24h: l24})
		st.Total = &t
		return st, nil
	}
	st.Unpriced = a.Unpriced
	// The top values by spend in the budget's currency (one more than
	// listed, to skip the calls without a value), highest first.
	f := Filter(b, "", start, to)
	f.Currency = b.Currency()
	gs, err := s.q.Breakdown(ctx, f, each, top+1)
	if err != nil {
		return Status{}, err
	}
	var inputs []budget.Input
	var values []string
	below := map[string]budget.Input{} // the gauges' pass: under the lowest threshold
	for _, g := range gs {
		switch {
		case g.Other:
			st.MoreValues += g.Values
			continue
		case g.Key == "": // calls without the dimension: no value's budget
			continue
		}
		in := budget.Input{Start: start, End: end, Now: now, Spent: g.Cost[b.Currency()]}
		switch {
		case !full && len(b.Status(in).Crossed) == 0:
			st.MoreValues++
			below[g.Key] = in
		case len(values) == top:
			st.MoreValues++
		default:
			inputs, values = append(inputs, in), append(values, g.Key)
		}
	}
	var forecastOnly []string
	if !full {
		window := budget.Input{Start: start, End: end, Now: now}
		if forecastOnly, err = s.forecastCandidates(ctx, b, f, window, top, below, values); err != nil {
			return Status{}, err
		}
	}
	// The values' last 24 hours, and their unpriced calls (which the
	// currency filter left out; none to read when the scope has none),
	// each in one query for all of them.
	last24h := Filter(b, "", now.Add(-24*time.Hour), now)
	last24h.Currency = b.Currency()
	l24, err := s.values(ctx, last24h, each, append(slices.Clip(values), forecastOnly...))
	if err != nil {
		return Status{}, err
	}
	unpriced := map[string]*store.Group{}
	if full && st.Unpriced > 0 {
		if unpriced, err = s.values(ctx, Filter(b, "", start, to), each, values); err != nil {
			return Status{}, err
		}
	}
	for i, v := range values {
		in := inputs[i]
		if g := l24[v]; g != nil {
			in.Last24h = g.Cost[b.Currency()]
		}
		if g := unpriced[v]; g != nil {
			in.Unpriced = g.Unpriced
		}
		st.Values = append(st.Values, Value{Value: v, Status: b.Status(in)})
	}
	for _, v := range forecastOnly {
		in := below[v]
		if g := l24[v]; g != nil {
			in.Last24h = g.Cost[b.Currency()]
		}
		if vs := b.Status(in); slices.ContainsFunc(vs.Forecasts, func(f budget.Forecast) bool { return f.Crosses() }) {
			st.Values = append(st.Values, Value{Value: v, Status: vs, ForecastOnly: true})
		}
	}
	slices.SortStableFunc(st.Values, func(x, y Value) int {
		if c := cmp.Compare(y.Spent, x.Spent); c != 0 { // one limit: ratio order is spend order
			return c
		}
		return strings.Compare(x.Value, y.Value)
	})
	return st, nil
}

// forecastCandidates picks, for the gauges' pass of an each-budget, the
// values under the lowest threshold whose forecast may cross the limit:
// those among the top by spend in the window (below), and the top by
// spend since the start of yesterday (UTC), which holds the last 24
// hours and is read from the day rollups. It fills in below the window's
// spend of the values it adds. f is the window's filter in the budget's
// currency, window its bounds and clock; listed are the values over a
// threshold.
func (s *Service) forecastCandidates(ctx context.Context, b *budget.Budget, f store.Filter, window budget.Input, top int, below map[string]budget.Input, listed []string) ([]string, error) {
	each := b.Spec().Scope.Each
	now := window.Now
	recent := Filter(b, "", now.UTC().Add(-24*time.Hour).Truncate(24*time.Hour), now)
	recent.Currency = b.Currency()
	gs, err := s.q.Breakdown(ctx, recent, each, top+1)
	if err != nil {
		return nil, err
	}
	var unknown []string
	for _, g := range gs {
		if g.Other || g.Key == "" || slices.Contains(listed, g.Key) {
			continue
		}
		if _, ok := below[g.Key]; !ok {
			unknown = append(unknown, g.Key)
		}
	}
	spent, err := s.values(ctx, f, each, unknown)
	if err != nil {
		return nil, err
	}
	for _, v := range unknown {
		in := window
		if g := spent[v]; g != nil {
			in.Spent = g.Cost[b.Currency()]
		}
		if len(b.Status(in).Crossed) > 0 { // over a threshold but past the top: not this pass's
			continue
		}
		below[v] = in
	}
	out := make([]string, 0, len(below))
	for v := range below {
		out = append(out, v)
	}
	slices.Sort(out)
	return out, nil
}

// Check answers for a subject: the budgets in force for it with their
// spend in their current window at now, the tightest remaining amount per
// currency, and whether a call is allowed.
func (s *Service) Check(ctx context.Context, subj *budget.Subject, now time.Time) (budget.Decision, error) {
	bs, err := s.src.Budgets(ctx)
	if err != nil {
		return budget.Decision{}, err
	}
	applied := budget.Resolve(bs, subj)
	usage := make([]budget.Usage, len(applied))
	for i, a := range applied {
		if usage[i], err = s.Usage(ctx, a.Budget, a.Value, now); err != nil {
			return budget.Decision{}, fmt.Errorf("budget %s: %w", a.Budget.ID(), err)
		}
	}
	return budget.Decide(applied, usage)
}

// Samples are the budget gauges at now: every budget without each, and
// the values of each-budgets over their lowest threshold, among their top
// values by spend (top of them per budget), highest ratio first.
func (s *Service) Samples(ctx context.Context, now time.Time, top int) ([]metrics.BudgetSample, error) {
	_, smp, err := s.Refresh(ctx, now, top)
	return smp, err
}

// Refresh reads, once, what the timer needs at now: the statuses of every
// budget, with the values of each-budgets over their lowest threshold
// among their top values by spend (top of them per budget), for the
// notifications, and the gauges' samples of them (Samples).
func (s *Service) Refresh(ctx context.Context, now time.Time, top int) ([]Status, []metrics.BudgetSample, error) {
	bs, err := s.src.Budgets(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out, values []metrics.BudgetSample
	sts := make([]Status, 0, len(bs))
	for _, b := range bs {
		st, err := s.statusOf(ctx, b, now, top, false)
		if err != nil {
			return nil, nil, fmt.Errorf("budget %s: %w", b.ID(), err)
		}
		sts = append(sts, st)
		if st.Total != nil {
			out = append(out, sample(b, "", st.Total))
			continue
		}
		for i := range st.Values {
			if !st.Values[i].ForecastOnly {
				values = append(values, sample(b, st.Values[i].Value, &st.Values[i].Status))
			}
		}
	}
	slices.SortStableFunc(values, func(x, y metrics.BudgetSample) int { return cmp.Compare(y.Ratio, x.Ratio) })
	return sts, append(out, values...), nil
}

func sample(b *budget.Budget, value string, st *budget.Status) metrics.BudgetSample {
	smp := metrics.BudgetSample{
		Budget: b.ID(), Currency: b.Currency(), Value: value,
		Spent: int64(st.Spent), Limit: int64(st.Limit), Ratio: st.RatioFloat,
	}
	for _, f := range st.Forecasts {
		smp.Forecasts = append(smp.Forecasts, metrics.BudgetForecast{Method: f.Method, Projected: int64(f.Projected)})
	}
	return smp
}
