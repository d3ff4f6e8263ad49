// Package budgetstest is the budget suite every usage store backend runs
// (as storetest is the store's contract): records written at known times
// into a real store, budgets over them, and their statuses, checks and
// gauges read through the real API handler and the real metrics handler,
// with the clock injected.
package budgetstest

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/api"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/budgets"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/metrics"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/budget"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// Open returns an empty store, closed when the test ends.
type Open func(t *testing.T) store.Store

// Run runs the suite on stores from open.
func Run(t *testing.T, open Open) {
	t.Run("DayAcrossDST", func(t *testing.T) { testDayAcrossDST(t, open(t)) })
	t.Run("MonthOtherCurrencyUnpriced", func(t *testing.T) { testMonth(t, open(t)) })
	t.Run("Rolling", func(t *testing.T) { testRolling(t, open(t)) })
	t.Run("EachUser", func(t *testing.T) { testEachUser(t, open(t)) })
	t.Run("Check", func(t *testing.T) { testCheck(t, open(t)) })
	t.Run("Environment", func(t *testing.T) { testEnvironment(t, open(t)) })
	t.Run("BadRequests", func(t *testing.T) { testBadRequests(t, open(t)) })
	t.Run("Gauges", func(t *testing.T) { testGauges(t, open(t)) })
}

var ctx = context.Background()

// call is a record to write.
type call struct {
	at       string // RFC 3339
	cost     string // a decimal amount; "" for an unpriced call
	currency string
	user     string
	tenant   string
	model    string
	env      string
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return at
}

// write stores the calls, each with its own trace.
func write(t *testing.T, s store.Store, calls ...call) {
	t.Helper()
	recs := make([]usage.Record, len(calls))
	for i, c := range calls {
		r := &recs[i]
		r.Start = mustTime(t, c.at)
		r.Provider, r.Model, r.RequestModel, r.Service = "openai", "gpt-4o", "gpt-4o", "web"
		if c.model != "" {
			r.Model, r.RequestModel = c.model, c.model
		}
		r.Operation, r.RawOperation = "chat", "chat"
		r.Dims.User, r.Dims.Tenant = c.user, c.tenant
		r.Environment = c.env
		r.Status = "unpriced"
		if c.cost != "" {
			n, err := money.ParseDecimal(c.cost)
			require.NoError(t, err)
			r.Status, r.Cost, r.Currency, r.CostSource = "priced", n, c.currency, "local"
		}
		binary.BigEndian.PutUint64(r.TraceID[:8], uint64(time.Now().UnixNano()))
		binary.BigEndian.PutUint64(r.TraceID[8:], uint64(i)+1)
		binary.BigEndian.PutUint64(r.SpanID[:], uint64(i)+1)
	}
	n, err := s.Write(ctx, recs, nil)
	require.NoError(t, err)
	require.Equal(t, len(recs), n)
}

func compile(t *testing.T, specs ...budget.Spec) budgets.Static {
	t.Helper()
	bs, err := budgets.Compile(specs)
	require.NoError(t, err)
	return bs
}

// server is the real API handler over s with the budgets, at now.
func server(t *testing.T, s store.Store, bs budgets.Static, top int, now time.Time) *httptest.Server {
	t.Helper()
	h := api.New(s, api.Options{Budgets: budgets.New(s, bs, top), Now: func() time.Time { return now }})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// get answers the data of a 200, or fails.
func get(t *testing.T, srv *httptest.Server, path string) map[string]any {
	t.Helper()
	code, env := request(t, srv, path)
	require.Equal(t, http.StatusOK, code, "%s: %v", path, env)
	data, ok := env["data"].(map[string]any)
	require.True(t, ok, "%s: %v", path, env)
	return data
}

func request(t *testing.T, srv *httptest.Server, path string) (code int, env map[string]any) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.NoError(t, json.Unmarshal(b, &env), string(b))
	return resp.StatusCode, env
}

// forecasts are the projected amounts and crossings a status shows, by
// method.
func forecasts(t *testing.T, st map[string]any) map[string][2]any {
	t.Helper()
	out := map[string][2]any{}
	fs, ok := st["forecasts"].([]any)
	require.True(t, ok, "%v", st)
	for _, f := range fs {
		m := f.(map[string]any)
		out[m["method"].(string)] = [2]any{m["projected"], m["crossing"]}
	}
	return out
}

