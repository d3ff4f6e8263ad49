// Package apitest runs the budget change routes of the usage API over
// real HTTP and real stores, for each backend's tests.
package apitest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/api"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/budgets"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/budget"
)

// Tokens of the servers Serve starts.
const (
	ReadToken  = "read-token"
	AdminToken = "admin-token"
	// AnonAdmin is an admin token without a name: its actor is its
	// fingerprint.
	AnonAdmin = "anonymous-admin-token"
)

// Now is the servers' clock.
var Now = time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC)

// Configured are the servers' configured budgets: "config-daily".
func Configured(t *testing.T) budgets.Static {
	t.Helper()
	bs, err := budgets.Compile([]budget.Spec{{ID: "config-daily", Period: budget.Period{Kind: budget.Day}, Limit: "10", Currency: "USD"}})
	require.NoError(t, err)
	return bs
}

// Serve starts an API server over s, with the configured budgets, a read
// token and the admin tokens ("alice" and an unnamed one).
func Serve(t *testing.T, s store.Store) *Client {
	t.Helper()
	svc := budgets.New(s, &budgets.Managed{Config: Configured(t), Store: s}, 0)
	srv := httptest.NewServer(api.New(s, api.Options{
		BearerTokens: []string{ReadToken},
		AdminTokens:  []api.AdminToken{{Name: "alice", Token: AdminToken}, {Token: AnonAdmin}},
		Budgets:      svc,
		Now:          func() time.Time { return Now },
	}))
	t.Cleanup(srv.Close)
	return &Client{URL: srv.URL + api.BudgetsRoot + "budgets"}
}

// Client calls the budget routes.
type Client struct{ URL string }

// Answer is a decoded answer.
type Answer struct {
	Code      int
	Header    http.Header
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      json.RawMessage
}

// Do calls method on the budgets route with path (after /budgets) and
// body, as token ("" for none), with extra headers in pairs.
func (c *Client) Do(t *testing.T, method, path, token, body string, headers ...string) Answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequest(method, c.URL+path, rd)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := Answer{Code: resp.StatusCode, Header: resp.Header}
	require.NoError(t, json.Unmarshal(b, &a), string(b))
	return a
}

// Spec is a budget of id as JSON, limit and time zone given.
func Spec(id, limit, tz string) string {
	return `{"id":"` + id + `","scope":{"each":"user"},"period":{"kind":"day","time_zone":"` + tz + `"},"limit":"` + limit + `","currency":"USD"}`
}

// StatusOf reads one budget's status through c: its origin, version and
// limit; code 404 if unknown.
func StatusOf(t *testing.T, c *Client, id string) (code int, origin string, version int64, limit, note string) {
	t.Helper()
	a := c.Do(t, http.MethodGet, "/"+id, ReadToken, "")
	if a.Code != http.StatusOK {
		return a.Code, "", 0, "", ""
	}
	var st struct {
		Origin  string      `json:"origin"`
		Version int64       `json:"version"`
		Note    string      `json:"note"`
		Budget  budget.Spec `json:"budget"`
	}
	require.NoError(t, json.Unmarshal(a.Data, &st))
	return a.Code, st.Origin, st.Version, st.Budget.Limit, st.Note
}

