package metrics

import (
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// BudgetSample is the state of one budget, or of one value of an "each"
// budget, for the budget gauges. Amounts are nanos of Currency.
type BudgetSample struct {
	Budget, Currency string
	// Value is the value of an each-budget's dimension; "" otherwise.
	Value        string
	Spent, Limit int64
	// Ratio is spent / limit.
	Ratio float64
	// Forecasts are the projected spend at the window's end, by method.
	Forecasts []BudgetForecast
}

// BudgetForecast is one forecast of a BudgetSample.
type BudgetForecast struct {
	Method    string
	Projected int64
}

// budgetGauges holds the last budget samples, replaced whole by
// SetBudgets and exposed as they are at scrape time: a scrape never
// reads the store.
type budgetGauges struct {
	spent, limit, ratio, forecast *prometheus.Desc

	limitSeries int // the cardinality limit; 0: none
	omitted     atomic.Int64

	mu      sync.Mutex
	samples []BudgetSample
}

func newBudgetGauges(name func(string) string, limit int) *budgetGauges {
	labels := []string{"budget", "currency", "value"}
	return &budgetGauges{
		spent:       prometheus.NewDesc(name("budget_spent"), "Spent in the current window of a budget, in units of the currency label; value is the value of an \"each\" budget's dimension (empty otherwise). Calls that could not be priced are not in it.", labels, nil),
		limit:       prometheus.NewDesc(name("budget_limit"), "The limit of a budget, in units of the currency label.", labels, nil),
		ratio:       prometheus.NewDesc(name("budget_ratio"), "Spent / limit in the current window of a budget.", labels, nil),
		forecast:    prometheus.NewDesc(name("budget_forecast"), "The spend forecast at the end of a budget's window, in units of the currency label, by method (period_run_rate, last_24h_run_rate).", append(labels, "method"), nil),
		limitSeries: limit,
	}
}

// SetBudgets replaces the budget gauges with samples. Samples without a
// value come first and are always kept; samples of values are kept, in
// the order given, while each gauge holds fewer series than the
// cardinality limit, and the others are counted in
// overflow_observations_total{metric="<namespace>_budget"}.
func (m *Metrics) SetBudgets(samples []BudgetSample) {
	g := m.budgets
	var kept []BudgetSample
	for _, s := range samples {
		if s.Value == "" {
			kept = append(kept, s)
		}
	}
	for _, s := range samples {
		if s.Value == "" {
			continue
		}
		// The forecast gauge has a series per method: it is the widest.
		if g.limitSeries > 0 && (len(kept)+1)*max(1, len(s.Forecasts)) > g.limitSeries {
			g.omitted.Add(1)
			continue
		}
		kept = append(kept, s)
	}
	g.mu.Lock()
	g.samples = kept
	g.mu.Unlock()
}

func (g *budgetGauges) Describe(ch chan<- *prometheus.Desc) {
	ch <- g.spent
	ch <- g.limit
	ch <- g.ratio
	ch <- g.forecast
}

func (g *budgetGauges) Collect(ch chan<- prometheus.Metric) {
	g.mu.Lock()
	samples := g.samples
	g.mu.Unlock()
	for _, s := range samples {
		lvs := []string{clean(s.Budget), clean(s.Currency), clean(s.Value)}
		ch <- constGauge(g.spent, float64(s.Spent)/1e9, lvs...)
		ch <- constGauge(g.limit, float64(s.Limit)/1e9, lvs...)
		ch <- constGauge(g.ratio, s.Ratio, lvs...)
		for _, f := range s.Forecasts {
			ch <- constGauge(g.forecast, float64(f.Projected)/1e9, append(lvs, f.Method)...)
		}
	}
}

func constGauge(desc *prometheus.Desc, v float64, lvs ...string) prometheus.Metric {
	m, err := prometheus.NewConstMetric(desc, prometheus.GaugeValue, v, lvs...)
	if err != nil {
		return prometheus.NewInvalidMetric(desc, err)
	}
	return m
}
