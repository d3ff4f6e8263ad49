// Package api serves the usage query API, /api/v1/usage/, over a usage
// store. Responses follow the Prometheus HTTP API's envelope:
// {"status":"success","data":...} or {"status":"error","errorType":...,
// "error":"..."}; exports are files. See docs/api/openapi.yaml.
package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
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
	BearerTokens   []string
	MaxPageSize    int
	MaxImportBytes int64
	Logger         *zap.Logger
	// Now is the clock, for tests.
	Now func() time.Time
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

// getRoutes are the GET routes under Prefix (records/{id} aside).
var getRoutes = []string{"summary", "timeseries", "breakdown", "heatmap", "cache", "records", "export"}

type handler struct {
	s    Store
	opt  Options
	mux  *http.ServeMux
	toks [][]byte
}

// New returns the API's handler.
func New(s Store, opt Options) http.Handler {
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
	h := &handler{s: s, opt: opt, mux: http.NewServeMux()}
	for _, t := range opt.BearerTokens {
		h.toks = append(h.toks, []byte(t))
	}
	h.mux.HandleFunc("GET "+Prefix+"summary", h.summary)
	h.mux.HandleFunc("GET "+Prefix+"timeseries", h.timeseries)
	h.mux.HandleFunc("GET "+Prefix+"breakdown", h.breakdown)
	h.mux.HandleFunc("GET "+Prefix+"heatmap", h.heatmap)
	h.mux.HandleFunc("GET "+Prefix+"cache", h.cache)
	h.mux.HandleFunc("GET "+Prefix+"records", h.records)
	h.mux.HandleFunc("GET "+Prefix+"records/{id}", h.record)
	h.mux.HandleFunc("GET "+Prefix+"export", h.export)
	h.mux.HandleFunc("POST "+Prefix+"import", h.importRecords)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		route := strings.TrimPrefix(r.URL.Path, Prefix)
		switch {
		case route == "import":
			w.Header().Set("Allow", http.MethodPost)
		case r.URL.Path != route && (isRecordPath(route) || slices.Contains(getRoutes, route)):
			w.Header().Set("Allow", "GET, HEAD")
		default:
			writeError(w, http.StatusNotFound, "not_found", "no route "+r.URL.Path+"; see docs/api/openapi.yaml")
			return
		}
		writeError(w, http.StatusMethodNotAllowed, "bad_data", r.Method+" is not allowed on "+r.URL.Path+"; use "+w.Header().Get("Allow"))
	})
	return h
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