// want is the status's forecasts computed by internal/budget from the
// amounts the store should have read: the suite checks the reading, the
// arithmetic is internal/budget's own tests'.
func want(t *testing.T, b *budget.Budget, now time.Time, spent, last24h string) map[string][2]any {
	t.Helper()
	start, end := b.Window(now)
	sp, err := money.ParseDecimal(spent)
	require.NoError(t, err)
	l24, err := money.ParseDecimal(last24h)
	require.NoError(t, err)
	st := b.Status(budget.Input{Start: start, End: end, Now: now, Spent: sp, Last24h: l24})
	out := map[string][2]any{}
	for _, f := range st.Forecasts {
		var crossing any
		if f.Crosses() {
			crossing = f.Crossing.UTC().Format(time.RFC3339Nano)
		}
		out[f.Method] = [2]any{f.Projected.String(), crossing}
	}
	return out
}

// testDayAcrossDST: a day budget in New York on the day DST ends (25
// hours, 04:00 to 05:00 UTC the next day) counts the call at 04:30 UTC on
// the next UTC day, and neither the call a millisecond before its start
// nor the one at its end.
func testDayAcrossDST(t *testing.T, s store.Store) {
	write(t, s,
		call{at: "2026-11-01T03:59:59.999Z", cost: "1", currency: "USD"}, // Oct 31, 23:59:59.999 EDT
		call{at: "2026-11-01T04:00:00Z", cost: "2.25", currency: "USD"},  // Nov 1, 00:00 EDT
		call{at: "2026-11-01T16:00:00Z", cost: "0.5", currency: "USD"},   // in the last 24 hours
		call{at: "2026-11-02T04:30:00Z", cost: "1.125", currency: "USD"}, // Nov 1, 23:30 EST: the 25th hour
		call{at: "2026-11-02T05:00:00Z", cost: "7", currency: "USD"},     // Nov 2, 00:00 EST
		call{at: "2026-11-02T04:50:00Z", cost: "20", currency: "USD"},    // after now, in the window: not spent yet
		call{at: "2026-11-01T12:00:00Z", cost: "100", currency: "EUR"},   // another currency
		call{at: "2026-11-01T12:00:00Z", cost: "3", currency: "USD", model: "other"},
	)
	now := mustTime(t, "2026-11-02T04:45:00Z")
	bs := compile(t, budget.Spec{ID: "ny-day", Scope: budget.Scope{Model: "gpt-4o"}, Period: budget.Period{Kind: budget.Day, TimeZone: "America/New_York"}, Limit: "10", Currency: "USD"})
	srv := server(t, s, bs, 0, now)

	st := get(t, srv, "/api/v1/budgets/ny-day")
	assert.Equal(t, map[string]any{"start": "2026-11-01T04:00:00Z", "end": "2026-11-02T05:00:00Z"}, st["window"])
	assert.Equal(t, "3.875", st["spent"])
	assert.Equal(t, "6.125", st["remaining"])
	assert.Equal(t, "0.387500", st["ratio"])
	assert.Equal(t, []any{}, st["thresholds_crossed"])
	assert.Equal(t, float64(0), st["unpriced_calls"])
	assert.Equal(t, "2026-11-02T04:45:00Z", st["now"])
	assert.Equal(t, want(t, bs[0], now, "3.875", "1.625"), forecasts(t, st))
	assert.Equal(t, "spent 3.875 USD of 10 USD", st["summary"])

	list := get(t, srv, "/api/v1/budgets")
	require.Len(t, list["budgets"], 1)
	assert.Equal(t, st, list["budgets"].([]any)[0])
}

