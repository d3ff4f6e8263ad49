package budget

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// Subject is what a check asks about: the filter values and dimension
// values of a call about to be made (or of a caller), as in the check
// route's query "user=u1&tenant=acme&model=gpt-4o". A value that is not
// given is unknown, and a budget fixed on it does not apply.
type Subject struct {
	Provider    string
	Model       string
	Service     string
	Environment string
	// Dimensions maps dimension names to the subject's values.
	Dimensions map[string]string
}

// subjectFields are the filter keys of a subject, besides dimensions.
var subjectFields = [...]string{"provider", "model", "service", "environment"}

// ParseSubject reads a subject from query values: provider, model,
// service, environment and the dimension names, each at most once. An
// empty value is the same as none. Errors name the key.
func ParseSubject(q url.Values) (Subject, error) {
	var s Subject
	for _, k := range slices.Sorted(maps.Keys(q)) {
		vs := q[k]
		if len(vs) > 1 {
			return Subject{}, fmt.Errorf("%s: given %d times; a subject has one value of each", k, len(vs))
		}
		v := ""
		if len(vs) == 1 {
			v = vs[0]
		}
		switch {
		case k == "provider":
			s.Provider = v
		case k == "model":
			s.Model = v
		case k == "service":
			s.Service = v
		case k == "environment":
			s.Environment = v
		case IsDimension(k):
			if v == "" {
				continue
			}
			if s.Dimensions == nil {
				s.Dimensions = map[string]string{}
			}
			s.Dimensions[k] = v
		default:
			return Subject{}, fmt.Errorf("%s: not one of %s or a dimension (%s)", k, strings.Join(subjectFields[:], ", "), dimensionList)
		}
	}
	return s, nil
}

// Applies reports whether b applies to the subject, and for a budget with
// scope.each, the subject's value of that dimension (the budget applied is
// the one of that value). It applies when every fixed value of its scope
// equals the subject's and, for an each-budget, the subject names a value
// of the dimension.
func (b *Budget) Applies(s *Subject) (value string, ok bool) {
	sc := &b.spec.Scope
	for _, f := range [...]struct{ fixed, got string }{
		{sc.Provider, s.Provider}, {sc.Model, s.Model}, {sc.Service, s.Service}, {sc.Environment, s.Environment},
	} {
		if f.fixed != "" && f.fixed != f.got {
			return "", false
		}
	}
	for name, v := range sc.Dimensions {
		if s.Dimensions[name] != v {
			return "", false
		}
	}
	if sc.Each == "" {
		return "", true
	}
	value = s.Dimensions[sc.Each]
	return value, value != ""
}

// fixed counts the fixed values of b's scope.
func (b *Budget) fixed() int {
	sc := &b.spec.Scope
	n := len(sc.Dimensions)
	for _, v := range [...]string{sc.Provider, sc.Model, sc.Service, sc.Environment} {
		if v != "" {
			n++
		}
	}
	return n
}

// Applied is a budget in force for a subject.
type Applied struct {
	Budget *Budget
	// Value is the subject's value of the budget's scope.each dimension,
	// "" for a budget without each.
	Value string
}

// Specificity is how narrowly a budget's scope is drawn: the number of its
// fixed values, plus one for scope.each. Resolve orders by it.
func (b *Budget) Specificity() int {
	n := b.fixed()
	if b.spec.Scope.Each != "" {
		n++
	}
	return n
}

// Resolve returns the budgets that apply to the subject, most specific
// first:
//
//  1. higher Specificity first (fixed values, plus one for each), so
//     "tenant=acme, each user" comes before "tenant=acme" and "each user",
//     and the global budget (no scope) comes last;
//  2. at equal specificity, a budget that names the value before an
//     each-budget ("user=u1" before "each user", "tenant=acme" before
//     "each user");
//  3. then by id.
//
// The order is for people and for picking among equals: every budget
// returned is in force, and none overrides another.
func Resolve(budgets []*Budget, s *Subject) []Applied {
	var out []Applied
	for _, b := range budgets {
		if v, ok := b.Applies(s); ok {
			out = append(out, Applied{Budget: b, Value: v})
		}
	}
	slices.SortStableFunc(out, func(x, y Applied) int {
		if c := cmp.Compare(y.Budget.Specificity(), x.Budget.Specificity()); c != 0 {
			return c
		}
		if xe, ye := x.Budget.spec.Scope.Each != "", y.Budget.spec.Scope.Each != ""; xe != ye {
			if ye {
				return -1 // the budget naming the value first
			}
			return 1
		}
		return strings.Compare(x.Budget.spec.ID, y.Budget.spec.ID)
	})
	return out
}

// Line is one budget of a Decision.
type Line struct {
	Applied
	Spent money.Nanos
	// Remaining is the limit less spent; negative when overspent.
	Remaining money.Nanos
	// Exhausted is spent >= limit.
	Exhausted bool
	// Unpriced counts the calls in scope that could not be priced: spent
	// is at least Spent.
	Unpriced int64
}

// Tightest is the smallest remaining amount in one currency.
type Tightest struct {
	Currency string
	// BudgetID and Value name the budget with the smallest remaining
	// amount (the first in resolution order on a tie).
	BudgetID  string
	Value     string
	Remaining money.Nanos
}

// Decision answers a check for a subject.
type Decision struct {
	// Lines are the budgets in force, in resolution order.
	Lines []Line
	// Tightest has one entry per currency of the budgets in force, in
	// currency order: amounts of different currencies are never compared.
	Tightest []Tightest
	// Allowed is false when a budget with enforce is exhausted.
	Allowed bool
}

// Usage is what has been spent in one budget's current window.
type Usage struct {
	Spent    money.Nanos
	Unpriced int64
}

// Decide combines the budgets in force (from Resolve) with what each has
// spent in its current window (usage[i] for applied[i]).
func Decide(applied []Applied, usage []Usage) (Decision, error) {
	if len(applied) != len(usage) {
		return Decision{}, fmt.Errorf("budget: %d budgets and %d usages", len(applied), len(usage))
	}
	d := Decision{Allowed: true, Lines: make([]Line, len(applied))}
	tightest := map[string]int{} // currency -> index in d.Tightest
	for i, a := range applied {
		u := usage[i]
		l := Line{
			Applied:   a,
			Spent:     u.Spent,
			Remaining: subSat(a.Budget.limit, u.Spent),
			Exhausted: u.Spent >= a.Budget.limit,
			Unpriced:  u.Unpriced,
		}
		d.Lines[i] = l
		if l.Exhausted && a.Budget.spec.Enforce {
			d.Allowed = false
		}
		cur := a.Budget.spec.Currency
		j, seen := tightest[cur]
		switch {
		case !seen:
			tightest[cur] = len(d.Tightest)
			d.Tightest = append(d.Tightest, Tightest{Currency: cur, BudgetID: a.Budget.spec.ID, Value: a.Value, Remaining: l.Remaining})
		case l.Remaining < d.Tightest[j].Remaining:
			d.Tightest[j] = Tightest{Currency: cur, BudgetID: a.Budget.spec.ID, Value: a.Value, Remaining: l.Remaining}
		}
	}
	slices.SortFunc(d.Tightest, func(x, y Tightest) int { return strings.Compare(x.Currency, y.Currency) })
	return d, nil
}
