package e2e

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/config/pricing"
	"github.com/otelcol-genai/otelcol-genai/internal/cost"
	"github.com/otelcol-genai/otelcol-genai/internal/fixtures"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// The built-in usage page, in a real headless Chromium driven by chromedp,
// against the built collector fed with the captured fixtures and a
// generated data set: every figure a page shows is compared with the
// API's answer for the same filter (its exact strings, from data-value
// attributes, and the text shown, formatted as the page formats it).

// chromium finds the browser; without it the tests skip, unless
// OTELCOL_GENAI_REQUIRE_BROWSER is set (.ci/run sets it).
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("OTELCOL_GENAI_REQUIRE_BROWSER") != "" {
		t.Fatal("chromium is not on PATH (apt-get install chromium)")
	}
	t.Skip("chromium is not on PATH; OTELCOL_GENAI_REQUIRE_BROWSER=1 makes this a failure")
	return ""
}

// newTab starts a headless browser and returns a tab's context.
func newTab(t *testing.T) context.Context {
	path := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1440, 900),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("lang", "en-US"))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(cancel2)
	require.NoError(t, chromedp.Do(ctx))
	return ctx
}

// uiEnv is a collector, its page, a browser tab on it, and the token.
type uiEnv struct {
	c     *usageCollector
	base  string // http://127.0.0.1:port
	tab   context.Context
	token string
}

func newUIEnv(t *testing.T, c *usageCollector, token string) *uiEnv {
	return &uiEnv{c: c, base: strings.TrimSuffix(c.api, "/api/v1/usage/"), tab: newTab(t), token: token}
}

// api reads an API route (path under /api/v1/) into out.
func (e *uiEnv) api(t *testing.T, path string, q url.Values, out any) {
	t.Helper()
	b, code := e.raw(t, "/api/v1/"+path, q)
	require.Equal(t, http.StatusOK, code, "%s: %s", path, b)
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal(b, &env))
	d := json.NewDecoder(bytes.NewReader(env.Data))
	d.UseNumber()
	require.NoError(t, d.Decode(out))
}

func (e *uiEnv) raw(t *testing.T, path string, q url.Values) (body []byte, code int) {
	t.Helper()
	u := e.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(http.MethodGet, u, http.NoBody)
	require.NoError(t, err)
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return b, resp.StatusCode
}

// ready waits for the page to have drawn its view (app.js sets
// body[data-ready] when a render ends).
var ready = discard(chromedp.Poll[bool](`!!document.body.dataset.ready && !document.querySelector('main[aria-busy]')`,
	chromedp.WithPollingTimeout(30*time.Second)))

// discard makes an action that returns a value one that returns none.
func discard[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

// open loads a page path and waits for it.
func (e *uiEnv) open(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, chromedp.Do(e.tab, chromedp.Navigate(e.base+path), ready), path)
}

// act runs actions that re-render the view (a click, a form), and waits
// for the new render.
func (e *uiEnv) act(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	all := append([]chromedp.Action[chromedp.Void]{chromedp.Evaluate[chromedp.Void](`document.body.dataset.ready = ''`)}, actions...)
	all = append(all, ready)
	require.NoError(t, chromedp.Do(e.tab, all...))
}

// eval evaluates an expression in the tab into out.
func (e *uiEnv) eval(t *testing.T, expr string, out any) {
	t.Helper()
	raw, err := chromedp.Run(e.tab, chromedp.Evaluate[json.RawMessage](expr))
	require.NoError(t, err, expr)
	if out != nil {
		require.NoError(t, json.Unmarshal(raw, out), "%s: %s", expr, raw)
	}
}

// location is the tab's path and query.
func (e *uiEnv) location(t *testing.T) string {
	var s string
	e.eval(t, `location.pathname + location.search`, &s)
	return s
}

// values are the page's data-testid elements' data-value attributes.
func (e *uiEnv) values(t *testing.T) map[string]string {
	var m map[string]string
	e.eval(t, `Object.fromEntries([...document.querySelectorAll('[data-testid][data-value]')].map(e => [e.dataset.testid, e.dataset.value]))`, &m)
	return m
}

func (e *uiEnv) text(t *testing.T, sel string) string {
	var s string
	e.eval(t, fmt.Sprintf(`(document.querySelector(%q) || {textContent: '<missing>'}).textContent.trim()`, sel), &s)
	return s
}

// moneyValue is how the page writes a money map in data-value.
func moneyValue(m map[string]string) string {
	var cs []string
	for c := range m {
		cs = append(cs, c)
	}
	sortCurrencies(cs)
	var parts []string
	for _, c := range cs {
		parts = append(parts, c+"="+m[c])
	}
	return strings.Join(parts, " ")
}

func sortCurrencies(cs []string) {
	for i := range cs {
		for j := i + 1; j < len(cs); j++ {
			a, b := cs[i], cs[j]
			if b == "USD" || (a != "USD" && b < a) {
				cs[i], cs[j] = b, a
			}
		}
	}
}

// formatMoney is the page's fmt.money in Go: 2 decimals from one unit up,
// 4 from a cent, else 6, rounded half away from zero (a carry into the
// next size takes its decimals), thousands separated, $ € £ as symbols.
func formatMoney(t *testing.T, s, cur string) string {
	n, err := money.ParseDecimal(s)
	require.NoError(t, err)
	neg := n < 0
	if neg {
		n = -n
	}
	places := func(v int64) int {
		switch {
		case v == 0 || v >= 1e9:
			return 2
		case v >= 1e7:
			return 4
		}
		return 6
	}
	d := places(int64(n))
	unit := int64(1)
	for range 9 - d {
		unit *= 10
	}
	q := int64(n) / unit
	if (int64(n)%unit)*2 >= unit {
		q++
	}
	if d2 := places(q * unit); d2 < d {
		return formatMoney(t, money.Nanos(q*unit).String(), cur)
	}
	digits := fmt.Sprintf("%0*d", d+1, q)
	num := group(digits[:len(digits)-d]) + "." + digits[len(digits)-d:]
	if neg {
		num = "-" + num
	}
	switch sym := map[string]string{"USD": "$", "EUR": "€", "GBP": "£"}[cur]; {
	case sym != "" && neg:
		return "-" + sym + num[1:]
	case sym != "":
		return sym + num
	}
	return num + " " + cur
}

