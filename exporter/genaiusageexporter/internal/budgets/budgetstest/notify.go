package budgetstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/budgets"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/metrics"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/budget"
)

// Shared opens a fresh, empty database for one test and returns how to
// open a store on it: each call is another collector's connection,
// closed when the test ends.
type Shared func(t *testing.T) func(t *testing.T) store.Store

// RunNotifications runs the notification suite: a real webhook receiver,
// real stores, an injected clock.
func RunNotifications(t *testing.T, shared Shared) {
	t.Run("OnceSigned", func(t *testing.T) { testNotifyOnce(t, shared(t)) })
	t.Run("Restart", func(t *testing.T) { testNotifyRestart(t, shared(t)) })
	t.Run("TwoCollectors", func(t *testing.T) { testNotifyTwoCollectors(t, shared(t)) })
	t.Run("RetriedThenSent", func(t *testing.T) { testNotifyRetried(t, shared(t)) })
	t.Run("AlwaysFails", func(t *testing.T) { testNotifyFails(t, shared(t)) })
	t.Run("Slack", func(t *testing.T) { testNotifySlack(t, shared(t)) })
	t.Run("EachForecastBelowThreshold", func(t *testing.T) { testNotifyEachForecast(t, shared(t)) })
}

const hookSecret = "whsec-test-1"

// receiver is a webhook endpoint: it checks every signature, fails the
// first failFirst posts (or every one while failing), and counts the
// notifications it accepted by key.
type receiver struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	failFirst int
	failing   bool
	posts     int
	accepted  map[string]int
	bodies    []budgets.Payload
	raw       [][]byte
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t, accepted: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	assert.NoError(r.t, err)
	ts := req.Header.Get(budgets.TimestampHeader)
	_, err = strconv.ParseInt(ts, 10, 64)
	assert.NoError(r.t, err, "timestamp header")
	mac := hmac.New(sha256.New, []byte(hookSecret))
	mac.Write([]byte(ts + "." + string(body)))
	assert.Equal(r.t, "sha256="+hex.EncodeToString(mac.Sum(nil)), req.Header.Get(budgets.SignatureHeader), "signature")
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posts++
	if r.failing || r.posts <= r.failFirst {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	r.raw = append(r.raw, body)
	var p budgets.Payload
	if json.Unmarshal(body, &p) == nil && p.Budget.ID != "" {
		kind := p.Kind
		if kind == "threshold" {
			kind += ":" + strconv.Itoa(p.Threshold)
		}
		r.accepted[p.Budget.ID+"/"+p.Value+"/"+p.WindowStart.Format(time.RFC3339)+"/"+kind]++
		r.bodies = append(r.bodies, p)
	} else {
		r.accepted["raw"]++
	}
}

func (r *receiver) got() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for k, v := range r.accepted {
		out[k] = v
	}
	return out
}

// collector is one collector's budget service and notifier on a store.
type collector struct {
	svc *budgets.Service
	n   *budgets.Notifier
	m   *metrics.Metrics
}

var notifyBudgets = []budget.Spec{
	{ID: "acme-day", Name: "Acme, per day", Scope: budget.Scope{Dimensions: map[string]string{"tenant": "acme"}}, Period: budget.Period{Kind: budget.Day}, Limit: "10", Currency: "USD", Thresholds: []int{50, 100}},
	{ID: "each-user", Scope: budget.Scope{Each: "user"}, Period: budget.Period{Kind: budget.Day, TimeZone: "America/New_York"}, Limit: "20", Currency: "USD", Thresholds: []int{100}},
}

func newCollector(t *testing.T, s store.Store, r *receiver, now *clock, retry budgets.Retry, format string) *collector {
	t.Helper()
	return newCollectorOf(t, s, r, now, retry, format, notifyBudgets...)
}

