// Package genaiconv is the contract between the genai_cost processor and
// the genai_usage exporter: the span attributes the processor writes and
// the exporter reads, the statuses and what each means for the books. What
// describes a call beyond these (models, operation, streaming) the
// exporter reads with the processor's own normaliser (internal/normalize),
// and a card's provider and model come from the catalog that owns card
// ids. See docs/attributes.md.
package genaiconv

import (
	"strings"

	"github.com/otelcol-genai/otelcol-genai/internal/meter"
)

// The cost of the call, as proposed for the OpenTelemetry GenAI conventions
// (semantic-conventions-genai PR #443). The processor writes them with its
// own price (source "local") unless the emitter already set them.
const (
	CostAmount   = "gen_ai.usage.cost.amount"
	CostCurrency = "gen_ai.usage.cost.currency"
	CostSource   = "gen_ai.usage.cost.source"
)

// Attributes of the genai_cost processor.
const (
	// Status is one of the Status* values.
	Status = "genai_cost.status"
	// Reason says why a call is not priced, or priced only in part.
	Reason = "genai_cost.reason"
	// Card is the id of the price card the call was priced with.
	Card = "genai_cost.card"
	// Provider is the canonical provider id, written when no card names it.
	Provider = "genai_cost.provider"
	// ComputedAmount is the processor's own price when the standard cost
	// attributes hold a cost the emitter or provider reported.
	ComputedAmount = "genai_cost.computed_amount"
	// ReportedAmount and ReportedCurrency hold a reported cost found under
	// another dialect's attribute (LiteLLM, OpenLIT, ...), normalised.
	ReportedAmount   = "genai_cost.reported_amount"
	ReportedCurrency = "genai_cost.reported_currency"
	// DuplicateOf is the span id (hex) of the span that carries the cost of
	// a call this span also records.
	DuplicateOf = "genai_cost.duplicate_of"
	// ServiceTier is the service tier the call was served at, whenever the
	// span names one, normalised: standard (OpenAI's default and auto,
	// Anthropic's standard), batch, flex, priority, scale, fast, or an
	// unknown value in lower case. The card of a non-standard tier is that
	// tier's variant; a tier the catalog has no price for leaves the call
	// unpriced (reason unpriced_service_tier:<tier>), never priced at the
	// standard price.
	ServiceTier = "genai_cost.service_tier"
	// Estimated is true when the call's token counts were estimated from
	// the prompt and completion text on the span, because the span carries
	// no usage: the cost (priced or partial) is an estimate. The reason
	// then names the method: estimated:tokenizer:o200k_base,
	// estimated:tokenizer:cl100k_base or estimated:ratio. Absent otherwise.
	Estimated = "genai_cost.estimated"
)

// Status values.
const (
	StatusPriced           = "priced"
	StatusPartial          = "partial"
	StatusUnpriced         = "unpriced"
	StatusProviderReported = "provider_reported"
	StatusNotBillable      = "not_billable"
	StatusDuplicate        = "duplicate"
	StatusInvalid          = "invalid"
)

// BillableStatuses are the statuses of a span that is one call to account
// for: the exporter keeps a record of each. not_billable (an agent or
// workflow span that repeats its children's usage) and duplicate (another
// span carries the call) are not.
var BillableStatuses = []string{StatusPriced, StatusPartial, StatusUnpriced, StatusProviderReported, StatusInvalid}

// Billable reports whether a span with this status is one call to account for.
func Billable(status string) bool {
	switch status {
	case StatusPriced, StatusPartial, StatusUnpriced, StatusProviderReported, StatusInvalid:
		return true
	}
	return false
}

// Unpriced reports whether a billable call has no cost at all: nobody could
// price it (unpriced) or its usage could not be trusted (invalid). Such a
// call is never counted as zero: sums report how many calls they leave out.
func Unpriced(status string) bool {
	return status == StatusUnpriced || status == StatusInvalid
}

// Cost sources.
const (
	SourceLocal    = "local"
	SourceProvider = "provider"
)

var (
	tokenKeys [meter.Count]string
	costKeys  [meter.Count]string
)

func init() {
	for m := meter.Meter(0); m < meter.Count; m++ {
		tokenKeys[m] = "genai_cost.usage." + m.String()
		costKeys[m] = "genai_cost.cost." + m.String()
	}
}

// TokensKey is the attribute holding the canonical count of meter m.
func TokensKey(m meter.Meter) string { return tokenKeys[m] }

// CostKey is the attribute holding the cost billed for meter m.
func CostKey(m meter.Meter) string { return costKeys[m] }

// PartialReason is the reason of a partial call: "unpriced_meter" and the
// meters left unpriced, "unpriced_meter:input_audio,output_video".
func PartialReason(s meter.Set) string {
	var sb strings.Builder
	sb.WriteString(ReasonUnpricedMeter)
	sep := byte(':')
	for m := meter.Meter(0); m < meter.Count; m++ {
		if s.Has(m) {
			sb.WriteByte(sep)
			sb.WriteString(m.String())
			sep = ','
		}
	}
	return sb.String()
}

// ReasonUnpricedMeter starts the reason of a partial call (PartialReason).
const ReasonUnpricedMeter = "unpriced_meter"
