package budget

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

func validSpec() Spec {
	return Spec{
		ID:       "acme-daily",
		Name:     "Acme, per day",
		Scope:    Scope{Dimensions: map[string]string{"tenant": "acme"}},
		Period:   Period{Kind: Day, TimeZone: "Europe/Berlin"},
		Limit:    "250.50",
		Currency: "EUR",
	}
}

func TestValidateAccepts(t *testing.T) {
	cases := map[string]func(*Spec){
		"as is":            func(*Spec) {},
		"global":           func(s *Spec) { s.Scope = Scope{} },
		"each user":        func(s *Spec) { s.Scope = Scope{Each: "user"} },
		"each of a tenant": func(s *Spec) { s.Scope.Each = "user" },
		"filters": func(s *Spec) {
			s.Scope = Scope{Provider: "openai", Model: "gpt-4o", Service: "chat", Environment: "prod"}
		},
		"utc by default": func(s *Spec) { s.Period = Period{Kind: Month} },
		"week":           func(s *Spec) { s.Period.Kind = Week },
		"rolling":        func(s *Spec) { s.Period = Period{Kind: Rolling, Days: 7} },
		"rolling max":    func(s *Spec) { s.Period = Period{Kind: Rolling, Days: MaxRollingDays} },
		"thresholds":     func(s *Spec) { s.Thresholds = []int{1, 90, 1000} },
		"one nano":       func(s *Spec) { s.Limit = "0.000000001" },
		"exponent":       func(s *Spec) { s.Limit = "2.5e3" },
		"id chars":       func(s *Spec) { s.ID = "A.b_c-9" },
	}
	for name, mut := range cases {
		t.Run(name, func(t *testing.T) {
			s := validSpec()
			mut(&s)
			require.NoError(t, s.Validate())
		})
	}
}

// TestValidateNamesTheField checks every error names its field, and that
// each bad input is reported on its own (the rest of the spec is valid).
func TestValidateNamesTheField(t *testing.T) {
	cases := []struct {
		name string
		mut  func(*Spec)
		want string
	}{
		{"no id", func(s *Spec) { s.ID = "" }, "id: required"},
		{"bad id", func(s *Spec) { s.ID = "a b" }, `id: "a b" must be 1 to 64 letters`},
		{"id starts with dash", func(s *Spec) { s.ID = "-a" }, `id: "-a" must be`},
		{"id too long", func(s *Spec) { s.ID = strings.Repeat("a", 65) }, `id: "aaaa`},
		{"unknown dimension", func(s *Spec) { s.Scope.Dimensions = map[string]string{"colour": "red"} },
			`scope.dimensions: "colour" is not a dimension (one of user, tenant, department, session, session_type, feature, api_key)`},
		{"empty dimension value", func(s *Spec) { s.Scope.Dimensions = map[string]string{"user": ""} }, "scope.dimensions.user: empty value"},
		{"each unknown", func(s *Spec) { s.Scope.Each = "colour" }, `scope.each: "colour" is not a dimension (one of user, tenant,`},
		{"each not a dimension", func(s *Spec) { s.Scope.Each = "model" }, `scope.each: "model" is not a dimension`},
		{"each also fixed", func(s *Spec) { s.Scope.Each = "tenant" }, `scope.each: "tenant" is also fixed in scope.dimensions`},
		{"no kind", func(s *Spec) { s.Period.Kind = "" }, "period.kind: required (one of day, week, month, rolling)"},
		{"bad kind", func(s *Spec) { s.Period.Kind = "year" }, `period.kind: "year" is not one of day, week, month, rolling`},
		{"bad time zone", func(s *Spec) { s.Period.TimeZone = "Mars/Base" }, `period.time_zone: "Mars/Base" is not an IANA time zone`},
		{"local time zone", func(s *Spec) { s.Period.TimeZone = "Local" }, `period.time_zone: "Local" is not an IANA time zone`},
		{"days on a day", func(s *Spec) { s.Period.Days = 3 }, `period.days: set but period.kind is "day"`},
		{"rolling without days", func(s *Spec) { s.Period = Period{Kind: Rolling} }, "period.days: required with period.kind rolling"},
		{"rolling too long", func(s *Spec) { s.Period = Period{Kind: Rolling, Days: 367} }, "period.days: 367 is not from 1 to 366"},
		{"rolling negative", func(s *Spec) { s.Period = Period{Kind: Rolling, Days: -1} }, "period.days: -1 is not from 1 to 366"},
		{"rolling with zone", func(s *Spec) { s.Period = Period{Kind: Rolling, Days: 7, TimeZone: "UTC"} }, "period.time_zone: set but period.kind is rolling"},
		{"no limit", func(s *Spec) { s.Limit = " " }, "limit: required"},
		{"negative limit", func(s *Spec) { s.Limit = "-5" }, `limit: "-5" is negative`},
		{"zero limit", func(s *Spec) { s.Limit = "0.00" }, `limit: "0.00" is zero`},
		{"limit not a number", func(s *Spec) { s.Limit = "ten" }, `limit: "ten" is not an exact decimal amount`},
		{"limit too precise", func(s *Spec) { s.Limit = "0.0000000001" }, `limit: "0.0000000001" is not an exact decimal amount`},
		{"limit too large", func(s *Spec) { s.Limit = "1e12" }, `limit: "1e12" is not an exact decimal amount`},
		{"no currency", func(s *Spec) { s.Currency = "" }, "currency: required"},
		{"lower-case currency", func(s *Spec) { s.Currency = "usd" }, `currency: "usd" is not an ISO 4217 code`},
		{"long currency", func(s *Spec) { s.Currency = "USDT" }, `currency: "USDT" is not an ISO 4217 code`},
		{"threshold zero", func(s *Spec) { s.Thresholds = []int{0, 50} }, "thresholds[0]: 0 is not a percent from 1 to 1000"},
		{"threshold too high", func(s *Spec) { s.Thresholds = []int{50, 1001} }, "thresholds[1]: 1001 is not a percent from 1 to 1000"},
		{"thresholds repeated", func(s *Spec) { s.Thresholds = []int{50, 80, 80} }, "thresholds[2]: 80 is not greater than thresholds[1] (80)"},
		{"thresholds decreasing", func(s *Spec) { s.Thresholds = []int{80, 50} }, "thresholds[1]: 50 is not greater than thresholds[0] (80)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := validSpec()
			c.mut(&s)
			err := s.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.Len(t, strings.Split(err.Error(), "\n"), 1, "one error: %v", err)
			_, err = New(s)
			assert.Error(t, err, "New refuses what Validate refuses")
		})
	}
}