func group(digits string) string {
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestFormatMoney(t *testing.T) {
	for in, want := range map[string]string{
		"0.00036": "$0.000360", "1234.5": "$1,234.50", "0.0123456": "$0.0123", "0.9999999": "$1.00",
		"0.009999999": "$0.0100", "0": "$0.00", "1000000": "$1,000,000.00", "0.0000005": "$0.000001",
	} {
		assert.Equal(t, want, formatMoney(t, in, "USD"), in)
	}
	assert.Equal(t, "12.00 CHF", formatMoney(t, "12", "CHF"))
	assert.Equal(t, "€2.50", formatMoney(t, "2.5", "EUR"))
}

// ---------------------------------------------------------------- data

// The generated data set: calls over the last 45 days (some today), of
// priced models with the catalog's real cards, unpriced ones, calls a
// provider reported in EUR, and errors; users, teams, sessions, session
// types, features and API keys for the breakdowns and the cache analysis.

type genModel struct{ provider, model string }

var genModels = []genModel{
	{"openai", "gpt-4o-mini"}, {"openai", "gpt-4o"}, {"anthropic", "claude-sonnet-4-5"},
	{"anthropic", "claude-3-5-haiku-latest"}, {"gcp.gen_ai", "gemini-2.5-flash"},
}

func generatedExport(t *testing.T, now time.Time, n int) []byte {
	cat, err := pricing.Load(true, nil)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(13, 42))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	var recs []map[string]any
	for i := range n {
		// The first calls are in the last hours: today has spend.
		age := time.Duration(rng.Int64N(int64(45 * 24 * time.Hour)))
		if i < n/20 {
			age = time.Duration(rng.Int64N(int64(3 * time.Hour)))
		}
		start := now.Add(-age - time.Minute).Truncate(time.Millisecond)
		var trace [16]byte
		var span [8]byte
		for j := range trace {
			trace[j] = byte(rng.UintN(256))
		}
		for j := range span {
			span[j] = byte(rng.UintN(256))
		}
		user := fmt.Sprintf("u-%03d", rng.IntN(40))
		r := map[string]any{
			"start_time": start.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
			"trace_id":   hex.EncodeToString(trace[:]), "span_id": hex.EncodeToString(span[:]),
			"duration_ms": 200 + rng.IntN(6000), "service": pick("web", "worker", "bot"), "environment": pick("prod", "staging"),
			"user": user, "tenant": pick("acme", "globex", "initech"), "department": pick("eng", "sales", "support"),
			"session": user + "-" + start.Format("2006-01-02T15"), "session_type": pick("chat", "heartbeat", "schedule"),
			"feature": pick("search", "summarize", "agent"), "api_key": pick("key-a", "key-b"),
			"operation": pick("chat", "chat", "text_completion", "embeddings"), "streaming": rng.IntN(2) == 0,
		}
		if r["streaming"] == true {
			r["ttft_ms"] = 80 + rng.IntN(900)
		}
		var tok meter.Counts
		tok[meter.Input] = 100 + rng.Int64N(6000)
		if rng.IntN(2) == 0 {
			tok[meter.CacheRead] = rng.Int64N(8000)
		}
		if rng.IntN(5) == 0 {
			tok[meter.CacheWrite5m] = rng.Int64N(3000)
		}
		tok[meter.Output] = 20 + rng.Int64N(1500)
		switch k := rng.IntN(100); {
		case k < 4: // a model nobody prices: no cost, never $0
			r["provider"], r["model"], r["status"], r["reason"] = "acme-llm", "mystery-1", "unpriced", "unknown_model"
		case k < 8: // the provider's own cost, in EUR
			r["provider"], r["model"], r["status"] = "mistral_ai", "mistral-large-eu", "provider_reported"
			c := money.Nanos(rng.Int64N(20_000_000))
			r["cost"], r["currency"], r["cost_source"] = c.String(), "EUR", "provider"
			r["reported_cost"], r["reported_currency"] = c.String(), "EUR"
		default:
			m := genModels[rng.IntN(len(genModels))]
			card := cat.Provider(m.provider).Match(m.model).CardAt(start)
			require.NotNil(t, card, "%s/%s", m.provider, m.model)
			if k < 12 {
				r["error_type"] = pick("rate_limit", "timeout", "500")
				tok = meter.Counts{}
				tok[meter.Input] = 50 + rng.Int64N(500)
			}
			res := cost.Compute(card, &tok)
			r["provider"], r["model"], r["status"], r["price_card"] = card.Provider, card.Model, "priced", card.ID
			r["cost"], r["currency"], r["cost_source"] = res.Total.String(), card.Currency, "local"
			byMeter := map[string]string{}
			for mt := meter.Meter(0); mt < meter.Count; mt++ {
				if res.ByMeter[mt] != 0 {
					byMeter[mt.String()] = res.ByMeter[mt].String()
				}
			}
			r["cost_by_meter"] = byMeter
			if saved := cost.CacheSaved(card, &tok); saved != 0 {
				r["cache_saved"] = saved.String()
			}
			if k >= 95 { // a stream whose usage was estimated from its content
				r["estimated"], r["reason"] = true, "estimated:tokenizer:o200k_base"
			}
		}
		tokens := map[string]int64{}
		for mt := meter.Meter(0); mt < meter.Count; mt++ {
			if tok[mt] != 0 {
				tokens[mt.String()] = tok[mt]
			}
		}
		r["tokens"] = tokens
		recs = append(recs, r)
	}
	b, err := json.Marshal(map[string]any{
		"format": "otelcol-genai-usage-export", "version": 1, "exported_at": now.UTC(),
		"from": now.Add(-46 * 24 * time.Hour).UTC(), "to": now.UTC(), "records": recs,
	})
	require.NoError(t, err)
	return b
}

// feed sends the captured fixtures over OTLP, waits for them in the store,
// and imports the generated records; it returns the fixtures' time range.
func (e *uiEnv) feed(t *testing.T, n int) (from, to time.Time) {
	fs, err := fixtures.Load("captured")
	require.NoError(t, err)
	wantCalls, _, from, to := goldenTotals(t, fs)
	for _, f := range fs {
		e.c.send(t, f.Traces)
	}
	to = to.Add(time.Second)
	require.Eventually(t, func() bool {
		var s struct {
			Calls json.Number `json:"calls"`
		}
		e.api(t, "usage/summary", url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}}, &s)
		got, _ := s.Calls.Int64()
		return got >= wantCalls
	}, 30*time.Second, 200*time.Millisecond, "the fixtures' calls reach the store")
	// Then the generated set (the fixtures' range may hold some of it).
	req, err := http.NewRequest(http.MethodPost, e.base+"/api/v1/usage/import", bytes.NewReader(generatedExport(t, time.Now(), n)))
	require.NoError(t, err)
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	return from, to
}

