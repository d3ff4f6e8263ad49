package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/sqlite"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/storetest"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

const token = "s3cret-token"

var now = storetest.Base.Add(10 * 24 * time.Hour)

type fixture struct {
	srv  *httptest.Server
	st   store.Store
	recs []usage.Record
}

func openStore(t testing.TB) store.Store {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "usage.db"))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

// newFixture serves the API over a real SQLite store holding 2,000
// generated records over the 5 days from storetest.Base.
func newFixture(t *testing.T) *fixture {
	st := openStore(t)
	recs := storetest.Records(77, 2000, 120)
	_, err := st.Write(context.Background(), recs, nil)
	require.NoError(t, err)
	srv := httptest.NewServer(New(st, Options{BearerTokens: []string{"other", token}, MaxPageSize: 100, MaxImportBytes: 50 << 20, Now: func() time.Time { return now }}))
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, st: st, recs: recs}
}

func (f *fixture) do(t *testing.T, method, path string, body io.Reader) (resp *http.Response, answer []byte) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, body)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	answer, err = io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, answer
}

// ok GETs path and decodes the envelope's data into out.
func (f *fixture) ok(t *testing.T, path string, out any) {
	t.Helper()
	resp, body := f.do(t, http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var env struct {
		Status string          `json:"status"`
		Data   json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal(body, &env))
	require.Equal(t, "success", env.Status)
	require.NoError(t, json.Unmarshal(env.Data, out), string(env.Data))
}

const all = "from=2026-11-01&to=2026-11-08"

// expected sums the generated records the way the API reports them.
func (f *fixture) expected(keep func(*usage.Record) bool) (calls, errors int64, cost map[string]money.Nanos) {
	cost = map[string]money.Nanos{}
	for i := range f.recs {
		r := &f.recs[i]
		if !keep(r) {
			continue
		}
		calls++
		if r.ErrorType != "" {
			errors++
		}
		if r.Currency != "" {
			cost[r.Currency] += r.Cost
		}
	}
	return calls, errors, cost
}

func decimals(m map[string]money.Nanos) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v.String()
	}
	return out
}

func TestSummary(t *testing.T) {
	f := newFixture(t)
	var got aggregateJSON
	f.ok(t, Prefix+"summary?"+all, &got)
	calls, errs, cost := f.expected(func(*usage.Record) bool { return true })
	assert.Equal(t, calls, got.Calls)
	assert.Equal(t, errs, got.Errors)
	assert.InDelta(t, float64(errs)/float64(calls), got.ErrorRate, 1e-12)
	assert.Equal(t, decimals(cost), got.Cost)
	assert.Greater(t, got.CacheHitRatio, 0.0)
	assert.Greater(t, got.AvgLatencyMs, 0.0)
	require.NotNil(t, got.AvgTTFTMs)

	// A dimension filter and a status filter (records path) agree with Go.
	f.ok(t, Prefix+"summary?"+all+"&user=u-2&status=priced", &got)
	calls, _, cost = f.expected(func(r *usage.Record) bool { return r.Dims.User == "u-2" && r.Status == "priced" })
	assert.Equal(t, calls, got.Calls)
	assert.Equal(t, decimals(cost), got.Cost)

	// The deployment environment, alone (rollups) and with a user (records).
	f.ok(t, Prefix+"summary?"+all+"&environment=staging", &got)
	calls, _, cost = f.expected(func(r *usage.Record) bool { return r.Environment == "staging" })
	assert.Positive(t, calls)
	assert.Equal(t, calls, got.Calls)
	assert.Equal(t, decimals(cost), got.Cost)
	f.ok(t, Prefix+"summary?"+all+"&environment=prod&user=u-2", &got)
	calls, _, cost = f.expected(func(r *usage.Record) bool { return r.Environment == "prod" && r.Dims.User == "u-2" })
	assert.Equal(t, calls, got.Calls)
	assert.Equal(t, decimals(cost), got.Cost)
}