func TestValidateReportsEveryError(t *testing.T) {
	s := Spec{Scope: Scope{Each: "colour"}, Period: Period{Kind: "year"}, Limit: "-1", Currency: "us"}
	lines := strings.Split(s.Validate().Error(), "\n")
	require.Len(t, lines, 5)
	for i, prefix := range []string{"id:", "scope.each:", "period.kind:", "limit:", "currency:"} {
		assert.True(t, strings.HasPrefix(lines[i], prefix), lines[i])
	}
}

func TestNew(t *testing.T) {
	s := validSpec()
	b, err := New(s)
	require.NoError(t, err)
	assert.Equal(t, "acme-daily", b.ID())
	assert.Equal(t, money.Nanos(250_500_000_000), b.Limit())
	assert.Equal(t, "EUR", b.Currency())
	assert.Equal(t, []int{50, 80, 100}, b.Thresholds(), "defaults")
	assert.Equal(t, "Europe/Berlin", b.Location().String())
	assert.False(t, b.Enforce())
	// The budget keeps its own copy.
	s.Scope.Dimensions["tenant"] = "globex"
	assert.Equal(t, "acme", b.Spec().Scope.Dimensions["tenant"])
	b.Spec().Scope.Dimensions["tenant"] = "globex"
	assert.Equal(t, "acme", b.Spec().Scope.Dimensions["tenant"])

	s = validSpec()
	s.Thresholds = []int{90}
	s.Period = Period{Kind: Month}
	s.Enforce = true
	b, err = New(s)
	require.NoError(t, err)
	assert.Equal(t, []int{90}, b.Thresholds())
	assert.Equal(t, "UTC", b.Location().String())
	assert.True(t, b.Enforce())
}

// TestDecode reads a spec as the exporter's configuration and the API
// would: from a YAML-shaped map with confmap, and from JSON.
func TestDecode(t *testing.T) {
	want := Spec{
		ID: "every-user", Scope: Scope{Service: "chat", Dimensions: map[string]string{"tenant": "acme"}, Each: "user"},
		Period: Period{Kind: Week, TimeZone: "America/New_York"}, Limit: "5", Currency: "USD",
		Thresholds: []int{80, 100}, Enforce: true,
	}
	var got Spec
	conf := confmap.NewFromStringMap(map[string]any{
		"id":         "every-user",
		"scope":      map[string]any{"service": "chat", "dimensions": map[string]any{"tenant": "acme"}, "each": "user"},
		"period":     map[string]any{"kind": "week", "time_zone": "America/New_York"},
		"limit":      "5",
		"currency":   "USD",
		"thresholds": []any{80, 100},
		"enforce":    true,
	})
	require.NoError(t, conf.Unmarshal(&got))
	assert.Equal(t, want, got)

	js := `{"id":"every-user","scope":{"service":"chat","dimensions":{"tenant":"acme"},"each":"user"},` +
		`"period":{"kind":"week","time_zone":"America/New_York"},"limit":"5","currency":"USD","thresholds":[80,100],"enforce":true}`
	got = Spec{}
	require.NoError(t, json.Unmarshal([]byte(js), &got))
	assert.Equal(t, want, got)
	out, err := json.Marshal(want)
	require.NoError(t, err)
	assert.JSONEq(t, js, string(out))
}