// ---------------------------------------------------------------- tests

type aggregate struct {
	Calls          json.Number       `json:"calls"`
	Errors         json.Number       `json:"errors"`
	ErrorRate      json.Number       `json:"error_rate"`
	UnpricedCalls  json.Number       `json:"unpriced_calls"`
	Tokens         map[string]int64  `json:"tokens"`
	Cost           map[string]string `json:"cost"`
	CacheSaved     map[string]string `json:"cache_saved"`
	EstimatedCalls json.Number       `json:"estimated_calls"`
	EstimatedCost  map[string]string `json:"estimated_cost"`
	CacheHitRatio  json.Number       `json:"cache_hit_ratio"`
	AvgLatencyMs   json.Number       `json:"avg_latency_ms"`
}

// jsNumber is how JavaScript writes a JSON number back: 0.5 as "0.5",
// 1 as "1", 1e-7 as "1e-7".
func jsNumber(t *testing.T, n json.Number) string {
	f, err := n.Float64()
	require.NoError(t, err)
	if f != 0 && f < 1e-6 { // ratios: never 1e21 or more
		mant, exp, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
		n, err := strconv.Atoi(exp)
		require.NoError(t, err)
		return mant + "e" + strconv.Itoa(n) // "1e-7", not Go's "1e-07"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func TestUIPages(t *testing.T) {
	chromium(t)
	c := startUsageCollector(t, t.TempDir(), "exporters::genai_usage::api::ui::trace_url_template=http://jaeger.example:16686/trace/{trace_id}",
		`exporters::genai_usage::budgets=[{id: monthly, period: {kind: month}, limit: "25", currency: USD}, {id: acme-weekly, scope: {dimensions: {tenant: acme}}, period: {kind: week}, limit: "1", currency: USD, enforce: true}, {id: each-team, scope: {each: tenant}, period: {kind: rolling, days: 7}, limit: "5", currency: USD}]`,
		`exporters::genai_usage::contracts=[{name: anthropic-deal, from: "2000-01-01", match: {provider: anthropic}, multiplier: "0.8"}]`,
		`exporters::genai_usage::api::admin_bearer_tokens=[{name: ops, token: `+uiAdminToken+`}]`)
	e := newUIEnv(t, c, "")
	fixFrom, fixTo := e.feed(t, 3000)

	t.Run("overview", func(t *testing.T) { testOverview(t, e) })
	t.Run("records", func(t *testing.T) { testRecords(t, e, fixFrom, fixTo) })
	t.Run("detail", func(t *testing.T) { testDetail(t, e) })
	t.Run("breakdown", func(t *testing.T) { testBreakdown(t, e) })
	t.Run("export", func(t *testing.T) { testExport(t, e) })
	t.Run("activity", func(t *testing.T) { testActivity(t, e) })
	t.Run("cache", func(t *testing.T) { testCache(t, e) })
	t.Run("headers", func(t *testing.T) { testHeaders(t, e) })
	t.Run("accessibility", func(t *testing.T) { testAxe(t, e) })
	t.Run("theme", func(t *testing.T) { testTheme(t, e) })
	t.Run("keyboard", func(t *testing.T) { testKeyboard(t, e) })
	if os.Getenv("OTELCOL_GENAI_SCREENSHOTS") != "" {
		t.Run("screenshots", func(t *testing.T) { screenshots(t, e) })
	}
}

func testOverview(t *testing.T, e *uiEnv) {
	e.open(t, "/")
	var sum aggregate
	e.api(t, "usage/summary", nil, &sum)
	got := e.values(t)
	assert.Equal(t, moneyValue(sum.Cost), got["range-cost"])
	assert.Equal(t, sum.Calls.String(), got["calls"])
	assert.Equal(t, sum.Errors.String(), got["errors"])
	assert.Equal(t, sum.UnpricedCalls.String(), got["unpriced"])
	assert.Equal(t, jsNumber(t, sum.ErrorRate), got["error-rate"])
	assert.Equal(t, jsNumber(t, sum.CacheHitRatio), got["cache-hit"])
	assert.Equal(t, moneyValue(sum.CacheSaved), got["cache-saved"])
	// Estimated calls are said apart, with their cost.
	require.NotEqual(t, "0", sum.EstimatedCalls.String(), "the data set has estimates")
	assert.Equal(t, sum.EstimatedCalls.String(), got["estimated-calls"])
	assert.Equal(t, moneyValue(sum.EstimatedCost), got["estimated-cost"])
	require.Contains(t, sum.Cost, "EUR", "the data set has two currencies")
	for _, cur := range []string{"USD", "EUR"} {
		assert.Equal(t, formatMoney(t, sum.Cost[cur], cur), e.text(t, `[data-testid=range-cost] [data-currency=`+cur+`]`), "each currency shown on its own")
	}
	assert.Equal(t, "+ "+group(sum.UnpricedCalls.String())+" unpriced", e.text(t, `[data-testid=range-cost] .unpriced`), "unpriced calls are said, never $0")
	assert.Equal(t, group(sum.Calls.String()), e.text(t, `[data-testid=calls]`))

	// Today, this week, this month (UTC), with the same filters.
	now := time.Now().UTC()
	today := now.Truncate(24 * time.Hour)
	week := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	for id, r := range map[string][2]time.Time{
		"cost-today": {today, today.AddDate(0, 0, 1)}, "cost-week": {week, week.AddDate(0, 0, 7)}, "cost-month": {month, month.AddDate(0, 1, 0)},
	} {
		var s aggregate
		e.api(t, "usage/summary", url.Values{"from": {r[0].Format(time.RFC3339)}, "to": {r[1].Format(time.RFC3339)}}, &s)
		assert.Equal(t, moneyValue(s.Cost), got[id], id)
		assert.NotEmpty(t, s.Cost, "%s: the data set has spend today", id)
	}
	assert.NotEmpty(t, got["cost-month-forecast"])

	// Budgets: each one's spend and limit as the API has them.
	var bs struct {
		Budgets []struct {
			Budget struct {
				ID    string `json:"id"`
				Limit string `json:"limit"`
			} `json:"budget"`
			Spent  *string `json:"spent"`
			Values []struct {
				Value string `json:"value"`
				Spent string `json:"spent"`
			} `json:"values"`
		} `json:"budgets"`
	}
	e.api(t, "budgets", nil, &bs)
	require.Len(t, bs.Budgets, 3)
	var brows [][]string
	e.eval(t, `[...document.querySelectorAll('[data-testid=budgets-table] tbody tr')].map(r => [r.dataset.budget, r.children[1].dataset.value, r.children[2].dataset.value])`, &brows)
	var wantRows [][]string
	for _, b := range bs.Budgets {
		if b.Spent != nil {
			wantRows = append(wantRows, []string{b.Budget.ID, *b.Spent, b.Budget.Limit})
		}
		for _, v := range b.Values {
			wantRows = append(wantRows, []string{b.Budget.ID, v.Spent, b.Budget.Limit})
		}
	}
	assert.Equal(t, wantRows, brows)

	// The series table is the API's series, point by point.
	var ts struct {
		Points []struct {
			T    string            `json:"t"`
			Key  string            `json:"key"`
			Cost map[string]string `json:"cost"`
		} `json:"points"`
	}
	e.api(t, "usage/timeseries", url.Values{"grain": {"day"}, "by": {"provider"}}, &ts)
	var rows [][]string
	e.eval(t, `[...document.querySelectorAll('[data-testid=series-table] tbody tr')].map(r => [...r.children].map((c, i) => i === 2 ? c.dataset.value : c.textContent))`, &rows)
	require.Len(t, rows, len(ts.Points))
	for i, p := range ts.Points {
		assert.Equal(t, strings.TrimSuffix(strings.Replace(p.T, "T", " ", 1), "Z"), rows[i][0])
		assert.Equal(t, p.Key, rows[i][1])
		assert.Equal(t, p.Cost["USD"], rows[i][2])
	}
	var bars int
	e.eval(t, `document.querySelectorAll('[data-testid=series-chart] svg rect').length`, &bars)
	assert.Positive(t, bars, "the chart is drawn")

	// Stacking by model, tokens: the controls go into the URL.
	e.act(t, chromedp.SetValue(chromedp.CSS(`#sel-metric`), "tokens"))
	assert.Equal(t, "/?metric=tokens", e.location(t))
	e.act(t, chromedp.Evaluate[chromedp.Void](`history.back()`))
	assert.Equal(t, "/", e.location(t))
}

type recordsPage struct {
	Total   json.Number      `json:"total"`
	Records []map[string]any `json:"records"`
}

func (e *uiEnv) rowIDs(t *testing.T) []string {
	var ids []string
	e.eval(t, `[...document.querySelectorAll('[data-testid=records-table] tbody tr')].map(r => r.dataset.id)`, &ids)
	return ids
}

func apiIDs(p *recordsPage) []string {
	var ids []string
	for _, r := range p.Records {
		ids = append(ids, r["id"].(string))
	}
	return ids
}

func testRecords(t *testing.T, e *uiEnv, fixFrom, fixTo time.Time) {
	// The fixtures' range: the records are exactly the API's, in order.
	q := url.Values{"from": {fixFrom.Format(time.RFC3339)}, "to": {fixTo.Format(time.RFC3339)}}
	e.open(t, "/records?"+q.Encode())
	var p recordsPage
	e.api(t, "usage/records", url.Values{"from": q["from"], "to": q["to"], "limit": {"50"}}, &p)
	assert.Equal(t, apiIDs(&p), e.rowIDs(t))
	var total string
	e.eval(t, `document.querySelector('[data-testid=page-info]').dataset.total`, &total)
	assert.Equal(t, p.Total.String(), total)

	// The default range, a filter set through the bar, then paging.
	e.open(t, "/records")
	e.act(t, chromedp.SetValue(chromedp.CSS(`#f-key`), "tenant"), chromedp.SendKeys(chromedp.CSS(`#f-value`), "acme"),
		chromedp.Click(chromedp.CSS(`#filters button[type=submit]`)))
	assert.Equal(t, "/records?tenant=acme", e.location(t))
	e.api(t, "usage/records", url.Values{"tenant": {"acme"}, "limit": {"50"}}, &p)
	require.Greater(t, mustInt(t, p.Total), int64(100), "several pages")
	assert.Equal(t, apiIDs(&p), e.rowIDs(t))
	assert.Equal(t, "1–50 of "+group(p.Total.String()), e.text(t, `[data-testid=page-info]`))
	first := apiIDs(&p)

	e.act(t, chromedp.Click(chromedp.CSS(`[data-page-nav=next]`)))
	assert.Equal(t, "/records?tenant=acme&offset=50", e.location(t))
	e.api(t, "usage/records", url.Values{"tenant": {"acme"}, "limit": {"50"}, "offset": {"50"}}, &p)
	assert.Equal(t, apiIDs(&p), e.rowIDs(t), "page 2")

	// Search, with the filter kept.
	e.act(t, chromedp.SendKeys(chromedp.CSS(`#q`), "u-007"), chromedp.Click(chromedp.CSS(`form.search button`)))
	assert.Equal(t, "/records?tenant=acme&q=u-007", e.location(t), "a new search starts at the first page")
	e.api(t, "usage/records", url.Values{"tenant": {"acme"}, "q": {"u-007"}, "limit": {"50"}}, &p)
	require.NotEmpty(t, p.Records)
	assert.Equal(t, apiIDs(&p), e.rowIDs(t))
	var users []string
	e.eval(t, `[...document.querySelectorAll('[data-testid=records-table] td[data-col=user]')].map(c => c.textContent)`, &users)
	for _, u := range users {
		assert.Equal(t, "u-007", u)
	}

	// Back twice: page 2, then page 1, as they were.
	e.act(t, chromedp.Evaluate[chromedp.Void](`history.back()`))
	assert.Equal(t, "/records?tenant=acme&offset=50", e.location(t))
	e.act(t, chromedp.Evaluate[chromedp.Void](`history.back()`))
	assert.Equal(t, "/records?tenant=acme", e.location(t))
	assert.Equal(t, first, e.rowIDs(t))

	// Columns: the choice is in the URL, and the URL round-trips in a
	// fresh load.
	e.act(t, chromedp.Click(chromedp.CSS(`details.columns summary`)), chromedp.Click(chromedp.CSS(`input[name=col][value=tenant]`)))
	loc := e.location(t)
	assert.Contains(t, loc, "cols=")
	var cols []string
	e.eval(t, `[...document.querySelectorAll('[data-testid=records-table] thead th')].map(c => c.dataset.col)`, &cols)
	assert.Contains(t, cols, "tenant")
	e.open(t, loc)
	var cols2 []string
	e.eval(t, `[...document.querySelectorAll('[data-testid=records-table] thead th')].map(c => c.dataset.col)`, &cols2)
	assert.Equal(t, cols, cols2)
	assert.Equal(t, first, e.rowIDs(t))
	var chips []string
	e.eval(t, `[...document.querySelectorAll('#chips .chip')].map(c => c.dataset.filter)`, &chips)
	assert.Equal(t, []string{"tenant"}, chips)

	// Removing the filter chip.
	e.act(t, chromedp.Click(chromedp.CSS(`#chips .chip button`)))
	assert.NotContains(t, e.location(t), "tenant=")
}

func mustInt(t *testing.T, n json.Number) int64 {
	v, err := n.Int64()
	require.NoError(t, err)
	return v
}

// uiAdminToken is TestUIPages' admin token, for a repricing.
const uiAdminToken = "ui-admin-token"

func testDetail(t *testing.T, e *uiEnv) {
	// A priced record of the generated set with cache reads.
	var p recordsPage
	e.api(t, "usage/records", url.Values{"model": {"claude-sonnet-4-5"}, "limit": {"20"}}, &p)
	var id string
	for _, r := range p.Records {
		if tk, _ := r["tokens"].(map[string]any); tk["cache_read"] != nil && r["error_type"] == nil {
			id = r["id"].(string)
			break
		}
	}
	require.NotEmpty(t, id)
	e.open(t, "/records?model=claude-sonnet-4-5&limit=20")
	e.act(t, chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-id=%q] td[data-col=time] a`, id))))
	assert.Equal(t, "/records/"+id+"?model=claude-sonnet-4-5&limit=20", e.location(t))

	var rec map[string]any
	e.api(t, "usage/records/"+id, nil, &rec)
	var shown map[string]any
	var pre string
	e.eval(t, `document.querySelector('[data-testid=record-json]').textContent`, &pre)
	d := json.NewDecoder(strings.NewReader(pre))
	d.UseNumber()
	require.NoError(t, d.Decode(&shown))
	assert.Equal(t, rec, shown, "every stored field")

	var pr struct {
		Computed string `json:"computed"`
		Matches  bool   `json:"matches"`
		Lines    []struct {
			Meter  string `json:"meter"`
			Amount string `json:"amount"`
			Tokens json.Number
		} `json:"lines"`
	}
	e.api(t, "usage/records/"+id+"/pricing", nil, &pr)
	require.True(t, pr.Matches)
	assert.Equal(t, rec["list_cost"], pr.Computed, "the card's total is the list cost")
	// An imported record, charged before the contract: the page says a
	// repricing would change it. Repriced through the admin API, it
	// shows its way from the list price to the cost.
	assert.Contains(t, e.text(t, `[data-testid=recharged]`), "a repricing would change it")
	start, err := time.Parse(time.RFC3339Nano, rec["start_time"].(string))
	require.NoError(t, err)
	body := fmt.Sprintf(`{"from": %q, "to": %q, "reason": "the contract"}`, start.Format(time.RFC3339Nano), start.Add(time.Millisecond).Format(time.RFC3339Nano))
	req, err := http.NewRequest(http.MethodPost, e.base+"/api/v1/usage/reprice", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+uiAdminToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	require.Eventually(t, func() bool {
		var now map[string]any
		e.api(t, "usage/records/"+id, nil, &now)
		return now["contract"] == "anthropic-deal@2000-01-01"
	}, 20*time.Second, 50*time.Millisecond)
	e.open(t, "/records/"+id)
	assert.Contains(t, e.text(t, `[data-testid=contract]`), "anthropic-deal@2000-01-01")
	assert.Contains(t, e.text(t, `[data-testid=contract]`), "× 0.8")
	assert.Contains(t, e.text(t, `[data-testid=recharged]`), "would not change")
	e.api(t, "usage/records/"+id, nil, &rec)
	assert.NotEqual(t, rec["list_cost"], rec["cost"], "the contract's 0.8 applied")
	got := e.values(t)
	assert.Equal(t, pr.Computed, got["computed"])
	assert.Equal(t, formatMoney(t, pr.Computed, "USD"), e.text(t, `[data-testid=computed]`))
	var lines [][]string
	e.eval(t, `[...document.querySelectorAll('[data-testid=pricing-lines] tbody tr')].map(r => [r.dataset.meter, r.lastElementChild.dataset.value])`, &lines)
	require.Len(t, lines, len(pr.Lines))
	for i, l := range pr.Lines {
		assert.Equal(t, []string{l.Meter, l.Amount}, lines[i])
	}
	var href string
	e.eval(t, `document.querySelector('[data-testid=trace-link]').getAttribute('href')`, &href)
	assert.Equal(t, "http://jaeger.example:16686/trace/"+rec["trace_id"].(string), href)

	// Back to the records.
	e.act(t, chromedp.Click(chromedp.CSS(`a[data-testid=back]`)))
	assert.Equal(t, "/records", e.location(t))

	// An unpriced call: no amount, never $0.
	e.api(t, "usage/records", url.Values{"status": {"unpriced"}, "limit": {"1"}}, &p)
	require.NotEmpty(t, p.Records)
	e.open(t, "/records/"+p.Records[0]["id"].(string))
	assert.Equal(t, "not priced", e.text(t, `dd[data-field=cost]`))
}

type breakdownGroup struct {
	Key    string            `json:"key"`
	Other  bool              `json:"other"`
	Calls  json.Number       `json:"calls"`
	Cost   map[string]string `json:"cost"`
	Tokens map[string]int64  `json:"tokens"`
}

func testBreakdown(t *testing.T, e *uiEnv) {
	e.open(t, "/breakdown?by=user&limit=10")
	var b struct {
		Groups []breakdownGroup `json:"groups"`
	}
	e.api(t, "usage/breakdown", url.Values{"by": {"user"}, "limit": {"10"}}, &b)
	require.Len(t, b.Groups, 11, "ten users and the others")
	type row struct{ Key, Calls, Cost string }
	var rows []row
	e.eval(t, `[...document.querySelectorAll('[data-testid=breakdown-table] tbody tr')].map(r => ({Key: r.dataset.key, Calls: r.querySelector('[data-col=calls]').dataset.value, Cost: r.querySelector('[data-col=cost] .amounts').dataset.value}))`, &rows)
	require.Len(t, rows, len(b.Groups))
	want := map[string]row{}
	for _, g := range b.Groups {
		k := g.Key
		if g.Other {
			k = ""
		}
		want[k] = row{k, g.Calls.String(), moneyValue(g.Cost)}
	}
	for _, r := range rows {
		assert.Equal(t, want[r.Key], r, "user %s", r.Key)
	}
	// Sorted by USD cost, the default; then by calls, ascending after a
	// second click.
	e.act(t, chromedp.Click(chromedp.CSS(`button[data-sort=calls]`)))
	assert.Contains(t, e.location(t), "sort=calls")
	var calls []int64
	e.eval(t, `[...document.querySelectorAll('[data-testid=breakdown-table] tbody tr:not([data-other])')].map(r => Number(r.querySelector('[data-col=calls]').dataset.value))`, &calls)
	for i := 1; i < len(calls); i++ {
		assert.GreaterOrEqual(t, calls[i-1], calls[i], "descending by calls")
	}
	e.act(t, chromedp.Click(chromedp.CSS(`button[data-sort=calls]`)))
	e.eval(t, `[...document.querySelectorAll('[data-testid=breakdown-table] tbody tr:not([data-other])')].map(r => Number(r.querySelector('[data-col=calls]').dataset.value))`, &calls)
	for i := 1; i < len(calls); i++ {
		assert.LessOrEqual(t, calls[i-1], calls[i], "ascending by calls")
	}

	// A click drills into that user's records.
	key := b.Groups[0].Key
	e.act(t, chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-key=%q] a.drill`, key))))
	assert.Equal(t, "/records?user="+key, e.location(t))
	var p recordsPage
	e.api(t, "usage/records", url.Values{"user": {key}, "limit": {"50"}}, &p)
	var total string
	e.eval(t, `document.querySelector('[data-testid=page-info]').dataset.total`, &total)
	assert.Equal(t, b.Groups[0].Calls.String(), total)
	assert.Equal(t, p.Total.String(), total)
}

