package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/budgets"
	"github.com/otelcol-genai/otelcol-genai/internal/budget"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// BudgetsRoot is where the budget routes live, beside the usage routes
// (Prefix): /api/v1/budgets, /api/v1/budgets/{id}, /api/v1/budgets/check.
const BudgetsRoot = "/api/v1/"

// subjectParams are the parameters of the check route: a subject.
var subjectParams = append([]string{"provider", "model", "service", "environment"}, usage.DimensionNames[:]...)

// Amounts are exact decimal strings of the budget's currency, instants
// RFC 3339 in UTC.

type forecastJSON struct {
	Method    string `json:"method"`
	Projected string `json:"projected"`
	// Crossing is when the limit is reached at the method's rate: null if
	// not before the window's end, now if it is reached already.
	Crossing *time.Time `json:"crossing"`
}

// spendJSON is a budget's (or one value's) spend in its window.
type spendJSON struct {
	Spent     string `json:"spent"`
	Remaining string `json:"remaining"`
	Ratio     string `json:"ratio"`
	Exhausted bool   `json:"exhausted"`
	Crossed   []int  `json:"thresholds_crossed"`
	// UnpricedCalls are calls in scope that could not be priced: spent is
	// at least Spent.
	UnpricedCalls int64          `json:"unpriced_calls"`
	Summary       string         `json:"summary"`
	Forecasts     []forecastJSON `json:"forecasts"`
}

func spend(s *budget.Status) spendJSON {
	out := spendJSON{
		Spent: s.Spent.String(), Remaining: s.Remaining.String(), Ratio: s.Ratio, Exhausted: s.Exhausted,
		Crossed: s.Crossed, UnpricedCalls: s.Unpriced, Summary: s.Summary(),
		Forecasts: make([]forecastJSON, len(s.Forecasts)),
	}
	if out.Crossed == nil {
		out.Crossed = []int{}
	}
	for i, f := range s.Forecasts {
		out.Forecasts[i] = forecastJSON{Method: f.Method, Projected: f.Projected.String()}
		if f.Crosses() {
			t := f.Crossing.UTC()
			out.Forecasts[i].Crossing = &t
		}
	}
	return out
}

type valueJSON struct {
	Value string `json:"value"`
	spendJSON
}

type windowJSON struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// budgetStatusJSON is a budget's status: its spec, its window, and its
// spend (a budget without each) or its top values (an each-budget).
type budgetStatusJSON struct {
	Budget budget.Spec `json:"budget"`
	// Origin is "config" (the exporter's budgets:, read-only) or "store"
	// (changed through the API, at Version).
	Origin  string `json:"origin"`
	Version int64  `json:"version,omitempty"`
	// Note says when a stored budget has a configured budget's id, which
	// wins.
	Note string `json:"note,omitempty"`
	// Thresholds are the budget's, the defaults if its spec lists none.
	Thresholds []int      `json:"thresholds"`
	Window     windowJSON `json:"window"`
	Now        time.Time  `json:"now"`
	*spendJSON
	// Values, MoreValues and AllUnpricedCalls are an each-budget's only.
	Values     []valueJSON `json:"values,omitempty"`
	MoreValues *int64      `json:"more_values,omitempty"`
	// AllUnpricedCalls counts the unpriced calls in scope of every value.
	AllUnpricedCalls *int64 `json:"all_unpriced_calls,omitempty"`
}

func budgetStatus(st *budgets.Status, now time.Time) budgetStatusJSON {
	out := budgetStatusJSON{
		Budget: st.Budget.Spec(), Origin: st.Entry.Origin(), Version: st.Entry.Version, Note: st.Entry.Note(),
		Thresholds: st.Budget.Thresholds(),
		Window:     windowJSON{st.Start.UTC(), st.End.UTC()}, Now: now.UTC(),
	}
	if st.Total != nil {
		s := spend(st.Total)
		out.spendJSON = &s
		return out
	}
	out.Values = make([]valueJSON, len(st.Values))
	for i := range st.Values {
		out.Values[i] = valueJSON{Value: st.Values[i].Value, spendJSON: spend(&st.Values[i].Status)}
	}
	more, unpriced := st.MoreValues, st.Unpriced
	out.MoreValues, out.AllUnpricedCalls = &more, &unpriced
	return out
}

