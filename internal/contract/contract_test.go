package contract

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

func TestErrorsNameTheTermAndField(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{From: "2026-01-01", Multiplier: "0.9"}, "name: required"},
		{Config{Name: "a@b", From: "2026-01-01", Multiplier: "0.9"}, "without '@'"},
		{Config{Name: "x", Multiplier: "0.9"}, `from: "" is not a date`},
		{Config{Name: "x", From: "01/02/2026", Multiplier: "0.9"}, `from: "01/02/2026"`},
		{Config{Name: "x", From: "2026-02-01", To: "2026-01-01", Multiplier: "0.9"}, "to: \"2026-01-01\" is not a date or time after from"},
		{Config{Name: "x", From: "2026-01-01"}, "set a multiplier or rates"},
		{Config{Name: "x", From: "2026-01-01", Multiplier: "0.9", Rates: map[string]string{"input_mtok": "1"}}, "not both"},
		{Config{Name: "x", From: "2026-01-01", Multiplier: "-1"}, `multiplier: "-1" is not a decimal from 0 to 100`},
		{Config{Name: "x", From: "2026-01-01", Multiplier: "0.1234567891"}, "multiplier"},
		{Config{Name: "x", From: "2026-01-01", Rates: map[string]string{"input_per_token": "1"}}, "rates.input_per_token: unknown rate"},
		{Config{Name: "x", From: "2026-01-01", Rates: map[string]string{"input_mtok": "20000"}}, "implausibly high"},
		{Config{Name: "x", From: "2026-01-01", Multiplier: "1", Match: map[string]string{"colour": "red"}}, "match.colour: not a field"},
	} {
		_, err := New([]Config{c.cfg})
		require.Error(t, err, "%+v", c.cfg)
		assert.Contains(t, err.Error(), "contracts[0]")
		assert.Contains(t, err.Error(), c.want)
	}
	_, err := New([]Config{{Name: "x", From: "2026-01-01", Multiplier: "1"}, {Name: "x", From: "2026-01-01", Multiplier: "0.5"}})
	require.ErrorContains(t, err, "contracts[1]: id x@2026-01-01 is also contracts[0]'s")
}

func TestFindFirstTermInForceThatMatches(t *testing.T) {
	s, err := New([]Config{
		{Name: "acme-keys", From: "2026-03-01T12:00:00Z", Match: map[string]string{"api_key": "acme-*", "environment": "prod"}, Multiplier: "0.5"},
		{Name: "claude", From: "2026-01-01", To: "2027-01-01", Match: map[string]string{"provider": "anthropic", "model": "claude-sonnet-4*"}, Multiplier: "0.75"},
		{Name: "everything", From: "2026-01-01", Multiplier: "0.95"},
	})
	require.NoError(t, err)
	at := func(s string) time.Time { tm, _ := time.Parse(time.RFC3339, s); return tm }
	rec := func(start, provider, model, key, env string) *usage.Record {
		r := &usage.Record{Start: at(start), Provider: provider, Model: model, Environment: env}
		r.Dims.APIKey = key
		return r
	}
	for _, c := range []struct {
		r    *usage.Record
		want string
	}{
		{rec("2025-12-31T23:59:59Z", "anthropic", "claude-sonnet-4-5", "", ""), ""},
		{rec("2026-01-01T00:00:00Z", "anthropic", "claude-sonnet-4-5", "", ""), "claude@2026-01-01"},
		{rec("2026-01-01T00:00:00Z", "anthropic", "claude-opus-4", "", ""), "everything@2026-01-01"},
		{rec("2026-03-01T11:59:59Z", "anthropic", "claude-sonnet-4", "acme-1", "prod"), "claude@2026-01-01"},
		{rec("2026-03-01T12:00:00Z", "anthropic", "claude-sonnet-4", "acme-1", "prod"), "acme-keys@2026-03-01T12:00:00Z"},
		{rec("2026-03-01T12:00:00Z", "anthropic", "claude-sonnet-4", "acme-1", "staging"), "claude@2026-01-01"},
		{rec("2027-01-01T00:00:00Z", "anthropic", "claude-sonnet-4", "", ""), "everything@2026-01-01"},
	} {
		got := ""
		if term := s.Find(c.r); term != nil {
			got = term.ID
		}
		assert.Equal(t, c.want, got, "%+v", c.r)
	}
	assert.Nil(t, (*Set)(nil).Find(rec("2026-06-01T00:00:00Z", "openai", "gpt-4o", "", "")))
	assert.Equal(t, "0.75", s.Term("claude@2026-01-01").Multiplier)
}

func TestMultiplierIsExact(t *testing.T) {
	s, err := New([]Config{{Name: "x", From: "2026-01-01", Multiplier: "0.333333333"}})
	require.NoError(t, err)
	term := s.Terms()[0]
	// 1e18 x 0.333333333 = 333333333000000000 exactly, with no float.
	assert.Equal(t, money.Nanos(333_333_333_000_000_000), term.Apply(1_000_000_000_000_000_000))
	assert.Equal(t, money.Nanos(0), term.Apply(1), "0.333 rounds to 0")
	assert.Equal(t, money.Nanos(2), term.Apply(5), "1.666 rounds to 2")
}