func TestTimeseriesAndHeatmap(t *testing.T) {
	f := newFixture(t)
	var ts struct {
		Grain  string `json:"grain"`
		By     string `json:"by"`
		Points []struct {
			T   time.Time `json:"t"`
			Key *string   `json:"key"`
			aggregateJSON
		} `json:"points"`
	}
	f.ok(t, Prefix+"timeseries?"+all+"&grain=day&by=provider", &ts)
	assert.Equal(t, "day", ts.Grain)
	want := map[[2]string]int64{}
	for _, r := range f.recs {
		want[[2]string{r.Start.Truncate(24 * time.Hour).Format(time.DateOnly), r.Provider}]++
	}
	got := map[[2]string]int64{}
	for _, p := range ts.Points {
		require.NotNil(t, p.Key)
		got[[2]string{p.T.Format(time.DateOnly), *p.Key}] += p.Calls
	}
	assert.Equal(t, want, got)

	ts.Points = nil
	f.ok(t, Prefix+"timeseries?"+all+"&grain=hour", &ts)
	var n int64
	for _, p := range ts.Points {
		assert.Nil(t, p.Key)
		assert.Equal(t, p.T, p.T.Truncate(time.Hour))
		n += p.Calls
	}
	assert.Equal(t, int64(len(f.recs)), n)

	var hm struct {
		Days []dayJSON `json:"days"`
	}
	f.ok(t, Prefix+"heatmap", &hm)
	assert.Len(t, hm.Days, 365, "the last 365 days to today, every day present")
	var calls int64
	for _, d := range hm.Days {
		calls += d.Calls
	}
	assert.Equal(t, int64(len(f.recs)), calls)
	assert.Equal(t, now.Format(time.DateOnly), hm.Days[len(hm.Days)-1].Date)
}

func TestBreakdownAndCache(t *testing.T) {
	f := newFixture(t)
	var bd struct {
		Groups []groupJSON `json:"groups"`
	}
	f.ok(t, Prefix+"breakdown?"+all+"&by=model&limit=2", &bd)
	require.Len(t, bd.Groups, 3, "two models and the rest")
	assert.True(t, bd.Groups[2].Other)
	var calls int64
	for _, g := range bd.Groups {
		calls += g.Calls
	}
	assert.Equal(t, int64(len(f.recs)), calls, "nothing lost in the folding")

	f.ok(t, Prefix+"breakdown?"+all+"&by=environment", &bd)
	byEnv := map[string]int64{}
	for _, g := range bd.Groups {
		byEnv[g.Key] = g.Calls
	}
	prod, _, _ := f.expected(func(r *usage.Record) bool { return r.Environment == "prod" })
	staging, _, _ := f.expected(func(r *usage.Record) bool { return r.Environment == "staging" })
	assert.Equal(t, map[string]int64{"prod": prod, "staging": staging}, byEnv)

	var c struct {
		Summary   aggregateJSON `json:"summary"`
		ByModel   []groupJSON   `json:"by_model"`
		By        string        `json:"by"`
		Groups    []groupJSON   `json:"groups"`
		Intervals intervalsJSON `json:"intervals"`
	}
	f.ok(t, Prefix+"cache?"+all+"&by=session_type", &c)
	assert.Equal(t, "session_type", c.By)
	assert.Equal(t, int64(len(f.recs)), c.Summary.Calls)
	assert.NotEmpty(t, c.ByModel)
	assert.Equal(t, "session_type", c.Intervals.By)
	assert.Positive(t, c.Intervals.Gaps)
	assert.LessOrEqual(t, c.Intervals.Within5m, c.Intervals.Within1h)
	var inBuckets int64
	for _, b := range c.Intervals.Buckets {
		inBuckets += b.Count
	}
	assert.Equal(t, c.Intervals.Gaps, inBuckets)
	assert.NotEmpty(t, c.Intervals.Suggestion)
}

func TestRecordsPagination(t *testing.T) {
	f := newFixture(t)
	type page struct {
		Total   int64        `json:"total"`
		Records []recordJSON `json:"records"`
	}
	var seen []string
	for off := 0; ; off += 100 {
		var p page
		f.ok(t, Prefix+"records?"+all+"&tenant=acme&limit=100&offset="+itoa(off), &p)
		var want int64
		for _, r := range f.recs {
			if r.Dims.Tenant == "acme" {
				want++
			}
		}
		assert.Equal(t, want, p.Total)
		for _, r := range p.Records {
			seen = append(seen, r.ID)
			assert.Equal(t, "acme", r.Tenant)
		}
		if len(p.Records) < 100 {
			break
		}
	}
	uniq := map[string]bool{}
	for _, id := range seen {
		uniq[id] = true
	}
	assert.Len(t, uniq, len(seen), "pages do not overlap")

	// records/{id} round-trips what was written.
	r := f.recs[6]
	require.NotEqual(t, r.Operation, r.RawOperation)
	var got recordJSON
	f.ok(t, Prefix+"records/"+r.ID(), &got)
	assert.Equal(t, toJSON(&r), got)
	assert.Equal(t, [2]string{r.Operation, r.RawOperation}, [2]string{got.Operation, got.RawOperation})

	resp, _ := f.do(t, http.MethodGet, Prefix+"records/1-00000000000000000000000000000001-0000000000000001", nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, body := f.do(t, http.MethodGet, Prefix+"records/nope", nil)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(body), "id:")

	// Free-text search.
	var p page
	f.ok(t, Prefix+"records?"+all+"&q=ALICE", &p)
	assert.Positive(t, p.Total)
	for _, r := range p.Records {
		assert.True(t, strings.EqualFold("alice@example.com", r.User), r.User)
	}
}

