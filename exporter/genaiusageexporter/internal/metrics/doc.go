// Package metrics turns usage records into Prometheus metrics on a private
// registry, served by Handler.
//
// Metric names below use the default namespace, genai_usage. Every metric
// is labelled provider, model, service and environment (the resource's
// deployment.environment.name; absent when it has none), then the
// configured dimensions
// (Config.Dimensions, e.g. user, tenant) in their order, then its own label:
//
//	genai_usage_calls_total{…, status}            calls, by genai_cost status
//	genai_usage_call_errors_total{…, error_type}  calls that ended in an error
//	genai_usage_tokens_total{…, type}             tokens, by meter (input, cache_read, output, reasoning, …)
//	genai_usage_cost_total{…, currency}           local or provider-reported cost, in currency units
//	genai_usage_cache_savings_total{…, currency}  what prompt caching saved, in currency units
//
// The unpriced counter and the histograms carry provider, model, service
// and environment only: the dimensions would multiply their series (a histogram is a dozen
// series) for questions the counters above already answer per user:
//
//	genai_usage_unpriced_calls_total{provider, model, service, environment, status}   status unpriced or invalid
//	genai_usage_call_tokens{provider, model, service, environment, type}              tokens of one call; type input or output
//	genai_usage_call_duration_seconds{provider, model, service, environment}
//	genai_usage_time_to_first_token_seconds{provider, model, service, environment}    streamed calls that report it
//
// the budget gauges, set whole by SetBudgets from the budgets' statuses (the
// exporter recomputes them on a timer, budget_status.refresh_interval, so a
// scrape never reads the store), in units of the currency label; value is
// the value of an "each" budget's dimension, empty for other budgets:
//
//	genai_usage_budget_spent{budget, currency, value}
//	genai_usage_budget_limit{budget, currency, value}
//	genai_usage_budget_ratio{budget, currency, value}             spent / limit
//	genai_usage_budget_forecast{budget, currency, value, method}  period_run_rate, last_24h_run_rate
//
// Every budget without each has its series; values of an each-budget are
// given only over its lowest threshold, and kept while each gauge holds
// fewer than CardinalityLimit series (the others counted in
// overflow_observations_total{metric="genai_usage_budget"}).
//
// and one counter about the metrics themselves:
//
//	genai_usage_overflow_observations_total{metric}   observations folded into the overflow series
//
// Token types are the meter names of internal/meter except request (the
// call itself, counted by calls_total) and web_search (tool calls, not
// tokens). The input side of call_tokens is the whole prompt (input +
// cache_read + cache_write_5m + cache_write_1h), the output side is output,
// reasoning included; a side is observed only when it is above zero.
//
// Money is kept as exact int64 nanos per series and divided by 1e9 only at
// scrape time, so a sum of many small costs never drifts: the exposed value
// is the decimal amount exactly while a series holds under a million
// currency units (15 significant digits), the nearest float64 above.
// Unpriced and invalid calls, and zero or negative amounts, add nothing:
// counters never go down. Sums saturate at the largest int64.
//
// # Cardinality
//
// With Config.CardinalityLimit set, each metric keeps at most that many
// series. Once a metric is full, an observation that would create a new
// series goes to the metric's overflow series instead: the same label
// names, with provider, model, service, environment and every dimension set to
// "__overflow__", and the metric's own label (status, type, currency,
// error_type) kept. Each folded observation adds one to
// overflow_observations_total{metric="<family name>"}. Series are never
// dropped, so a label set that overflowed once always overflows. The
// overflow series themselves are bounded too: past CardinalityLimit own
// values, the own label is "__overflow__" as well.
//
// Each metric counts its own series, so one call can land in a real series
// of calls_total and in the overflow series of tokens_total.
package metrics // import "github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/metrics"
