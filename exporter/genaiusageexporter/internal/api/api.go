// Package api serves the usage query API, /api/v1/usage/, and the budget
// routes, /api/v1/budgets, over a usage store. Responses follow the Prometheus HTTP API's envelope:
// {"status":"success","data":...} or {"status":"error","errorType":...,
// "error":"..."}; exports are files. See docs/api/openapi.yaml.
package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/bearer"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/budgets"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/charge"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// Store is what the API reads and, for imports, writes.
type Store interface {
	store.Querier
	Write(ctx context.Context, recs []usage.Record, inserted []bool) (int, error)
}

// Options tune the API.
type Options struct {
	// BearerTokens are the accepted tokens; none means no authentication
	// (the exporter allows that on loopback only).
	BearerTokens []string
	// AdminTokens may also change budgets (and read everything); none
	// means budgets cannot be changed through the API (403).
	AdminTokens    []AdminToken
	MaxPageSize    int
	MaxImportBytes int64
	Logger         *zap.Logger
	// Budgets answers the budget routes; nil answers as if none were
	// configured.
	Budgets *budgets.Service
	// Now is the clock, for tests.
	Now func() time.Time
	// Page serves every path outside /api/ without a token: the built-in
	// usage page (internal/ui), whose static files carry no data. Nil:
	// those paths are 404s like any unknown route.
	Page http.Handler
	// UI are the page's settings (GET /api/v1/usage/ui).
	UI UIOptions
	// Card finds a price card by id, for records/{id}/pricing; nil finds
	// none.
	Card func(id string) *catalog.Card
	// Charge returns the charger in use (it changes when the exchange
	// rates are reloaded), which charges a list price as ingest does, for
	// records/{id}/pricing to show what the configuration in force now
	// makes of it; nil, or a nil charger, charges nothing.
	Charge func() *charge.Charger
	// Repricer runs repricings for the reprice routes; nil: they are 404s.
	Repricer Repricer
}

// Prefix is where the API lives.
const Prefix = "/api/v1/usage/"

// Range limits: a query is bounded so that one request cannot hold the
// database for long.
const (
	defaultSpan    = 30 * 24 * time.Hour
	maxSpan        = 366 * 24 * time.Hour
	maxHourlySpan  = 31 * 24 * time.Hour
	maxSeriesPoint = 50_000
	importBatch    = 1000
)

// route is one route of the API, declared once: the table of them drives
// the mux, the 405 answers and their Allow header, the parameter checks,
// and the tests that hold docs/api/openapi.yaml to the code.
type route struct {
	method string // GET (which answers HEAD too), POST, PUT or DELETE
	// root is where path is: Prefix (when empty) or BudgetsRoot.
	root string
	path string // under root; {id} is a path parameter
	// params are the query parameters the route takes: a route reads
	// exactly these (params.done checks), and refuses any other.
	params []string
	// body: the route reads a request body, of at most MaxImportBytes.
	body bool
	// serve answers with data for the envelope (or a *stream) or an
	// error; respond writes either.
	serve func(h *handler, r *http.Request, p *params) (any, error)
	// admin, instead of serve, answers a route that needs an admin token
	// (api.admin_bearer_tokens), and may set headers.
	admin func(h *handler, w http.ResponseWriter, r *http.Request, p *params) (any, error)
}

// filterParams are the parameters of params.filter.
var filterParams = append([]string{"from", "to", "provider", "model", "service", "environment", "status", "q"}, usage.DimensionNames[:]...)

// withFilter is names and the filter's parameters.
func withFilter(names ...string) []string { return append(names, filterParams...) }

