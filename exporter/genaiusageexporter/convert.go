package genaiusageexporter // import "github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter"

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/cost"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// maxValueLen bounds every text taken from a span: a record is not the
// place for a prompt pasted into an attribute.
const maxValueLen = 256

// converter turns spans the genai_cost processor has handled into usage
// records. Only billable calls become records: priced, partial,
// unpriced, provider_reported and invalid spans; not_billable and
// duplicate spans (and spans the processor never saw) are skipped.
type converter struct {
	cat   *catalog.Catalog
	dims  [len(usage.DimensionNames)]DimensionConfig
	slots keySlots // every key fill reads
	// The slots of the keys read most: each dimension's, each meter's.
	dimSlots            [len(usage.DimensionNames)][]int
	tokenSlot, costSlot [meter.Count]int
}

func newConverter(cat *catalog.Catalog, dims [len(usage.DimensionNames)]DimensionConfig) *converter {
	slots := keySlots{}
	slots.add(serviceKey, genaiconv.Card, "error.type", "ai.response.msToFirstChunk")
	for _, keys := range [][]string{environmentKeys, requestModelKeys, responseModelKeys, operationKeys, responseIDKeys, providerKeys, streamingKeys} {
		slots.add(keys...)
	}
	slots.add(genaiconv.CostAmount, genaiconv.CostCurrency, genaiconv.ComputedAmount, genaiconv.CostSource, genaiconv.ReportedAmount, genaiconv.ReportedCurrency)
	c := &converter{cat: cat, dims: dims, slots: slots}
	for m := meter.Meter(0); m < meter.Count; m++ {
		s := slots.add(genaiconv.TokensKey(m), genaiconv.CostKey(m))
		c.tokenSlot[m], c.costSlot[m] = s[0], s[1]
	}
	for _, k := range ttftKeys {
		slots.add(k.key)
	}
	for i, d := range dims {
		c.dimSlots[i] = slots.add(d.Attributes...)
	}
	return c
}

// The keys fill reads a field from, in order of preference.
const serviceKey = "service.name"

var (
	environmentKeys   = []string{"deployment.environment.name", "deployment.environment"}
	requestModelKeys  = []string{"gen_ai.request.model", "llm.request.model", "ai.model.id", "llm.model_name"}
	responseModelKeys = []string{"gen_ai.response.model", "llm.response.model", "ai.response.model"}
	operationKeys     = []string{"gen_ai.operation.name", "llm.request.type", "ai.operationId"}
	responseIDKeys    = []string{"gen_ai.response.id", "ai.response.id"}
	providerKeys      = []string{genaiconv.Provider, "gen_ai.provider.name", "gen_ai.system"}
	streamingKeys     = []string{"gen_ai.request.stream", "llm.is_streaming", "gen_ai.is_streaming"}
	ttftKeys          = []struct {
		key  string
		unit time.Duration
	}{
		{"gen_ai.response.time_to_first_chunk", time.Second},
		{"gen_ai.server.time_to_first_token", time.Second},
		{"ai.response.msToFirstChunk", time.Millisecond},
		{"ai.stream.msToFirstChunk", time.Millisecond},
	}
)

// appendRecords appends the records of td's billable spans.
func (c *converter) appendRecords(recs []usage.Record, td ptrace.Traces) []usage.Record {
	if spans := td.SpanCount(); cap(recs)-len(recs) < spans {
		recs = slices.Grow(recs, spans) // once, not doubling through a batch
	}
	res, attrs := newAttrView(c.slots), newAttrView(c.slots)
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
				recs = append(recs, usage.Record{})
				c.fill(&recs[len(recs)-1], span, attrs, res, v.Str())
			}
		}
	}
	return recs
}

