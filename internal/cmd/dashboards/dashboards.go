package main

import (
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// The label matchers of the template variables. The histograms and the
// unpriced counter carry provider, model, service and environment only
// (docs/usage.md, "Metrics"); the other counters also carry the dimensions
// configured in metrics.dimensions. A variable's "All" is ".*", which also
// matches series without the label, so the panels work whether or not a
// dimension is configured, and for calls without an environment.
const (
	pms  = `provider=~"$provider", model=~"$model", service=~"$service", environment=~"$environment"`
	dims = pms + `, user=~"$user", department=~"$department", feature=~"$feature"`
	cur  = `currency=~"$currency"`
	// The genai_usage exporter, and a named instance of it (genai_usage/pg).
	exp  = `exporter=~"genai_usage(/.+)?", job=~"$job", instance=~"$instance"`
	tele = `job=~"$job", instance=~"$instance"`
)

// Dashboard is one dashboard to write: its file name under config/grafana
// and the builder.
type Dashboard struct {
	File    string
	Builder *dashboard.DashboardBuilder //nolint:staticcheck // SA1019: dashboardv2 is the Grafana 12 schema; v1 JSON imports into Grafana 10 and later
}

// All is every dashboard, in the order they are written.
func All() []Dashboard {
	return []Dashboard{
		{"genai-usage-overview.json", overview()},
		{"genai-collector-health.json", health()},
	}
}

// JSON builds d and renders it as Grafana imports it, indented, with a
// final newline.
func JSON(d Dashboard) ([]byte, error) {
	built, err := d.Builder.Build()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.File, err)
	}
	out, err := json.MarshalIndent(built, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.File, err)
	}
	return append(out, '\n'), nil
}

func ds() common.DataSourceRef {
	return common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${datasource}")}
}

func datasourceVar() *dashboard.DatasourceVariableBuilder {
	return dashboard.NewDatasourceVariableBuilder("datasource").Label("Data source").Type("prometheus")
}

// labelVar is a multi-value variable of the values of label on metric,
// with "All" as ".*".
func labelVar(name, label, metric string) *dashboard.QueryVariableBuilder {
	q := fmt.Sprintf("label_values(%s, %s)", metric, name)
	return dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Datasource(ds()).
		Query(dashboard.StringOrMap{Map: map[string]any{"query": q, "refId": "PrometheusVariableQueryEditor-VariableQuery", "qryType": 1}}).
		Definition(q).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).
		IncludeAll(true).
		AllValue(".*").
		Current(dashboard.VariableOption{Text: dashboard.StringOrArrayOfString{String: cog.ToPtr("All")}, Value: dashboard.StringOrArrayOfString{String: cog.ToPtr("$__all")}})
}

func q(expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().Datasource(ds()).Expr(expr).LegendFormat(legend).Range()
}

func instant(expr string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().Datasource(ds()).Expr(expr).Instant().LegendFormat("__auto")
}

// refIDs names the queries of a panel A, B, C...
func refIDs(targets []*prometheus.DataqueryBuilder) []*prometheus.DataqueryBuilder {
	for i, t := range targets {
		t.RefId(string(rune('A' + i)))
	}
	return targets
}

func ts(title, desc, unit string, w, h uint32, targets ...*prometheus.DataqueryBuilder) *timeseries.PanelBuilder {
	p := timeseries.NewPanelBuilder().Title(title).Description(desc).Datasource(ds()).Unit(unit).Span(w).Height(h).
		Legend(common.NewVizLegendOptionsBuilder().DisplayMode(common.LegendDisplayModeTable).Placement(common.LegendPlacementBottom).ShowLegend(true).Calcs([]string{"mean", "max", "lastNotNull"}))
	for _, t := range refIDs(targets) {
		p = p.WithTarget(t)
	}
	return p
}

func statPanel(title, desc, unit string, w, h uint32, targets ...*prometheus.DataqueryBuilder) *stat.PanelBuilder {
	p := stat.NewPanelBuilder().Title(title).Description(desc).Datasource(ds()).Unit(unit).Span(w).Height(h).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}))
	for _, t := range refIDs(targets) {
		p = p.WithTarget(t)
	}
	return p
}