// RunChanges runs the budget changes over the servers of a and b, two
// handles on one database (or one store twice): what one changes, the
// other answers.
func RunChanges(t *testing.T, a, b store.Store) {
	ca, cb := Serve(t, a), Serve(t, b)

	// Authorization.
	for _, tc := range []struct {
		name, token string
		code        int
		errorType   string
	}{
		{"no token", "", http.StatusUnauthorized, "unauthorized"},
		{"wrong token", "nope", http.StatusUnauthorized, "unauthorized"},
		{"read token", ReadToken, http.StatusForbidden, "forbidden"},
	} {
		ans := ca.Do(t, http.MethodPost, "", tc.token, Spec("u-daily", "5", "UTC"))
		assert.Equal(t, tc.code, ans.Code, "%s: %s", tc.name, ans.Error)
		assert.Equal(t, tc.errorType, ans.ErrorType, tc.name)
		for _, r := range []struct{ method, path string }{{http.MethodPut, "/u-daily"}, {http.MethodDelete, "/u-daily"}, {http.MethodGet, "/audit"}} {
			ans := ca.Do(t, r.method, r.path, tc.token, Spec("u-daily", "5", "UTC"))
			assert.Equal(t, tc.code, ans.Code, "%s %s, %s: %s", r.method, r.path, tc.name, ans.Error)
		}
	}
	ans := ca.Do(t, http.MethodPost, "", ReadToken, Spec("u-daily", "5", "UTC"))
	assert.Contains(t, ans.Error, "api.admin_bearer_tokens")

	// Bad specs: 400 naming the field.
	for body, field := range map[string]string{
		Spec("u-daily", "-5", "UTC"):      `limit: "-5" is negative`,
		Spec("u-daily", "5", "Mars/Base"): `period.time_zone: "Mars/Base" is not an IANA time zone`,
		`{"id":"x","scope":{"each":"colour"},"period":{"kind":"day"},"limit":"5","currency":"USD"}`: `scope.each: "colour" is not a dimension`,
		`{"id":"x","period":{"kind":"day"},"limit":"5","currency":"USD","colour":1}`:                `unknown field "colour"`,
		Spec("audit", "5", "UTC"): `id: "audit" is reserved`,
	} {
		ans := ca.Do(t, http.MethodPost, "", AdminToken, body)
		assert.Equal(t, http.StatusBadRequest, ans.Code, body)
		assert.Contains(t, ans.Error, field, body)
	}
	ans = ca.Do(t, http.MethodPost, "", AdminToken, `{"id":"x","scope":{"dimensions":{"colour":"red"}},"period":{"kind":"day"},"limit":"5","currency":"USD"}`)
	assert.Equal(t, http.StatusBadRequest, ans.Code)
	assert.Contains(t, ans.Error, "scope.dimensions")

	// Configured budgets are read-only.
	for _, r := range []struct{ method, path string }{{http.MethodPost, ""}, {http.MethodPut, "/config-daily"}, {http.MethodDelete, "/config-daily"}} {
		ans := ca.Do(t, r.method, r.path, AdminToken, Spec("config-daily", "5", "UTC"))
		assert.Equal(t, http.StatusConflict, ans.Code, "%s %s", r.method, r.path)
		assert.Contains(t, ans.Error, "configured budget", "%s %s", r.method, r.path)
	}

	// Create on a, read on b.
	ans = ca.Do(t, http.MethodPost, "", AdminToken, Spec("u-daily", "5", "America/New_York"))
	require.Equal(t, http.StatusOK, ans.Code, ans.Error)
	assert.Equal(t, `"1"`, ans.Header.Get("ETag"))
	code, origin, version, limit, _ := StatusOf(t, cb, "u-daily")
	assert.Equal(t, []any{http.StatusOK, "store", int64(1), "5"}, []any{code, origin, version, limit})
	_, origin, _, _, _ = StatusOf(t, cb, "config-daily")
	assert.Equal(t, "config", origin)
	ans = cb.Do(t, http.MethodPost, "", AdminToken, Spec("u-daily", "5", "UTC"))
	assert.Equal(t, http.StatusConflict, ans.Code, "the id is taken")
	ans = cb.Do(t, http.MethodGet, "/check?user=u1", ReadToken, "")
	require.Equal(t, http.StatusOK, ans.Code, ans.Error)
	assert.Contains(t, string(ans.Data), `"id":"u-daily","value":"u1"`, "the check applies the stored budget")

	// Update on b, optimistic, then last write wins on a.
	ans = cb.Do(t, http.MethodPut, "/u-daily", AnonAdmin, Spec("u-daily", "7", "UTC"), "If-Match", `"1"`)
	require.Equal(t, http.StatusOK, ans.Code, ans.Error)
	assert.Equal(t, `"2"`, ans.Header.Get("ETag"))
	ans = ca.Do(t, http.MethodPut, "/u-daily", AdminToken, Spec("u-daily", "8", "UTC"), "If-Match", `"1"`)
	assert.Equal(t, http.StatusConflict, ans.Code, "a stale version")
	ans = ca.Do(t, http.MethodPut, "/u-daily", AdminToken, `{"period":{"kind":"week"},"limit":"9","currency":"USD"}`)
	require.Equal(t, http.StatusOK, ans.Code, "the id from the path: %s", ans.Error)
	ans = ca.Do(t, http.MethodPut, "/u-daily", AdminToken, Spec("other", "9", "UTC"))
	assert.Equal(t, http.StatusBadRequest, ans.Code)
	assert.Contains(t, ans.Error, "id:")
	ans = ca.Do(t, http.MethodPut, "/nope", AdminToken, Spec("nope", "9", "UTC"))
	assert.Equal(t, http.StatusNotFound, ans.Code)
	_, _, version, limit, _ = StatusOf(t, cb, "u-daily")
	assert.Equal(t, int64(3), version)
	assert.Equal(t, "9", limit)

	// Delete on b; gone on a.
	ans = cb.Do(t, http.MethodDelete, "/u-daily", AdminToken, "", "If-Match", `"2"`)
	assert.Equal(t, http.StatusConflict, ans.Code)
	ans = cb.Do(t, http.MethodDelete, "/u-daily", AdminToken, "")
	require.Equal(t, http.StatusOK, ans.Code, ans.Error)
	code, _, _, _, _ = StatusOf(t, ca, "u-daily")
	assert.Equal(t, http.StatusNotFound, code)
	ans = ca.Do(t, http.MethodDelete, "/u-daily", AdminToken, "")
	assert.Equal(t, http.StatusNotFound, ans.Code)

	// The audit, newest first, on either.
	ans = ca.Do(t, http.MethodGet, "/audit?limit=10", AdminToken, "")
	require.Equal(t, http.StatusOK, ans.Code, ans.Error)
	var audit struct {
		Total   int64 `json:"total"`
		Entries []struct {
			Actor    string          `json:"actor"`
			Action   string          `json:"action"`
			BudgetID string          `json:"budget_id"`
			Version  int64           `json:"version"`
			Before   json.RawMessage `json:"before"`
			After    json.RawMessage `json:"after"`
			Time     time.Time       `json:"time"`
		} `json:"entries"`
	}
	require.NoError(t, json.Unmarshal(ans.Data, &audit))
	assert.Equal(t, int64(4), audit.Total)
	var got []string
	for _, e := range audit.Entries {
		got = append(got, e.Action+" "+e.Actor)
		assert.Equal(t, "u-daily", e.BudgetID)
		assert.Equal(t, Now, e.Time)
	}
	fp := api.Fingerprint(AnonAdmin)
	assert.Equal(t, []string{"delete alice", "update alice", "update " + fp, "create alice"}, got)
	assert.Regexp(t, `^token:sha256:[0-9a-f]{12}$`, fp)
	assert.NotContains(t, string(ans.Data), AnonAdmin, "never the token")
	assert.JSONEq(t, `null`, string(audit.Entries[0].After))
	assert.JSONEq(t, `null`, string(audit.Entries[3].Before))
	var before, after budget.Spec
	require.NoError(t, json.Unmarshal(audit.Entries[2].Before, &before))
	require.NoError(t, json.Unmarshal(audit.Entries[2].After, &after))
	assert.Equal(t, []string{"5", "7"}, []string{before.Limit, after.Limit})
	assert.Equal(t, "America/New_York", before.Period.TimeZone)
	ans = cb.Do(t, http.MethodGet, "/audit?limit=1&offset=3", AdminToken, "")
	require.Equal(t, http.StatusOK, ans.Code)
	assert.Contains(t, string(ans.Data), `"action":"create"`)

	// A stored budget with a configured id (stored before the
	// configuration took it): the configuration wins, and says so.
	_, err := a.CreateBudget(t.Context(), store.BudgetChange{ID: "config-daily", Spec: json.RawMessage(Spec("config-daily", "1", "UTC")), Actor: "old", Time: Now})
	require.NoError(t, err)
	_, origin, _, limit, note := StatusOf(t, cb, "config-daily")
	assert.Equal(t, []string{"config", "10"}, []string{origin, limit})
	assert.Contains(t, note, "the configured one is in force")
	ans = cb.Do(t, http.MethodGet, "", ReadToken, "")
	require.Equal(t, http.StatusOK, ans.Code)
	var list struct {
		Budgets []json.RawMessage `json:"budgets"`
	}
	require.NoError(t, json.Unmarshal(ans.Data, &list))
	assert.Len(t, list.Budgets, 1, "the stored one is not in force")
}

// NoAdmin checks that without an admin token configured the change routes
// answer 403 with a clear message.
func NoAdmin(t *testing.T, s store.Store) {
	srv := httptest.NewServer(api.New(s, api.Options{
		BearerTokens: []string{ReadToken},
		Budgets:      budgets.New(s, &budgets.Managed{Store: s}, 0),
	}))
	t.Cleanup(srv.Close)
	c := &Client{URL: srv.URL + api.BudgetsRoot + "budgets"}
	ans := c.Do(t, http.MethodPost, "", ReadToken, Spec("u-daily", "5", "UTC"))
	assert.Equal(t, http.StatusForbidden, ans.Code)
	assert.Contains(t, ans.Error, "no admin token is configured (api.admin_bearer_tokens")
	ans = c.Do(t, http.MethodGet, "", ReadToken, "")
	assert.Equal(t, http.StatusOK, ans.Code, "reads need no admin token")
}
