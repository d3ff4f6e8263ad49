package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dashboardAllowedEmpty lists the dashboard expressions (as
// dashboardQueries gives them: variables substituted) that may return no
// data against the collectors of startPromStack, and why. Every other
// expression must return data. The test fails when an entry is no
// dashboard's expression or does return data: take it off the list then.
var dashboardAllowedEmpty = map[string]string{}

// Concrete values for Grafana's variables: every template variable is
// "All" (the dashboards' allValue, ".*"); the intervals are durations
// that hold a few scrapes of the test's seconds of data.
var grafanaVars = []struct {
	re    *regexp.Regexp
	value string
}{
	{regexp.MustCompile(`\$__rate_interval\b`), "1m"},
	{regexp.MustCompile(`\$__interval\b`), "15s"},
	{regexp.MustCompile(`\$__range\b`), "10m"},
	{regexp.MustCompile(`\$\{?[a-z_]+\}?`), ".*"},
}

// labelValues is the PromQL form of a label_values(metric, label)
// variable query.
var labelValues = regexp.MustCompile(`^label_values\((.+),\s*(\w+)\)$`)

// dashboardQuery is one PromQL expression of a dashboard.
type dashboardQuery struct {
	where, expr string
}

// dashboardQueries returns every PromQL expression of a dashboard: each
// panel target's expr (rows' nested panels included) and each query
// variable's label_values, as count by (label) (metric), with the
// variables substituted.
func dashboardQueries(t *testing.T, path string) []dashboardQuery {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	type panel struct {
		Title   string `json:"title"`
		Targets []struct {
			RefID string `json:"refId"`
			Expr  string `json:"expr"`
		} `json:"targets"`
		Panels []json.RawMessage `json:"panels"`
	}
	var d struct {
		Panels     []json.RawMessage `json:"panels"`
		Templating struct {
			List []struct {
				Name  string          `json:"name"`
				Type  string          `json:"type"`
				Query json.RawMessage `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	require.NoError(t, json.Unmarshal(data, &d), path)
	subst := func(e string) string {
		for _, v := range grafanaVars {
			e = v.re.ReplaceAllLiteralString(e, v.value)
		}
		return strings.TrimSpace(spaces.ReplaceAllString(e, " "))
	}
	var out []dashboardQuery
	var walk func([]json.RawMessage)
	walk = func(ps []json.RawMessage) {
		for _, raw := range ps {
			var p panel
			require.NoError(t, json.Unmarshal(raw, &p))
			for _, tg := range p.Targets {
				if tg.Expr != "" {
					out = append(out, dashboardQuery{where: p.Title + " " + tg.RefID, expr: subst(tg.Expr)})
				}
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		var q struct {
			Query string `json:"query"`
		}
		require.NoError(t, json.Unmarshal(v.Query, &q), "variable %s", v.Name)
		m := labelValues.FindStringSubmatch(q.Query)
		require.NotNil(t, m, "variable %s: %q is not label_values(metric, label)", v.Name, q.Query)
		out = append(out, dashboardQuery{where: "variable " + v.Name, expr: subst("count by (" + m[2] + ") (" + m[1] + ")")})
	}
	return out
}

// TestGrafanaDashboards runs every PromQL expression of the dashboards in
// config/grafana against the real Prometheus of startPromStack: each must
// parse and return data, but for dashboardAllowedEmpty.
func TestGrafanaDashboards(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(repoRoot(), "config", "grafana", "*.json"))
	require.NoError(t, err)
	require.Len(t, paths, 2)
	var qs []dashboardQuery
	for _, p := range paths {
		n := len(qs)
		qs = append(qs, dashboardQueries(t, p)...)
		require.Greater(t, len(qs), n, "%s: no queries", p)
	}
	st := startPromStack(t)
	used := map[string]bool{}
	for _, q := range qs {
		assert.NotContains(t, q.expr, "$", "%s: a variable left", q.where)
		n, err := query(st.ctx, st.base, q.expr)
		if !assert.NoError(t, err, "%s: %s", q.where, q.expr) {
			continue
		}
		if why, ok := dashboardAllowedEmpty[q.expr]; ok {
			used[q.expr] = true
			assert.Zero(t, n, "%s: %s is listed as allowed to be empty (%s) but returns data: take it off dashboardAllowedEmpty", q.where, q.expr, why)
			t.Logf("%s: %s: no data, allowed (%s)", q.where, q.expr, why)
			continue
		}
		assert.Positive(t, n, "%s: %s returns no data", q.where, q.expr)
		t.Logf("%s: %s: %d series", q.where, q.expr, n)
	}
	for e := range dashboardAllowedEmpty {
		assert.True(t, used[e], "dashboardAllowedEmpty lists %q, which is no dashboard's expression", e)
	}
}
