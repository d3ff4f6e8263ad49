package metrics

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// scrape serves m through its handler, GETs it and returns the body and
// every sample by series key (see key): histograms as _bucket, _sum and
// _count samples.
func scrape(t testing.TB, m *Metrics) (exposition string, samples map[string]float64) {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)

	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	require.NoError(t, err, "exposition:\n%s", body)
	out := map[string]float64{}
	for name, f := range fams {
		for _, s := range f.GetMetric() {
			var lbl []string
			for _, l := range s.GetLabel() {
				lbl = append(lbl, l.GetName(), l.GetValue())
			}
			if c := s.GetCounter(); c != nil {
				out[key(name, lbl...)] = c.GetValue()
			}
			if g := s.GetGauge(); g != nil {
				out[key(name, lbl...)] = g.GetValue()
			}
			if h := s.GetHistogram(); h != nil {
				out[key(name+"_count", lbl...)] = float64(h.GetSampleCount())
				out[key(name+"_sum", lbl...)] = h.GetSampleSum()
				for _, b := range h.GetBucket() {
					le := strconv.FormatFloat(b.GetUpperBound(), 'g', -1, 64)
					out[key(name+"_bucket", append(slices.Clone(lbl), "le", le)...)] = float64(b.GetCumulativeCount())
				}
			}
		}
	}
	return string(body), out
}

// key names one series: name{a="x",b="y"}, labels sorted by name.
// key renders a series as Prometheus stores it: labels sorted, and a label
// with an empty value left out (Prometheus takes it for no label).
func key(name string, pairs ...string) string {
	type kv struct{ k, v string }
	var l []kv
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			l = append(l, kv{pairs[i], pairs[i+1]})
		}
	}
	slices.SortFunc(l, func(a, b kv) int { return strings.Compare(a.k, b.k) })
	var sb strings.Builder
	sb.WriteString(name + "{")
	for i, p := range l {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(p.k + "=" + strconv.Quote(p.v))
	}
	sb.WriteByte('}')
	return sb.String()
}