// testMonth: a month in Berlin, with a call of the last hour of October
// in Berlin left out, a EUR call left out of a USD budget, and unpriced
// calls reported as such, never as zero.
func testMonth(t *testing.T, s store.Store) {
	write(t, s,
		call{at: "2026-10-31T22:59:59Z", cost: "100", currency: "USD"}, // Oct 31, 23:59:59 CET
		call{at: "2026-10-31T23:30:00Z", cost: "10", currency: "USD"},  // Nov 1, 00:30 CET
		call{at: "2026-11-10T12:00:00Z", cost: "20", currency: "USD"},
		call{at: "2026-11-15T12:00:00Z", cost: "50", currency: "EUR"},
		call{at: "2026-11-12T08:00:00Z"}, // unpriced
		call{at: "2026-11-20T11:00:00Z"}, // unpriced
		call{at: "2026-11-20T11:00:00Z", cost: "5", currency: "USD"},
	)
	now := mustTime(t, "2026-11-20T12:00:00Z")
	bs := compile(t,
		budget.Spec{ID: "month", Period: budget.Period{Kind: budget.Month, TimeZone: "Europe/Berlin"}, Limit: "100", Currency: "USD", Thresholds: []int{30, 100}},
		budget.Spec{ID: "month-eur", Period: budget.Period{Kind: budget.Month, TimeZone: "Europe/Berlin"}, Limit: "40", Currency: "EUR"},
	)
	srv := server(t, s, bs, 0, now)
	st := get(t, srv, "/api/v1/budgets/month")
	assert.Equal(t, map[string]any{"start": "2026-10-31T23:00:00Z", "end": "2026-11-30T23:00:00Z"}, st["window"])
	assert.Equal(t, "35", st["spent"])
	assert.Equal(t, "0.350000", st["ratio"])
	assert.Equal(t, []any{float64(30)}, st["thresholds_crossed"])
	assert.Equal(t, float64(2), st["unpriced_calls"])
	assert.Equal(t, "spent at least 35 USD of 100 USD, and 2 calls that could not be priced", st["summary"])
	assert.Equal(t, want(t, bs[0], now, "35", "5"), forecasts(t, st))

	eur := get(t, srv, "/api/v1/budgets/month-eur")
	assert.Equal(t, "50", eur["spent"])
	assert.Equal(t, "-10", eur["remaining"])
	assert.Equal(t, true, eur["exhausted"])
	assert.Equal(t, []any{float64(50), float64(80), float64(100)}, eur["thresholds_crossed"])
	for _, f := range eur["forecasts"].([]any) {
		assert.Equal(t, "2026-11-20T12:00:00Z", f.(map[string]any)["crossing"], "already crossed: now")
	}
}

// testRolling: the 7 × 24 hours ending now, bounds to the millisecond.
func testRolling(t *testing.T, s store.Store) {
	write(t, s,
		call{at: "2026-11-13T12:00:00.499Z", cost: "0.1", currency: "USD"},
		call{at: "2026-11-13T12:00:00.5Z", cost: "0.2", currency: "USD"},
		call{at: "2026-11-20T11:59:00Z", cost: "0.3", currency: "USD"},
		call{at: "2026-11-20T12:01:00Z", cost: "0.4", currency: "USD"}, // after now
	)
	now := mustTime(t, "2026-11-20T12:00:00.5Z")
	bs := compile(t, budget.Spec{ID: "week", Period: budget.Period{Kind: budget.Rolling, Days: 7}, Limit: "1", Currency: "USD"})
	st := get(t, server(t, s, bs, 0, now), "/api/v1/budgets/week")
	assert.Equal(t, map[string]any{"start": "2026-11-13T12:00:00.5Z", "end": "2026-11-20T12:00:00.5Z"}, st["window"])
	assert.Equal(t, "0.5", st["spent"])
	assert.Equal(t, want(t, bs[0], now, "0.5", "0.3"), forecasts(t, st))
}

// eachUserCalls: on Nov 20 (UTC), u2 spent 6 USD, u1 3, u3 1 (and 10 EUR,
// which the ranking in USD ignores), calls without a user 9; u1 spent 4
// the day before; u1 has an unpriced call.
var eachUserCalls = []call{
	{at: "2026-11-20T01:00:00Z", cost: "3", currency: "USD", user: "u1", tenant: "acme"},
	{at: "2026-11-20T02:00:00Z", cost: "4", currency: "USD", user: "u2", tenant: "acme"},
	{at: "2026-11-20T17:00:00Z", cost: "2", currency: "USD", user: "u2", tenant: "acme"},
	{at: "2026-11-20T03:00:00Z", cost: "1", currency: "USD", user: "u3", tenant: "globex"},
	{at: "2026-11-20T03:00:00Z", cost: "10", currency: "EUR", user: "u3", tenant: "globex"},
	{at: "2026-11-20T04:00:00Z", cost: "9", currency: "USD", tenant: "acme"},
	{at: "2026-11-19T12:00:00Z", cost: "4", currency: "USD", user: "u1", tenant: "acme"},
	{at: "2026-11-20T05:00:00Z", user: "u1", tenant: "acme"}, // unpriced
}

var eachUser = budget.Spec{ID: "each-user", Scope: budget.Scope{Each: "user"}, Period: budget.Period{Kind: budget.Day}, Limit: "5", Currency: "USD", Enforce: true}

