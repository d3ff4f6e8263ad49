package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
)

// FuzzQuery: any query string either parses into a filter, a breakdown
// key and a page, or is a 400; parsing never panics, and a filter it
// accepts holds only valid UTF-8 without control characters.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{
		"from=2026-11-01&to=2026-12-01&model=gpt-4o&user=u1",
		"by=user&limit=20&q=timeout",
		"model=%ZZ", "model=a;x=1", "q=%00", "user=&user=", "from=1700000000&to=1700003600",
		"environment=prod&status=priced&offset=40&limit=100",
	} {
		f.Add(s)
	}
	takes := withFilter("grain", "by", "limit", "offset", "format")
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		p := newParams(raw, takes)
		flt := p.filter(now, 30*24*time.Hour, 366*24*time.Hour)
		_ = p.by("by", false, "")
		_ = p.integer("limit", 20, 1, 1000)
		_ = p.integer("offset", 0, 0, 1<<30)
		_ = p.oneOf("grain", "day", "hour", "day")
		_ = p.oneOf("format", "json", "json", "csv")
		if p.err != nil {
			var ae *apiError
			if !errors.As(p.err, &ae) || ae.class != errBadData {
				t.Fatalf("%q: %v is not a 400", raw, p.err)
			}
			return
		}
		for _, v := range append([]string{flt.Provider, flt.Model, flt.Service, flt.Environment, flt.Status, flt.Search}, dimValues(&flt)...) {
			if strings.ContainsFunc(v, unicode.IsControl) || !utf8.ValidString(v) {
				t.Fatalf("%q: accepted %q", raw, v)
			}
		}
	})
}

func dimValues(f *store.Filter) []string {
	var out []string
	for _, v := range f.Dims {
		out = append(out, v)
	}
	return out
}

// FuzzImport: any body to the import route is a 400 or 413, or imports
// records that each pass usage.Record.Check; never a panic or a 500.
func FuzzImport(f *testing.F) {
	f.Add([]byte(`{"format":"otelcol-genai-usage-export","version":1,"records":[]}`))
	f.Add([]byte(`{"format":"otelcol-genai-usage-export","version":1,"records":[{"start_time":"2026-11-20T00:00:00Z","trace_id":"0102030405060708090a0b0c0d0e0f10","span_id":"0102030405060708","duration_ms":1,"service":"s","provider":"openai","model":"gpt-4o","streaming":false,"status":"priced","tokens":{"input":1},"cost":"0.1","currency":"USD","estimated":false}]}`))
	f.Add([]byte(`{"records":[{"start_time":"0001-01-01T00:00:00Z"}],"format":"x"}`))
	f.Add([]byte(`[1,2,3]`))
	st := openStore(f)
	srv := httptest.NewServer(New(st, Options{MaxImportBytes: 1 << 20, Now: func() time.Time { return now }}))
	f.Cleanup(srv.Close)
	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := http.Post(srv.URL+Prefix+"import", "application/json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("%q: answered %d", body, resp.StatusCode)
		}
	})
}