// series lists the keys of one family's samples.
func series(samples map[string]float64, name string) []string {
	var out []string
	for k := range samples {
		if strings.HasPrefix(k, name+"{") {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func newMetrics(t testing.TB, cfg Config) *Metrics {
	t.Helper()
	m, err := New(cfg)
	require.NoError(t, err)
	return m
}

func record(user string) *usage.Record {
	r := &usage.Record{
		Provider: "openai", Model: "gpt-4o", Service: "chat",
		Dims:     usage.Dimensions{User: user, Tenant: "acme"},
		Status:   genaiconv.StatusPriced,
		Duration: 1500 * time.Millisecond,
		Currency: "USD",
	}
	r.Tokens[meter.Input] = 1000
	r.Tokens[meter.Output] = 200
	return r
}

func TestObserveValues(t *testing.T) {
	m := newMetrics(t, Config{Dimensions: []string{"user", "tenant"}})

	a := record("alice")
	a.Tokens[meter.CacheRead] = 3000
	a.Tokens[meter.Reasoning] = 50
	a.Tokens[meter.Request] = 1   // not a token
	a.Tokens[meter.WebSearch] = 2 // not a token
	a.Cost = 1_234_567_891
	a.ListCost = 1_452_432_813 // a contract's 0.85
	a.Estimated = true         // counted from its content
	a.CacheSaved = 6_750_000
	a.TTFT = 300 * time.Millisecond
	m.Observe(a)

	b := record("alice")
	b.Status = genaiconv.StatusUnpriced
	b.Model = "mystery-1"
	b.Cost = 5 // unpriced calls add no cost even if one slipped through
	b.ErrorType = "429"
	b.Duration = 0 // unknown: not observed
	m.Observe(b)

	c := record("bob")
	c.Status = genaiconv.StatusInvalid
	c.Tokens = meter.Counts{}
	c.ErrorType = "timeout"
	m.Observe(c)

	body, got := scrape(t, m)
	base := func(model string, user string, own ...string) []string {
		return append([]string{"provider", "openai", "model", model, "service", "chat", "user", user, "tenant", "acme"}, own...)
	}
	want := map[string]float64{
		key("genai_usage_calls_total", base("gpt-4o", "alice", "status", "priced")...):      1,
		key("genai_usage_calls_total", base("mystery-1", "alice", "status", "unpriced")...): 1,
		key("genai_usage_calls_total", base("gpt-4o", "bob", "status", "invalid")...):       1,

		key("genai_usage_call_errors_total", base("mystery-1", "alice", "error_type", "429")...): 1,
		key("genai_usage_call_errors_total", base("gpt-4o", "bob", "error_type", "timeout")...):  1,

		key("genai_usage_tokens_total", base("gpt-4o", "alice", "type", "input")...):             1000,
		key("genai_usage_tokens_total", base("gpt-4o", "alice", "type", "cache_read")...):        3000,
		key("genai_usage_tokens_total", base("gpt-4o", "alice", "type", "output")...):            200,
		key("genai_usage_tokens_total", base("gpt-4o", "alice", "type", "reasoning")...):         50,
		key("genai_usage_tokens_total", base("mystery-1", "alice", "type", "input")...):          1000,
		key("genai_usage_tokens_total", base("mystery-1", "alice", "type", "output")...):         200,
		key("genai_usage_cost_total", base("gpt-4o", "alice", "currency", "USD")...):             1.234567891,
		key("genai_usage_list_cost_total", base("gpt-4o", "alice", "currency", "USD")...):        1.452432813,
		key("genai_usage_estimated_cost_total", base("gpt-4o", "alice", "currency", "USD")...):   1.234567891,
		key("genai_usage_estimated_calls_total", base("gpt-4o", "alice", "status", "priced")...): 1,
		key("genai_usage_cache_savings_total", base("gpt-4o", "alice", "currency", "USD")...):    0.00675,

		key("genai_usage_unpriced_calls_total", "provider", "openai", "model", "mystery-1", "service", "chat", "status", "unpriced"): 1,
		key("genai_usage_unpriced_calls_total", "provider", "openai", "model", "gpt-4o", "service", "chat", "status", "invalid"):     1,
	}
	for _, name := range []string{"genai_usage_calls_total", "genai_usage_call_errors_total", "genai_usage_tokens_total",
		"genai_usage_cost_total", "genai_usage_list_cost_total", "genai_usage_cache_savings_total", "genai_usage_unpriced_calls_total",
		"genai_usage_estimated_cost_total", "genai_usage_estimated_calls_total"} {
		for _, k := range series(got, name) {
			assert.Equal(t, want[k], got[k], k)
		}
		for k := range want {
			if strings.HasPrefix(k, name+"{") {
				assert.Contains(t, got, k)
			}
		}
	}
	// The exposition carries the decimal amount, not a float sum.
	assert.Contains(t, body, `currency="USD"`)
	assert.Regexp(t, `genai_usage_cost_total\{[^}]*user="alice"[^}]*\} 1\.234567891\n`, body)

	hb := func(model string, own ...string) []string {
		return append([]string{"provider", "openai", "model", model, "service", "chat"}, own...)
	}
	// call_tokens: alice's priced call (input 1000+3000, output 200) and
	// her unpriced one (1000, 200); bob's call had no tokens.
	assert.Equal(t, 1.0, got[key("genai_usage_call_tokens_count", hb("gpt-4o", "type", "input")...)])
	assert.Equal(t, 4000.0, got[key("genai_usage_call_tokens_sum", hb("gpt-4o", "type", "input")...)])
	assert.Equal(t, 0.0, got[key("genai_usage_call_tokens_bucket", hb("gpt-4o", "type", "input", "le", "2500")...)])
	assert.Equal(t, 1.0, got[key("genai_usage_call_tokens_bucket", hb("gpt-4o", "type", "input", "le", "5000")...)])
	assert.Equal(t, 200.0, got[key("genai_usage_call_tokens_sum", hb("gpt-4o", "type", "output")...)])
	assert.Equal(t, 1.0, got[key("genai_usage_call_tokens_count", hb("mystery-1", "type", "input")...)])
	assert.Len(t, series(got, "genai_usage_call_tokens_count"), 4)

	// Durations: alice's priced call and bob's; the unpriced one had none.
	assert.Equal(t, 2.0, got[key("genai_usage_call_duration_seconds_count", hb("gpt-4o")...)])
	assert.Equal(t, 3.0, got[key("genai_usage_call_duration_seconds_sum", hb("gpt-4o")...)])
	assert.Equal(t, 2.0, got[key("genai_usage_call_duration_seconds_bucket", hb("gpt-4o", "le", "2")...)])
	assert.Equal(t, 0.0, got[key("genai_usage_call_duration_seconds_bucket", hb("gpt-4o", "le", "1")...)])
	assert.Len(t, series(got, "genai_usage_call_duration_seconds_count"), 1)

	// Time to first token only where reported.
	assert.Equal(t, []string{key("genai_usage_time_to_first_token_seconds_count", hb("gpt-4o")...)},
		series(got, "genai_usage_time_to_first_token_seconds_count"))
	assert.Equal(t, 0.3, got[key("genai_usage_time_to_first_token_seconds_sum", hb("gpt-4o")...)])
	assert.Equal(t, 1.0, got[key("genai_usage_time_to_first_token_seconds_bucket", hb("gpt-4o", "le", "0.5")...)])

	for _, name := range []string{"calls_total", "call_errors_total", "tokens_total", "cost_total", "cache_savings_total",
		"unpriced_calls_total", "call_tokens", "call_duration_seconds", "time_to_first_token_seconds"} {
		assert.Equal(t, 0.0, got[key("genai_usage_overflow_observations_total", "metric", "genai_usage_"+name)], name)
	}
}

// The deployment environment is a label of every usage metric: the calls
// of two environments are two series, of the counters and the histograms.
func TestEnvironmentLabel(t *testing.T) {
	m := newMetrics(t, Config{Dimensions: []string{"user"}})
	for _, env := range []string{"prod", "prod", "staging"} {
		r := record("alice")
		r.Environment = env
		r.Cost = 1_000_000
		m.Observe(r)
	}
	_, got := scrape(t, m)
	at := func(env string, own ...string) []string {
		return append([]string{"provider", "openai", "model", "gpt-4o", "service", "chat", "environment", env}, own...)
	}
	assert.Equal(t, 2.0, got[key("genai_usage_calls_total", append(at("prod", "user", "alice"), "status", "priced")...)])
	assert.Equal(t, 1.0, got[key("genai_usage_calls_total", append(at("staging", "user", "alice"), "status", "priced")...)])
	assert.Equal(t, 0.002, got[key("genai_usage_cost_total", append(at("prod", "user", "alice"), "currency", "USD")...)])
	assert.Equal(t, 2.0, got[key("genai_usage_call_duration_seconds_count", at("prod")...)])
	assert.Equal(t, 1.0, got[key("genai_usage_call_duration_seconds_count", at("staging")...)])
}

func TestCostIsExact(t *testing.T) {
	m := newMetrics(t, Config{})
	for range 10 {
		r := record("")
		r.Cost = 100_000_000 // 0.1: ten float additions give 0.9999999999999999
		r.CacheSaved = 100_000_000
		m.Observe(r)
	}
	r := record("")
	r.Currency = "EUR"
	for range 3 {
		r.Cost = 100_000_000
		m.Observe(r)
	}
	body, got := scrape(t, m)
	labels := []string{"provider", "openai", "model", "gpt-4o", "service", "chat"}
	assert.Equal(t, 1.0, got[key("genai_usage_cost_total", append(labels, "currency", "USD")...)])
	assert.Equal(t, 1.0, got[key("genai_usage_cache_savings_total", append(labels, "currency", "USD")...)])
	assert.Equal(t, 0.3, got[key("genai_usage_cost_total", append(labels, "currency", "EUR")...)])
	assert.Contains(t, body, `genai_usage_cost_total{currency="USD",environment="",model="gpt-4o",provider="openai",service="chat"} 1`+"\n")
	assert.Contains(t, body, `genai_usage_cost_total{currency="EUR",environment="",model="gpt-4o",provider="openai",service="chat"} 0.3`+"\n")

	// Below a million units (15 significant digits) the exposed value is
	// the decimal amount exactly.
	m = newMetrics(t, Config{})
	r = record("")
	r.Cost = 999_999_999_999_999
	m.Observe(r)
	r.Cost = 1
	m.Observe(r)
	body, _ = scrape(t, m)
	v := sampleValue(t, body, `genai_usage_cost_total{`)
	assert.Equal(t, "1000000", strconv.FormatFloat(v, 'f', -1, 64))
	m.Observe(r)
	body, _ = scrape(t, m)
	v = sampleValue(t, body, `genai_usage_cost_total{`)
	assert.Equal(t, money.Nanos(1_000_000_000_000_001).String(), strconv.FormatFloat(v, 'f', -1, 64))
}

// sampleValue returns the value of the first sample line starting with
// prefix.
func sampleValue(t *testing.T, body, prefix string) float64 {
	t.Helper()
	for line := range strings.SplitSeq(body, "\n") {
		if strings.HasPrefix(line, prefix) {
			v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			require.NoError(t, err)
			return v
		}
	}
	t.Fatalf("no sample %s in\n%s", prefix, body)
	return 0
}

func TestOverflow(t *testing.T) {
	m := newMetrics(t, Config{Dimensions: []string{"user"}, CardinalityLimit: 3})
	for i := range 10 {
		r := record(fmt.Sprintf("user%d", i))
		r.Cost = money.Nanos(i+1) * 1_000_000
		r.Tokens[meter.Output] = 0 // one token series per user
		m.Observe(r)
	}
	user := func(u string, own ...string) []string {
		return append([]string{"provider", "openai", "model", "gpt-4o", "service", "chat", "user", u}, own...)
	}
	over := func(own ...string) []string {
		return append([]string{"provider", OverflowValue, "model", OverflowValue, "service", OverflowValue, "environment", OverflowValue, "user", OverflowValue}, own...)
	}
	_, got := scrape(t, m)
	calls := series(got, "genai_usage_calls_total")
	assert.Equal(t, []string{
		key("genai_usage_calls_total", over("status", "priced")...),
		key("genai_usage_calls_total", user("user0", "status", "priced")...),
		key("genai_usage_calls_total", user("user1", "status", "priced")...),
		key("genai_usage_calls_total", user("user2", "status", "priced")...),
	}, calls)
	for _, u := range []string{"user0", "user1", "user2"} {
		assert.Equal(t, 1.0, got[key("genai_usage_calls_total", user(u, "status", "priced")...)])
	}
	assert.Equal(t, 7.0, got[key("genai_usage_calls_total", over("status", "priced")...)])
	assert.Equal(t, 7.0, got[key("genai_usage_overflow_observations_total", "metric", "genai_usage_calls_total")])

	// Again for an admitted user and a folded one: they stay where they went.
	m.Observe(record("user0"))
	m.Observe(record("user9"))
	_, got = scrape(t, m)
	calls = series(got, "genai_usage_calls_total")
	assert.Len(t, calls, 4)
	assert.Equal(t, 2.0, got[key("genai_usage_calls_total", user("user0", "status", "priced")...)])
	assert.Equal(t, 8.0, got[key("genai_usage_calls_total", over("status", "priced")...)])
	assert.Equal(t, 8.0, got[key("genai_usage_overflow_observations_total", "metric", "genai_usage_calls_total")])

	// Cost: users 3..9 paid 4+5+...+10 thousandths.
	assert.Len(t, series(got, "genai_usage_cost_total"), 4)
	assert.Equal(t, 0.049, got[key("genai_usage_cost_total", over("currency", "USD")...)])
	assert.Equal(t, 0.003, got[key("genai_usage_cost_total", user("user2", "currency", "USD")...)])
	assert.Equal(t, 7.0, got[key("genai_usage_overflow_observations_total", "metric", "genai_usage_cost_total")])

	// Tokens: the 10 first records have one type, the 2 last two; user0's
	// output is a new series past the limit, so it folds too.
	assert.Equal(t, 8.0*1000, got[key("genai_usage_tokens_total", over("type", "input")...)])
	assert.Equal(t, 2.0*200, got[key("genai_usage_tokens_total", over("type", "output")...)])
	assert.Equal(t, 10.0, got[key("genai_usage_overflow_observations_total", "metric", "genai_usage_tokens_total")])
	assert.Len(t, series(got, "genai_usage_tokens_total"), 5)

	// Histograms are not per user: one series, nothing folded.
	assert.Equal(t, 12.0, got[key("genai_usage_call_duration_seconds_count", "provider", "openai", "model", "gpt-4o", "service", "chat")])
	assert.Equal(t, 0.0, got[key("genai_usage_overflow_observations_total", "metric", "genai_usage_call_duration_seconds")])

	// Totals are kept whatever the folding.
	sum := 0.0
	for _, k := range calls {
		sum += got[k]
	}
	assert.Equal(t, 12.0, sum)
}

func TestOverflowBoundsOwnLabel(t *testing.T) {
	m := newMetrics(t, Config{Dimensions: []string{"user"}, CardinalityLimit: 2})
	for i := range 50 {
		r := record(fmt.Sprintf("u%d", i))
		r.ErrorType = fmt.Sprintf("error-%d", i)
		m.Observe(r)
	}
	_, got := scrape(t, m)
	errs := series(got, "genai_usage_call_errors_total")
	// 2 real, 2 overflow series with their error type, 1 with both folded.
	assert.Len(t, errs, 5)
	sum := 0.0
	for _, k := range errs {
		sum += got[k]
	}
	assert.Equal(t, 50.0, sum)
	assert.Equal(t, 46.0, got[key("genai_usage_call_errors_total", "provider", OverflowValue, "model", OverflowValue,
		"service", OverflowValue, "environment", OverflowValue, "user", OverflowValue, "error_type", OverflowValue)])
	assert.Equal(t, 48.0, got[key("genai_usage_overflow_observations_total", "metric", "genai_usage_call_errors_total")])
}

func TestNoLimit(t *testing.T) {
	m := newMetrics(t, Config{Dimensions: []string{"user"}})
	for i := range 500 {
		m.Observe(record(fmt.Sprintf("user%d", i)))
	}
	_, got := scrape(t, m)
	assert.Len(t, series(got, "genai_usage_calls_total"), 500)
	assert.Len(t, series(got, "genai_usage_tokens_total"), 1000)
	for k, v := range got {
		assert.NotContains(t, k, OverflowValue)
		if strings.HasPrefix(k, "genai_usage_overflow_observations_total") {
			assert.Zero(t, v, k)
		}
	}
}

func TestConcurrentObserve(t *testing.T) {
	const workers, perWorker = 8, 2000
	m := newMetrics(t, Config{Dimensions: []string{"user", "feature"}, CardinalityLimit: 50})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	go func() { // scrapes race with observations
		for {
			select {
			case <-stop:
				return
			default:
				_, err := m.Registry().Gather()
				assert.NoError(t, err)
			}
		}
	}()
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				r := record(fmt.Sprintf("user%d", (w*perWorker+i)%97))
				r.Dims.Feature = fmt.Sprintf("f%d", i%3)
				r.Cost = 100_000_001
				if i%10 == 0 {
					r.ErrorType = "500"
				}
				m.Observe(r)
			}
		})
	}
	wg.Wait()
	close(stop)

	_, got := scrape(t, m)
	total := func(name string) (sum float64, n int) {
		for _, k := range series(got, name) {
			sum += got[k]
			n++
		}
		return sum, n
	}
	calls, n := total("genai_usage_calls_total")
	assert.Equal(t, float64(workers*perWorker), calls)
	assert.Equal(t, 51, n) // the limit, and the overflow series
	cost, _ := total("genai_usage_cost_total")
	// Each series holds an exact decimal; the float sum of 51 of them is
	// within a few ulps of 1600.000016.
	assert.InDelta(t, 1600.000016, cost, 1e-9)
	tokens, _ := total("genai_usage_tokens_total")
	assert.Equal(t, float64(workers*perWorker*1200), tokens)
	errs, _ := total("genai_usage_call_errors_total")
	assert.Equal(t, float64(workers*perWorker/10), errs)
	hist := got[key("genai_usage_call_duration_seconds_count", "provider", "openai", "model", "gpt-4o", "service", "chat")]
	assert.Equal(t, float64(workers*perWorker), hist)
	folded := got[key("genai_usage_overflow_observations_total", "metric", "genai_usage_calls_total")]
	over := got[key("genai_usage_calls_total", "provider", OverflowValue, "model", OverflowValue, "service", OverflowValue,
		"environment", OverflowValue, "user", OverflowValue, "feature", OverflowValue, "status", "priced")]
	assert.Equal(t, over, folded)
	assert.Positive(t, folded)
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want []string
	}{
		{Config{Dimensions: []string{"user", "team"}}, []string{`dimensions[1]: "team" is not one of`, "user, tenant, department, session, session_type, feature, api_key"}},
		{Config{Dimensions: []string{"user", "tenant", "user"}}, []string{`dimensions[2]: "user" is listed twice`}},
		{Config{CardinalityLimit: -1}, []string{"cardinality_limit: -1 is negative"}},
		{Config{Namespace: "genai-usage"}, []string{`namespace: "genai-usage" is not a valid`}},
		{Config{Namespace: "9x"}, []string{`namespace: "9x"`}},
	} {
		_, err := New(tc.cfg)
		require.Error(t, err, "%+v", tc.cfg)
		for _, w := range tc.want {
			assert.Contains(t, err.Error(), w)
		}
	}

	m := newMetrics(t, Config{Namespace: "llm", Dimensions: usage.DimensionNames[:]})
	m.Observe(record("alice"))
	_, got := scrape(t, m)
	assert.Len(t, series(got, "llm_calls_total"), 1)
	assert.Len(t, series(got, "genai_usage_calls_total"), 0)
	assert.Contains(t, got, key("llm_calls_total", "provider", "openai", "model", "gpt-4o", "service", "chat", "user", "alice",
		"tenant", "acme", "department", "", "session", "", "session_type", "", "feature", "", "api_key", "", "status", "priced"))
}

