package api

import (
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// Money is always a decimal string in currency units, keyed by currency:
// amounts in different currencies are never added.

type aggregateJSON struct {
	Calls         int64             `json:"calls"`
	Errors        int64             `json:"errors"`
	ErrorRate     float64           `json:"error_rate"`
	UnpricedCalls int64             `json:"unpriced_calls"`
	Tokens        map[string]int64  `json:"tokens"`
	Cost          map[string]string `json:"cost"`
	CacheSaved    map[string]string `json:"cache_saved"`
	ListCost      map[string]string `json:"list_cost"`
	// EstimatedCalls and EstimatedCost are the calls whose usage was
	// estimated and their cost: parts of calls and cost, never mixed in
	// silently.
	EstimatedCalls int64             `json:"estimated_calls"`
	EstimatedCost  map[string]string `json:"estimated_cost"`
	CacheHitRatio  float64           `json:"cache_hit_ratio"`
	AvgLatencyMs   float64           `json:"avg_latency_ms"`
	AvgTTFTMs      *float64          `json:"avg_ttft_ms,omitempty"`
}

func aggregate(a *store.Aggregate) aggregateJSON {
	out := aggregateJSON{
		Calls: a.Calls, Errors: a.Errors, UnpricedCalls: a.Unpriced,
		Tokens: tokens(&a.Tokens), Cost: amounts(a.Cost), CacheSaved: amounts(a.CacheSaved), ListCost: amounts(a.ListCost),
		EstimatedCalls: a.EstimatedCalls, EstimatedCost: amounts(a.EstimatedCost),
		CacheHitRatio: cacheHitRatio(&a.Tokens),
	}
	if a.Calls > 0 {
		out.ErrorRate = float64(a.Errors) / float64(a.Calls)
		out.AvgLatencyMs = float64(a.DurationMillis) / float64(a.Calls)
	}
	if a.TTFTCount > 0 {
		v := float64(a.TTFTMillis) / float64(a.TTFTCount)
		out.AvgTTFTMs = &v
	}
	return out
}

// cacheHitRatio is the share of input tokens read from a cache.
func cacheHitRatio(t *meter.Counts) float64 {
	in := t.Prompt()
	if in == 0 {
		return 0
	}
	return float64(t[meter.CacheRead]) / float64(in)
}

func tokens(t *meter.Counts) map[string]int64 {
	out := map[string]int64{}
	for m := meter.Meter(0); m < meter.Count; m++ {
		if m != meter.Request && t[m] != 0 {
			out[m.String()] = t[m]
		}
	}
	return out
}

func amounts(m map[string]money.Nanos) map[string]string {
	out := make(map[string]string, len(m))
	for cur, n := range m {
		out[cur] = n.String()
	}
	return out
}

// recordJSON is a record as the API shows, exports and imports it.
type recordJSON struct {
	ID               string            `json:"id"`
	StartTime        string            `json:"start_time"`
	TraceID          string            `json:"trace_id"`
	SpanID           string            `json:"span_id"`
	DurationMs       int64             `json:"duration_ms"`
	TTFTMs           int64             `json:"ttft_ms,omitempty"`
	Service          string            `json:"service"`
	Environment      string            `json:"environment,omitempty"`
	User             string            `json:"user,omitempty"`
	Tenant           string            `json:"tenant,omitempty"`
	Department       string            `json:"department,omitempty"`
	Session          string            `json:"session,omitempty"`
	SessionType      string            `json:"session_type,omitempty"`
	Feature          string            `json:"feature,omitempty"`
	APIKey           string            `json:"api_key,omitempty"`
	Provider         string            `json:"provider"`
	Model            string            `json:"model"`
	RequestModel     string            `json:"request_model,omitempty"`
	ResponseModel    string            `json:"response_model,omitempty"`
	Operation        string            `json:"operation,omitempty"`
	RawOperation     string            `json:"raw_operation,omitempty"`
	Streaming        bool              `json:"streaming"`
	Status           string            `json:"status"`
	Reason           string            `json:"reason,omitempty"`
	ErrorType        string            `json:"error_type,omitempty"`
	Tokens           map[string]int64  `json:"tokens"`
	Cost             string            `json:"cost"`
	Currency         string            `json:"currency"`
	CostByMeter      map[string]string `json:"cost_by_meter,omitempty"`
	CacheSaved       string            `json:"cache_saved,omitempty"`
	CostSource       string            `json:"cost_source,omitempty"`
	ReportedCost     *string           `json:"reported_cost,omitempty"`
	ReportedCurrency string            `json:"reported_currency,omitempty"`
	Card             string            `json:"price_card,omitempty"`
	ServiceTier      string            `json:"service_tier,omitempty"`
	ListCost         string            `json:"list_cost,omitempty"`
	Contract         string            `json:"contract,omitempty"`
	Multiplier       string            `json:"multiplier,omitempty"`
	FXRate           string            `json:"fx_rate,omitempty"`
	SourceCost       string            `json:"source_cost,omitempty"`
	SourceCurrency   string            `json:"source_currency,omitempty"`
	Reconcile        string            `json:"reconcile,omitempty"`
	ComputedCost     string            `json:"computed_cost,omitempty"`
	Estimated        bool              `json:"estimated"`
	ResponseID       string            `json:"response_id,omitempty"`
}

func toJSON(r *usage.Record) recordJSON {
	out := recordJSON{
		ID: r.ID(), StartTime: r.Start.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		TraceID: hex.EncodeToString(r.TraceID[:]), SpanID: hex.EncodeToString(r.SpanID[:]),
		DurationMs: r.Duration.Milliseconds(), TTFTMs: r.TTFT.Milliseconds(),
		Service: r.Service, Environment: r.Environment,
		User: r.Dims.User, Tenant: r.Dims.Tenant, Department: r.Dims.Department, Session: r.Dims.Session,
		SessionType: r.Dims.SessionType, Feature: r.Dims.Feature, APIKey: r.Dims.APIKey,
		Provider: r.Provider, Model: r.Model, RequestModel: r.RequestModel, ResponseModel: r.ResponseModel,
		Operation: r.Operation, RawOperation: r.RawOperation, Streaming: r.Streaming, Status: r.Status, Reason: r.Reason, ErrorType: r.ErrorType,
		Tokens: tokens(&r.Tokens), Cost: r.Cost.String(), Currency: r.Currency, CostSource: r.CostSource,
		ReportedCurrency: r.ReportedCurrency, Card: r.Card, Estimated: r.Estimated, ResponseID: r.ResponseID,
		ServiceTier: r.ServiceTier, Contract: r.Contract, Multiplier: r.Multiplier, FXRate: r.FXRate, SourceCurrency: r.SourceCurrency,
	}
	if r.Currency != "" {
		out.ListCost = r.ListCost.String()
	}
	if r.FXRate != "" {
		out.SourceCost = r.SourceCost.String()
	}
	if r.Reconcile != "" {
		out.Reconcile, out.ComputedCost = r.Reconcile, r.ComputedCost.String()
	}
	if r.Tokens[meter.Request] != 0 {
		out.Tokens[meter.Request.String()] = r.Tokens[meter.Request]
	}
	for m := meter.Meter(0); m < meter.Count; m++ {
		if r.CostByMeter[m] != 0 {
			if out.CostByMeter == nil {
				out.CostByMeter = map[string]string{}
			}
			out.CostByMeter[m.String()] = r.CostByMeter[m].String()
		}
	}
	if r.CacheSaved != 0 {
		out.CacheSaved = r.CacheSaved.String()
	}
	if r.HasReported {
		s := r.Reported.String()
		out.ReportedCost = &s
	}
	return out
}

// fromJSON checks and converts an imported record; errors name the field.
func fromJSON(j *recordJSON) (usage.Record, error) {
	var r usage.Record
	t, err := time.Parse(time.RFC3339Nano, j.StartTime)
	if err != nil {
		return r, fmt.Errorf("start_time: %q is not an RFC 3339 time", j.StartTime)
	}
	r.Start = t.UTC().Truncate(time.Millisecond)
	if err := decodeID(r.TraceID[:], j.TraceID); err != nil {
		return r, fmt.Errorf("trace_id: %w", err)
	}
	if err := decodeID(r.SpanID[:], j.SpanID); err != nil {
		return r, fmt.Errorf("span_id: %w", err)
	}
	if j.DurationMs < 0 || j.TTFTMs < 0 {
		return r, fmt.Errorf("duration_ms, ttft_ms: negative")
	}
	r.Duration, r.TTFT = time.Duration(j.DurationMs)*time.Millisecond, time.Duration(j.TTFTMs)*time.Millisecond
	r.Service, r.Environment = j.Service, j.Environment
	r.Dims = usage.Dimensions{User: j.User, Tenant: j.Tenant, Department: j.Department, Session: j.Session,
		SessionType: j.SessionType, Feature: j.Feature, APIKey: j.APIKey}
	r.Provider, r.Model, r.RequestModel, r.ResponseModel = j.Provider, j.Model, j.RequestModel, j.ResponseModel
	r.Operation, r.RawOperation, r.Streaming, r.Reason, r.ErrorType = j.Operation, j.RawOperation, j.Streaming, j.Reason, j.ErrorType
	if !slices.Contains(statuses, j.Status) {
		return r, fmt.Errorf("status: %q is not a billable status", j.Status)
	}
	r.Status = j.Status
	for name, n := range j.Tokens {
		m, ok := meter.ByName(name)
		if !ok {
			return r, fmt.Errorf("tokens.%s: not a meter", name)
		}
		if n < 0 {
			return r, fmt.Errorf("tokens.%s: negative", name)
		}
		r.Tokens[m] = n
	}
	if r.Cost, err = amount(j.Cost); err != nil {
		return r, fmt.Errorf("cost: %w", err)
	}
	if r.Cost != 0 && j.Currency == "" {
		return r, fmt.Errorf("currency: required with a cost")
	}
	r.Currency = j.Currency
	for name, s := range j.CostByMeter {
		m, ok := meter.ByName(name)
		if !ok {
			return r, fmt.Errorf("cost_by_meter.%s: not a meter", name)
		}
		if r.CostByMeter[m], err = amount(s); err != nil {
			return r, fmt.Errorf("cost_by_meter.%s: %w", name, err)
		}
	}
	if j.CacheSaved != "" {
		if r.CacheSaved, err = amount(j.CacheSaved); err != nil {
			return r, fmt.Errorf("cache_saved: %w", err)
		}
	}
	r.CostSource = j.CostSource
	if j.ReportedCost != nil {
		if r.Reported, err = amount(*j.ReportedCost); err != nil {
			return r, fmt.Errorf("reported_cost: %w", err)
		}
		r.HasReported = true
	}
	r.ReportedCurrency, r.Card, r.Estimated, r.ResponseID = j.ReportedCurrency, j.Card, j.Estimated, j.ResponseID
	// A record exported before list costs were kept has none: no
	// contract applied, so it is the cost.
	r.ListCost = r.Cost
	if j.ListCost != "" {
		if r.ListCost, err = amount(j.ListCost); err != nil {
			return r, fmt.Errorf("list_cost: %w", err)
		}
	}
	if j.SourceCost != "" {
		if r.SourceCost, err = amount(j.SourceCost); err != nil {
			return r, fmt.Errorf("source_cost: %w", err)
		}
	}
	r.ServiceTier, r.Contract, r.Multiplier = j.ServiceTier, j.Contract, j.Multiplier
	r.FXRate, r.SourceCurrency = j.FXRate, j.SourceCurrency
	r.Reconcile = j.Reconcile
	if j.ComputedCost != "" {
		if r.ComputedCost, err = amount(j.ComputedCost); err != nil {
			return r, fmt.Errorf("computed_cost: %w", err)
		}
	}
	if j.ID != "" && j.ID != r.ID() {
		return r, fmt.Errorf("id: %q does not match start_time, trace_id and span_id (%q)", j.ID, r.ID())
	}
	return r, nil
}

func amount(s string) (money.Nanos, error) {
	if s == "" {
		return 0, nil
	}
	n, err := money.ParseDecimal(s)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return n, nil
}

func decodeID(dst []byte, s string) error {
	if len(s) != 2*len(dst) {
		return fmt.Errorf("%q is not %d hex digits", s, 2*len(dst))
	}
	if _, err := hex.Decode(dst, []byte(s)); err != nil {
		return fmt.Errorf("%q is not %d hex digits", s, 2*len(dst))
	}
	return nil
}
