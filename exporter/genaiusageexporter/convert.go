package genaiusageexporter // import "github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter"

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/charge"
	"github.com/otelcol-genai/otelcol-genai/internal/cost"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/normalize"
	"github.com/otelcol-genai/otelcol-genai/internal/reconcile"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// converter turns spans the genai_cost processor has handled into usage
// records. Only billable calls become records (genaiconv.Billable); other
// spans, and spans the processor never saw, are skipped.
//
// A record holds what the processor resolved, never a second reading of
// the span by other rules: the status, card, cost and canonical token
// counts it wrote (genaiconv); the provider and priced model of the card,
// from the catalog package that owns card ids; and what describes the call
// (models as requested and returned, operation, streaming, time to first
// chunk, response id), read by the processor's own normaliser with its own
// keys. Only the attribution dimensions are the user's configuration.
type converter struct {
	// cat is the exporter's catalog, for cards priced by a collector that
	// is not this process; cards of this process are catalog.Known. A
	// reload of pricing.files replaces it.
	cat   atomic.Pointer[catalog.Catalog]
	dims  [len(usage.DimensionNames)]DimensionConfig
	slots keySlots // every key fill reads through the attribute view
	// The slots of the keys read most: each dimension's, each meter's.
	dimSlots            [len(usage.DimensionNames)][]int
	tokenSlot, costSlot [meter.Count]int
	scan                normalize.Options
	// charge turns each record's list price into what is paid, in the
	// reporting currency; onChargeError hears of the records it could
	// not charge in full. A reload of exchange_rates.files replaces it
	// with a charger of the new rates and the same terms. A batch reads
	// both pointers once.
	charge        atomic.Pointer[charge.Charger]
	onChargeError func(error)
	// tolerance is reconciliation's: the largest relative difference
	// between a reported and a computed cost that still agrees.
	tolerance *big.Rat
}

func newConverter(cat *catalog.Catalog, dims [len(usage.DimensionNames)]DimensionConfig) *converter {
	slots := keySlots{}
	slots.add(serviceKey, errorTypeKey, genaiconv.Card, genaiconv.Provider, genaiconv.Reason, genaiconv.ServiceTier, genaiconv.Estimated)
	slots.add(environmentKeys...)
	slots.add(genaiconv.CostAmount, genaiconv.CostCurrency, genaiconv.ComputedAmount, genaiconv.CostSource, genaiconv.ReportedAmount, genaiconv.ReportedCurrency)
	c := &converter{dims: dims, slots: slots}
	c.cat.Store(cat)
	c.charge.Store(&charge.Charger{})
	for m := meter.Meter(0); m < meter.Count; m++ {
		s := slots.add(genaiconv.TokensKey(m), genaiconv.CostKey(m))
		c.tokenSlot[m], c.costSlot[m] = s[0], s[1]
	}
	for i, d := range dims {
		c.dimSlots[i] = slots.add(d.Attributes...)
	}
	// Only the description is read: usage and cost are the processor's.
	c.scan = normalize.Options{Describe: true}
	return c
}

// The resource and span keys of the OpenTelemetry conventions that fill
// read, in order of preference. Every GenAI dialect key is normalize's.
const (
	serviceKey   = "service.name"
	errorTypeKey = "error.type"
)

var environmentKeys = []string{"deployment.environment.name", "deployment.environment"}

// appendRecords appends the records of td's billable spans, made to hold
// what every stored record holds (usage.Record.Sanitize). A span whose
// start time is outside the window a record may have at now (before 2000,
// or more than a day ahead: a broken clock), and whose end is too, makes
// no record: it is counted in rejected.
func (c *converter) appendRecords(recs []usage.Record, td ptrace.Traces, now time.Time) (out []usage.Record, sanitized, rejected int) {
	if spans := td.SpanCount(); cap(recs)-len(recs) < spans {
		recs = slices.Grow(recs, spans) // once, not doubling through a batch
	}
	cat, ch := c.cat.Load(), c.charge.Load()
	res, attrs := newAttrView(c.slots), newAttrView(c.slots)
	var scratch normalize.Scratch
	var call normalize.Call
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		res.load(rs.Resource().Attributes())
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				v, ok := span.Attributes().Get(genaiconv.Status)
				if !ok || !genaiconv.Billable(v.Str()) {
					continue
				}
				attrs.load(span.Attributes())
				if !normalize.Scan(span.Attributes(), span.Name(), &c.scan, &scratch, &call) {
					call = normalize.Call{} // a status with nothing GenAI beside it
				}
				recs = append(recs, usage.Record{})
				r := &recs[len(recs)-1]
				c.fill(cat, r, span, attrs, res, &call, v.Str())
				if !usage.StartInWindow(r.Start, now) {
					if end := span.EndTimestamp().AsTime(); usage.StartInWindow(end, now) {
						r.Start = end.UTC().Truncate(time.Millisecond) // the one time of the span that holds
					} else {
						recs, rejected = recs[:len(recs)-1], rejected+1
						continue
					}
				}
				if r.Sanitize() {
					sanitized++
				}
				c.reconcile(r)
				if err := ch.Apply(r); err != nil && c.onChargeError != nil {
					c.onChargeError(err)
				}
			}
		}
	}
	return recs, sanitized, rejected
}