func testExport(t *testing.T, e *uiEnv) {
	dir := t.TempDir()
	q := url.Values{"tenant": {"globex"}, "service": {"bot"}}
	e.open(t, "/records?"+q.Encode())
	for _, format := range []string{"csv", "json"} {
		on := true
		_, err := chromedp.CallBrowser(e.tab, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &on})
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(e.tab, 30*time.Second)
		events := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
		require.NoError(t, chromedp.Do(e.tab, chromedp.Click(chromedp.CSS(`button[data-export=`+format+`]`))))
		var guid string
		for ev, err := range events {
			require.NoError(t, err, "%s: no download", format)
			if ev.State == browser.DownloadProgressStateCompleted {
				guid = ev.GUID
				break
			}
		}
		cancel()
		file, err := os.ReadFile(filepath.Join(dir, guid))
		require.NoError(t, err)
		want, code := e.raw(t, "/api/v1/usage/export", url.Values{"tenant": q["tenant"], "service": q["service"], "format": {format}})
		require.Equal(t, http.StatusOK, code)
		if format == "json" {
			// exported_at differs; the rest is the same file.
			var a, b map[string]any
			require.NoError(t, json.Unmarshal(file, &a))
			require.NoError(t, json.Unmarshal(want, &b))
			delete(a, "exported_at")
			delete(b, "exported_at")
			assert.Equal(t, b, a)
			assert.NotEmpty(t, a["records"])
			for _, r := range a["records"].([]any) {
				assert.Equal(t, "globex", r.(map[string]any)["tenant"])
			}
		} else {
			assert.Equal(t, string(want), string(file), "exactly the current filter")
			assert.Greater(t, bytes.Count(file, []byte("\n")), 10)
		}
	}
}