func newCollectorOf(t *testing.T, s store.Store, r *receiver, now *clock, retry budgets.Retry, format string, specs ...budget.Spec) *collector {
	t.Helper()
	m, err := metrics.New(metrics.Config{})
	require.NoError(t, err)
	m.InitNotifications([]string{"ops"})
	bs := compile(t, specs...)
	c := &collector{svc: budgets.New(s, bs, 0), m: m}
	c.n = &budgets.Notifier{
		Store:    s,
		Webhooks: []budgets.Webhook{{Name: "ops", URL: r.srv.URL, Secret: hookSecret, Format: format, Timeout: 5 * time.Second}},
		Retry:    retry,
		Now:      now.Now,
		Metrics:  m,
	}
	t.Cleanup(c.n.Close)
	return c
}

// tick is one refresh of the timer: statuses, then notifications.
func (c *collector) tick(t *testing.T, now time.Time) {
	t.Helper()
	sts, _, err := c.svc.Refresh(ctx, now, 100)
	require.NoError(t, err)
	require.NoError(t, c.n.Evaluate(ctx, sts))
}

// scrape reads the notification metrics of webhook ops.
func (c *collector) scrape(t *testing.T) map[string]float64 {
	t.Helper()
	srv := httptest.NewServer(c.m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	require.NoError(t, err)
	defer func() { assert.NoError(t, resp.Body.Close()) }()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	out := map[string]float64{}
	for _, name := range []string{"sent_total", "failed_total", "pending"} {
		fam := fams["genai_usage_budget_notifications_"+name]
		require.NotNil(t, fam, name)
		for _, mt := range fam.GetMetric() {
			require.Equal(t, "webhook=ops", labels(mt))
			out[name] = mt.GetCounter().GetValue() + mt.GetGauge().GetValue()
		}
	}
	return out
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

var fast = budgets.Retry{Initial: time.Millisecond, Max: 5 * time.Millisecond, MaxElapsed: 2 * time.Second}

const day = "2026-11-20T00:00:00Z"

// acmeCalls: 6 USD by 06:00 UTC: 50% of acme's 10, and at noon a period
// run rate of 12 USD by the day's end, crossing 10 at 20:00.
var acmeCalls = []call{
	{at: "2026-11-20T01:00:00Z", cost: "2.5", currency: "USD", user: "u1", tenant: "acme"},
	{at: "2026-11-20T06:00:00Z", cost: "3.5", currency: "USD", user: "u1", tenant: "acme"},
	{at: "2026-11-20T07:00:00Z", cost: "1", currency: "USD"}, // unpriced below
	{at: "2026-11-20T08:00:00Z", tenant: "acme"},
}

func testNotifyOnce(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	write(t, s, acmeCalls...)
	r := newReceiver(t)
	now := &clock{t: mustTime(t, "2026-11-20T12:00:00Z")}
	c := newCollector(t, s, r, now, fast, budgets.FormatJSON)
	c.tick(t, now.Now())
	c.n.Wait()
	want := map[string]int{"acme-day//" + day + "/threshold:50": 1, "acme-day//" + day + "/forecast": 1}
	assert.Equal(t, want, r.got())

	r.mu.Lock()
	bodies := r.bodies
	r.mu.Unlock()
	require.Len(t, bodies, 2)
	for _, p := range bodies {
		assert.Equal(t, "Acme, per day", p.Budget.Name)
		assert.Equal(t, map[string]string{"tenant": "acme"}, p.Budget.Scope.Dimensions)
		assert.Equal(t, "day", p.Period.Kind)
		assert.Equal(t, mustTime(t, day), p.WindowStart)
		assert.Equal(t, mustTime(t, "2026-11-21T00:00:00Z"), p.WindowEnd)
		assert.Equal(t, "6", p.Spent)
		assert.Equal(t, "10", p.Limit)
		assert.Equal(t, "USD", p.Currency)
		assert.Equal(t, int64(1), p.UnpricedCalls)
		switch p.Kind {
		case "threshold":
			assert.Equal(t, 50, p.Threshold)
			assert.Nil(t, p.Forecast)
		case "forecast":
			require.NotNil(t, p.Forecast)
			assert.Equal(t, budget.PeriodRunRate, p.Forecast.Method)
			assert.Equal(t, "12", p.Forecast.Projected)
			assert.Equal(t, mustTime(t, "2026-11-20T20:00:00Z"), p.Forecast.Crossing)
		default:
			t.Errorf("kind %q", p.Kind)
		}
	}

	// Re-evaluated, now and later in the day: nothing is sent again.
	c.tick(t, now.Now())
	now.set(mustTime(t, "2026-11-20T13:00:00Z"))
	c.tick(t, now.Now())
	c.n.Wait()
	assert.Equal(t, want, r.got())
	assert.Equal(t, map[string]float64{"sent_total": 2, "failed_total": 0, "pending": 0}, c.scrape(t))

	// The next day is another window.
	write(t, s, call{at: "2026-11-21T01:00:00Z", cost: "5", currency: "USD", tenant: "acme"})
	now.set(mustTime(t, "2026-11-21T02:00:00Z"))
	c.tick(t, now.Now())
	c.n.Wait()
	assert.Equal(t, 1, r.got()["acme-day//2026-11-21T00:00:00Z/threshold:50"])
}

func testNotifyRestart(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	write(t, s, acmeCalls...)
	r := newReceiver(t)
	r.failing = true
	now := &clock{t: mustTime(t, "2026-11-20T12:00:00Z")}
	// The first collector claims both and fails to deliver them, then
	// stops while it waits to retry: they stay pending.
	slow := budgets.Retry{Initial: time.Hour, Max: time.Hour, MaxElapsed: 24 * time.Hour}
	a := newCollector(t, s, r, now, slow, budgets.FormatJSON)
	a.tick(t, now.Now())
	k := store.NotificationKey{Webhook: "ops", BudgetID: "acme-day", WindowStart: mustTime(t, day), Kind: "threshold:50"}
	attempted := func(kind string) bool {
		k := k
		k.Kind = kind
		n, err := s.Notification(ctx, k)
		return err == nil && n.Attempts == 1
	}
	require.Eventually(t, func() bool { return attempted("threshold:50") && attempted("forecast") }, 5*time.Second, time.Millisecond)
	a.n.Close()
	assert.Empty(t, r.got())
	n, err := s.Notification(ctx, k)
	require.NoError(t, err)
	assert.Equal(t, store.NotificationPending, n.State)
	assert.Equal(t, 1, n.Attempts)
	assert.Contains(t, n.LastError, "503")
	k.Kind = "forecast"
	n, err = s.Notification(ctx, k)
	require.NoError(t, err)
	assert.Equal(t, 1, n.Attempts)
	assert.True(t, n.LeaseUntil.Before(now.Now()), "the lease is released: %v", n.LeaseUntil)
	k.Kind = "threshold:50"

	// A user crosses its each budget meanwhile.
	write(t, s, call{at: "2026-11-20T12:30:00Z", cost: "20", currency: "USD", user: "u9", tenant: "beta"})
	r.mu.Lock()
	r.failing = false
	r.mu.Unlock()
	now.set(mustTime(t, "2026-11-20T13:00:00Z"))
	b := newCollector(t, open(t), r, now, fast, budgets.FormatJSON)
	b.tick(t, now.Now())
	b.n.Wait()
	want := map[string]int{
		"acme-day//" + day + "/threshold:50": 1, "acme-day//" + day + "/forecast": 1,
		"each-user/u9/2026-11-20T05:00:00Z/threshold:100": 1, "each-user/u9/2026-11-20T05:00:00Z/forecast": 1,
	}
	assert.Equal(t, want, r.got(), "the pending ones resumed, the new ones sent")
	n, err = s.Notification(ctx, k)
	require.NoError(t, err)
	assert.Equal(t, store.NotificationSent, n.State)
	assert.Equal(t, 2, n.Attempts)

	// Another restart sends nothing again.
	c := newCollector(t, open(t), r, now, fast, budgets.FormatJSON)
	c.tick(t, now.Now())
	c.n.Wait()
	assert.Equal(t, want, r.got())

	// A collector that dies after its claim, without stopping: its lease
	// runs out and another takes the notification over.
	write(t, s, call{at: "2026-11-20T13:30:00Z", cost: "5", currency: "USD", tenant: "acme"})
	dead := &budgets.Notifier{Store: s, Now: now.Now, Retry: slow,
		Webhooks: []budgets.Webhook{{Name: "ops", URL: "http://127.0.0.1:1", Secret: hookSecret, Timeout: time.Second}}}
	sts, _, err := c.svc.Refresh(ctx, now.Now(), 100)
	require.NoError(t, err)
	require.NoError(t, dead.Evaluate(ctx, sts))
	t.Cleanup(dead.Close)
	c.tick(t, now.Now())
	c.n.Wait()
	assert.Zero(t, r.got()["acme-day//"+day+"/threshold:100"], "leased by the dead one")
	now.set(now.Now().Add(2*time.Hour + 2*time.Minute))
	c.tick(t, now.Now())
	c.n.Wait()
	assert.Equal(t, 1, r.got()["acme-day//"+day+"/threshold:100"], "taken over after the lease")
}

func testNotifyTwoCollectors(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	write(t, s, acmeCalls...)
	write(t, s, call{at: "2026-11-20T10:00:00Z", cost: "25", currency: "USD", user: "u7"})
	r := newReceiver(t)
	now := &clock{t: mustTime(t, "2026-11-20T12:00:00Z")}
	cs := []*collector{newCollector(t, s, r, now, fast, budgets.FormatJSON), newCollector(t, open(t), r, now, fast, budgets.FormatJSON)}
	for range 3 {
		var wg sync.WaitGroup
		for _, c := range cs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.tick(t, now.Now())
			}()
		}
		wg.Wait()
	}
	for _, c := range cs {
		c.n.Wait()
	}
	assert.Equal(t, map[string]int{
		"acme-day//" + day + "/threshold:50": 1, "acme-day//" + day + "/forecast": 1,
		"each-user/u7/2026-11-20T05:00:00Z/threshold:100": 1, "each-user/u7/2026-11-20T05:00:00Z/forecast": 1,
	}, r.got())
	sent := cs[0].scrape(t)["sent_total"] + cs[1].scrape(t)["sent_total"]
	assert.Equal(t, 4.0, sent)
}

