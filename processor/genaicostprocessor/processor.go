package genaicostprocessor // import "github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor"

import (
	"context"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/cost"
	"github.com/otelcol-genai/otelcol-genai/internal/estimate"
	"github.com/otelcol-genai/otelcol-genai/internal/filewatch"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/normalize"
	"github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor/internal/dedup"
	"github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor/internal/metadata"
)

type costProcessor struct {
	logger *zap.Logger
	// pricing is the catalog in use and its resolver. A reload replaces
	// the whole state; a batch reads the pointer once, so each batch is
	// priced by one catalog.
	pricing atomic.Pointer[pricingState]
	reload  *reloader      // nil when reloading is off
	tracker *dedup.Tracker // nil when dedup is off
	rules   []normalize.CacheRule
	opts    normalize.Options
	ttl     normalize.CacheTTL
	attrs   AttributesConfig
	tel     *telemetry
	now     func() time.Time
	// batches is a free list of work states. Not a sync.Pool: a pool is
	// emptied by every garbage collection, and regrowing a batch's slices
	// after each one cost about 5 % of a priced span.
	batches chan *batch
}

// found is a GenAI span of the batch being processed.
type found struct {
	span  ptrace.Span
	scope string
	call  normalize.Call
	cand  int // index among the dedup candidates, -1 if not one
}

// batch is the reusable work state of one processTraces call.
type batch struct {
	scan   normalize.Scratch
	w      writes
	incl   inclusivityMemo
	found  []found
	cands  []dedup.Candidate
	decs   []dedup.Decision
	counts outcomeCounts
}

func newCostProcessor(cfg *Config, set processor.Settings) (*costProcessor, error) {
	var watch *filewatch.Files
	if cfg.Pricing.ReloadInterval > 0 && len(cfg.Pricing.Files) > 0 {
		watch = filewatch.New(cfg.Pricing.Files) // before loading: a change while it loads is seen next
	}
	cat, err := cfg.loadCatalog()
	if err != nil {
		return nil, err
	}
	ttl, err := parseTTL(cfg.Usage.CacheWriteTTL)
	if err != nil {
		return nil, err
	}
	maxCost, err := parseMaxCost(cfg.Usage.MaxReportedCost)
	if err != nil {
		return nil, err
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	p := &costProcessor{
		logger: set.Logger,
		rules:  cfg.cacheRules(),
		opts: normalize.Options{
			MaxTokens:    cfg.Usage.MaxTokens,
			MaxCost:      maxCost,
			InferenceOps: lowerSet(cfg.Billing.InferenceOperations),
			AggregateOps: lowerSet(cfg.Billing.AggregateOperations),
			Content:      cfg.Usage.Estimate,
		},
		ttl:   ttl,
		attrs: cfg.Attributes,
		tel:   &telemetry{tb: tb},
		now:   time.Now,
	}
	if d := cfg.Billing.Dedup; d.Enabled {
		p.tracker = dedup.New(d.Window, d.MaxEntries)
	}
	p.batches = make(chan *batch, runtime.GOMAXPROCS(0)+1)
	p.pricing.Store(&pricingState{cat: cat, res: newResolver(cat, cfg.Aliases)})
	if watch != nil {
		p.reload = &reloader{cfg: cfg, watch: watch}
	}
	if err := tb.RegisterProcessorGenaiCostCatalogFingerprintCallback(func(_ context.Context, o metric.Int64Observer) error {
		o.Observe(int64(p.pricing.Load().cat.Fingerprint()))
		return nil
	}); err != nil {
		return nil, err
	}
	st := cat.Stats()
	set.Logger.Info("Pricing catalog loaded", zap.Int("providers", st.Providers), zap.Int("models", st.Models),
		zap.Int("price_cards", st.Cards), zap.String("currency", cat.Currency), zap.Strings("files", cfg.Pricing.Files),
		zap.Bool("default_catalog", cfg.Pricing.DefaultCatalog), zap.String("fingerprint", fingerprint(cat)),
		zap.Duration("reload_interval", reloadInterval(cfg)))
	return p, nil
}

func lowerSet(vals []string) map[string]bool {
	m := make(map[string]bool, len(vals))
	for _, v := range vals {
		m[strings.ToLower(strings.TrimSpace(v))] = true
	}
	return m
}

func (p *costProcessor) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	b := p.getBatch()
	defer p.release(b)

	// Pass 1: find the GenAI spans. Scan writes into the next slot and
	// the slot is kept only for GenAI spans, so other spans copy nothing.
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				if len(b.found) == cap(b.found) {
					b.found = append(b.found, found{})[:len(b.found)]
				}
				f := &b.found[:len(b.found)+1][len(b.found)]
				if !normalize.Scan(span.Attributes(), span.Name(), &p.opts, &b.scan, &f.call) {
					continue
				}
				f.span, f.scope, f.cand = span, ss.Scope().Name(), -1
				b.found = b.found[:len(b.found)+1]
			}
		}
	}
	if len(b.found) == 0 {
		return td, nil
	}

	// Pass 2: decide which spans of one call carries its cost.
	if p.tracker != nil {
		for i := range b.found {
			f := &b.found[i]
			if f.call.Kind != normalize.Inference || f.call.Problem.Reason != "" {
				continue
			}
			f.cand = len(b.cands)
			b.cands = append(b.cands, dedup.Candidate{
				Trace:      dedup.TraceID(f.span.TraceID()),
				Span:       dedup.SpanID(f.span.SpanID()),
				Parent:     dedup.SpanID(f.span.ParentSpanID()),
				ResponseID: f.call.ResponseID,
				Start:      int64(f.span.StartTimestamp()),
			})
		}
		if len(b.cands) > 0 {
			if cap(b.decs) < len(b.cands) {
				b.decs = make([]dedup.Decision, len(b.cands))
			}
			b.decs = b.decs[:len(b.cands)]
			p.tracker.Decide(p.now(), b.cands, b.decs)
		}
	}

	// Pass 3: price and write, all with the catalog in use now.
	ps := p.pricing.Load()
	var total money.Nanos
	for i := range b.found {
		o, amount := p.apply(ps, &b.found[i], b)
		b.counts.add(o)
		total += amount
	}
	p.tel.record(ctx, b.counts, total)
	return td, nil
}

