package metrics

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/reconcile"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// DefaultNamespace prefixes every metric name when Config.Namespace is
// empty.
const DefaultNamespace = "genai_usage"

// OverflowValue replaces the attribution label values of an overflow
// series.
const OverflowValue = "__overflow__"

// Config configures the metrics.
type Config struct {
	// Dimensions are the attribution dimensions used as labels, by name
	// from usage.DimensionNames (e.g. "user", "tenant", "feature"), in
	// this order, after provider, model, service and environment.
	Dimensions []string
	// CardinalityLimit is the most series one metric keeps; observations
	// of new label sets past it fold into the metric's overflow series.
	// 0 means no limit.
	CardinalityLimit int
	// Namespace prefixes every metric name; empty means DefaultNamespace.
	Namespace string
	// Logger receives errors of the scrape handler; nil discards them
	// (promhttp_metric_handler_errors_total still counts them).
	Logger *zap.Logger
}

// maxScrapes bounds concurrent scrapes: each one walks every series.
const maxScrapes = 4

// Buckets of the histograms.
var (
	tokenBuckets    = []float64{10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000}
	durationBuckets = []float64{0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300, 600}
	ttftBuckets     = []float64{0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60}
)

// Base label names, before the dimensions.
var baseLabels = []string{"provider", "model", "service", "environment"}

const (
	nBase    = 4
	maxAttrs = nBase + len(usage.DimensionNames)
)

// attrKey is the attribution label values of a record: provider, model,
// service, environment, then the configured dimensions; unused places are
// empty.
type attrKey [maxAttrs]string

// baseKey is provider, model, service and environment.
type baseKey [nBase]string

// Statuses with a fixed place in an entry, so that the usual ones need no
// map lookup; other values go through a map.
var knownStatuses = [...]string{
	genaiconv.StatusPriced, genaiconv.StatusPartial, genaiconv.StatusUnpriced,
	genaiconv.StatusProviderReported, genaiconv.StatusInvalid,
	genaiconv.StatusNotBillable, genaiconv.StatusDuplicate,
}

func statusIndex(s string) int {
	for i, k := range knownStatuses {
		if k == s {
			return i
		}
	}
	return -1
}

// unpricedIndex is the place of an unpriced status, or -1 for others.
func unpricedIndex(s string) int {
	switch s {
	case genaiconv.StatusUnpriced:
		return 0
	case genaiconv.StatusInvalid:
		return 1
	}
	return -1
}

// Metrics holds the usage metrics of one exporter.
type Metrics struct {
	dims  []int // indexes into usage.DimensionNames
	limit int

	// mu guards the maps and the families' bookkeeping; the values are
	// atomics, added outside the lock.
	mu      sync.RWMutex
	entries map[attrKey]*attrEntry
	bases   map[baseKey]*baseEntry

	calls, errors, tokens, cost, list, saved, unpriced *family[*counterSeries]
	estCalls, estCost                                  *family[*counterSeries]
	reconciled, reported, computed                     *family[*counterSeries]
	callTokens, duration, ttft                         *family[prometheus.Observer]

	// Scratch space of resolve, guarded by mu.
	scratchKey  attrKey
	scratch     attrEntry
	scratchBase baseEntry

	// budgets are the budget gauges, set by SetBudgets.
	budgets *budgetGauges
	// notifications count the budget notifications of webhooks.
	notifications *notificationMetrics

	reg     *prometheus.Registry
	handler http.Handler
}

var namespaceRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// New checks cfg and builds the metrics on a new registry.
func New(cfg Config) (*Metrics, error) {
	ns := cfg.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	if !namespaceRE.MatchString(ns) {
		return nil, fmt.Errorf("namespace: %q is not a valid metric name prefix (letters, digits and _, not starting with a digit)", ns)
	}
	if cfg.CardinalityLimit < 0 {
		return nil, fmt.Errorf("cardinality_limit: %d is negative", cfg.CardinalityLimit)
	}
	m := &Metrics{
		limit:   cfg.CardinalityLimit,
		entries: map[attrKey]*attrEntry{},
		bases:   map[baseKey]*baseEntry{},
		reg:     prometheus.NewRegistry(),
	}
	labels := slices.Clone(baseLabels)
	for i, d := range cfg.Dimensions {
		j := slices.Index(usage.DimensionNames[:], d)
		if j < 0 {
			return nil, fmt.Errorf("dimensions[%d]: %q is not one of %s", i, d, strings.Join(usage.DimensionNames[:], ", "))
		}
		if slices.Contains(m.dims, j) {
			return nil, fmt.Errorf("dimensions[%d]: %q is listed twice", i, d)
		}
		m.dims = append(m.dims, j)
		labels = append(labels, d)
	}

	name := func(s string) string { return ns + "_" + s }
	m.calls = m.counters(name("calls_total"), "LLM calls, by genai_cost status.", labels, "status", 1)
	m.errors = m.counters(name("call_errors_total"), "LLM calls that ended in an error, by error type.", labels, "error_type", 1)
	m.tokens = m.counters(name("tokens_total"), "Tokens, by meter: input (uncached), cache_read, cache_write_5m, cache_write_1h, output (reasoning included), and subsets such as reasoning.", labels, "type", 1)
	m.cost = m.counters(name("cost_total"), "Cost of LLM calls in units of the currency label; unpriced calls add nothing.", labels, "currency", 1e9)
	m.list = m.counters(name("list_cost_total"), "Cost of LLM calls at list prices, before contract terms, in units of the currency label; cost_total is what is paid.", labels, "currency", 1e9)
	m.estCalls = m.counters(name("estimated_calls_total"), "LLM calls whose usage was estimated from their content (the span had none), by genai_cost status: part of calls_total.", labels, "status", 1)
	m.estCost = m.counters(name("estimated_cost_total"), "Cost of the calls whose usage was estimated, in units of the currency label: part of cost_total, the rest is measured.", labels, "currency", 1e9)
	m.reconciled = m.counters(name("reconciled_calls_total"), "Calls with a reported cost compared with the computed one, by result: match, mismatch, unit (about 1000x or 1000000x off: a unit mistake), currency (not compared). No dimension labels.", baseLabels, "result", 1)
	m.reported = m.counters(name("reported_cost_total"), "Costs reported by providers, gateways or libraries for the calls compared (match, mismatch, unit), in units of the currency label. No dimension labels.", baseLabels, "currency", 1e9)
	m.computed = m.counters(name("reported_computed_cost_total"), "The computed list cost of the same calls, in the same currency: reported_cost_total less this is the difference. No dimension labels.", baseLabels, "currency", 1e9)
	m.saved = m.counters(name("cache_savings_total"), "Money prompt caching saved (cache reads at the uncached input rate, less what they cost), in units of the currency label.", labels, "currency", 1e9)
	m.unpriced = m.counters(name("unpriced_calls_total"), "LLM calls with no local price (status unpriced or invalid); no dimension labels.", baseLabels, "status", 1)

	var err error
	if m.callTokens, err = m.histograms(name("call_tokens"), "Tokens of one call: type input is the whole prompt, output includes reasoning. No dimension labels.", "type", tokenBuckets); err != nil {
		return nil, err
	}
	if m.duration, err = m.histograms(name("call_duration_seconds"), "Duration of one LLM call. No dimension labels.", "", durationBuckets); err != nil {
		return nil, err
	}
	if m.ttft, err = m.histograms(name("time_to_first_token_seconds"), "Time to the first chunk of a streamed LLM call, where reported. No dimension labels.", "", ttftBuckets); err != nil {
		return nil, err
	}
	c := &collector{
		m:        m,
		counters: []*family[*counterSeries]{m.calls, m.errors, m.tokens, m.cost, m.list, m.saved, m.unpriced, m.estCalls, m.estCost, m.reconciled, m.reported, m.computed},
		overflow: prometheus.NewDesc(name("overflow_observations_total"),
			"Observations folded into a metric's overflow series because the metric reached its cardinality limit.", []string{"metric"}, nil),
	}
	for _, f := range c.counters {
		c.folded = append(c.folded, folded{f.name, &f.folded})
	}
	for _, f := range []*family[prometheus.Observer]{m.callTokens, m.duration, m.ttft} {
		c.folded = append(c.folded, folded{f.name, &f.folded})
	}
	m.budgets = newBudgetGauges(name, m.limit)
	c.folded = append(c.folded, folded{name("budget"), &m.budgets.omitted})
	if err := m.reg.Register(c); err != nil {
		return nil, err
	}
	if err := m.reg.Register(m.budgets); err != nil {
		return nil, err
	}
	m.notifications = newNotificationMetrics(name)
	for _, c := range []prometheus.Collector{m.notifications.sent, m.notifications.failed, m.notifications.pending} {
		if err := m.reg.Register(c); err != nil {
			return nil, err
		}
	}

	opts := promhttp.HandlerOpts{
		// Serve what could be gathered rather than nothing.
		ErrorHandling:       promhttp.ContinueOnError,
		Registry:            m.reg,
		MaxRequestsInFlight: maxScrapes,
	}
	if cfg.Logger != nil {
		opts.ErrorLog = errorLog{cfg.Logger}
	}
	m.handler = promhttp.HandlerFor(m.reg, opts)
	return m, nil
}