// isRecordPath reports whether route is "records/{id}" with a non-empty id.
func isRecordPath(route string) bool {
	id, ok := strings.CutPrefix(route, "records/")
	return ok && id != "" && !strings.Contains(id, "/")
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="genai_usage"`)
		writeError(w, http.StatusUnauthorized, "unauthorized", "missing or wrong bearer token (Authorization: Bearer <token>)")
		return
	}
	h.mux.ServeHTTP(w, r)
}

// authorized compares the bearer token with every configured token in
// constant time.
func (h *handler) authorized(r *http.Request) bool {
	if len(h.toks) == 0 {
		return true
	}
	auth := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := []byte(strings.TrimSpace(tok))
	match := 0
	for _, t := range h.toks {
		match |= subtle.ConstantTimeCompare(got, t)
	}
	return match == 1
}

type envelope struct {
	Status    string `json:"status"`
	Data      any    `json:"data,omitempty"`
	ErrorType string `json:"errorType,omitempty"`
	Error     string `json:"error,omitempty"`
}

func writeJSON(w http.ResponseWriter, data any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(envelope{Status: "success", Data: data})
}

func writeError(w http.ResponseWriter, code int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(envelope{Status: "error", ErrorType: typ, Error: msg})
}

// fail answers an error: a client's mistake is a 400 naming it; a store
// failure is a 503, logged, without internals in the answer.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var bp *badParam
	switch {
	case errors.As(err, &bp):
		writeError(w, http.StatusBadRequest, "bad_data", bp.msg)
	case errors.Is(err, usage.ErrBadID):
		writeError(w, http.StatusBadRequest, "bad_data", "id: "+err.Error())
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "no record with this id")
	case errors.Is(err, store.ErrUnknownKey), errors.Is(err, store.ErrUnknownDimension):
		writeError(w, http.StatusBadRequest, "bad_data", err.Error())
	case errors.Is(err, context.Canceled):
		// the client left
	default:
		h.opt.Logger.Warn("Usage API: store query failed", zap.String("path", r.URL.Path), zap.Error(err))
		writeError(w, http.StatusServiceUnavailable, "unavailable", "the usage store could not answer; try again")
	}
}

type rangeJSON struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

func (h *handler) summary(w http.ResponseWriter, r *http.Request) {
	p := newParams(r.URL.Query())
	f := p.filter(h.defaultTo(), defaultSpan, maxSpan)
	if err := p.done(); err != nil {
		h.fail(w, r, err)
		return
	}
	a, err := h.s.Summary(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, struct {
		rangeJSON
		aggregateJSON
	}{rangeJSON{f.From, f.To}, aggregate(&a)})
}

type pointJSON struct {
	Time time.Time `json:"t"`
	Key  *string   `json:"key,omitempty"`
	aggregateJSON
}

func (h *handler) timeseries(w http.ResponseWriter, r *http.Request) {
	p := newParams(r.URL.Query())
	grain := p.oneOf("grain", "day", "hour", "day")
	by := p.by("by", false, "")
	f := p.filter(h.defaultTo(), defaultSpan, maxSpan)
	if p.err == nil && grain == "hour" && f.To.Sub(f.From) > maxHourlySpan {
		p.fail(badf("grain: hour buckets cover at most %d days; use grain=day or a shorter range", int(maxHourlySpan.Hours()/24)))
	}
	if err := p.done(); err != nil {
		h.fail(w, r, err)
		return
	}
	pts, err := h.s.Series(r.Context(), f, grainCode(grain), by)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(pts) > maxSeriesPoint {
		h.fail(w, r, badf("by: the answer has %d points, more than %d; narrow the range, use grain=day or filter", len(pts), maxSeriesPoint))
		return
	}
	out := make([]pointJSON, len(pts))
	for i := range pts {
		out[i] = pointJSON{Time: pts[i].Bucket.UTC(), aggregateJSON: aggregate(&pts[i].Aggregate)}
		if by != "" {
			k := pts[i].Key
			out[i].Key = &k
		}
	}
	writeJSON(w, struct {
		rangeJSON
		Grain  string      `json:"grain"`
		By     string      `json:"by,omitempty"`
		Points []pointJSON `json:"points"`
	}{rangeJSON{f.From, f.To}, grain, by, out})
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

func (h *handler) breakdown(w http.ResponseWriter, r *http.Request) {
	p := newParams(r.URL.Query())
	by := p.by("by", true, "")
	limit := p.integer("limit", 10, 1, 1000)
	f := p.filter(h.defaultTo(), defaultSpan, maxSpan)
	if err := p.done(); err != nil {
		h.fail(w, r, err)
		return
	}
	gs, err := h.s.Breakdown(r.Context(), f, by, limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, struct {
		rangeJSON
		By     string      `json:"by"`
		Limit  int         `json:"limit"`
		Groups []groupJSON `json:"groups"`
	}{rangeJSON{f.From, f.To}, by, limit, groups(gs)})
}

type dayJSON struct {
	Date   string            `json:"date"`
	Calls  int64             `json:"calls"`
	Tokens int64             `json:"tokens"`
	Cost   map[string]string `json:"cost"`
}

// heatmap answers calls, tokens and cost per UTC day, every day of the
// range included (zeros too), up to a year.
func (h *handler) heatmap(w http.ResponseWriter, r *http.Request) {
	p := newParams(r.URL.Query())
	now := h.opt.Now().UTC()
	tomorrow := now.Truncate(24 * time.Hour).Add(24 * time.Hour)
	f := p.filter(tomorrow, 365*24*time.Hour, maxSpan)
	if err := p.done(); err != nil {
		h.fail(w, r, err)
		return
	}
	// Whole days, so that every cell is a complete day.
	f.From = f.From.Truncate(24 * time.Hour)
	if t := f.To.Truncate(24 * time.Hour); !t.Equal(f.To) {
		f.To = t.Add(24 * time.Hour)
	}
	pts, err := h.s.Series(r.Context(), f, store.GrainDay, "")
	if err != nil {
		h.fail(w, r, err)
		return
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
	writeJSON(w, struct {
		rangeJSON
		Days []dayJSON `json:"days"`
	}{rangeJSON{f.From, f.To}, days})
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
func (h *handler) cache(w http.ResponseWriter, r *http.Request) {
	p := newParams(r.URL.Query())
	by := p.by("by", false, "user")
	limit := p.integer("limit", 10, 1, 1000)
	f := p.filter(h.defaultTo(), defaultSpan, maxSpan)
	if err := p.done(); err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	byModel, err := h.s.Breakdown(ctx, f, store.ByModel, limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	byKey, err := h.s.Breakdown(ctx, f, by, limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	iv, err := h.s.Intervals(ctx, f, by)
	if err != nil {
		h.fail(w, r, err)
		return
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
	writeJSON(w, struct {
		rangeJSON
		Summary   aggregateJSON `json:"summary"`
		ByModel   []groupJSON   `json:"by_model"`
		By        string        `json:"by"`
		Groups    []groupJSON   `json:"groups"`
		Intervals intervalsJSON `json:"intervals"`
	}{rangeJSON{f.From, f.To}, sumGroups(byModel), groups(byModel), by, groups(byKey), ij})
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

func (h *handler) records(w http.ResponseWriter, r *http.Request) {
	p := newParams(r.URL.Query())
	limit := p.integer("limit", min(50, h.opt.MaxPageSize), 1, h.opt.MaxPageSize)
	offset := p.integer("offset", 0, 0, 10_000_000)
	f := p.filter(h.defaultTo(), defaultSpan, maxSpan)
	if err := p.done(); err != nil {
		h.fail(w, r, err)
		return
	}
	recs, total, err := h.s.Records(r.Context(), f, store.Page{Limit: limit, Offset: offset})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]recordJSON, len(recs))
	for i := range recs {
		out[i] = toJSON(&recs[i])
	}
	writeJSON(w, struct {
		rangeJSON
		Total   int64        `json:"total"`
		Limit   int          `json:"limit"`
		Offset  int          `json:"offset"`
		Records []recordJSON `json:"records"`
	}{rangeJSON{f.From, f.To}, total, limit, offset, out})
}

func (h *handler) record(w http.ResponseWriter, r *http.Request) {
	p := newParams(r.URL.Query())
	if err := p.done(); err != nil {
		h.fail(w, r, err)
		return
	}
	rec, err := h.s.Record(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, toJSON(&rec))
}
