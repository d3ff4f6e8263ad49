package api

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// params reads the query parameters a route takes (route.params): any
// other (a typo) is an error rather than silently ignored. It remembers
// which were read, so that a route that reads one it does not list, or
// lists one it does not read, is an internal error.
type params struct {
	v     url.Values
	takes []string
	used  map[string]bool
	err   error
}

// newParams parses a raw query string. A query that does not parse (a bad
// percent escape, a ';' separator) is an error, not a parameter quietly
// dropped: the filter it carried would be lost and the answer wider.
func newParams(rawQuery string, takes []string) *params {
	p := &params{takes: takes, used: map[string]bool{}}
	v, err := url.ParseQuery(rawQuery)
	if err != nil {
		p.fail(badf("query string: %v (escape %% as %%25 and separate parameters with &)", err))
		v = url.Values{}
	}
	p.v = v
	return p
}

// internalf is a route at odds with its entry in the route table.
func internalf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &apiError{class: errInternal, msg: "internal error; it is logged", cause: err}
}

func (p *params) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

// str returns a parameter given at most once.
func (p *params) str(name string) string {
	p.use(name)
	vs := p.v[name]
	if len(vs) > 1 {
		p.fail(badf("%s: given %d times; give it once", name, len(vs)))
	}
	if len(vs) == 0 {
		return ""
	}
	if !utf8.ValidString(vs[0]) || strings.ContainsFunc(vs[0], unicode.IsControl) {
		p.fail(badf("%s: %q holds a control character or is not UTF-8", name, vs[0]))
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
var breakdownKeys = append([]string{store.ByProvider, store.ByModel, store.ByService, store.ByEnvironment, store.ByStatus}, usage.DimensionNames[:]...)

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
// service, environment, status, q and one parameter per dimension name. The range
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
	f.Provider, f.Model, f.Service, f.Environment = p.str("provider"), p.str("model"), p.str("service"), p.str("environment")
	if f.Status = p.str("status"); f.Status != "" && !slices.Contains(statuses, f.Status) {
		p.fail(badf("status: %q is not one of %s", f.Status, strings.Join(statuses, ", ")))
	}
	if f.Search = strings.TrimSpace(p.str("q")); len(f.Search) > 200 {
		p.fail(badf("q: longer than 200 characters"))
	}
	for _, d := range usage.DimensionNames {
		p.use(d)
		if _, ok := p.v[d]; ok {
			if f.Dims == nil {
				f.Dims = map[string]string{}
			}
			f.Dims[d] = p.str(d)
		}
	}
	return f
}

// use marks name read; a name the route does not take is an internal error.
func (p *params) use(name string) {
	if !slices.Contains(p.takes, name) {
		p.fail(internalf("the route reads parameter %s, which its entry in the route table does not list", name))
	}
	p.used[name] = true
}

// done reports the first error, or an unknown parameter. It is called
// once every parameter has been read.
func (p *params) done() error {
	if p.err != nil {
		return p.err
	}
	for _, k := range p.takes {
		if !p.used[k] {
			return internalf("the route table lists parameter %s, which the route does not read", k)
		}
	}
	var unknown []string
	for k := range p.v {
		if !slices.Contains(p.takes, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		known := slices.Sorted(slices.Values(p.takes))
		return badf("unknown parameter %s; this route takes %s", strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	return nil
}
