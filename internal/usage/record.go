// Package usage defines the usage record: one billable LLM call as the
// genai_usage exporter builds it from a span, its store keeps it, its
// metrics count it and its usage API returns it.
package usage

import (
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// Record is one billable call. Its identity is (Start truncated to the
// millisecond, TraceID, SpanID): a retried or replayed batch writes the
// same identity again and is ignored.
type Record struct {
	Start    time.Time // the span's start, UTC
	TraceID  [16]byte
	SpanID   [8]byte
	Duration time.Duration
	// TTFT is the time to the first chunk of a stream, 0 if unknown.
	TTFT time.Duration

	Service     string
	Environment string
	Dims        Dimensions

	Provider      string // canonical provider id
	Model         string // the priced model (catalog id), else the model as sent
	RequestModel  string
	ResponseModel string
	// Operation is the canonical operation (normalize.Operations: chat,
	// text_completion, embeddings, image_generation, speech,
	// transcription, rerank, moderation, count_tokens, other);
	// RawOperation is the instrumentation library's own name for it
	// (gen_ai.operation.name, ai.operationId, openinference.span.kind,
	// llm.request.type...).
	Operation    string
	RawOperation string
	Streaming    bool

	// Status is the genai_cost status: priced, partial, unpriced,
	// provider_reported or invalid.
	Status string
	// Reason is the processor's reason for a status other than priced
	// (genai_cost.reason): "no_usage", "unknown_model", "unpriced_meter:input_audio", ...
	Reason    string
	ErrorType string

	Tokens meter.Counts
	// Cost is the local price, in nanos of Currency; CostByMeter its parts
	// where the span carried them.
	Cost        money.Nanos
	CostByMeter [meter.Count]money.Nanos
	Currency    string
	// CacheSaved is what the cache reads would have cost at the uncached
	// input rate, less what they cost: the money prompt caching saved.
	CacheSaved money.Nanos
	// CostSource is "local" (priced by genai_cost) or "provider".
	CostSource string
	// Reported is a cost the provider, a gateway or the emitter reported.
	Reported         money.Nanos
	ReportedCurrency string
	HasReported      bool
	// Card is the id of the price card used; it names one exact set of
	// prices, so a record can be audited or repriced later.
	Card string
	// ServiceTier is the service tier the call was served at
	// (genai_cost.service_tier): standard, batch, flex, priority, scale,
	// fast, or a provider's own value in lower case; "" when the span
	// names none. A non-standard tier is priced with its variant card.
	ServiceTier string
	// ListCost is the call at the catalog's list prices, in Currency.
	// Cost is what the organisation pays once its contract terms apply:
	// the two are equal when no term does.
	ListCost money.Nanos
	// Contract is the id of the contract term that made Cost from
	// ListCost, "" if none; Multiplier is its multiplier as a decimal,
	// "" when it sets rates per meter instead.
	Contract, Multiplier string
	// FXRate is the exchange rate (internal/fx's text form) that
	// converted the amounts into Currency, "" if none did; SourceCost
	// and SourceCurrency are then Cost before the conversion.
	FXRate         string
	SourceCost     money.Nanos
	SourceCurrency string
	// Reconcile says how Reported compares with the cost computed from
	// the usage and the card, ComputedCost, in the reported currency
	// (internal/reconcile: match, mismatch, unit, currency); "" when there
	// was nothing to compare.
	Reconcile    string
	ComputedCost money.Nanos
	Estimated    bool
	ResponseID   string
}

// Dimensions are the attribution dimensions of a call.
type Dimensions struct {
	User        string
	Tenant      string
	Department  string
	Session     string
	SessionType string
	Feature     string
	APIKey      string
}

// DimensionNames are the names of the dimensions, in the order of Values.
var DimensionNames = [...]string{"user", "tenant", "department", "session", "session_type", "feature", "api_key"}

// Values returns the dimension values in the order of DimensionNames.
func (d *Dimensions) Values() [len(DimensionNames)]string {
	return [...]string{d.User, d.Tenant, d.Department, d.Session, d.SessionType, d.Feature, d.APIKey}
}

// Failed reports whether the call ended in an error.
func (r *Record) Failed() bool { return r.ErrorType != "" }

// StartMillis is the identity timestamp: the start in Unix milliseconds.
func (r *Record) StartMillis() int64 { return r.Start.UnixMilli() }

// ID is a record's identity as text: "<start ms>-<trace id>-<span id>",
// ids in lower-case hex. It is stable across stores and instances.
func (r *Record) ID() string {
	return strconv.FormatInt(r.StartMillis(), 10) + "-" + hex.EncodeToString(r.TraceID[:]) + "-" + hex.EncodeToString(r.SpanID[:])
}

// ErrBadID is returned by ParseID.
var ErrBadID = errors.New(`record id must be "<start ms>-<32 hex digit trace id>-<16 hex digit span id>"`)

// ParseID parses an ID into its start in Unix milliseconds, trace id and
// span id.
func ParseID(id string) (startMs int64, trace [16]byte, span [8]byte, err error) {
	parts := strings.Split(id, "-")
	if len(parts) != 3 || len(parts[1]) != 32 || len(parts[2]) != 16 {
		return 0, trace, span, ErrBadID
	}
	if startMs, err = strconv.ParseInt(parts[0], 10, 64); err != nil {
		return 0, trace, span, ErrBadID
	}
	if _, err = hex.Decode(trace[:], []byte(parts[1])); err != nil {
		return 0, trace, span, ErrBadID
	}
	if _, err = hex.Decode(span[:], []byte(parts[2])); err != nil {
		return 0, trace, span, ErrBadID
	}
	return startMs, trace, span, nil
}