func testActivity(t *testing.T, e *uiEnv) {
	e.open(t, "/activity")
	var hm struct {
		Days []struct {
			Date  string            `json:"date"`
			Calls int64             `json:"calls"`
			Cost  map[string]string `json:"cost"`
		} `json:"days"`
	}
	e.api(t, "usage/heatmap", nil, &hm)
	var calls int64
	busiest := hm.Days[0]
	for _, d := range hm.Days {
		calls += d.Calls
		if d.Calls > busiest.Calls {
			busiest = d
		}
	}
	got := e.values(t)
	assert.Equal(t, strconv.FormatInt(calls, 10), got["year-calls"])
	var cells map[string]string
	e.eval(t, `Object.fromEntries([...document.querySelectorAll('[data-testid=heatmap] a.day')].map(a => [a.dataset.date, a.dataset.value]))`, &cells)
	require.Len(t, cells, len(hm.Days))
	for _, d := range hm.Days {
		assert.Equal(t, strconv.FormatInt(d.Calls, 10), cells[d.Date], d.Date)
	}
	// A day's cell leads to its records.
	e.act(t, chromedp.Click(chromedp.CSS(fmt.Sprintf(`a.day[data-date=%q]`, busiest.Date))))
	next, err := time.Parse(time.DateOnly, busiest.Date)
	require.NoError(t, err)
	assert.Equal(t, "/records?from="+busiest.Date+"&to="+next.AddDate(0, 0, 1).Format(time.DateOnly), e.location(t))
	var total string
	e.eval(t, `document.querySelector('[data-testid=page-info]').dataset.total`, &total)
	assert.Equal(t, strconv.FormatInt(busiest.Calls, 10), total)
}