// tablePanel is one instant query as a table, a row per series.
func tablePanel(title, desc, unit string, w, h uint32, target *prometheus.DataqueryBuilder) *table.PanelBuilder {
	return table.NewPanelBuilder().Title(title).Description(desc).Datasource(ds()).Unit(unit).Span(w).Height(h).
		WithTarget(target.RefId("A").Format(prometheus.PromQueryFormatTable)).
		WithTransformation(dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{
			"excludeByName": map[string]any{"Time": true},
			"renameByName":  map[string]any{"Value": "amount"},
		}})
}

// topBy is the top 10 values of a dimension by cost in the time range,
// per currency.
func topBy(label, title string) *table.PanelBuilder {
	return tablePanel(title,
		"Cost in the time range, top 10 per currency. The "+label+" label exists only when "+label+" is listed in the exporter's metrics.dimensions (docs/usage.md).",
		"none", 8, 9,
		instant(fmt.Sprintf(`topk by (currency) (10, sum by (%s, currency) (increase(genai_usage_cost_total{%s, %s}[$__range])))`, label, dims, cur)))
}

// newDashboard is a dashboard's common settings and its datasource
// variable, showing the time from from to now.
func newDashboard(title, uid, from, description string) *dashboard.DashboardBuilder { //nolint:staticcheck // SA1019: dashboardv2 is the Grafana 12 schema; v1 JSON imports into Grafana 10 and later
	d := dashboard.NewDashboardBuilder(title) //nolint:staticcheck // SA1019: dashboardv2 is the Grafana 12 schema; v1 JSON imports into Grafana 10 and later
	return d.
		Uid(uid).
		Description(description).
		Tags([]string{"genai", "otelcol-genai"}).
		Editable().
		Refresh("1m").
		Time(from, "now").
		Timezone(common.TimeZoneBrowser).
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		WithVariable(datasourceVar())
}