func testNotifyRetried(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	write(t, s, acmeCalls[:2]...)
	r := newReceiver(t)
	r.failFirst = 2
	now := &clock{t: mustTime(t, "2026-11-20T18:00:00Z")} // 50% crossed, no forecast crossing
	c := newCollector(t, s, r, now, fast, budgets.FormatJSON)
	c.tick(t, now.Now())
	c.n.Wait()
	assert.Equal(t, map[string]int{"acme-day//" + day + "/threshold:50": 1}, r.got())
	assert.Equal(t, 3, r.posts)
	n, err := s.Notification(ctx, store.NotificationKey{Webhook: "ops", BudgetID: "acme-day", WindowStart: mustTime(t, day), Kind: "threshold:50"})
	require.NoError(t, err)
	assert.Equal(t, store.NotificationSent, n.State)
	assert.Equal(t, 3, n.Attempts)
	assert.Equal(t, map[string]float64{"sent_total": 1, "failed_total": 0, "pending": 0}, c.scrape(t))
}

func testNotifyFails(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	write(t, s, acmeCalls[:2]...)
	r := newReceiver(t)
	r.failing = true
	now := &clock{t: mustTime(t, "2026-11-20T18:00:00Z")}
	c := newCollector(t, s, r, now, budgets.Retry{Initial: time.Millisecond, Max: 20 * time.Millisecond, MaxElapsed: 300 * time.Millisecond}, budgets.FormatJSON)
	c.tick(t, now.Now())
	c.n.Wait()
	assert.Empty(t, r.got())
	assert.Greater(t, r.posts, 2, "retried")
	n, err := s.Notification(ctx, store.NotificationKey{Webhook: "ops", BudgetID: "acme-day", WindowStart: mustTime(t, day), Kind: "threshold:50"})
	require.NoError(t, err)
	assert.Equal(t, store.NotificationFailed, n.State)
	assert.Equal(t, r.posts, n.Attempts)
	assert.Contains(t, n.LastError, "503")
	assert.Equal(t, map[string]float64{"sent_total": 0, "failed_total": 1, "pending": 0}, c.scrape(t))
	// A failed one is not tried again.
	c.tick(t, now.Now())
	c.n.Wait()
	assert.Equal(t, n.Attempts, r.posts)
}