func (p *costProcessor) getBatch() *batch {
	select {
	case b := <-p.batches:
		return b
	default:
		return &batch{}
	}
}

func (p *costProcessor) release(b *batch) {
	clear(b.found) // drop references to the pdata
	if cap(b.found) > 1<<16 {
		b.found = nil
	}
	b.found, b.cands, b.decs = b.found[:0], b.cands[:0], b.decs[:0]
	b.counts = b.counts[:0]
	b.incl = inclusivityMemo{}
	select {
	case p.batches <- b:
	default: // more concurrent calls than usual: let this one go
	}
}

// inclusivityMemo remembers the cache-inclusivity answer for the last few
// (scope, provider) pairs of a batch; a batch rarely holds more than one or
// two, and the rules are a loop of string compares.
type inclusivityMemo struct {
	n    int
	keys [4]struct {
		scope, provider string
		flags           uint8
		answer          bool
	}
}

func (m *inclusivityMemo) get(rules []normalize.CacheRule, scope, provider string, c *normalize.Call) bool {
	var flags uint8
	if c.ClaudeCode {
		flags |= 1
	}
	if c.VercelDetails {
		flags |= 2
	}
	for i := range m.n {
		if k := &m.keys[i]; k.flags == flags && k.provider == provider && k.scope == scope {
			return k.answer
		}
	}
	answer := normalize.InputIncludesCache(rules, scope, provider, c)
	k := &m.keys[m.n%len(m.keys)]
	k.scope, k.provider, k.flags, k.answer = scope, provider, flags, answer
	if m.n < len(m.keys) {
		m.n++
	}
	return answer
}