func TestHostileRecords(t *testing.T) {
	m := newMetrics(t, Config{Dimensions: []string{"user", "tenant"}, CardinalityLimit: 100})
	m.Observe(nil)
	m.Observe(&usage.Record{}) // every label empty

	long := strings.Repeat("x", 64<<10)
	for _, s := range []string{"\xff", "\xfe", "a\xc3", "ok\x00nul", "quote\"back\\slash\nnewline", long, "\u00e9\u4e16"} {
		r := record(s)
		r.Provider, r.Model, r.Service, r.Dims.Tenant = s, s, s, s
		r.Status, r.ErrorType, r.Currency = s, s, s
		r.Cost = 1
		m.Observe(r)
	}
	// "\xff" and "\xfe" are both "\uFFFD" once made valid: one series.
	r := record("\xff")
	r.Tokens[meter.Input] = -5 // never decreases a counter
	r.Tokens[meter.Output] = math.MaxInt64
	r.Cost = -1
	r.CacheSaved = math.MaxInt64
	r.Duration = -time.Second
	r.TTFT = math.MaxInt64
	m.Observe(r)
	m.Observe(r) // saturates, does not wrap

	_, err := m.Registry().Gather()
	require.NoError(t, err)
	body, got := scrape(t, m)
	assert.Contains(t, body, long)
	u := "\uFFFD"
	assert.Equal(t, 2.0, got[key("genai_usage_calls_total", "provider", "openai", "model", "gpt-4o", "service", "chat",
		"user", u, "tenant", "acme", "status", "priced")])
	assert.Equal(t, 2.0, got[key("genai_usage_calls_total", "provider", u, "model", u, "service", u,
		"user", u, "tenant", u, "status", u)])
	assert.Equal(t, float64(math.MaxInt64), got[key("genai_usage_tokens_total", "provider", "openai", "model", "gpt-4o", "service", "chat",
		"user", u, "tenant", "acme", "type", "output")])
	assert.Equal(t, float64(math.MaxInt64)/1e9, got[key("genai_usage_cache_savings_total", "provider", "openai", "model", "gpt-4o", "service", "chat",
		"user", u, "tenant", "acme", "currency", "USD")])
	assert.NotContains(t, got, key("genai_usage_cost_total", "provider", "openai", "model", "gpt-4o", "service", "chat",
		"user", u, "tenant", "acme", "currency", "USD"))
	assert.Equal(t, 1.0, got[key("genai_usage_calls_total", "provider", "", "model", "", "service", "",
		"user", "", "tenant", "", "status", "")])

	problems, err := testutil.GatherAndLint(m.Registry())
	require.NoError(t, err)
	assert.Empty(t, problems)
}

