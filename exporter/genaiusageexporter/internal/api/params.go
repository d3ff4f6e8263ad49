package api

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// badParam is a client error: the message names the parameter.
type badParam struct{ msg string }

func (e *badParam) Error() string { return e.msg }

func badf(format string, args ...any) error { return &badParam{fmt.Sprintf(format, args...)} }

// params reads query parameters, remembering which were used so that an
// unknown one (a typo) is an error rather than silently ignored.
type params struct {
	v    url.Values
	used map[string]bool
	err  error
}

func newParams(v url.Values) *params { return &params{v: v, used: map[string]bool{}} }

func (p *params) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

// str returns a parameter given at most once.
func (p *params) str(name string) string {
	p.used[name] = true
	vs := p.v[name]
	if len(vs) > 1 {
		p.fail(badf("%s: given %d times; give it once", name, len(vs)))
	}
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

func (p *params) integer(name string, def, lo, hi int) int {
	s := p.str(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		p.fail(badf("%s: %q is not a whole number from %d to %d", name, s, lo, hi))
		return def
	}
	return n
}

// oneOf returns a parameter that must be one of choices.
func (p *params) oneOf(name, def string, choices ...string) string {
	s := p.str(name)
	if s == "" {
		return def
	}
	if !slices.Contains(choices, s) {
		p.fail(badf("%s: %q is not one of %s", name, s, strings.Join(choices, ", ")))
		return def
	}
	return s
}

// timeParam parses RFC 3339 times, dates (YYYY-MM-DD, UTC midnight) and
// Unix seconds.
func (p *params) time(name string, def time.Time) time.Time {
	s := p.str(name)
	if s == "" {
		return def
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC()
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.UTC()
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 && n < 1e11 {
		return time.Unix(n, 0).UTC()
	}
	p.fail(badf("%s: %q is not an RFC 3339 time (2026-11-01T00:00:00Z), a date (2026-11-01) or Unix seconds", name, s))
	return def
}

// breakdownKeys are the values of by=.
var breakdownKeys = append([]string{store.ByProvider, store.ByModel, store.ByService, store.ByStatus}, usage.DimensionNames[:]...)

func (p *params) by(name string, required bool, def string) string {
	s := p.str(name)
	if s == "" {
		if required && def == "" {
			p.fail(badf("%s: required, one of %s", name, strings.Join(breakdownKeys, ", ")))
		}
		return def
	}
	if !slices.Contains(breakdownKeys, s) {
		p.fail(badf("%s: %q is not one of %s", name, s, strings.Join(breakdownKeys, ", ")))
		return def
	}
	return s
}

var statuses = genaiconv.BillableStatuses

// filter reads the common filter parameters: from, to, provider, model,
// service, status, q and one parameter per dimension name. The range
// defaults to the defaultSpan before to (default now), and may be at most
// maxSpan long.
func (p *params) filter(now time.Time, defaultSpan, maxSpan time.Duration) store.Filter {
	var f store.Filter
	f.To = p.time("to", now)
	f.From = p.time("from", f.To.Add(-defaultSpan))
	if p.err == nil {
		switch {
		case !f.From.Before(f.To):
			p.fail(badf("from: %s is not before to: %s", f.From.Format(time.RFC3339), f.To.Format(time.RFC3339)))
		case f.To.Sub(f.From) > maxSpan:
			p.fail(badf("from, to: the range is %s; at most %s here", f.To.Sub(f.From), maxSpan))
		}
	}
	f.Provider, f.Model, f.Service = p.str("provider"), p.str("model"), p.str("service")
	if f.Status = p.str("status"); f.Status != "" && !slices.Contains(statuses, f.Status) {
		p.fail(badf("status: %q is not one of %s", f.Status, strings.Join(statuses, ", ")))
	}
	if f.Search = strings.TrimSpace(p.str("q")); len(f.Search) > 200 {
		p.fail(badf("q: longer than 200 characters"))
	}
	for _, d := range usage.DimensionNames {
		p.used[d] = true
		if _, ok := p.v[d]; ok {
			if f.Dims == nil {
				f.Dims = map[string]string{}
			}
			f.Dims[d] = p.str(d)
		}
	}
	return f
}

// done reports the first error, or an unknown parameter.
func (p *params) done() error {
	if p.err != nil {
		return p.err
	}
	var unknown []string
	for k := range p.v {
		if !p.used[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		known := make([]string, 0, len(p.used))
		for k := range p.used {
			known = append(known, k)
		}
		slices.Sort(known)
		return badf("unknown parameter %s; this route takes %s", strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	return nil
}