// testEachUser: the top values by ratio in the budget's currency, and
// how many are left out.
func testEachUser(t *testing.T, s store.Store) {
	write(t, s, eachUserCalls...)
	now := mustTime(t, "2026-11-20T18:00:00Z")
	bs := compile(t, eachUser)
	st := get(t, server(t, s, bs, 2, now), "/api/v1/budgets/each-user")
	assert.NotContains(t, st, "spent", "an each-budget has no spend of its own")
	assert.Equal(t, float64(1), st["more_values"], "u3")
	assert.Equal(t, float64(1), st["all_unpriced_calls"])
	vals, ok := st["values"].([]any)
	require.True(t, ok, "%v", st)
	require.Len(t, vals, 2)
	u2, u1 := vals[0].(map[string]any), vals[1].(map[string]any)
	assert.Equal(t, "u2", u2["value"])
	assert.Equal(t, "6", u2["spent"])
	assert.Equal(t, "-1", u2["remaining"])
	assert.Equal(t, "1.200000", u2["ratio"])
	assert.Equal(t, true, u2["exhausted"])
	assert.Equal(t, float64(0), u2["unpriced_calls"])
	assert.Equal(t, want(t, bs[0], now, "6", "6"), forecasts(t, u2))
	assert.Equal(t, "u1", u1["value"])
	assert.Equal(t, "3", u1["spent"])
	assert.Equal(t, []any{float64(50)}, u1["thresholds_crossed"])
	assert.Equal(t, float64(1), u1["unpriced_calls"], "u1's unpriced call, in its own status")
	assert.Equal(t, "spent at least 3 USD of 5 USD, and 1 call that could not be priced", u1["summary"])
	// u1's 4 USD of the day before, at 12:00, are neither spent today nor in the last 24 hours.
	assert.Equal(t, want(t, bs[0], now, "3", "3"), forecasts(t, u1))

	// Tenants: acme 18 USD, globex 1; no call lacks a tenant.
	tenants := compile(t, budget.Spec{ID: "each-tenant", Scope: budget.Scope{Each: "tenant"}, Period: budget.Period{Kind: budget.Day}, Limit: "5", Currency: "USD"})
	one := get(t, server(t, s, tenants, 1, now), "/api/v1/budgets/each-tenant")
	require.Len(t, one["values"], 1)
	assert.Equal(t, "acme", one["values"].([]any)[0].(map[string]any)["value"])
	assert.Equal(t, float64(1), one["more_values"], "globex")

	all := get(t, server(t, s, bs, 20, now), "/api/v1/budgets/each-user")
	require.Len(t, all["values"], 3)
	assert.Equal(t, "u3", all["values"].([]any)[2].(map[string]any)["value"])
	assert.Equal(t, "1", all["values"].([]any)[2].(map[string]any)["spent"], "USD only")
	assert.Equal(t, float64(0), all["more_values"])
}