func (c *converter) fill(cat *catalog.Catalog, r *usage.Record, span ptrace.Span, attrs, res *attrView, call *normalize.Call, status string) {
	start, end := span.StartTimestamp().AsTime(), span.EndTimestamp().AsTime()
	if span.StartTimestamp() == 0 {
		start = end // a span without a start still has an identity
	}
	r.Start = start.UTC().Truncate(time.Millisecond)
	r.TraceID, r.SpanID = span.TraceID(), span.SpanID()
	if end.After(start) {
		r.Duration = end.Sub(start)
	}
	r.TTFT = call.TTFT
	r.Service = text(res, serviceKey)
	r.Environment = firstText(res, attrs, environmentKeys...)
	vals := [len(usage.DimensionNames)]string{}
	for i := range c.dims {
		vals[i] = c.dimension(i, attrs, res)
	}
	r.Dims = usage.Dimensions{User: vals[0], Tenant: vals[1], Department: vals[2], Session: vals[3], SessionType: vals[4], Feature: vals[5], APIKey: vals[6]}

	r.Status, r.Reason = status, text(attrs, genaiconv.Reason)
	if v, ok := attrs.Get(genaiconv.Estimated); ok {
		// The token counts (and so the cost) were estimated from the text.
		r.Estimated = v.Type() == pcommon.ValueTypeBool && v.Bool()
	}
	r.RequestModel, r.ResponseModel = usage.CleanText(call.RequestModel), usage.CleanText(call.ResponseModel)
	r.Operation, r.RawOperation = call.Operation, usage.CleanText(call.RawOperation)
	r.Streaming = call.Streaming
	r.ErrorType = text(attrs, errorTypeKey)
	if r.ErrorType == "" && span.Status().Code() == ptrace.StatusCodeError {
		r.ErrorType = "_OTHER" // the semantic conventions' value when the type is unknown
	}
	r.ResponseID = usage.CleanText(call.ResponseID)
	for m := meter.Meter(0); m < meter.Count; m++ {
		if v, ok := attrs.at(c.tokenSlot[m]); ok && v.Type() == pcommon.ValueTypeInt && v.Int() > 0 {
			r.Tokens[m] = v.Int()
		}
	}

	// Provider and model: the card's; else the provider the processor
	// resolved and the model as named.
	r.Card = text(attrs, genaiconv.Card)
	r.ServiceTier = text(attrs, genaiconv.ServiceTier)
	card := cardIn(cat, r.Card)
	switch provider, model, ok := catalog.ParseCardID(r.Card); {
	case card != nil:
		r.Provider, r.Model = card.Provider, card.Model
	case ok:
		r.Provider, r.Model = provider, model
	default:
		r.Provider = text(attrs, genaiconv.Provider)
		if r.Provider == "" && call.NProv > 0 {
			r.Provider = usage.CleanText(call.Providers[0]) // no provider the catalog knows
		}
		r.Model = usage.CleanText(call.Model())
	}

	// The cost: our price when there is a card; else a reported cost.
	amount, hasAmount := nanos(attrs, genaiconv.CostAmount)
	currency := text(attrs, genaiconv.CostCurrency)
	computed, hasComputed := nanos(attrs, genaiconv.ComputedAmount)
	switch {
	case hasComputed: // the standard attributes hold the emitter's cost
		r.Reported, r.ReportedCurrency, r.HasReported = amount, currency, hasAmount
		if card != nil {
			r.Currency = card.Currency
		} else if cat != nil {
			r.Currency = cat.Currency
		}
		r.Cost, r.CostSource = computed, genaiconv.SourceLocal
	case hasAmount:
		r.Cost, r.Currency = amount, currency
		r.CostSource = text(attrs, genaiconv.CostSource)
		if reported, ok := nanos(attrs, genaiconv.ReportedAmount); ok {
			r.Reported, r.ReportedCurrency, r.HasReported = reported, text(attrs, genaiconv.ReportedCurrency), true
		}
	default:
		if reported, ok := nanos(attrs, genaiconv.ReportedAmount); ok {
			r.Reported, r.ReportedCurrency, r.HasReported = reported, text(attrs, genaiconv.ReportedCurrency), true
		}
	}
	if r.Card == "" && status == genaiconv.StatusProviderReported && r.HasReported && !hasAmount && !hasComputed {
		// Not priced here, but the provider said what it cost.
		r.Cost, r.Currency, r.CostSource = r.Reported, r.ReportedCurrency, genaiconv.SourceProvider
	}
	if r.Cost == 0 && r.Currency != "" && genaiconv.Unpriced(status) {
		r.Currency = "" // never a $0 for a call nobody priced
	}

	// Cost per meter and what caching saved, from the card.
	perMeter := false
	for m := meter.Meter(0); m < meter.Count; m++ {
		if n, ok := amountOf(attrs.at(c.costSlot[m])); ok {
			r.CostByMeter[m], perMeter = n, true
		}
	}
	if card != nil && r.CostSource == genaiconv.SourceLocal && r.Currency == card.Currency {
		priced := cost.Compute(card, &r.Tokens)
		if !perMeter && priced.Total == r.Cost {
			r.CostByMeter = priced.ByMeter
		}
		r.CacheSaved = cost.CacheSaved(card, &r.Tokens)
	}
}