func TestLint(t *testing.T) {
	m := newMetrics(t, Config{Dimensions: []string{"user", "tenant", "feature"}, CardinalityLimit: 1})
	for _, u := range []string{"alice", "bob"} {
		r := record(u)
		r.Cost, r.CacheSaved, r.TTFT = 1000, 10, time.Second
		m.Observe(r)
		r.Status, r.ErrorType = genaiconv.StatusInvalid, "400"
		m.Observe(r)
	}
	problems, err := testutil.GatherAndLint(m.Registry())
	require.NoError(t, err)
	assert.Empty(t, problems)

	fams, err := m.Registry().Gather()
	require.NoError(t, err)
	var names []string
	for _, f := range fams {
		names = append(names, f.GetName())
	}
	assert.Equal(t, []string{
		"genai_usage_cache_savings_total",
		"genai_usage_call_duration_seconds",
		"genai_usage_call_errors_total",
		"genai_usage_call_tokens",
		"genai_usage_calls_total",
		"genai_usage_cost_total",
		"genai_usage_overflow_observations_total",
		"genai_usage_time_to_first_token_seconds",
		"genai_usage_tokens_total",
		"genai_usage_unpriced_calls_total",
		"promhttp_metric_handler_errors_total", // the handler's own
	}, names)

	// The registry is private.
	def, err := prometheus.DefaultGatherer.Gather()
	require.NoError(t, err)
	for _, f := range def {
		assert.NotContains(t, f.GetName(), "genai_usage")
	}
}

func TestErrorLog(t *testing.T) {
	core, logs := observer.New(zap.ErrorLevel)
	errorLog{zap.New(core)}.Println("error gathering metrics:", errors.New("boom"))
	require.Equal(t, 1, logs.Len())
	assert.Equal(t, "error gathering metrics: boom", logs.All()[0].Message)
}