func (c *converter) fill(r *usage.Record, span ptrace.Span, attrs, res *attrView, status string) {
	start, end := span.StartTimestamp().AsTime(), span.EndTimestamp().AsTime()
	if span.StartTimestamp() == 0 {
		start = end // a span without a start still has an identity
	}
	r.Start = start.UTC().Truncate(time.Millisecond)
	r.TraceID, r.SpanID = span.TraceID(), span.SpanID()
	if end.After(start) {
		r.Duration = end.Sub(start)
	}
	r.TTFT = ttft(attrs)
	r.Service = text(res, serviceKey)
	r.Environment = firstText(res, attrs, environmentKeys...)
	vals := [len(usage.DimensionNames)]string{}
	for i := range c.dims {
		vals[i] = c.dimension(i, attrs, res)
	}
	r.Dims = usage.Dimensions{User: vals[0], Tenant: vals[1], Department: vals[2], Session: vals[3], SessionType: vals[4], Feature: vals[5], APIKey: vals[6]}

	r.Status = status
	r.RequestModel = firstOf(attrs, requestModelKeys...)
	r.ResponseModel = firstOf(attrs, responseModelKeys...)
	r.Operation = firstOf(attrs, operationKeys...)
	r.Streaming = streaming(attrs)
	r.ErrorType = text(attrs, "error.type")
	if r.ErrorType == "" && span.Status().Code() == ptrace.StatusCodeError {
		r.ErrorType = "_OTHER" // the semantic conventions' value when the type is unknown
	}
	r.ResponseID = firstOf(attrs, responseIDKeys...)
	for m := meter.Meter(0); m < meter.Count; m++ {
		if v, ok := attrs.at(c.tokenSlot[m]); ok && v.Type() == pcommon.ValueTypeInt && v.Int() > 0 {
			r.Tokens[m] = v.Int()
		}
	}

	r.Card = text(attrs, genaiconv.Card)
	card := c.cat.Card(r.Card)
	if provider, model, ok := cardModel(r.Card); ok {
		r.Provider, r.Model = provider, model
	} else {
		r.Provider = firstOf(attrs, providerKeys...)
		r.Model = r.ResponseModel
		if r.Model == "" {
			r.Model = r.RequestModel
		}
	}

	// The cost: our price when there is a card; else a reported cost.
	amount, hasAmount := nanos(attrs, genaiconv.CostAmount)
	currency := text(attrs, genaiconv.CostCurrency)
	computed, hasComputed := nanos(attrs, genaiconv.ComputedAmount)
	switch {
	case hasComputed: // the standard attributes hold the emitter's cost
		r.Reported, r.ReportedCurrency, r.HasReported = amount, currency, hasAmount
		if c.cat != nil {
			r.Currency = c.cat.Currency
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
	if card != nil && r.CostSource == genaiconv.SourceLocal {
		priced := cost.Compute(card, &r.Tokens)
		if !perMeter && priced.Total == r.Cost {
			r.CostByMeter = priced.ByMeter
		}
		r.CacheSaved = cacheSaved(card, &r.Tokens)
	}
}

// cacheSaved is what the cache reads would have cost as uncached input,
// less what they cost, at the rates of the tier the call fell in.
func cacheSaved(card *catalog.Card, u *meter.Counts) money.Nanos {
	reads := u[meter.CacheRead]
	if reads == 0 {
		return 0
	}
	rates, _ := card.RatesFor(u.Prompt())
	in, cached := rates[meter.Input], rates[meter.CacheRead]
	if !in.Set || !cached.Set {
		return 0
	}
	return max(in.Price.Cost(reads)-cached.Price.Cost(reads), 0)
}

// cardModel splits a card id, "provider/model[@from][~window]#hash", into
// its provider and model.
func cardModel(id string) (provider, model string, ok bool) {
	if id == "" {
		return "", "", false
	}
	provider, rest, ok := strings.Cut(id, "/")
	if !ok {
		return "", "", false
	}
	if i := strings.LastIndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '~'); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[:i]
	}
	return provider, rest, provider != "" && rest != ""
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
// to maxValueLen. Numbers are accepted (user ids are often numbers).
func text(m *attrView, key string) string {
	v, ok := m.Get(key)
	if !ok {
		return ""
	}
	return textOf(v)
}

// textOf is text of a value.
func textOf(v pcommon.Value) string {
	var s string
	switch v.Type() {
	case pcommon.ValueTypeStr:
		s = v.Str()
	case pcommon.ValueTypeInt:
		s = strconv.FormatInt(v.Int(), 10)
	case pcommon.ValueTypeBool, pcommon.ValueTypeDouble:
		s = v.AsString()
	default:
		return ""
	}
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) > maxValueLen {
		cut := maxValueLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
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

// ttft is the time to the first chunk of a streamed response.
func ttft(attrs *attrView) time.Duration {
	seconds := func(key string, unit time.Duration) time.Duration {
		v, ok := attrs.Get(key)
		if !ok {
			return 0
		}
		var f float64
		switch v.Type() {
		case pcommon.ValueTypeDouble:
			f = v.Double()
		case pcommon.ValueTypeInt:
			f = float64(v.Int())
		case pcommon.ValueTypeStr:
			var err error
			if f, err = strconv.ParseFloat(strings.TrimSpace(v.Str()), 64); err != nil {
				return 0
			}
		default:
			return 0
		}
		d := f * float64(unit)
		if !(d > 0) || d > float64(24*time.Hour) {
			return 0
		}
		return time.Duration(d)
	}
	for _, k := range ttftKeys {
		if d := seconds(k.key, k.unit); d > 0 {
			return d
		}
	}
	return 0
}

// streaming reads whether the call was streamed, from any dialect.
func streaming(attrs *attrView) bool {
	for _, k := range streamingKeys {
		if v, ok := attrs.Get(k); ok {
			switch v.Type() {
			case pcommon.ValueTypeBool:
				return v.Bool()
			case pcommon.ValueTypeStr:
				b, err := strconv.ParseBool(strings.TrimSpace(v.Str()))
				return err == nil && b
			}
		}
	}
	_, ok := attrs.Get("ai.response.msToFirstChunk")
	return ok
}