func overview() *dashboard.DashboardBuilder { //nolint:staticcheck // SA1019: dashboardv2 is the Grafana 12 schema; v1 JSON imports into Grafana 10 and later
	return newDashboard("GenAI usage", "genai-usage-overview", "now-24h",
		"Cost, calls, tokens, caching, errors, latency, attribution and budgets of LLM calls, from the genai_usage exporter's metrics (docs/grafana.md).").
		WithVariable(labelVar("provider", "Provider", "genai_usage_calls_total")).
		WithVariable(labelVar("model", "Model", `genai_usage_calls_total{provider=~"$provider"}`)).
		WithVariable(labelVar("service", "Service", `genai_usage_calls_total{provider=~"$provider", model=~"$model"}`)).
		WithVariable(labelVar("environment", "Environment", "genai_usage_calls_total").Description("deployment.environment.name of the calls' resource.")).
		WithVariable(labelVar("currency", "Currency", "genai_usage_cost_total")).
		WithVariable(labelVar("user", "User", "genai_usage_calls_total").Description("Needs user in metrics.dimensions.")).
		WithVariable(labelVar("department", "Team", "genai_usage_calls_total").Description("The department dimension; needs department in metrics.dimensions.")).
		WithVariable(labelVar("feature", "Feature", "genai_usage_calls_total").Description("Needs feature in metrics.dimensions.")).
		WithRow(dashboard.NewRowBuilder("Spend and calls")).
		WithPanel(statPanel("Cost in range", "Per currency: amounts in different currencies are never added.", "none", 6, 6,
			instant(fmt.Sprintf(`sum by (currency) (increase(genai_usage_cost_total{%s, %s}[$__range]))`, dims, cur)))).
		WithPanel(statPanel("Calls in range", "Billable calls, every genai_cost status.", "short", 6, 6,
			instant(fmt.Sprintf(`sum(increase(genai_usage_calls_total{%s}[$__range]))`, dims)))).
		WithPanel(statPanel("Cache savings in range", "What prompt caching saved: cache reads at the uncached input rate, less what they cost (genai_usage_cache_savings_total), per currency.", "none", 6, 6,
			instant(fmt.Sprintf(`sum by (currency) (increase(genai_usage_cache_savings_total{%s, %s}[$__range]))`, dims, cur)))).
		WithPanel(statPanel("Unpriced share in range", "Calls without a price (unpriced) or with bad usage counts (invalid): their cost is missing from every total.", "percentunit", 6, 6,
			instant(fmt.Sprintf(`sum(increase(genai_usage_calls_total{%s, status=~"unpriced|invalid"}[$__range])) / sum(increase(genai_usage_calls_total{%s}[$__range]))`, dims, dims)))).
		WithPanel(ts("Cost per hour by provider, model and service", "Rate of genai_usage_cost_total, per currency.", "none", 12, 9,
			q(fmt.Sprintf(`sum by (provider, model, service, currency) (rate(genai_usage_cost_total{%s, %s}[$__rate_interval])) * 3600`, dims, cur), "{{provider}} {{model}} {{service}} ({{currency}})"))).
		WithPanel(ts("Calls per second by provider, model and service", "", "reqps", 12, 9,
			q(fmt.Sprintf(`sum by (provider, model, service) (rate(genai_usage_calls_total{%s}[$__rate_interval]))`, dims), "{{provider}} {{model}} {{service}}"))).
		WithPanel(ts("Calls per second by status", "genai_cost status: priced, partial, unpriced, provider_reported, invalid.", "reqps", 12, 8,
			q(fmt.Sprintf(`sum by (status) (rate(genai_usage_calls_total{%s}[$__rate_interval]))`, dims), "{{status}}"))).
		WithPanel(ts("Unpriced calls per second", "By provider, model and status (unpriced: no price for the model; invalid: bad usage counts). Add the model to the pricing catalog or fix the instrumentation.", "reqps", 12, 8,
			q(fmt.Sprintf(`sum by (provider, model, status) (rate(genai_usage_unpriced_calls_total{%s}[$__rate_interval]))`, pms), "{{provider}} {{model}} {{status}}"))).
		WithRow(dashboard.NewRowBuilder("Tokens and caching")).
		WithPanel(ts("Tokens per second by type", "Types overlap (reasoning is part of output): do not add them up.", "short", 12, 8,
			q(fmt.Sprintf(`sum by (type) (rate(genai_usage_tokens_total{%s}[$__rate_interval]))`, dims), "{{type}}"))).
		WithPanel(ts("Cache hit ratio by provider and model", "Cache reads over the whole prompt: input + cache_read + cache_write_5m + cache_write_1h tokens.", "percentunit", 12, 8,
			q(fmt.Sprintf(`sum by (provider, model) (rate(genai_usage_tokens_total{%s, type="cache_read"}[$__rate_interval])) / sum by (provider, model) (rate(genai_usage_tokens_total{%s, type=~"input|cache_read|cache_write_5m|cache_write_1h"}[$__rate_interval]))`, dims, dims), "{{provider}} {{model}}")).Min(0).Max(1)).
		WithPanel(ts("Cache savings per hour", "genai_usage_cache_savings_total, per currency.", "none", 12, 8,
			q(fmt.Sprintf(`sum by (provider, model, currency) (rate(genai_usage_cache_savings_total{%s, %s}[$__rate_interval])) * 3600`, dims, cur), "{{provider}} {{model}} ({{currency}})"))).
		WithRow(dashboard.NewRowBuilder("Errors and latency")).
		WithPanel(ts("Error rate by provider and model", "Calls that ended in an error (genai_usage_call_errors_total) over billable calls.", "percentunit", 12, 8,
			q(fmt.Sprintf(`sum by (provider, model) (rate(genai_usage_call_errors_total{%s}[$__rate_interval])) / sum by (provider, model) (rate(genai_usage_calls_total{%s}[$__rate_interval]))`, dims, dims), "{{provider}} {{model}}"))).
		WithPanel(ts("Errors per second by type", "error.type of the span, _OTHER for an error status without one.", "reqps", 12, 8,
			q(fmt.Sprintf(`sum by (error_type) (rate(genai_usage_call_errors_total{%s}[$__rate_interval]))`, dims), "{{error_type}}"))).
		WithPanel(ts("Call duration", "Percentiles of genai_usage_call_duration_seconds.", "s", 12, 8,
			q(fmt.Sprintf(`histogram_quantile(0.5, sum by (le) (rate(genai_usage_call_duration_seconds_bucket{%s}[$__rate_interval])))`, pms), "p50"),
			q(fmt.Sprintf(`histogram_quantile(0.95, sum by (le) (rate(genai_usage_call_duration_seconds_bucket{%s}[$__rate_interval])))`, pms), "p95"),
			q(fmt.Sprintf(`histogram_quantile(0.99, sum by (le) (rate(genai_usage_call_duration_seconds_bucket{%s}[$__rate_interval])))`, pms), "p99"))).
		WithPanel(ts("Time to first token", "Percentiles of genai_usage_time_to_first_token_seconds: streamed calls that report it.", "s", 12, 8,
			q(fmt.Sprintf(`histogram_quantile(0.5, sum by (le) (rate(genai_usage_time_to_first_token_seconds_bucket{%s}[$__rate_interval])))`, pms), "p50"),
			q(fmt.Sprintf(`histogram_quantile(0.95, sum by (le) (rate(genai_usage_time_to_first_token_seconds_bucket{%s}[$__rate_interval])))`, pms), "p95"),
			q(fmt.Sprintf(`histogram_quantile(0.99, sum by (le) (rate(genai_usage_time_to_first_token_seconds_bucket{%s}[$__rate_interval])))`, pms), "p99"))).
		WithPanel(ts("p95 call duration by model", "", "s", 24, 8,
			q(fmt.Sprintf(`histogram_quantile(0.95, sum by (provider, model, le) (rate(genai_usage_call_duration_seconds_bucket{%s}[$__rate_interval])))`, pms), "{{provider}} {{model}}"))).
		WithRow(dashboard.NewRowBuilder("Attribution")).
		WithPanel(topBy("user", "Top users by cost")).
		WithPanel(topBy("department", "Top teams by cost")).
		WithPanel(topBy("feature", "Top features by cost")).
		WithRow(dashboard.NewRowBuilder("Budgets")).
		WithPanel(bargauge.NewPanelBuilder().Title("Budget burn").
			Description("Spent / limit in each budget's current window (genai_usage_budget_ratio); value is an each-budget's value, given only over its lowest threshold (docs/budgets.md).").
			Datasource(ds()).Unit("percentunit").Min(0).Max(1).Span(12).Height(9).
			DisplayMode(common.BarGaugeDisplayModeGradient).
			Thresholds(dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps([]dashboard.Threshold{
				{Color: "green"}, {Value: cog.ToPtr(0.8), Color: "orange"}, {Value: cog.ToPtr(1.0), Color: "red"},
			})).
			WithTarget(instant(fmt.Sprintf(`max by (budget, value, currency) (genai_usage_budget_ratio{%s})`, cur)).RefId("A").LegendFormat("{{budget}} {{value}}"))).
		WithPanel(tablePanel("Budget forecast vs limit", "Spend forecast at the window's end over the limit, by method (period_run_rate, last_24h_run_rate): above 100% the limit is crossed before the window ends.", "percentunit", 12, 9,
			instant(fmt.Sprintf(`max by (budget, value, currency, method) (genai_usage_budget_forecast{%s}) / on (budget, value, currency) group_left max by (budget, value, currency) (genai_usage_budget_limit{%s})`, cur, cur)))).
		WithPanel(ts("Budget spent, forecast and limit", "In units of the currency; recomputed every budget_status.refresh_interval.", "none", 24, 9,
			q(fmt.Sprintf(`max by (budget, value, currency) (genai_usage_budget_spent{%s})`, cur), "spent {{budget}} {{value}} ({{currency}})"),
			q(fmt.Sprintf(`max by (budget, value, currency, method) (genai_usage_budget_forecast{%s})`, cur), "forecast {{method}} {{budget}} {{value}} ({{currency}})"),
			q(fmt.Sprintf(`max by (budget, value, currency) (genai_usage_budget_limit{%s})`, cur), "limit {{budget}} {{value}} ({{currency}})")))
}