// budgetList answers every budget's status.
func (h *handler) budgetList(r *http.Request, p *params) (any, error) {
	if err := p.done(); err != nil {
		return nil, err
	}
	now := h.opt.Now()
	out := []budgetStatusJSON{}
	if h.opt.Budgets != nil {
		sts, err := h.opt.Budgets.Statuses(r.Context(), now)
		if err != nil {
			return nil, err
		}
		for i := range sts {
			out = append(out, budgetStatus(&sts[i], now))
		}
	}
	return struct {
		Now     time.Time          `json:"now"`
		Budgets []budgetStatusJSON `json:"budgets"`
	}{now, out}, nil
}

// budgetOne answers one budget's status; 404 for an unknown id.
func (h *handler) budgetOne(r *http.Request, p *params) (any, error) {
	if err := p.done(); err != nil {
		return nil, err
	}
	if h.opt.Budgets == nil {
		return nil, budgets.ErrUnknownBudget
	}
	now := h.opt.Now()
	st, err := h.opt.Budgets.Status(r.Context(), r.PathValue("id"), now)
	if err != nil {
		return nil, err
	}
	return budgetStatus(&st, now), nil
}

type checkLineJSON struct {
	ID string `json:"id"`
	// Value is the subject's value of an each-budget's dimension.
	Value         string     `json:"value,omitempty"`
	Currency      string     `json:"currency"`
	Limit         string     `json:"limit"`
	Spent         string     `json:"spent"`
	Remaining     string     `json:"remaining"`
	Exhausted     bool       `json:"exhausted"`
	Enforce       bool       `json:"enforce"`
	UnpricedCalls int64      `json:"unpriced_calls"`
	Window        windowJSON `json:"window"`
}

type tightestJSON struct {
	Currency  string `json:"currency"`
	BudgetID  string `json:"budget"`
	Value     string `json:"value,omitempty"`
	Remaining string `json:"remaining"`
}

// budgetCheck answers, for the subject of the query, the budgets in
// force, the tightest remaining amount per currency and allowed.
func (h *handler) budgetCheck(r *http.Request, p *params) (any, error) {
	q := url.Values{}
	for _, k := range subjectParams {
		if v := p.str(k); v != "" {
			q.Set(k, v)
		}
	}
	if err := p.done(); err != nil {
		return nil, err
	}
	subj, err := budget.ParseSubject(q)
	if err != nil {
		return nil, badf("%s", err)
	}
	now := h.opt.Now()
	d := budget.Decision{Allowed: true}
	if h.opt.Budgets != nil {
		if d, err = h.opt.Budgets.Check(r.Context(), &subj, now); err != nil {
			return nil, err
		}
	}
	lines := make([]checkLineJSON, len(d.Lines))
	for i, l := range d.Lines {
		start, end := l.Budget.Window(now)
		lines[i] = checkLineJSON{
			ID: l.Budget.ID(), Value: l.Value, Currency: l.Budget.Currency(), Limit: l.Budget.Limit().String(),
			Spent: l.Spent.String(), Remaining: l.Remaining.String(), Exhausted: l.Exhausted, Enforce: l.Budget.Enforce(),
			UnpricedCalls: l.Unpriced, Window: windowJSON{start.UTC(), end.UTC()},
		}
	}
	tight := make([]tightestJSON, len(d.Tightest))
	for i, t := range d.Tightest {
		tight[i] = tightestJSON{Currency: t.Currency, BudgetID: t.BudgetID, Value: t.Value, Remaining: t.Remaining.String()}
	}
	return struct {
		Now      time.Time       `json:"now"`
		Allowed  bool            `json:"allowed"`
		Budgets  []checkLineJSON `json:"budgets"`
		Tightest []tightestJSON  `json:"tightest"`
	}{now, d.Allowed, lines, tight}, nil
}
