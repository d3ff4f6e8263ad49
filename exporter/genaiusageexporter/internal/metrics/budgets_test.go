package metrics

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestBudgetGauges: the gauges in currency units, every budget without a
// value kept, values kept while the widest gauge (forecast, a series per
// method) is under the cardinality limit, the rest counted; a new set
// replaces the last one whole.
func TestBudgetGauges(t *testing.T) {
	m := newMetrics(t, Config{CardinalityLimit: 6})
	fc := func(p int64) []BudgetForecast {
		return []BudgetForecast{{Method: "period_run_rate", Projected: p}, {Method: "last_24h_run_rate", Projected: 2 * p}}
	}
	m.SetBudgets([]BudgetSample{
		{Budget: "u", Currency: "USD", Value: "u1", Spent: 6e9, Limit: 5e9, Ratio: 1.2, Forecasts: fc(7e9)},
		{Budget: "all", Currency: "USD", Spent: 12_500_000_001, Limit: 100e9, Ratio: 0.125, Forecasts: fc(20e9)},
		{Budget: "u", Currency: "USD", Value: "u2", Spent: 4e9, Limit: 5e9, Ratio: 0.8, Forecasts: fc(5e9)},
		{Budget: "u", Currency: "USD", Value: "u3", Spent: 3e9, Limit: 5e9, Ratio: 0.6, Forecasts: fc(4e9)},
	})
	_, got := scrape(t, m)
	assert.Equal(t, []string{
		key("genai_usage_budget_spent", "budget", "all", "currency", "USD", "value", ""),
		key("genai_usage_budget_spent", "budget", "u", "currency", "USD", "value", "u1"),
		key("genai_usage_budget_spent", "budget", "u", "currency", "USD", "value", "u2"),
	}, series(got, "genai_usage_budget_spent"), "u3 is past the limit: 4 × 2 forecast series > 6")
	assert.Equal(t, 12.500000001, got[key("genai_usage_budget_spent", "budget", "all", "currency", "USD", "value", "")])
	assert.Equal(t, 100.0, got[key("genai_usage_budget_limit", "budget", "all", "currency", "USD", "value", "")])
	assert.Equal(t, 1.2, got[key("genai_usage_budget_ratio", "budget", "u", "currency", "USD", "value", "u1")])
	assert.Equal(t, 40.0, got[key("genai_usage_budget_forecast", "budget", "all", "currency", "USD", "method", "last_24h_run_rate", "value", "")])
	assert.Len(t, series(got, "genai_usage_budget_forecast"), 6)
	assert.Equal(t, 1.0, got[key("genai_usage_overflow_observations_total", "metric", "genai_usage_budget")])

	m.SetBudgets([]BudgetSample{{Budget: "all", Currency: "USD", Spent: 1e9, Limit: 100e9, Ratio: 0.01}})
	_, got = scrape(t, m)
	assert.Len(t, series(got, "genai_usage_budget_spent"), 1, "a refresh replaces every series")
}