// routes is the API.
var routes = []route{
	{method: http.MethodGet, path: "summary", params: withFilter(), serve: (*handler).summary},
	{method: http.MethodGet, path: "timeseries", params: withFilter("grain", "by"), serve: (*handler).timeseries},
	{method: http.MethodGet, path: "breakdown", params: withFilter("by", "limit"), serve: (*handler).breakdown},
	{method: http.MethodGet, path: "heatmap", params: withFilter(), serve: (*handler).heatmap},
	{method: http.MethodGet, path: "cache", params: withFilter("by", "limit"), serve: (*handler).cache},
	{method: http.MethodGet, path: "records", params: withFilter("limit", "offset"), serve: (*handler).records},
	{method: http.MethodGet, path: "reconciliation", params: withFilter(), serve: (*handler).reconciliation},
	{method: http.MethodGet, path: "records/{id}", serve: (*handler).record},
	{method: http.MethodGet, path: "records/{id}/pricing", serve: (*handler).pricing},
	{method: http.MethodGet, path: "ui", serve: (*handler).uiConfig},
	{method: http.MethodGet, path: "export", params: withFilter("format"), serve: (*handler).export},
	{method: http.MethodPost, path: "import", body: true, serve: (*handler).importRecords},
	{method: http.MethodPost, path: "reprice", body: true, admin: (*handler).repriceStart},
	{method: http.MethodGet, path: "reprice", params: []string{"limit", "offset"}, admin: (*handler).repriceList},
	{method: http.MethodGet, path: "reprice/{id}", admin: (*handler).repriceOne},
	{method: http.MethodPost, path: "reprice/{id}/resume", admin: (*handler).repriceResume},
	{method: http.MethodGet, root: BudgetsRoot, path: "budgets", serve: (*handler).budgetList},
	{method: http.MethodPost, root: BudgetsRoot, path: "budgets", body: true, admin: (*handler).budgetCreate},
	{method: http.MethodGet, root: BudgetsRoot, path: "budgets/check", params: subjectParams, serve: (*handler).budgetCheck},
	{method: http.MethodGet, root: BudgetsRoot, path: "budgets/audit", params: []string{"limit", "offset"}, admin: (*handler).budgetAudit},
	{method: http.MethodGet, root: BudgetsRoot, path: "budgets/{id}", serve: (*handler).budgetOne},
	{method: http.MethodPut, root: BudgetsRoot, path: "budgets/{id}", body: true, admin: (*handler).budgetUpdate},
	{method: http.MethodDelete, root: BudgetsRoot, path: "budgets/{id}", admin: (*handler).budgetDelete},
}

// pattern is the route's full path.
func (rt *route) pattern() string {
	if rt.root == "" {
		return Prefix + rt.path
	}
	return rt.root + rt.path
}

type handler struct {
	s    Store
	opt  Options
	mux  *http.ServeMux
	toks [][]byte
	// admins are opt.AdminTokens' tokens, in their order.
	admins [][]byte
}

// New returns the API's handler.
func New(s Store, opt Options) http.Handler { return newHandler(s, opt, routes) }

func newHandler(s Store, opt Options, table []route) *handler {
	if opt.Logger == nil {
		opt.Logger = zap.NewNop()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	clock := opt.Now
	opt.Now = func() time.Time { return clock().UTC() } // answers and file names are in UTC
	if opt.MaxPageSize <= 0 {
		opt.MaxPageSize = 1000
	}
	if opt.MaxImportBytes <= 0 {
		opt.MaxImportBytes = 256 << 20
	}
	h := &handler{s: s, opt: opt, mux: http.NewServeMux(), toks: bearer.Bytes(opt.BearerTokens)}
	for _, t := range opt.AdminTokens {
		h.admins = append(h.admins, []byte(t.Token))
	}
	// Each route's method pattern; then, for each of their paths, a
	// pattern without a method, which the mux picks for any other method:
	// a 405 naming the path's methods. Anything else is a 404.
	var paths []string
	methods := map[string][]string{}
	for _, rt := range table {
		path := rt.pattern()
		h.mux.HandleFunc(rt.method+" "+path, func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, &rt) })
		if methods[path] == nil {
			paths = append(paths, path)
		}
		methods[path] = append(methods[path], rt.method)
		if rt.method == http.MethodGet {
			methods[path] = append(methods[path], http.MethodHead)
		}
	}
	for _, path := range paths {
		allow := strings.Join(methods[path], ", ")
		notAllowed := func(w http.ResponseWriter, r *http.Request) {
			h.respondError(w, r, &apiError{class: errNotAllowed, allow: allow, msg: r.Method + " is not allowed on " + r.URL.Path + "; use " + allow})
		}
		if coveredBy(path, paths) {
			// A method pattern for each standard method path lacks; a
			// method of no standard falls to the wildcard path's
			// method-less pattern.
			for _, m := range httpMethods {
				if !slices.Contains(methods[path], m) {
					h.mux.HandleFunc(m+" "+path, notAllowed)
				}
			}
			continue
		}
		h.mux.HandleFunc(path, notAllowed)
	}
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.respondError(w, r, &apiError{class: errNotFound, msg: "no route " + r.URL.Path + "; see docs/api/openapi.yaml"})
	})
	return h
}

