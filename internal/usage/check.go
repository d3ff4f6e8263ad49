package usage

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// What every stored record holds, whichever door it came in by: a span
// through the exporter (which makes it so: CleanText, Sanitize) or an
// import (which refuses a record that is not: Check).

// MaxTextLen bounds every text field of a record, in bytes: a record is
// not the place for a prompt, and a megabyte user id must not reach the
// store, the metrics or a page.
const MaxTextLen = 256

// The window of start times a record may have: a call before 2000 or more
// than a day ahead of the clock is a broken clock, not a call to bill on
// that day (retention would drop it at once, or it would sit in a future
// rollup).
var minStart = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// MaxAhead is how far ahead of the clock a start time may be.
const MaxAhead = 24 * time.Hour

// StartInWindow reports whether a start time is one a record may have at
// now.
func StartInWindow(start, now time.Time) bool {
	return !start.Before(minStart) && !start.After(now.Add(MaxAhead))
}

// CleanText trims s, makes it valid UTF-8 and cuts it to MaxTextLen bytes
// on a rune boundary.
func CleanText(s string) string {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) > MaxTextLen {
		cut := MaxTextLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}

// IsCurrency reports whether s is an ISO 4217 code: three upper-case
// letters.
func IsCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := range 3 {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// partsAgree reports whether the cost per meter, where there is one, adds
// up to a local cost. A cost a provider reported may differ from the sum
// of the local prices of its meters.
func (r *Record) partsAgree() bool {
	if r.CostSource != genaiconv.SourceLocal {
		return true
	}
	var sum money.Nanos
	parts := false
	for m := meter.Meter(0); m < meter.Count; m++ {
		if c := r.CostByMeter[m]; c != 0 {
			sum, parts = sum+c, true
		}
	}
	return !parts || sum == r.Cost
}

// Check returns what is wrong with r at now, naming each field (the API's
// names): nil if r may be stored as it is.
func (r *Record) Check(now time.Time) error {
	var errs []error
	if !StartInWindow(r.Start, now) {
		errs = append(errs, fmt.Errorf("start_time: %s is before 2000 or more than %s ahead of the clock", r.Start.UTC().Format(time.RFC3339), MaxAhead))
	}
	if r.TraceID == ([16]byte{}) {
		errs = append(errs, errors.New("trace_id: all zero"))
	}
	if r.SpanID == ([8]byte{}) {
		errs = append(errs, errors.New("span_id: all zero"))
	}
	if r.Duration < 0 || r.TTFT < 0 {
		errs = append(errs, errors.New("duration_ms, ttft_ms: negative"))
	}
	for _, f := range r.textPtrs() {
		switch v := *f.v; {
		case len(v) > MaxTextLen:
			errs = append(errs, fmt.Errorf("%s: %d bytes; at most %d", f.name, len(v), MaxTextLen))
		case !utf8.ValidString(v):
			errs = append(errs, fmt.Errorf("%s: not UTF-8", f.name))
		}
	}
	for m := meter.Meter(0); m < meter.Count; m++ {
		if r.Tokens[m] < 0 {
			errs = append(errs, fmt.Errorf("tokens.%s: negative", m))
		}
		if r.CostByMeter[m] < 0 {
			errs = append(errs, fmt.Errorf("cost_by_meter.%s: negative", m))
		}
	}
	switch {
	case r.Cost < 0 || r.CacheSaved < 0 || r.Reported < 0 || r.ListCost < 0 || r.SourceCost < 0:
		errs = append(errs, errors.New("cost, list_cost, source_cost, cache_saved, reported_cost: negative"))
	case r.Currency != "" && !IsCurrency(r.Currency):
		errs = append(errs, fmt.Errorf("currency: %q is not an ISO 4217 code (three upper-case letters)", r.Currency))
	case (r.Cost != 0 || r.ListCost != 0) && r.Currency == "":
		errs = append(errs, errors.New("currency: required with a cost"))
	case !r.partsAgree():
		errs = append(errs, fmt.Errorf("cost_by_meter: the parts do not add up to the cost %s", r.Cost))
	}
	if r.ReportedCurrency != "" && !IsCurrency(r.ReportedCurrency) {
		errs = append(errs, fmt.Errorf("reported_currency: %q is not an ISO 4217 code (three upper-case letters)", r.ReportedCurrency))
	}
	switch {
	case r.SourceCurrency != "" && !IsCurrency(r.SourceCurrency):
		errs = append(errs, fmt.Errorf("source_currency: %q is not an ISO 4217 code (three upper-case letters)", r.SourceCurrency))
	case (r.SourceCurrency != "") != (r.FXRate != ""):
		errs = append(errs, errors.New("fx_rate, source_currency: a converted cost has both, any other neither"))
	case r.SourceCost != 0 && r.SourceCurrency == "":
		errs = append(errs, errors.New("source_currency: required with a source cost"))
	}
	return errors.Join(errs...)
}

// Sanitize makes a record built from a span one that Check accepts,
// keeping every call and every amount that can be trusted. Its texts are
// CleanText'ed as they are read from the span, and its start time is the
// caller's to check (StartInWindow): a span has no other time that would
// give a replay the same identity. Here a cost per meter
// that does not add up to the cost is dropped (the cost stands); a
// currency that is no ISO 4217 code makes its amount unusable, so the
// call is counted as invalid with no cost (never as $0 in a made-up
// currency). It reports whether it changed anything, for the caller to
// count.
func (r *Record) Sanitize() (changed bool) {
	if r.ReportedCurrency != "" && !IsCurrency(r.ReportedCurrency) {
		r.Reported, r.ReportedCurrency, r.HasReported, changed = 0, "", false, true
	}
	if r.Currency != "" && !IsCurrency(r.Currency) || r.Cost < 0 {
		r.Cost, r.Currency, r.CostByMeter, r.CacheSaved = 0, "", [meter.Count]money.Nanos{}, 0
		r.Status, r.Reason, changed = genaiconv.StatusInvalid, ReasonBadCost, true
	}
	if !r.partsAgree() {
		r.CostByMeter, changed = [meter.Count]money.Nanos{}, true
	}
	return changed
}

// ReasonBadCost is the reason of a call Sanitize made invalid: its cost
// came in a currency that is no ISO 4217 code.
const ReasonBadCost = "bad_cost_currency"

// textPtrs are the text fields of r, by the API's names.
func (r *Record) textPtrs() []struct {
	name string
	v    *string
} {
	d := &r.Dims
	return []struct {
		name string
		v    *string
	}{
		{"service", &r.Service}, {"environment", &r.Environment},
		{"user", &d.User}, {"tenant", &d.Tenant}, {"department", &d.Department}, {"session", &d.Session},
		{"session_type", &d.SessionType}, {"feature", &d.Feature}, {"api_key", &d.APIKey},
		{"provider", &r.Provider}, {"model", &r.Model}, {"request_model", &r.RequestModel}, {"response_model", &r.ResponseModel},
		{"operation", &r.Operation}, {"raw_operation", &r.RawOperation}, {"status", &r.Status}, {"reason", &r.Reason},
		{"error_type", &r.ErrorType}, {"currency", &r.Currency}, {"cost_source", &r.CostSource},
		{"reported_currency", &r.ReportedCurrency}, {"price_card", &r.Card}, {"response_id", &r.ResponseID},
		{"service_tier", &r.ServiceTier}, {"contract", &r.Contract}, {"multiplier", &r.Multiplier},
		{"fx_rate", &r.FXRate}, {"source_currency", &r.SourceCurrency}, {"reconcile", &r.Reconcile},
	}
}