func health() *dashboard.DashboardBuilder { //nolint:staticcheck // SA1019: dashboardv2 is the Grafana 12 schema; v1 JSON imports into Grafana 10 and later
	return newDashboard("GenAI collector health", "genai-collector-health", "now-6h",
		"The genai_cost processor and the genai_usage exporter of otelcol-genai, from the collector's own telemetry (docs/grafana.md).").
		WithVariable(labelVar("job", "Job", "otelcol_processor_genai_cost_spans")).
		WithVariable(labelVar("instance", "Instance", `otelcol_processor_genai_cost_spans{job=~"$job"}`)).
		WithRow(dashboard.NewRowBuilder("genai_cost processor")).
		WithPanel(ts("Spans per second by genai_cost status", "", "short", 12, 8,
			q(fmt.Sprintf(`sum by (status) (rate(otelcol_processor_genai_cost_spans{%s}[$__rate_interval]))`, tele), "{{status}}"))).
		WithPanel(ts("Duplicate share", "Spans marked duplicate over billable calls, per collector: two instrumentations record the same calls, or a client replays batches. Nothing is billed twice.", "percentunit", 12, 8,
			q(fmt.Sprintf(`sum by (job, instance) (rate(otelcol_processor_genai_cost_spans{%s, status="duplicate"}[$__rate_interval])) / sum by (job, instance) (rate(otelcol_processor_genai_cost_spans{%s, status=~"priced|partial|unpriced|provider_reported|invalid"}[$__rate_interval]))`, tele, tele), "{{instance}}"))).
		WithPanel(tablePanel("Spans by status and reason in range", "", "short", 24, 8,
			instant(fmt.Sprintf(`sum by (status, reason) (increase(otelcol_processor_genai_cost_spans{%s}[$__range]))`, tele)))).
		WithRow(dashboard.NewRowBuilder("genai_usage exporter and store")).
		WithPanel(ts("Queue size and capacity", "The sending queue, in spans. A growing queue is the early sign of a slow or failing store.", "short", 12, 8,
			q(fmt.Sprintf(`max by (job, instance, exporter) (otelcol_exporter_queue_size{%s})`, exp), "size {{instance}} {{exporter}}"),
			q(fmt.Sprintf(`max by (job, instance, exporter) (otelcol_exporter_queue_capacity{%s})`, exp), "capacity {{instance}} {{exporter}}"))).
		WithPanel(ts("Queue fill", "", "percentunit", 12, 8,
			q(fmt.Sprintf(`max by (job, instance, exporter) (otelcol_exporter_queue_size{%s}) / max by (job, instance, exporter) (otelcol_exporter_queue_capacity{%s})`, exp, exp), "{{instance}} {{exporter}}")).Min(0).Max(1)).
		WithPanel(ts("Refused and failed spans per second", "enqueue_failed: the queue was full and the span was refused to the client. send_failed: the store write failed after every retry; the records are missing. These series appear at the first failure.", "short", 12, 8,
			q(fmt.Sprintf(`sum by (job, instance, exporter) (rate(otelcol_exporter_enqueue_failed_spans{%s}[$__rate_interval]))`, exp), "refused {{instance}} {{exporter}}"),
			q(fmt.Sprintf(`sum by (job, instance, exporter) (rate(otelcol_exporter_send_failed_spans{%s}[$__rate_interval]))`, exp), "failed {{instance}} {{exporter}}"))).
		WithPanel(ts("Records written per second", "Usage records written to the store, by result (inserted; duplicate: a retried or replayed span already stored).", "short", 12, 8,
			q(fmt.Sprintf(`sum by (job, instance, result) (rate(otelcol_exporter_genai_usage_records{%s}[$__rate_interval]))`, tele), "{{result}} {{instance}}")))
}