func testNotifySlack(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	write(t, s, acmeCalls[:2]...)
	r := newReceiver(t)
	now := &clock{t: mustTime(t, "2026-11-20T18:00:00Z")}
	c := newCollector(t, s, r, now, fast, budgets.FormatSlack)
	c.tick(t, now.Now())
	c.n.Wait()
	require.Len(t, r.raw, 1)
	var msg map[string]string
	require.NoError(t, json.Unmarshal(r.raw[0], &msg))
	assert.Equal(t, "Budget acme-day crossed 50% of its limit: spent 6 of 10 USD. Window 2026-11-20T00:00:00Z to 2026-11-21T00:00:00Z.", msg["text"])
}

// testNotifyEachForecast: a value of an each-budget under the lowest
// threshold whose spend will cross the limit before the day ends is
// warned of, though the gauges leave it out, whether it is among the top
// spenders of the window or only of the last day.
func testNotifyEachForecast(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	write(t, s,
		call{at: "2026-11-20T00:10:00Z", cost: "6", currency: "USD", user: "u1"},   // 60%: over the threshold
		call{at: "2026-11-20T00:20:00Z", cost: "0.3", currency: "USD", user: "u2"}, // 3%, 7.2 a day at its rate: no warning
		call{at: "2026-11-19T23:00:00Z", cost: "11", currency: "USD", user: "u3"},  // yesterday
		call{at: "2026-11-20T00:40:00Z", cost: "0.2", currency: "USD", user: "u3"}, // 2% today, 11.2 in the last 24 hours
		call{at: "2026-11-20T00:50:00Z", cost: "0.5", currency: "USD", user: "u4"}, // 5%, but 12 a day at its rate
	)
	spec := budget.Spec{ID: "user-day", Scope: budget.Scope{Each: "user"}, Period: budget.Period{Kind: budget.Day}, Limit: "10", Currency: "USD", Thresholds: []int{50}}
	r := newReceiver(t)
	now := &clock{t: mustTime(t, "2026-11-20T01:00:00Z")}
	c := newCollectorOf(t, s, r, now, fast, budgets.FormatJSON, spec)

	// One value listed, two more read: u3 is not among the window's top
	// two spenders (u1, u4), only among the last day's.
	sts, samples, err := c.svc.Refresh(ctx, now.Now(), 1)
	require.NoError(t, err)
	require.Len(t, sts, 1)
	type listed struct {
		value        string
		forecastOnly bool
	}
	var got []listed
	for _, v := range sts[0].Values {
		got = append(got, listed{v.Value, v.ForecastOnly})
	}
	assert.Equal(t, []listed{{"u1", false}, {"u4", true}, {"u3", true}}, got)
	var gauged []string
	for _, smp := range samples {
		gauged = append(gauged, smp.Value)
	}
	assert.Equal(t, []string{"u1"}, gauged, "the gauges list the values over the lowest threshold only")

	require.NoError(t, c.n.Evaluate(ctx, sts))
	c.n.Wait()
	assert.Equal(t, map[string]int{
		"user-day/u1/" + day + "/threshold:50": 1,
		"user-day/u1/" + day + "/forecast":     1,
		"user-day/u3/" + day + "/forecast":     1,
		"user-day/u4/" + day + "/forecast":     1,
	}, r.got())
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.bodies {
		if p.Value == "u3" {
			require.NotNil(t, p.Forecast)
			assert.Equal(t, budget.Last24hRunRate, p.Forecast.Method)
			assert.Equal(t, "0.2", p.Spent)
		}
	}
}