func (m *Metrics) counters(name, help string, attrs []string, own string, scale float64) *family[*counterSeries] {
	desc := prometheus.NewDesc(name, help, append(slices.Clone(attrs), own), nil)
	f := newFamily(name, len(attrs), true, m.limit, func(lvs []string) *counterSeries {
		return &counterSeries{lvs: lvs}
	})
	f.desc, f.scale = desc, scale
	return f
}

func (m *Metrics) histograms(name, help, own string, buckets []float64) (*family[prometheus.Observer], error) {
	labels := slices.Clone(baseLabels)
	if own != "" {
		labels = append(labels, own)
	}
	vec := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	if err := m.reg.Register(vec); err != nil {
		return nil, err
	}
	return newFamily(name, nBase, own != "", m.limit, func(lvs []string) prometheus.Observer {
		return vec.WithLabelValues(lvs...)
	}), nil
}

// Registry is the private registry holding the metrics.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler { return m.handler }

// clean makes s valid UTF-8, which Prometheus requires of label values.
func clean(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// Observe adds one record. It is safe for concurrent use and takes any
// record content: label values are made valid UTF-8, negative amounts and
// counts are ignored.
func (m *Metrics) Observe(r *usage.Record) {
	if r == nil {
		return
	}
	// The maps only hold label values made valid, so a hit on the raw
	// values proves them valid: the usual case needs no UTF-8 check.
	in := input{r: r, status: r.Status, errType: r.ErrorType, currency: r.Currency}
	in.key[0], in.key[1], in.key[2], in.key[3] = r.Provider, r.Model, r.Service, r.Environment
	if len(m.dims) > 0 {
		vals := r.Dims.Values()
		for i, d := range m.dims {
			in.key[nBase+i] = vals[d]
		}
	}
	var t targets

	// Usual case: every series this record touches exists already.
	m.mu.RLock()
	e := m.entries[in.key]
	ok := e != nil && m.fill(e, &in, &t, false)
	m.mu.RUnlock()
	if !ok {
		in.clean()
		m.mu.Lock()
		m.resolve(&in, &t)
		m.mu.Unlock()
	}
	t.apply(r)
}

// resolve fills t, creating the series r needs. An entry is kept only
// when it holds a real series, so label sets that only ever overflow
// take no memory. Called with mu held.
func (m *Metrics) resolve(in *input, t *targets) {
	e := m.entries[in.key]
	if e == nil {
		// A new label set works in scratch space, copied to the heap only
		// if kept: a flood of label sets past the limit allocates nothing.
		m.scratchKey = in.key
		m.scratch = attrEntry{lvs: m.scratchKey[:nBase+len(m.dims)]}
		e = &m.scratch
		e.base = m.bases[baseKey(in.key[:nBase])]
		if e.base == nil {
			m.scratchBase = baseEntry{lvs: m.scratchKey[:nBase:nBase]}
			e.base = &m.scratchBase
		}
	}
	m.fill(e, in, t, true)
	if e == &m.scratch && e.admitted {
		kept := new(attrEntry)
		*kept = *e
		kept.lvs = slices.Clone(e.lvs)
		kept.stored = true
		m.entries[in.key] = kept
		e = kept
	}
	// The base of a kept entry is kept, so that no two base entries of
	// one key ever exist to create the same series twice.
	if b := e.base; b == &m.scratchBase && (b.admitted || e.stored) {
		kept := new(baseEntry)
		*kept = *b
		kept.lvs = slices.Clone(b.lvs)
		m.bases[baseKey(kept.lvs)] = kept
		e.base = kept
	}
}

// input is a record's label values.
type input struct {
	r                         *usage.Record
	key                       attrKey
	status, errType, currency string
}

// clean makes every label value valid UTF-8.
func (in *input) clean() {
	for i := range in.key {
		in.key[i] = clean(in.key[i])
	}
	in.status, in.errType, in.currency = clean(in.status), clean(in.errType), clean(in.currency)
}

// attrEntry caches the series of one attribution label set.
type attrEntry struct {
	lvs  []string // provider, model, service, environment, dimensions
	base *baseEntry

	calls      [len(knownStatuses)]seriesRef[*counterSeries]
	callsOther byValue[*counterSeries]
	errors     byValue[*counterSeries]
	tokens     [meter.Count]seriesRef[*counterSeries]
	cost       byValue[*counterSeries] // by currency
	list       byValue[*counterSeries]
	saved      byValue[*counterSeries]
	estCalls   byValue[*counterSeries] // by status
	estCost    byValue[*counterSeries] // by currency

	admitted bool // holds a real series
	stored   bool // is in Metrics.entries
}

// baseEntry caches the series of one provider, model, service and
// environment.
type baseEntry struct {
	lvs []string

	unpriced   [2]seriesRef[*counterSeries] // unpriced, invalid
	reconciled byValue[*counterSeries]      // by result
	reported   byValue[*counterSeries]      // by currency
	computed   byValue[*counterSeries]      // by currency
	callTokens [2]seriesRef[prometheus.Observer]
	duration   seriesRef[prometheus.Observer]
	ttft       seriesRef[prometheus.Observer]

	admitted bool // holds a real series
}

// targets are the series one record adds to; unset refs get nothing.
type targets struct {
	calls, errors, cost, list, saved, unpriced seriesRef[*counterSeries]
	estCalls, estCost                          seriesRef[*counterSeries]
	reconciled, reported, computed             seriesRef[*counterSeries]
	tokens                                     [meter.Count]seriesRef[*counterSeries]
	inTokens, outTokens, duration, ttft        seriesRef[prometheus.Observer]
}

// inputTokens is the whole prompt of a call.
func inputTokens(c *meter.Counts) int64 {
	var n int64
	for _, m := range [...]meter.Meter{meter.Input, meter.CacheRead, meter.CacheWrite5m, meter.CacheWrite1h} {
		n = addSat(n, c[m])
	}
	return n
}

// fill points t at the series of in found in e, creating missing ones if
// create is set (mu held for writing). Without create, it reports false
// as soon as a series is missing. The conditions here decide what apply
// adds: apply adds to the refs fill set.
func (m *Metrics) fill(e *attrEntry, in *input, t *targets, create bool) bool {
	r := in.r
	var ok bool
	if i := statusIndex(in.status); i >= 0 {
		t.calls, ok = cached(&e.calls[i], m.calls, e.lvs, in.status, create, &e.admitted)
	} else {
		t.calls, ok = mapped(&e.callsOther, m.calls, e.lvs, in.status, create, &e.admitted)
	}
	if !ok {
		return false
	}
	if in.errType != "" {
		if t.errors, ok = mapped(&e.errors, m.errors, e.lvs, in.errType, create, &e.admitted); !ok {
			return false
		}
	}
	for mt := range meter.Count {
		if r.Tokens[mt] > 0 && mt.IsToken() {
			if t.tokens[mt], ok = cached(&e.tokens[mt], m.tokens, e.lvs, mt.String(), create, &e.admitted); !ok {
				return false
			}
		}
	}
	priced := unpricedIndex(in.status) < 0
	if priced && r.Cost > 0 {
		if t.cost, ok = mapped(&e.cost, m.cost, e.lvs, in.currency, create, &e.admitted); !ok {
			return false
		}
	}
	if priced && r.ListCost > 0 {
		if t.list, ok = mapped(&e.list, m.list, e.lvs, in.currency, create, &e.admitted); !ok {
			return false
		}
	}
	if r.Estimated {
		if t.estCalls, ok = mapped(&e.estCalls, m.estCalls, e.lvs, in.status, create, &e.admitted); !ok {
			return false
		}
		if priced && r.Cost > 0 {
			if t.estCost, ok = mapped(&e.estCost, m.estCost, e.lvs, in.currency, create, &e.admitted); !ok {
				return false
			}
		}
	}
	if priced && r.CacheSaved > 0 {
		if t.saved, ok = mapped(&e.saved, m.saved, e.lvs, in.currency, create, &e.admitted); !ok {
			return false
		}
	}

	b := e.base
	if i := unpricedIndex(in.status); i >= 0 {
		if t.unpriced, ok = cached(&b.unpriced[i], m.unpriced, b.lvs, in.status, create, &b.admitted); !ok {
			return false
		}
	}
	if r.Reconcile != "" {
		if t.reconciled, ok = mapped(&b.reconciled, m.reconciled, b.lvs, clean(r.Reconcile), create, &b.admitted); !ok {
			return false
		}
		if r.Reconcile != reconcile.Currency {
			if t.reported, ok = mapped(&b.reported, m.reported, b.lvs, clean(r.ReportedCurrency), create, &b.admitted); !ok {
				return false
			}
			if t.computed, ok = mapped(&b.computed, m.computed, b.lvs, clean(r.ReportedCurrency), create, &b.admitted); !ok {
				return false
			}
		}
	}
	if inputTokens(&r.Tokens) > 0 {
		if t.inTokens, ok = cached(&b.callTokens[0], m.callTokens, b.lvs, "input", create, &b.admitted); !ok {
			return false
		}
	}
	if r.Tokens[meter.Output] > 0 {
		if t.outTokens, ok = cached(&b.callTokens[1], m.callTokens, b.lvs, "output", create, &b.admitted); !ok {
			return false
		}
	}
	if r.Duration > 0 {
		if t.duration, ok = cached(&b.duration, m.duration, b.lvs, "", create, &b.admitted); !ok {
			return false
		}
	}
	if r.TTFT > 0 {
		if t.ttft, ok = cached(&b.ttft, m.ttft, b.lvs, "", create, &b.admitted); !ok {
			return false
		}
	}
	return true
}

// apply adds r to the series fill chose.
func (t *targets) apply(r *usage.Record) {
	t.calls.add(1)
	t.errors.add(1)
	for mt := range meter.Count {
		t.tokens[mt].add(r.Tokens[mt])
	}
	t.cost.add(int64(r.Cost))
	t.list.add(int64(r.ListCost))
	t.estCalls.add(1)
	t.estCost.add(int64(r.Cost))
	t.reconciled.add(1)
	t.reported.add(int64(r.Reported))
	t.computed.add(int64(r.ComputedCost))
	t.saved.add(int64(r.CacheSaved))
	t.unpriced.add(1)
	t.inTokens.observe(float64(inputTokens(&r.Tokens)))
	t.outTokens.observe(float64(r.Tokens[meter.Output]))
	t.duration.observe(r.Duration.Seconds())
	t.ttft.observe(r.TTFT.Seconds())
}

// cached returns the series in ref, creating it if create is set. Folded
// series are cached too: a full family stays full.
func cached[S any](ref *seriesRef[S], f *family[S], attrs []string, own string, create bool, admitted *bool) (seriesRef[S], bool) {
	if ref.ok {
		return *ref, true
	}
	if !create {
		return seriesRef[S]{}, false
	}
	*ref = f.admit(attrs, own)
	if ref.fold == nil {
		*admitted = true
	}
	return *ref, true
}

// byValue holds the series of label values without a fixed place: the
// first inline, as most entries only ever see one (a currency, an error
// type), the others in a map.
type byValue[S any] struct {
	first    string
	firstRef seriesRef[S]
	more     map[string]seriesRef[S]
}

func (b *byValue[S]) get(v string) (seriesRef[S], bool) {
	if b.firstRef.ok && b.first == v {
		return b.firstRef, true
	}
	ref, ok := b.more[v]
	return ref, ok
}

func (b *byValue[S]) put(v string, ref seriesRef[S]) {
	if !b.firstRef.ok {
		b.first, b.firstRef = v, ref
		return
	}
	if b.more == nil {
		b.more = map[string]seriesRef[S]{}
	}
	b.more[v] = ref
}

// mapped is cached for label values without a fixed place. Only real
// series are kept, since the values of folded ones are not bounded
// (error types, currencies); folded ones are looked up each time.
func mapped[S any](b *byValue[S], f *family[S], attrs []string, own string, create bool, admitted *bool) (seriesRef[S], bool) {
	if ref, ok := b.get(own); ok {
		return ref, true
	}
	if !create {
		return seriesRef[S]{}, false
	}
	ref := f.admit(attrs, own)
	if ref.fold == nil {
		b.put(own, ref)
		*admitted = true
	}
	return ref, true
}

// errorLog passes promhttp's errors to zap.
type errorLog struct{ l *zap.Logger }

func (e errorLog) Println(v ...any) {
	e.l.Error(strings.TrimSuffix(fmt.Sprintln(v...), "\n"))
}

var _ promhttp.Logger = errorLog{}