func testCache(t *testing.T, e *uiEnv) {
	e.open(t, "/cache?by=session")
	var c struct {
		Summary   aggregate `json:"summary"`
		Intervals struct {
			Share5m    json.Number `json:"share_within_5m"`
			Share1h    json.Number `json:"share_within_1h"`
			Suggestion string      `json:"suggestion"`
		} `json:"intervals"`
		ByModel []struct {
			Key           string      `json:"key"`
			CacheHitRatio json.Number `json:"cache_hit_ratio"`
		} `json:"by_model"`
	}
	e.api(t, "usage/cache", url.Values{"by": {"session"}, "limit": {"10"}}, &c)
	got := e.values(t)
	assert.Equal(t, jsNumber(t, c.Summary.CacheHitRatio), got["cache-hit"])
	assert.Equal(t, moneyValue(c.Summary.CacheSaved), got["cache-saved"])
	assert.Equal(t, jsNumber(t, c.Intervals.Share5m), got["share-5m"])
	assert.Equal(t, jsNumber(t, c.Intervals.Share1h), got["share-1h"])
	assert.Equal(t, c.Intervals.Suggestion, got["suggestion"])
	var hits map[string]string
	e.eval(t, `Object.fromEntries([...document.querySelectorAll('[data-testid=cache-by-model] tbody tr')].map(r => [r.dataset.key, r.querySelector('[data-col=hit]').dataset.value]))`, &hits)
	require.Len(t, hits, len(c.ByModel))
	for _, m := range c.ByModel {
		assert.Equal(t, jsNumber(t, m.CacheHitRatio), hits[m.Key], m.Key)
	}
	var bars int
	e.eval(t, `document.querySelectorAll('[data-testid=intervals-chart] rect').length`, &bars)
	assert.Positive(t, bars)
}