// httpMethods are the standard methods (RFC 9110, and PATCH).
var httpMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace}

// coveredBy reports whether another path of the table has a wildcard
// where path has a literal segment (budgets/{id} and budgets/check): the
// mux refuses a method-less pattern of path beside the other's method
// patterns (neither is more specific than the other).
func coveredBy(path string, paths []string) bool {
	segs := strings.Split(path, "/")
	for _, other := range paths {
		os := strings.Split(other, "/")
		if other == path || len(os) != len(segs) {
			continue
		}
		match := true
		for i := range segs {
			if os[i] != segs[i] && !strings.HasPrefix(os[i], "{") {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// serve answers a request of rt.
func (h *handler) serve(w http.ResponseWriter, r *http.Request, rt *route) {
	if rt.body {
		r.Body = http.MaxBytesReader(w, r.Body, h.opt.MaxImportBytes)
	}
	p := newParams(r.URL.RawQuery, rt.params)
	var data any
	var err error
	if rt.admin != nil {
		data, err = rt.admin(h, w, r, p)
	} else {
		data, err = rt.serve(h, r, p)
	}
	h.respond(w, r, data, err)
}

// defaultTo is the end of a range not given: the end of the current UTC
// day, so that the default range is the last 30 whole days, today
// included, which the day rollups answer without reading any record.
func (h *handler) defaultTo() time.Time {
	now := h.opt.Now()
	t := now.Truncate(24 * time.Hour)
	if t.Before(now) {
		t = t.Add(24 * time.Hour)
	}
	return t
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.opt.Page != nil && r.URL.Path != "/api" && !strings.HasPrefix(r.URL.Path, "/api/") {
		h.opt.Page.ServeHTTP(w, r)
		return
	}
	if !h.authorized(r) {
		h.respondError(w, r, &apiError{class: errUnauthorized, msg: "missing or wrong bearer token (Authorization: Bearer <token>)"})
		return
	}
	h.mux.ServeHTTP(w, r)
}

// authorized compares the bearer token with every configured token, read
// and admin, in constant time.
func (h *handler) authorized(r *http.Request) bool {
	if len(h.toks) == 0 {
		return true
	}
	got, ok := bearer.Token(r)
	if !ok {
		return false
	}
	return bearer.Match(got, h.toks) >= 0 || bearer.Match(got, h.admins) >= 0
}

type rangeJSON struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

func (h *handler) summary(r *http.Request, p *params) (any, error) {
	f := p.filter(h.defaultTo(), defaultSpan, maxSpan)
	if err := p.done(); err != nil {
		return nil, err
	}
	a, err := h.s.Summary(r.Context(), f)
	if err != nil {
		return nil, err
	}
	return struct {
		rangeJSON
		aggregateJSON
	}{rangeJSON{f.From, f.To}, aggregate(&a)}, nil
}

type pointJSON struct {
	Time time.Time `json:"t"`
	Key  *string   `json:"key,omitempty"`
	aggregateJSON
}

func (h *handler) timeseries(r *http.Request, p *params) (any, error) {
	grain := p.oneOf("grain", "day", "hour", "day")
	by := p.by("by", false, "")
	f := p.filter(h.defaultTo(), defaultSpan, maxSpan)
	if p.err == nil && grain == "hour" && f.To.Sub(f.From) > maxHourlySpan {
		p.fail(badf("grain: hour buckets cover at most %d days; use grain=day or a shorter range", int(maxHourlySpan.Hours()/24)))
	}
	if err := p.done(); err != nil {
		return nil, err
	}
	pts, err := h.s.Series(r.Context(), f, grainCode(grain), by)
	if err != nil {
		return nil, err
	}
	if len(pts) > maxSeriesPoint {
		return nil, badf("by: the answer has %d points, more than %d; narrow the range, use grain=day or filter", len(pts), maxSeriesPoint)
	}
	out := make([]pointJSON, len(pts))
	for i := range pts {
		out[i] = pointJSON{Time: pts[i].Bucket.UTC(), aggregateJSON: aggregate(&pts[i].Aggregate)}
		if by != "" {
			k := pts[i].Key
			out[i].Key = &k
		}
	}
	return struct {
		rangeJSON
		Grain  string      `json:"grain"`
		By     string      `json:"by,omitempty"`
		Points []pointJSON `json:"points"`
	}{rangeJSON{f.From, f.To}, grain, by, out}, nil
}

func grainCode(g string) string {
	if g == "hour" {
		return store.GrainHour
	}
	return store.GrainDay
}

type groupJSON struct {
	Key    string `json:"key"`
	Other  bool   `json:"other,omitempty"`
	Values int64  `json:"values,omitempty"`
	aggregateJSON
}

func groups(gs []store.Group) []groupJSON {
	out := make([]groupJSON, len(gs))
	for i := range gs {
		out[i] = groupJSON{Key: gs[i].Key, Other: gs[i].Other, Values: gs[i].Values, aggregateJSON: aggregate(&gs[i].Aggregate)}
	}
	return out
}

func (h *handler) breakdown(r *http.Request, p *params) (any, error) {
	by := p.by("by", true, "")
	limit := p.integer("limit", 10, 1, 1000)
	f := p.filter(h.defaultTo(), defaultSpan, maxSpan)
	if err := p.done(); err != nil {
		return nil, err
	}
	gs, err := h.s.Breakdown(r.Context(), f, by, limit)
	if err != nil {
		return nil, err
	}
	return struct {
		rangeJSON
		By     string      `json:"by"`
		Limit  int         `json:"limit"`
		Groups []groupJSON `json:"groups"`
	}{rangeJSON{f.From, f.To}, by, limit, groups(gs)}, nil
}

type dayJSON struct {
	Date   string            `json:"date"`
	Calls  int64             `json:"calls"`
	Tokens int64             `json:"tokens"`
	Cost   map[string]string `json:"cost"`
}

// heatmap answers calls, tokens and cost per UTC day, every day of the
// range included (zeros too), up to a year.
func (h *handler) heatmap(r *http.Request, p *params) (any, error) {
	now := h.opt.Now().UTC()
	tomorrow := now.Truncate(24 * time.Hour).Add(24 * time.Hour)
	f := p.filter(tomorrow, 365*24*time.Hour, maxSpan)
	if err := p.done(); err != nil {
		return nil, err
	}
	// Whole days, so that every cell is a complete day.
	f.From = f.From.Truncate(24 * time.Hour)
	if t := f.To.Truncate(24 * time.Hour); !t.Equal(f.To) {
		f.To = t.Add(24 * time.Hour)
	}
	pts, err := h.s.Series(r.Context(), f, store.GrainDay, "")
	if err != nil {
		return nil, err
	}
	byDay := make(map[time.Time]*store.Point, len(pts))
	for i := range pts {
		byDay[pts[i].Bucket.UTC()] = &pts[i]
	}
	var days []dayJSON
	for d := f.From; d.Before(f.To); d = d.Add(24 * time.Hour) {
		day := dayJSON{Date: d.Format(time.DateOnly), Cost: map[string]string{}}
		if pt := byDay[d]; pt != nil {
			day.Calls = pt.Calls
			day.Tokens = pt.Tokens.Tokens()
			day.Cost = amounts(pt.Cost)
		}
		days = append(days, day)
	}
	return struct {
		rangeJSON
		Days []dayJSON `json:"days"`
	}{rangeJSON{f.From, f.To}, days}, nil
}

type intervalsJSON struct {
	By       string  `json:"by"`
	Keys     int64   `json:"keys"`
	Gaps     int64   `json:"gaps"`
	Within5m int64   `json:"within_5m"`
	Within1h int64   `json:"within_1h"`
	Share5m  float64 `json:"share_within_5m"`
	Share1h  float64 `json:"share_within_1h"`
	Buckets  []struct {
		UpToSeconds *float64 `json:"up_to_seconds"`
		Count       int64    `json:"count"`
	} `json:"buckets"`
	// Suggestion says which prompt-cache TTL fits how these keys call.
	Suggestion string `json:"suggestion"`
}

// cache answers hit ratio and savings by model and by a key, and how the
// key's calls are spaced: the share of gaps a 5-minute or a 1-hour cache
// would bridge.
func (h *handler) cache(r *http.Request, p *params) (any, error) {
	by := p.by("by", false, "user")
	limit := p.integer("limit", 10, 1, 1000)
	f := p.filter(h.defaultTo(), defaultSpan, maxSpan)
	if err := p.done(); err != nil {
		return nil, err
	}
	ctx := r.Context()
	byModel, err := h.s.Breakdown(ctx, f, store.ByModel, limit)
	if err != nil {
		return nil, err
	}
	byKey, err := h.s.Breakdown(ctx, f, by, limit)
	if err != nil {
		return nil, err
	}
	iv, err := h.s.Intervals(ctx, f, by)
	if err != nil {
		return nil, err
	}
	ij := intervalsJSON{By: by, Keys: iv.Keys, Gaps: iv.Gaps, Within5m: iv.Within5m, Within1h: iv.Within1h}
	if iv.Gaps > 0 {
		ij.Share5m, ij.Share1h = float64(iv.Within5m)/float64(iv.Gaps), float64(iv.Within1h)/float64(iv.Gaps)
	}
	for _, b := range iv.Buckets {
		var e struct {
			UpToSeconds *float64 `json:"up_to_seconds"`
			Count       int64    `json:"count"`
		}
		if b.UpTo > 0 {
			s := b.UpTo.Seconds()
			e.UpToSeconds = &s
		}
		e.Count = b.Count
		ij.Buckets = append(ij.Buckets, e)
	}
	ij.Suggestion = suggestTTL(ij.Share5m, ij.Share1h, iv.Gaps)
	return struct {
		rangeJSON
		Summary   aggregateJSON `json:"summary"`
		ByModel   []groupJSON   `json:"by_model"`
		By        string        `json:"by"`
		Groups    []groupJSON   `json:"groups"`
		Intervals intervalsJSON `json:"intervals"`
	}{rangeJSON{f.From, f.To}, sumGroups(byModel), groups(byModel), by, groups(byKey), ij}, nil
}

// suggestTTL: a 5-minute cache write costs 1.25x input and a 1-hour one
// 2x (Anthropic's rates), so the longer TTL pays only when it bridges
// clearly more of the gaps.
func suggestTTL(share5m, share1h float64, gaps int64) string {
	switch {
	case gaps < 10:
		return "not_enough_data"
	case share1h-share5m >= 0.25:
		return "1h"
	case share5m >= 0.5:
		return "5m"
	case share1h >= 0.5:
		return "1h"
	}
	return "none"
}

func sumGroups(gs []store.Group) aggregateJSON {
	var a store.Aggregate
	for i := range gs {
		a.Add(&gs[i].Aggregate)
	}
	return aggregate(&a)
}

func (h *handler) records(r *http.Request, p *params) (any, error) {
	limit := p.integer("limit", min(50, h.opt.MaxPageSize), 1, h.opt.MaxPageSize)
	offset := p.integer("offset", 0, 0, 10_000_000)
	f := p.filter(h.defaultTo(), defaultSpan, maxSpan)
	if err := p.done(); err != nil {
		return nil, err
	}
	recs, total, err := h.s.Records(r.Context(), f, store.Page{Limit: limit, Offset: offset})
	if err != nil {
		return nil, err
	}
	out := make([]recordJSON, len(recs))
	for i := range recs {
		out[i] = toJSON(&recs[i])
	}
	return struct {
		rangeJSON
		Total   int64        `json:"total"`
		Limit   int          `json:"limit"`
		Offset  int          `json:"offset"`
		Records []recordJSON `json:"records"`
	}{rangeJSON{f.From, f.To}, total, limit, offset, out}, nil
}

func (h *handler) record(r *http.Request, p *params) (any, error) {
	if err := p.done(); err != nil {
		return nil, err
	}
	rec, err := h.s.Record(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return toJSON(&rec), nil
}