// card returns the card of the id: from any catalog of this process (the
// processor's), else from the exporter's catalog in use.
func (c *converter) card(id string) *catalog.Card {
	return cardIn(c.cat.Load(), id)
}

// cardIn returns the card of the id: from any catalog of this process,
// else from cat (nil: none).
func cardIn(cat *catalog.Catalog, id string) *catalog.Card {
	if id == "" {
		return nil
	}
	if card := catalog.Known(id); card != nil {
		return card
	}
	if cat != nil {
		return cat.Card(id)
	}
	return nil
}

// dimension reads dimension i from the span, then the resource.
func (c *converter) dimension(i int, attrs, res *attrView) string {
	d := &c.dims[i]
	v := attrs.firstAt(c.dimSlots[i])
	if v == "" {
		v = res.firstAt(c.dimSlots[i])
	}
	if v == "" || !d.Hash {
		return v
	}
	var sum []byte
	if d.HashKey != "" {
		h := hmac.New(sha256.New, []byte(d.HashKey))
		h.Write([]byte(v))
		sum = h.Sum(nil)
	} else {
		s := sha256.Sum256([]byte(v))
		sum = s[:]
	}
	return hex.EncodeToString(sum[:16])
}

// firstText returns the first non-empty text value of keys, in the span's
// attributes first, then in the resource's.
func firstText(attrs, res *attrView, keys ...string) string {
	if v := firstOf(attrs, keys...); v != "" {
		return v
	}
	return firstOf(res, keys...)
}

// firstOf returns the first non-empty text value of keys in m.
func firstOf(m *attrView, keys ...string) string {
	for _, k := range keys {
		if v := text(m, k); v != "" {
			return v
		}
	}
	return ""
}

// text reads a string-like attribute, trimmed, made valid UTF-8 and cut
// to usage.MaxTextLen. Numbers are accepted (user ids are often numbers).
func text(m *attrView, key string) string {
	v, ok := m.Get(key)
	if !ok {
		return ""
	}
	return textOf(v)
}

// textOf is text of a value.
func textOf(v pcommon.Value) string {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return usage.CleanText(v.Str())
	case pcommon.ValueTypeInt:
		return strconv.FormatInt(v.Int(), 10)
	case pcommon.ValueTypeBool, pcommon.ValueTypeDouble:
		return usage.CleanText(v.AsString())
	}
	return ""
}

// nanos reads a non-negative amount in currency units.
func nanos(m *attrView, key string) (money.Nanos, bool) {
	return amountOf(m.Get(key))
}

// amountOf is nanos of a value that may be missing (ok false).
func amountOf(v pcommon.Value, ok bool) (money.Nanos, bool) {
	if !ok {
		return 0, false
	}
	n, ok := genaiconv.ParseAmount(v)
	return n, ok && n >= 0
}

// reconcile compares a reported cost with the cost computed here, in the
// currency of both, before any contract or conversion: what the provider
// should have charged at list prices (internal/reconcile).
func (c *converter) reconcile(r *usage.Record) {
	if !r.HasReported || r.CostSource != genaiconv.SourceLocal || r.Currency == "" || r.Card == "" || genaiconv.Unpriced(r.Status) {
		return
	}
	r.ComputedCost = r.Cost
	if r.ReportedCurrency != r.Currency {
		r.Reconcile = reconcile.Currency
		return
	}
	tol := c.tolerance
	if tol == nil {
		tol = defaultTolerance
	}
	r.Reconcile = reconcile.Check(r.Reported, r.Cost, tol)
}

// defaultTolerance is reconciliation.tolerance's default: 2 %.
var defaultTolerance = big.NewRat(2, 100)