func testHeaders(t *testing.T, e *uiEnv) {
	resp, err := http.Get(e.base + "/records")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "script-src 'self'")
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	// Unknown API paths keep their JSON 404.
	b, code := e.raw(t, "/api/v1/usage/nope", nil)
	assert.Equal(t, http.StatusNotFound, code)
	assert.Contains(t, string(b), `"errorType":"not_found"`)
	// No CSP violation in the page's own console.
	var violations int
	e.open(t, "/")
	e.eval(t, `performance.getEntriesByType('resource').filter(r => !r.name.startsWith(location.origin)).length`, &violations)
	assert.Zero(t, violations, "nothing fetched from another origin")
}

// testAxe runs axe-core on each page, in both themes: no serious or
// critical violation.
func testAxe(t *testing.T, e *uiEnv) {
	axe, err := os.ReadFile(filepath.Join(repoRoot(), "e2e", "testdata", "axe-core", "axe.min.js"))
	require.NoError(t, err)
	for _, dark := range []bool{false, true} {
		setDark(t, e, dark)
		for _, path := range []string{"/", "/breakdown", "/records", "/activity", "/cache"} {
			e.open(t, path)
			var res []struct {
				ID     string `json:"id"`
				Impact string `json:"impact"`
				Help   string `json:"help"`
				Nodes  []struct {
					Target []any `json:"target"`
				} `json:"nodes"`
			}
			require.NoError(t, chromedp.Do(e.tab, chromedp.Evaluate[chromedp.Void](string(axe))))
			raw, err := chromedp.Run(e.tab, chromedp.Evaluate[json.RawMessage](`axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => ({target: n.target}))})))`,
				chromedp.EvalAwaitPromise))
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(raw, &res))
			for _, v := range res {
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Errorf("%s (dark %v): %s %s: %s %v", path, dark, v.Impact, v.ID, v.Help, v.Nodes)
				}
			}
		}
	}
	setDark(t, e, false)
}

func setDark(t *testing.T, e *uiEnv, dark bool) {
	v := "light"
	if dark {
		v = "dark"
	}
	_, err := chromedp.Call(e.tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v}}})
	require.NoError(t, err)
}

func testTheme(t *testing.T, e *uiEnv) {
	setDark(t, e, true)
	e.open(t, "/")
	var theme string
	e.eval(t, `localStorage.removeItem('genai-usage-theme'); document.documentElement.dataset.theme`, &theme)
	assert.Equal(t, "dark", theme, "the system's preference")
	require.NoError(t, chromedp.Do(e.tab, chromedp.Click(chromedp.CSS(`#theme`))))
	e.eval(t, `document.documentElement.dataset.theme + ' ' + localStorage.getItem('genai-usage-theme')`, &theme)
	assert.Equal(t, "light light", theme, "the toggle wins, and is remembered")
	e.eval(t, `localStorage.removeItem('genai-usage-theme')`, nil)
	setDark(t, e, false)
}

// testKeyboard: the first Tab reaches the skip link, which moves the
// focus to the view; the tabs follow it; Enter on a tab opens its page.
func testKeyboard(t *testing.T, e *uiEnv) {
	e.open(t, "/")
	focused := func() string {
		var s string
		e.eval(t, `(() => { const a = document.activeElement; return a.id || a.className || a.tagName; })()`, &s)
		return s
	}
	require.NoError(t, chromedp.Do(e.tab, chromedp.KeyEvent(kb.Tab)))
	assert.Equal(t, "skip", focused())
	require.NoError(t, chromedp.Do(e.tab, chromedp.KeyEvent(kb.Enter)))
	assert.Equal(t, "main", focused(), "the skip link moves the focus past the header")
	e.eval(t, `document.querySelector('.tabs a[data-page=breakdown]').focus()`, nil)
	e.act(t, chromedp.KeyEvent(kb.Enter))
	assert.Equal(t, "/breakdown", e.location(t))
}

// screenshots writes each page, light and dark, into docs/screenshots, or
// OTELCOL_GENAI_SCREENSHOT_DIR at OTELCOL_GENAI_SCREENSHOT_WIDTH pixels
// (to look at a narrow screen, say).
func screenshots(t *testing.T, e *uiEnv) {
	dir := filepath.Join(repoRoot(), "docs", "screenshots")
	if d := os.Getenv("OTELCOL_GENAI_SCREENSHOT_DIR"); d != "" {
		dir = d
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	if w, err := strconv.Atoi(os.Getenv("OTELCOL_GENAI_SCREENSHOT_WIDTH")); err == nil {
		_, err := chromedp.Call(e.tab, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: int64(w), Height: 900, DeviceScaleFactor: 1})
		require.NoError(t, err)
		defer func() {
			_, err := chromedp.Call(e.tab, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
			assert.NoError(t, err)
		}()
	}
	var rec recordsPage
	e.api(t, "usage/records", url.Values{"model": {"claude-sonnet-4-5"}, "limit": {"1"}}, &rec)
	require.NotEmpty(t, rec.Records)
	pages := map[string]string{
		"overview": "/?by=model", "breakdown": "/breakdown?by=user", "records": "/records?limit=25",
		"detail": "/records/" + rec.Records[0]["id"].(string), "activity": "/activity", "cache": "/cache?by=session",
	}
	for _, dark := range []bool{false, true} {
		setDark(t, e, dark)
		theme := map[bool]string{false: "light", true: "dark"}[dark]
		for name, path := range pages {
			e.open(t, path)
			png, err := chromedp.Run(e.tab, chromedp.FullScreenshot(100))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, name+"-"+theme+".png"), png, 0o644))
		}
	}
	setDark(t, e, false)
}