// testCheck: the budgets in force for a subject, most specific first,
// the tightest remaining per currency, and allowed false once an enforced
// budget is exhausted.
func testCheck(t *testing.T, s store.Store) {
	write(t, s, eachUserCalls...)
	now := mustTime(t, "2026-11-20T18:00:00Z")
	bs := compile(t, eachUser,
		budget.Spec{ID: "acme", Scope: budget.Scope{Dimensions: map[string]string{"tenant": "acme"}}, Period: budget.Period{Kind: budget.Day}, Limit: "100", Currency: "USD"},
		budget.Spec{ID: "everything", Period: budget.Period{Kind: budget.Day}, Limit: "1000", Currency: "USD"},
		budget.Spec{ID: "eur", Period: budget.Period{Kind: budget.Day}, Limit: "12", Currency: "EUR", Enforce: true},
		budget.Spec{ID: "gpt-4o-mini", Scope: budget.Scope{Model: "gpt-4o-mini"}, Period: budget.Period{Kind: budget.Day}, Limit: "1", Currency: "USD", Enforce: true},
	)
	srv := server(t, s, bs, 0, now)

	type line struct{ ID, Value, Spent, Remaining string }
	lines := func(d map[string]any) []line {
		var out []line
		for _, l := range d["budgets"].([]any) {
			m := l.(map[string]any)
			v, _ := m["value"].(string)
			out = append(out, line{m["id"].(string), v, m["spent"].(string), m["remaining"].(string)})
		}
		return out
	}

	d := get(t, srv, "/api/v1/budgets/check?user=u2&tenant=acme")
	assert.Equal(t, false, d["allowed"], "u2 spent 6 of an enforced 5")
	assert.Equal(t, []line{
		{"acme", "", "18", "82"}, {"each-user", "u2", "6", "-1"}, {"eur", "", "10", "2"}, {"everything", "", "19", "981"},
	}, lines(d))
	assert.Equal(t, []any{
		map[string]any{"currency": "EUR", "budget": "eur", "remaining": "2"},
		map[string]any{"currency": "USD", "budget": "each-user", "value": "u2", "remaining": "-1"},
	}, d["tightest"])
	first := d["budgets"].([]any)[1].(map[string]any)
	assert.Equal(t, true, first["exhausted"])
	assert.Equal(t, true, first["enforce"])
	assert.Equal(t, map[string]any{"start": "2026-11-20T00:00:00Z", "end": "2026-11-21T00:00:00Z"}, first["window"])

	d = get(t, srv, "/api/v1/budgets/check?user=u1&tenant=acme")
	assert.Equal(t, true, d["allowed"])
	assert.Equal(t, float64(1), d["budgets"].([]any)[1].(map[string]any)["unpriced_calls"])
	assert.Equal(t, map[string]any{"currency": "USD", "budget": "each-user", "value": "u1", "remaining": "2"}, d["tightest"].([]any)[1])

	// A model is a fixed value: its budget applies only when it is given.
	d = get(t, srv, "/api/v1/budgets/check?model=gpt-4o-mini")
	assert.Equal(t, true, d["allowed"], "nothing spent on gpt-4o-mini")
	assert.Equal(t, []line{{"gpt-4o-mini", "", "0", "1"}, {"eur", "", "10", "2"}, {"everything", "", "19", "981"}}, lines(d))

	d = get(t, srv, "/api/v1/budgets/check")
	assert.Equal(t, []line{{"eur", "", "10", "2"}, {"everything", "", "19", "981"}}, lines(d))
}

// testEnvironment: a budget scoped by the deployment environment counts
// that environment's calls only, alone (from the rollups) and with a
// dimension (from the records), and applies to a subject of it.
func testEnvironment(t *testing.T, s store.Store) {
	write(t, s,
		call{at: "2026-11-20T09:00:00Z", cost: "4", currency: "USD", env: "prod", user: "u1"},
		call{at: "2026-11-20T10:00:00Z", cost: "2.5", currency: "USD", env: "prod", user: "u2"},
		call{at: "2026-11-20T10:30:00Z", env: "prod", user: "u1"}, // unpriced
		call{at: "2026-11-20T11:00:00Z", cost: "7", currency: "USD", env: "staging", user: "u1"},
		call{at: "2026-11-20T11:00:00Z", cost: "1", currency: "USD", user: "u1"},
	)
	now := mustTime(t, "2026-11-20T18:00:00Z")
	prod := budget.Spec{ID: "prod", Scope: budget.Scope{Environment: "prod"}, Period: budget.Period{Kind: budget.Day}, Limit: "10", Currency: "USD", Enforce: true}
	prodUsers := budget.Spec{ID: "prod-users", Scope: budget.Scope{Environment: "prod", Each: "user"}, Period: budget.Period{Kind: budget.Day}, Limit: "5", Currency: "USD"}
	srv := server(t, s, compile(t, prod, prodUsers), 0, now)

	st := get(t, srv, "/api/v1/budgets/prod")
	assert.Equal(t, "6.5", st["spent"])
	assert.Equal(t, "3.5", st["remaining"])
	assert.Equal(t, float64(1), st["unpriced_calls"])
	each := get(t, srv, "/api/v1/budgets/prod-users")
	vals, ok := each["values"].([]any)
	require.True(t, ok, "%v", each)
	require.Len(t, vals, 2)
	assert.Equal(t, []any{"u1", "4"}, []any{vals[0].(map[string]any)["value"], vals[0].(map[string]any)["spent"]}, "u1's prod calls only")
	assert.Equal(t, []any{"u2", "2.5"}, []any{vals[1].(map[string]any)["value"], vals[1].(map[string]any)["spent"]})

	ids := func(d map[string]any) []string {
		var out []string
		for _, l := range d["budgets"].([]any) {
			out = append(out, l.(map[string]any)["id"].(string))
		}
		return out
	}
	d := get(t, srv, "/api/v1/budgets/check?environment=prod&user=u1")
	assert.Equal(t, []string{"prod-users", "prod"}, ids(d))
	assert.Equal(t, true, d["allowed"])
	d = get(t, srv, "/api/v1/budgets/check?environment=staging&user=u1")
	assert.Empty(t, d["budgets"], "no budget of staging")
}