// apply decides one GenAI span's status and writes its attributes. It
// returns the outcome to count and the amount priced locally.
func (p *costProcessor) apply(ps *pricingState, f *found, b *batch) (outcome, money.Nanos) {
	c := &f.call
	attrs := f.span.Attributes()
	switch {
	case c.Kind == normalize.Aggregate:
		attrs.PutStr(genaiconv.Status, genaiconv.StatusNotBillable)
		return outcome{status: genaiconv.StatusNotBillable}, 0
	case c.Problem.Reason != "":
		attrs.EnsureCapacity(attrs.Len() + 3)
		attrs.PutStr(genaiconv.Status, genaiconv.StatusInvalid)
		attrs.PutStr(genaiconv.Reason, c.Problem.Reason+":"+c.Problem.Key)
		if c.ServiceTier != "" {
			attrs.PutStr(genaiconv.ServiceTier, c.ServiceTier)
		}
		return outcome{status: genaiconv.StatusInvalid, reason: c.Problem.Reason}, 0
	case f.cand >= 0 && b.decs[f.cand].Duplicate:
		attrs.EnsureCapacity(attrs.Len() + 2)
		attrs.PutStr(genaiconv.Status, genaiconv.StatusDuplicate)
		attrs.PutStr(genaiconv.DuplicateOf, pcommon.SpanID(b.decs[f.cand].Of).String())
		return outcome{status: genaiconv.StatusDuplicate}, 0
	}

	res := ps.res.resolve(c)
	provider := ""
	if res.Provider != nil {
		provider = res.Provider.ID
	}
	var u meter.Counts
	hasUsage := c.HasUsage()
	if hasUsage {
		c.Meters(b.incl.get(p.rules, f.scope, provider, c), p.ttl, &u)
	}
	var (
		card   *catalog.Card
		priced cost.Result
		status = genaiconv.StatusPriced
		reason string
		est    estimate.Method
	)
	rep := &c.Reported
	switch {
	case !hasUsage && (rep.Present || !c.Content.Complete()):
		// A reported cost needs no estimate; without the text of both
		// sides (usage.estimate off, or a span that shows neither or
		// only the prompt) there is nothing to estimate from.
		status, reason = genaiconv.StatusUnpriced, "no_usage"
	case res.Model == nil:
		status, reason = genaiconv.StatusUnpriced, res.Reason.String()
	default:
		start := int64(f.span.StartTimestamp())
		if start == 0 {
			start = p.now().UnixNano()
		}
		if card = res.Model.CardAtNanos(start); card == nil {
			status, reason = genaiconv.StatusUnpriced, "no_price_at_time"
		} else if card = variant(card, c); card == nil {
			// A tier the catalog has no price for is not priced at the
			// standard price: that would be a wrong cost, not a missing one.
			status, reason = genaiconv.StatusUnpriced, reasonUnpricedTier
		} else {
			if !hasUsage {
				// Tokenized only here: a billable call, with a price, and
				// no usage. Spans with usage never reach this.
				est = estimateUsage(res.Model.ID, c.Content, &u)
				reason = est.Reason()
			}
			if priced = cost.Compute(card, &u); priced.Partial() {
				status, reason = genaiconv.StatusPartial, genaiconv.ReasonUnpricedMeter
			}
		}
	}
	if rep.Present {
		status = genaiconv.StatusProviderReported
	}
	category := reason
	if status == genaiconv.StatusPartial {
		reason = genaiconv.PartialReason(priced.Unpriced)
	}
	if reason == reasonUnpricedTier {
		// The tier goes on the span, not in the metric's category: an
		// unknown tier is any text.
		reason += ":" + c.ServiceTier
	}
	if reason == "" && rep.Problem.Reason != "" {
		reason = "reported_cost_ignored:" + rep.Problem.Reason + ":" + rep.Problem.Key
	}

	w := &b.w
	w.n = 0
	w.str(genaiconv.Status, status)
	if reason != "" {
		w.str(genaiconv.Reason, reason)
	}
	if card != nil {
		w.str(genaiconv.Card, card.ID)
	} else if provider != "" {
		w.str(genaiconv.Provider, provider)
	}
	if c.ServiceTier != "" {
		w.str(genaiconv.ServiceTier, c.ServiceTier)
	}
	switch {
	case rep.InSemconv:
		// The emitter's own gen_ai.usage.cost.* stay as they are.
		if card != nil {
			w.double(genaiconv.ComputedAmount, priced.Total.Float64())
		}
	case rep.Present:
		w.double(genaiconv.ReportedAmount, rep.Amount.Float64())
		w.str(genaiconv.ReportedCurrency, rep.Currency)
		if card != nil {
			putCost(w, ps.cat.Currency, priced.Total)
		}
	case card != nil:
		putCost(w, ps.cat.Currency, priced.Total)
	}
	if est != estimate.None {
		w.bool(genaiconv.Estimated, true)
	}
	if p.attrs.Tokens && (hasUsage || est != estimate.None) {
		for m := meter.Meter(0); m < meter.Request; m++ {
			if u[m] > 0 {
				w.int(genaiconv.TokensKey(m), u[m])
			}
		}
	}
	if p.attrs.CostPerMeter && card != nil {
		for m := meter.Meter(0); m < meter.Count; m++ {
			if priced.ByMeter[m] > 0 {
				w.double(genaiconv.CostKey(m), priced.ByMeter[m].Float64())
			}
		}
	}
	w.apply(attrs)
	if est != estimate.None && status == genaiconv.StatusPriced {
		category = reason // one of three methods
	}
	return outcome{status: status, reason: category, estimated: est != estimate.None}, priced.Total
}