// TestUIToken: with api.bearer_tokens, the page asks for a token, keeps it
// for the tab's session only, and then shows the data; a wrong one is
// refused and asked again.
func TestUIToken(t *testing.T) {
	chromium(t)
	const token = "ui-test-token"
	c := startUsageCollector(t, t.TempDir(), "exporters::genai_usage::api::bearer_tokens=["+token+"]")
	e := newUIEnv(t, c, token)
	e.feed(t, 200)
	require.NoError(t, chromedp.Do(e.tab, chromedp.Navigate(e.base+"/"), chromedp.WaitVisible(chromedp.CSS(`#auth`))))
	var refused bool
	e.eval(t, `!document.getElementById('auth-error').hidden`, &refused)
	assert.False(t, refused, "no token yet: no refusal shown")
	require.NoError(t, chromedp.Do(e.tab, chromedp.SendKeys(chromedp.CSS(`#auth-token`), "wrong"), chromedp.Click(chromedp.CSS(`#auth-form button[type=submit]`)),
		discard(chromedp.Poll[bool](`!document.getElementById('auth-error').hidden && document.getElementById('auth').open`, chromedp.WithPollingTimeout(10*time.Second)))))
	e.act(t, chromedp.SendKeys(chromedp.CSS(`#auth-token`), token), chromedp.Click(chromedp.CSS(`#auth-form button[type=submit]`)))
	var sum aggregate
	e.api(t, "usage/summary", nil, &sum)
	assert.Equal(t, sum.Calls.String(), e.values(t)["calls"])
	var stored []string
	e.eval(t, `[sessionStorage.getItem('genai-usage-token'), localStorage.getItem('genai-usage-token')]`, &stored)
	assert.Equal(t, []string{token, ""}, stored, "in sessionStorage only")
	// Static files need no token; the API does.
	resp, err := http.Get(e.base + "/records")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, err = http.Get(e.base + "/api/v1/usage/summary")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	// Another page of the same tab keeps the token.
	e.open(t, "/records")
	var open bool
	e.eval(t, `document.getElementById('auth').open`, &open)
	assert.False(t, open)
	if os.Getenv("OTELCOL_GENAI_SCREENSHOTS") != "" {
		e.eval(t, `sessionStorage.clear()`, nil)
		require.NoError(t, chromedp.Do(e.tab, chromedp.Navigate(e.base+"/"), chromedp.WaitVisible(chromedp.CSS(`#auth`))))
		png, err := chromedp.Run(e.tab, chromedp.CaptureScreenshot())
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(repoRoot(), "docs", "screenshots", "token-prompt.png"), png, 0o644))
	}
}

// TestUIStoreDown: a PostgreSQL store that does not answer (nothing
// listens at its address) makes the API answer 503; the page says the
// store is down, and offers to retry.
func TestUIStoreDown(t *testing.T) {
	chromium(t)
	dsn := fmt.Sprintf("postgres://u:p@127.0.0.1:%d/usage?connect_timeout=2", freePort(t))
	c := startUsageCollector(t, t.TempDir(), "exporters::genai_usage::store::driver=postgres", "exporters::genai_usage::store::postgres::dsn="+dsn)
	e := newUIEnv(t, c, "")
	_, code := e.raw(t, "/api/v1/usage/summary", nil)
	require.Equal(t, http.StatusServiceUnavailable, code)
	for _, path := range []string{"/", "/records", "/breakdown"} {
		e.open(t, path)
		var status string
		e.eval(t, `document.getElementById('banner').hidden ? '' : document.getElementById('banner').dataset.status`, &status)
		assert.Equal(t, "503", status, path)
		assert.Contains(t, e.text(t, `#banner`), "usage store is not answering", path)
		assert.Equal(t, "Retry", e.text(t, `[data-testid=unavailable] button`), path)
	}
	if os.Getenv("OTELCOL_GENAI_SCREENSHOTS") != "" {
		e.open(t, "/")
		png, err := chromedp.Run(e.tab, chromedp.CaptureScreenshot())
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(repoRoot(), "docs", "screenshots", "store-down.png"), png, 0o644))
	}
}

// TestUIPerformance measures page load to a drawn overview (the
// Performance API's genai-usage-drawn mark, set when the first view is in
// the DOM with its chart) over a big store: OTELCOL_GENAI_UI_PERF_DB names
// a SQLite store, copied so that it is never changed (the query
// benchmarks build one: /tmp/otelcol-genai-bench-v3-10000000.db). Loads
// are reported, not asserted (docs/benchmarks.md).
func TestUIPerformance(t *testing.T) {
	src := os.Getenv("OTELCOL_GENAI_UI_PERF_DB")
	if src == "" {
		t.Skip("set OTELCOL_GENAI_UI_PERF_DB to a SQLite usage store to measure the page over it")
	}
	chromium(t)
	dir := t.TempDir()
	dst := filepath.Join(dir, "usage.db")
	in, err := os.Open(src)
	require.NoError(t, err)
	out, err := os.Create(dst)
	require.NoError(t, err)
	_, err = io.Copy(out, in)
	require.NoError(t, err)
	require.NoError(t, in.Close())
	require.NoError(t, out.Close())
	c := startUsageCollector(t, dir, "exporters::genai_usage::store::sqlite::path="+dst)
	e := newUIEnv(t, c, "")
	var sum aggregate
	e.api(t, "usage/summary", nil, &sum)
	t.Logf("the overview's range holds %s calls", sum.Calls)
	type timing struct {
		Drawn, Response, DOMContentLoaded float64
	}
	measure := func() timing {
		e.open(t, "/")
		var tm timing
		e.eval(t, `(() => { const n = performance.getEntriesByType('navigation')[0]; return {Drawn: performance.getEntriesByName('genai-usage-drawn')[0].startTime, Response: n.responseEnd, DOMContentLoaded: n.domContentLoadedEventEnd}; })()`, &tm)
		return tm
	}
	for i := range 6 {
		if i == 1 {
			// The first load had nothing cached; the next ones have the
			// assets (immutable) and the store's pages warm.
			t.Log("warm loads:")
		}
		tm := measure()
		t.Logf("load %d: drawn at %.0f ms (index.html at %.0f ms, DOMContentLoaded at %.0f ms)", i+1, tm.Drawn, tm.Response, tm.DOMContentLoaded)
	}
}