func itoa(n int) string { return strings.TrimSpace(strings.ReplaceAll(jsonNum(n), "\n", "")) }

func jsonNum(n int) string { b, _ := json.Marshal(n); return string(b) }

// Every bad parameter gets a 400 that names it.
func TestBadParameters(t *testing.T) {
	f := newFixture(t)
	for path, name := range map[string]string{
		"summary?from=yesterday":                              "from",
		"summary?from=2026-11-05&to=2026-11-01":               "from",
		"summary?from=2020-01-01&to=2026-01-01":               "range",
		"summary?colour=red":                                  "unknown parameter colour",
		"summary?status=free":                                 "status",
		"summary?user=a&user=b":                               "user: given 2 times",
		"timeseries?grain=minute":                             "grain",
		"timeseries?grain=hour&from=2026-01-01&to=2026-11-01": "grain",
		"timeseries?by=colour":                                "by",
		"breakdown":                                           "by: required",
		"breakdown?by=model&limit=0":                          "limit",
		"breakdown?by=model&limit=x":                          "limit",
		"records?limit=101":                                   "limit",
		"records?offset=-1":                                   "offset",
		"export?format=xml":                                   "format",
		"cache?by=colour":                                     "by",
		"records/" + f.recs[0].ID() + "?x=1":                  "unknown parameter x",
		// A query that does not parse is refused, not read without the
		// filter or the limit it carried.
		"summary?model=%ZZ":            "query string",
		"summary?model=a;x=1":          "query string",
		"records?limit=%ZZ":            "query string",
		"summary?q=%00":                "q: ",
		"records?user=a%01b":           "user: ",
		"summary?service=%FF%FE":       "service: ",
		"breakdown?by=model&model=%0A": "model: ",
	} {
		resp, body := f.do(t, http.MethodGet, Prefix+path, nil)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, path)
		var env envelope
		require.NoError(t, json.Unmarshal(body, &env), path)
		assert.Equal(t, "error", env.Status, path)
		assert.Equal(t, "bad_data", env.ErrorType, path)
		assert.Contains(t, env.Error, name, path)
	}
	resp, _ := f.do(t, http.MethodGet, "/api/v1/usage/nothing", nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = f.do(t, http.MethodPost, Prefix+"summary", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

func TestAuth(t *testing.T) {
	f := newFixture(t)
	for _, h := range []string{"", "Bearer", "Bearer wrong", "Basic " + token, "Bearer " + token + "x"} {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+Prefix+"summary", http.NoBody)
		if h != "" {
			req.Header.Set("Authorization", h)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, h)
		assert.Equal(t, `Bearer realm="genai_usage"`, resp.Header.Get("WWW-Authenticate"))
	}
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+Prefix+"summary", http.NoBody)
	req.Header.Set("Authorization", "bearer other")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "any configured token, scheme in any case")
}