// estimateUsage counts the tokens of the call's text for the model: all
// input is uncached input and all output is output, with no cache or
// reasoning split the text could not show.
func estimateUsage(model string, ct *normalize.Content, u *meter.Counts) estimate.Method {
	ctr := estimate.NewCounter(model)
	*u = meter.Counts{}
	u[meter.Input] = ctr.Count(ct.Input)
	u[meter.Output] = ctr.Count(ct.Output)
	return ctr.Method()
}

// reasonUnpricedTier is the reason of a call at a service tier the card
// has no price for; the span's reason adds ":<tier>".
const reasonUnpricedTier = "unpriced_service_tier"

// variant returns the card that prices the call's service tier and
// inference geography: the card itself for the standard tier, nil for a
// tier the card has no price for. The variant cards are built at load.
func variant(card *catalog.Card, c *normalize.Call) *catalog.Card {
	if (c.ServiceTier == "" || c.ServiceTier == normalize.TierStandard) && c.InferenceGeo == "" {
		return card
	}
	var v *catalog.Card
	var ok bool
	if c.InferenceGeo != "" {
		v, ok = card.Variant(c.ServiceTier, geoModifier(c.InferenceGeo))
	} else {
		v, ok = card.Variant(c.ServiceTier)
	}
	if !ok {
		return nil
	}
	return v
}

// geoModifier is the catalog's modifier name of an inference geography.
func geoModifier(geo string) string {
	switch geo {
	case "us":
		return "geo:us"
	case "eu":
		return "geo:eu"
	}
	return "geo:" + geo
}

// putCost writes the standard cost attributes with the local price.
func putCost(w *writes, currency string, amount money.Nanos) {
	w.double(genaiconv.CostAmount, amount.Float64())
	w.str(genaiconv.CostCurrency, currency)
	w.str(genaiconv.CostSource, genaiconv.SourceLocal)
}

// writes collects a span's new attributes so that the attribute slice
// grows once, to the exact size: growing it is the costly part of a write.
type writes struct {
	n  int
	kv [10 + 2*int(meter.Count)]struct {
		key  string
		kind pcommon.ValueType
		s    string
		i    int64 // also a bool, as 0 or 1
		f    float64
	}
}

func (w *writes) str(k, v string) {
	w.kv[w.n].key, w.kv[w.n].kind, w.kv[w.n].s = k, pcommon.ValueTypeStr, v
	w.n++
}

func (w *writes) int(k string, v int64) {
	w.kv[w.n].key, w.kv[w.n].kind, w.kv[w.n].i = k, pcommon.ValueTypeInt, v
	w.n++
}

func (w *writes) bool(k string, v bool) {
	w.kv[w.n].key, w.kv[w.n].kind, w.kv[w.n].i = k, pcommon.ValueTypeBool, 0
	if v {
		w.kv[w.n].i = 1
	}
	w.n++
}

func (w *writes) double(k string, v float64) {
	w.kv[w.n].key, w.kv[w.n].kind, w.kv[w.n].f = k, pcommon.ValueTypeDouble, v
	w.n++
}

func (w *writes) apply(m pcommon.Map) {
	m.EnsureCapacity(m.Len() + w.n)
	for _, kv := range w.kv[:w.n] {
		switch kv.kind {
		case pcommon.ValueTypeStr:
			m.PutStr(kv.key, kv.s)
		case pcommon.ValueTypeInt:
			m.PutInt(kv.key, kv.i)
		case pcommon.ValueTypeBool:
			m.PutBool(kv.key, kv.i != 0)
		default:
			m.PutDouble(kv.key, kv.f)
		}
	}
}