// testBadRequests: 400s name the parameter, an unknown budget is a 404.
func testBadRequests(t *testing.T, s store.Store) {
	now := mustTime(t, "2026-11-20T18:00:00Z")
	srv := server(t, s, compile(t, eachUser), 0, now)
	for path, wantErr := range map[string]string{
		"/api/v1/budgets/check?colour=red":       "unknown parameter colour",
		"/api/v1/budgets/check?user=a&user=b":    "user: given 2 times",
		"/api/v1/budgets?limit=3":                "unknown parameter limit",
		"/api/v1/budgets/each-user?from=2026-11": "unknown parameter from",
	} {
		code, env := request(t, srv, path)
		assert.Equal(t, http.StatusBadRequest, code, path)
		assert.Contains(t, env["error"], wantErr, path)
	}
	code, env := request(t, srv, "/api/v1/budgets/no-such-budget")
	assert.Equal(t, http.StatusNotFound, code)
	assert.Equal(t, "id: no budget with this id", env["error"])
}

// testGauges: the gauges as the metrics handler serves them, after a
// refresh: every budget without each, the values of an each-budget over
// its lowest threshold only.
func testGauges(t *testing.T, s store.Store) {
	write(t, s, eachUserCalls...)
	now := mustTime(t, "2026-11-20T18:00:00Z")
	bs := compile(t,
		budget.Spec{ID: "each-user", Scope: budget.Scope{Each: "user"}, Period: budget.Period{Kind: budget.Day}, Limit: "5", Currency: "USD", Thresholds: []int{50, 100}},
		budget.Spec{ID: "acme", Scope: budget.Scope{Dimensions: map[string]string{"tenant": "acme"}}, Period: budget.Period{Kind: budget.Day}, Limit: "100", Currency: "USD"},
	)
	m, err := metrics.New(metrics.Config{CardinalityLimit: 100})
	require.NoError(t, err)
	samples, err := budgets.New(s, bs, 0).Samples(ctx, now, 100)
	require.NoError(t, err)
	m.SetBudgets(samples)
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + "/metrics")
	require.NoError(t, err)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())

	gauges := func(name string) map[string]float64 {
		out := map[string]float64{}
		fam := fams[name]
		require.NotNil(t, fam, name)
		for _, mt := range fam.GetMetric() {
			out[labels(mt)] = mt.GetGauge().GetValue()
		}
		return out
	}
	assert.Equal(t, map[string]float64{
		"budget=acme,currency=USD,value=":        18,
		"budget=each-user,currency=USD,value=u2": 6,
		"budget=each-user,currency=USD,value=u1": 3,
	}, gauges("genai_usage_budget_spent"), "u3 (1 of 5) is below the lowest threshold")
	assert.Equal(t, map[string]float64{
		"budget=acme,currency=USD,value=":        100,
		"budget=each-user,currency=USD,value=u2": 5,
		"budget=each-user,currency=USD,value=u1": 5,
	}, gauges("genai_usage_budget_limit"))
	assert.Equal(t, map[string]float64{
		"budget=acme,currency=USD,value=":        0.18,
		"budget=each-user,currency=USD,value=u2": 1.2,
		"budget=each-user,currency=USD,value=u1": 0.6,
	}, gauges("genai_usage_budget_ratio"))
	fc := gauges("genai_usage_budget_forecast")
	require.Len(t, fc, 6)
	w := want(t, bs[1], now, "18", "18")
	for _, method := range []string{budget.PeriodRunRate, budget.Last24hRunRate} {
		n, err := money.ParseDecimal(w[method][0].(string))
		require.NoError(t, err)
		assert.Equal(t, n.Float64(), fc["budget=acme,currency=USD,method="+method+",value="], method)
	}
}

// labels formats a series' labels as name=value, sorted by name.
func labels(m *dto.Metric) string {
	var parts []string
	for _, l := range m.GetLabel() {
		parts = append(parts, l.GetName()+"="+l.GetValue())
	}
	return strings.Join(parts, ",")
}