// Export then import into an empty store gives the same totals; a second
// import inserts nothing.
func TestExportImport(t *testing.T) {
	f := newFixture(t)
	resp, body := f.do(t, http.MethodGet, Prefix+"export?format=json&"+all, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Disposition"), ".json")

	dst := openStore(t)
	srv2 := httptest.NewServer(New(dst, Options{Now: func() time.Time { return now }}))
	defer srv2.Close()
	for i, want := range []int{len(f.recs), 0} {
		r, err := http.Post(srv2.URL+Prefix+"import", "application/json", bytes.NewReader(body))
		require.NoError(t, err)
		var out struct {
			Data struct{ Records, Inserted int } `json:"data"`
		}
		require.NoError(t, json.NewDecoder(r.Body).Decode(&out))
		r.Body.Close()
		require.Equal(t, http.StatusOK, r.StatusCode)
		assert.Equal(t, len(f.recs), out.Data.Records, i)
		assert.Equal(t, want, out.Data.Inserted, i)
	}
	flt := store.Filter{From: storetest.Base, To: storetest.Base.Add(8 * 24 * time.Hour)}
	a, err := f.st.Summary(context.Background(), flt)
	require.NoError(t, err)
	b, err := dst.Summary(context.Background(), flt)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.Equal(t, exported(t, f.st, flt), exported(t, dst, flt), "every field of every record")

	// CSV: a header and one row per record, money as decimals.
	resp, body = f.do(t, http.MethodGet, Prefix+"export?format=csv&"+all, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/csv; charset=utf-8", resp.Header.Get("Content-Type"))
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, len(f.recs)+1)
	header := rows[0]
	for _, col := range []string{"trace_id", "span_id", "start_time", "service", "provider", "model", "input_tokens", "output_tokens", "cost", "currency"} {
		assert.Contains(t, header, col)
	}
	costCol := indexOf(header, "cost")
	ops := map[string][2]string{}
	for _, r := range f.recs {
		ops[r.ID()] = [2]string{r.Operation, r.RawOperation}
	}
	opCol, rawCol := indexOf(header, "operation"), indexOf(header, "raw_operation")
	var sum money.Nanos
	for _, row := range rows[1:] {
		assert.Equal(t, ops[row[0]], [2]string{row[opCol], row[rawCol]}, row[0])
		n, err := money.ParseDecimal(row[costCol])
		require.NoError(t, err)
		sum += n
	}
	var want money.Nanos
	for _, r := range f.recs {
		want += r.Cost
	}
	assert.Equal(t, want, sum)
}

// exported returns the records of st that f selects.
func exported(t *testing.T, st store.Store, f store.Filter) []usage.Record {
	var out []usage.Record
	require.NoError(t, st.Export(context.Background(), f, func(r *usage.Record) error {
		out = append(out, *r)
		return nil
	}))
	return out
}

// A record of an export made before records had a raw operation imports
// with none.
func TestImportWithoutRawOperation(t *testing.T) {
	st := openStore(t)
	srv := httptest.NewServer(New(st, Options{Now: func() time.Time { return now }}))
	defer srv.Close()
	rec := storetest.Records(78, 1, 1)[0]
	rec.Operation, rec.RawOperation = "acompletion", ""
	j, err := json.Marshal(toJSON(&rec))
	require.NoError(t, err)
	require.NotContains(t, string(j), "raw_operation")
	body := `{"format":"` + exportFormat + `","version":1,"records":[` + string(j) + `]}`
	r, err := http.Post(srv.URL+Prefix+"import", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	require.NoError(t, r.Body.Close())
	require.Equal(t, http.StatusOK, r.StatusCode)
	got, err := st.Record(context.Background(), rec.ID())
	require.NoError(t, err)
	assert.Equal(t, rec, got)
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func TestImportRejectsBadFiles(t *testing.T) {
	f := newFixture(t)
	i := slices.IndexFunc(f.recs, func(r usage.Record) bool { return r.CostSource == "local" && r.Cost > 0 })
	require.GreaterOrEqual(t, i, 0)
	good := toJSON(&f.recs[i])
	doc := func(recs ...any) string {
		b, _ := json.Marshal(map[string]any{"format": exportFormat, "version": 1, "records": recs})
		return string(b)
	}
	bad := func(mut func(*recordJSON)) recordJSON {
		r := good
		mut(&r)
		return r
	}
	for body, msg := range map[string]string{
		"not json": "not an export file",
		`{"format":"x","version":1,"records":[]}`:                               "format",
		`{"format":"` + exportFormat + `","version":1,"records":[],"extra":1}`:  "unknown field",
		doc(bad(func(r *recordJSON) { r.TraceID = "xyz" })):                     "records[0].trace_id",
		doc(good, bad(func(r *recordJSON) { r.Cost = "-1" })):                   "records[1].cost",
		doc(bad(func(r *recordJSON) { r.Cost = "0.0000000001" })):               "records[0].cost",
		doc(bad(func(r *recordJSON) { r.Tokens = map[string]int64{"wat": 1} })): "records[0].tokens.wat",
		doc(bad(func(r *recordJSON) { r.Status = "duplicate" })):                "records[0].status",
		doc(bad(func(r *recordJSON) { r.ID = "1-2-3" })):                        "records[0].id",
		doc(bad(func(r *recordJSON) { r.StartTime = "soon" })):                  "records[0].start_time",
		// What ingest would never store, import refuses too.
		doc(bad(func(r *recordJSON) { r.Service = strings.Repeat("s", 1<<20) })):                             "records[0].service: 1048576 bytes; at most 256",
		doc(bad(func(r *recordJSON) { r.User = strings.Repeat("u", 300) })):                                  "records[0].user: 300 bytes",
		doc(bad(func(r *recordJSON) { r.Currency = "XXXXXXXX' OR 1=1" })):                                    `records[0].currency: \"XXXXXXXX' OR 1=1\" is not an ISO 4217 code`,
		doc(bad(func(r *recordJSON) { r.Currency = "usd" })):                                                 "records[0].currency",
		doc(bad(func(r *recordJSON) { r.CostByMeter = map[string]string{"input": "99"} })):                   "records[0].cost_by_meter: the parts do not add up",
		doc(bad(func(r *recordJSON) { r.StartTime = "0001-01-01T00:00:00Z"; r.ID = "" })):                    "records[0].start_time: 0001-01-01T00:00:00Z is before 2000",
		doc(bad(func(r *recordJSON) { r.StartTime = "9999-01-01T00:00:00Z"; r.ID = "" })):                    "records[0].start_time: 9999-01-01T00:00:00Z",
		doc(bad(func(r *recordJSON) { r.TraceID = "00000000000000000000000000000000"; r.ID = "" })):          "records[0].trace_id: all zero",
		doc(good, good, bad(func(r *recordJSON) { r.ReportedCurrency = "EURO"; r.ReportedCost = ptr("1") })): "records[2].reported_currency",
	} {
		resp, b := f.do(t, http.MethodPost, Prefix+"import", strings.NewReader(body))
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
		assert.Contains(t, string(b), msg, body)
	}
	// Nothing of a rejected file is written.
	a, err := f.st.Summary(context.Background(), store.Filter{From: storetest.Base, To: now})
	require.NoError(t, err)
	assert.Equal(t, int64(len(f.recs)), a.Calls)

	small := httptest.NewServer(New(f.st, Options{MaxImportBytes: 100}))
	defer small.Close()
	r, err := http.Post(small.URL+Prefix+"import", "application/json", strings.NewReader(doc(good)))
	require.NoError(t, err)
	r.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.StatusCode)
}

// A store that fails answers 503 without its internals.
func TestStoreDown(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "usage.db"))
	require.NoError(t, err)
	require.NoError(t, st.Close())
	srv := httptest.NewServer(New(st, Options{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + Prefix + "summary?" + url.Values{"from": {"2026-11-01"}, "to": {"2026-11-02"}}.Encode())
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.NotContains(t, string(body), "sql")

	// An export whose store fails says so with a status, not a cut file.
	for _, format := range []string{"json", "csv"} {
		resp, err := http.Get(srv.URL + Prefix + "export?format=" + format + "&from=2026-11-01&to=2026-11-02")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, format)
	}
}

func TestRoutingEdges(t *testing.T) {
	f := newFixture(t)
	for path, code := range map[string]int{
		Prefix + "records/":    http.StatusNotFound,
		Prefix + "records/a/b": http.StatusNotFound,
		Prefix + "summary/x":   http.StatusNotFound,
	} {
		resp, _ := f.do(t, http.MethodGet, path, nil)
		assert.Equal(t, code, resp.StatusCode, path)
	}
	resp, _ := f.do(t, http.MethodDelete, Prefix+"records/abc", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	resp, _ = f.do(t, http.MethodGet, Prefix+"import", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, http.MethodPost, resp.Header.Get("Allow"))

	// The default page size never exceeds the configured maximum.
	small := httptest.NewServer(New(f.st, Options{MaxPageSize: 10, Now: func() time.Time { return now }}))
	defer small.Close()
	r, err := http.Get(small.URL + Prefix + "records?" + all)
	require.NoError(t, err)
	var p struct {
		Data struct {
			Limit   int          `json:"limit"`
			Records []recordJSON `json:"records"`
		} `json:"data"`
	}
	require.NoError(t, json.NewDecoder(r.Body).Decode(&p))
	r.Body.Close()
	assert.Equal(t, 10, p.Data.Limit)
	assert.Len(t, p.Data.Records, 10)

	// Export file names and ranges are UTC whatever the clock's zone.
	east := time.FixedZone("east", 3*3600)
	srv := httptest.NewServer(New(f.st, Options{Now: func() time.Time { return time.Date(2026, 11, 3, 3, 0, 0, 0, east) }}))
	defer srv.Close()
	r, err = http.Get(srv.URL + Prefix + "export?from=2026-11-02")
	require.NoError(t, err)
	r.Body.Close()
	assert.Contains(t, r.Header.Get("Content-Disposition"), "20261102T000000Z-20261103T000000Z")
}

func TestHeatmapTokensAreThePromptAndTheOutput(t *testing.T) {
	f := newFixture(t)
	var hm struct {
		Days []dayJSON `json:"days"`
	}
	f.ok(t, Prefix+"heatmap?from=2026-11-01&to=2026-11-08", &hm)
	want := map[string]int64{}
	for i := range f.recs {
		r := &f.recs[i]
		want[r.Start.Format(time.DateOnly)] += r.Tokens[meter.Input] + r.Tokens[meter.CacheRead] + r.Tokens[meter.CacheWrite5m] + r.Tokens[meter.CacheWrite1h] + r.Tokens[meter.Output]
	}
	require.Len(t, hm.Days, 7)
	for _, d := range hm.Days {
		assert.Equal(t, want[d.Date], d.Tokens, d.Date)
	}
}

// Without from and to, a range is the last 30 whole UTC days, today
// included, which the day rollups answer alone.
func TestDefaultRangeIsThirtyWholeDays(t *testing.T) {
	f := newFixture(t)
	at := time.Date(2026, 11, 3, 13, 25, 0, 0, time.UTC)
	srv := httptest.NewServer(New(f.st, Options{Now: func() time.Time { return at }}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + Prefix + "summary")
	require.NoError(t, err)
	defer resp.Body.Close()
	var sum struct {
		Data struct {
			From, To time.Time
			Calls    int64
		} `json:"data"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&sum))
	assert.Equal(t, time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC), sum.Data.From)
	assert.Equal(t, time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC), sum.Data.To)
	var want int64
	for i := range f.recs {
		if f.recs[i].Start.Before(sum.Data.To) {
			want++
		}
	}
	assert.Equal(t, want, sum.Data.Calls, "every call of today so far, and none after")
}

func ptr[T any](v T) *T { return &v }

// genExport is an export file of n records, generated as it is read, so
// that the test holds none of it.
type genExport struct {
	n, i int
	buf  bytes.Buffer
	tmpl recordJSON
}

func (g *genExport) Read(p []byte) (int, error) {
	for g.buf.Len() < len(p) && g.i <= g.n {
		switch g.i {
		case 0:
			g.buf.WriteString(`{"format":"` + exportFormat + `","version":1,"records":[`)
		case g.n:
			g.buf.WriteString(`]}`)
		default:
			r := g.tmpl
			r.ID, r.TraceID = "", fmt.Sprintf("%032x", 1<<40+g.i)
			b, err := json.Marshal(&r)
			if err != nil {
				return 0, err
			}
			if g.i > 1 {
				g.buf.WriteByte(',')
			}
			g.buf.Write(b)
		}
		g.i++
	}
	if g.buf.Len() == 0 {
		return 0, io.EOF
	}
	return g.buf.Read(p)
}

// An import is read as a stream: the heap grows by a batch, not by the
// file (a 135 MB file once took a 1.3 GB peak).
func TestImportStreams(t *testing.T) {
	f := newFixture(t)
	tmpl := toJSON(&f.recs[0])
	const n = 60_000 // about 60 MB of JSON
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	}()
	big := httptest.NewServer(New(f.st, Options{MaxImportBytes: 1 << 30, Now: func() time.Time { return now }}))
	defer big.Close()
	resp, err := http.Post(big.URL+Prefix+"import", "application/json", &genExport{n: n + 1, tmpl: tmpl})
	close(done)
	<-sampled
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Contains(t, string(body), fmt.Sprintf(`"records":%d`, n))
	grew := int64(peak.Load()) - int64(before.HeapInuse)
	t.Logf("heap in use grew by at most %d MiB importing %d records", grew>>20, n)
	assert.Less(t, grew, int64(40<<20), "the heap holds a batch, not the file")
}
