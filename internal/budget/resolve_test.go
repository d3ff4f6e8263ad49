package budget

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

func units(n int64) money.Nanos { return money.Nanos(n * money.NanosPerUnit) }

func dims(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// overlapping is a set of budgets several of which cover user u1 of acme.
func overlapping(t *testing.T) []*Budget {
	day := Period{Kind: Day}
	specs := []Spec{
		{ID: "everything", Period: day, Limit: "10000", Currency: "USD"},
		{ID: "acme", Scope: Scope{Dimensions: dims("tenant", "acme")}, Period: day, Limit: "1000", Currency: "USD", Enforce: true},
		{ID: "globex", Scope: Scope{Dimensions: dims("tenant", "globex")}, Period: day, Limit: "1000", Currency: "USD"},
		{ID: "every-user", Scope: Scope{Each: "user"}, Period: day, Limit: "5", Currency: "USD"},
		{ID: "u1", Scope: Scope{Dimensions: dims("user", "u1")}, Period: day, Limit: "20", Currency: "USD"},
		{ID: "acme-every-user", Scope: Scope{Dimensions: dims("tenant", "acme"), Each: "user"}, Period: day, Limit: "8", Currency: "USD"},
		{ID: "gpt-4o", Scope: Scope{Model: "gpt-4o"}, Period: day, Limit: "300", Currency: "USD"},
		{ID: "every-feature", Scope: Scope{Each: "feature"}, Period: day, Limit: "50", Currency: "USD"},
		{ID: "acme-prod-openai", Scope: Scope{Provider: "openai", Environment: "prod", Dimensions: dims("tenant", "acme")}, Period: day, Limit: "400", Currency: "USD"},
		{ID: "acme-eur", Scope: Scope{Dimensions: dims("tenant", "acme")}, Period: Period{Kind: Month}, Limit: "900", Currency: "EUR"},
	}
	out := make([]*Budget, len(specs))
	for i, s := range specs {
		out[i] = mustBudget(t, s)
	}
	return out
}

type applied struct{ id, value string }

func ids(as []Applied) []applied {
	out := make([]applied, len(as))
	for i, a := range as {
		out[i] = applied{a.Budget.ID(), a.Value}
	}
	return out
}

func TestResolve(t *testing.T) {
	budgets := overlapping(t)
	cases := []struct {
		name    string
		subject Subject
		want    []applied
	}{
		{"user of acme", Subject{Dimensions: dims("user", "u1", "tenant", "acme")}, []applied{
			{"acme-every-user", "u1"}, // tenant fixed + each user: 2
			{"acme", ""},              // 1 fixed, by id before u1
			{"acme-eur", ""},
			{"u1", ""},
			{"every-user", "u1"}, // 1, each after fixed
			{"everything", ""},   // 0
		}},
		{"another user of acme", Subject{Dimensions: dims("user", "u2", "tenant", "acme")}, []applied{
			{"acme-every-user", "u2"}, {"acme", ""}, {"acme-eur", ""}, {"every-user", "u2"}, {"everything", ""},
		}},
		{"acme in prod on openai with gpt-4o and a feature", Subject{Provider: "openai", Model: "gpt-4o", Environment: "prod", Dimensions: dims("tenant", "acme", "feature", "search")}, []applied{
			{"acme-prod-openai", ""}, {"acme", ""}, {"acme-eur", ""}, {"gpt-4o", ""}, {"every-feature", "search"}, {"everything", ""},
		}},
		{"acme in staging", Subject{Provider: "openai", Environment: "staging", Dimensions: dims("tenant", "acme")}, []applied{
			{"acme", ""}, {"acme-eur", ""}, {"everything", ""},
		}},
		{"no user: no each-user budget", Subject{Dimensions: dims("tenant", "globex")}, []applied{
			{"globex", ""}, {"everything", ""},
		}},
		{"nothing known", Subject{}, []applied{{"everything", ""}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, ids(Resolve(budgets, &c.subject)))
		})
	}
	assert.Equal(t, 0, budgets[0].Specificity())
	assert.Equal(t, 2, budgets[5].Specificity())
	assert.Equal(t, 3, budgets[8].Specificity())
}

func TestDecide(t *testing.T) {
	budgets := overlapping(t)
	subject := Subject{Dimensions: dims("user", "u1", "tenant", "acme")}
	applied := Resolve(budgets, &subject) // acme-every-user 8, acme 1000 (enforce), acme-eur 900 EUR, u1 20, every-user 5, everything 10000
	require.Len(t, applied, 6)

	cases := []struct {
		name      string
		usage     []Usage
		remaining []money.Nanos
		exhausted []bool
		tightest  []Tightest
		allowed   bool
	}{
		{
			name:      "nothing spent",
			usage:     make([]Usage, 6),
			remaining: []money.Nanos{units(8), units(1000), units(900), units(20), units(5), units(10000)},
			exhausted: []bool{false, false, false, false, false, false},
			tightest:  []Tightest{{Currency: "EUR", BudgetID: "acme-eur", Remaining: units(900)}, {Currency: "USD", BudgetID: "every-user", Value: "u1", Remaining: units(5)}},
			allowed:   true,
		},
		{
			// The user is over every per-user budget, none enforced: allowed, and
			// the tightest is the most negative. The EUR budget, with far less
			// left in number, is never compared with the USD ones.
			name:      "user over, not enforced",
			usage:     []Usage{{Spent: units(9)}, {Spent: units(400)}, {Spent: units(899)}, {Spent: units(9)}, {Spent: units(9), Unpriced: 2}, {Spent: units(500)}},
			remaining: []money.Nanos{units(-1), units(600), units(1), units(11), units(-4), units(9500)},
			exhausted: []bool{true, false, false, false, true, false},
			tightest:  []Tightest{{Currency: "EUR", BudgetID: "acme-eur", Remaining: units(1)}, {Currency: "USD", BudgetID: "every-user", Value: "u1", Remaining: units(-4)}},
			allowed:   true,
		},
		{
			name:      "enforced budget exactly spent",
			usage:     []Usage{{Spent: units(1)}, {Spent: units(1000)}, {}, {Spent: units(1)}, {Spent: units(1)}, {Spent: units(1000)}},
			remaining: []money.Nanos{units(7), 0, units(900), units(19), units(4), units(9000)},
			exhausted: []bool{false, true, false, false, false, false},
			tightest:  []Tightest{{Currency: "EUR", BudgetID: "acme-eur", Remaining: units(900)}, {Currency: "USD", BudgetID: "acme", Remaining: 0}},
			allowed:   false,
		},
		{
			name:      "enforced budget one nano short",
			usage:     []Usage{{}, {Spent: units(1000) - 1}, {}, {}, {}, {}},
			remaining: []money.Nanos{units(8), 1, units(900), units(20), units(5), units(10000)},
			exhausted: []bool{false, false, false, false, false, false},
			tightest:  []Tightest{{Currency: "EUR", BudgetID: "acme-eur", Remaining: units(900)}, {Currency: "USD", BudgetID: "acme", Remaining: 1}},
			allowed:   true,
		},
		{
			// A tie goes to the first in resolution order.
			name:      "tie",
			usage:     []Usage{{Spent: units(3)}, {}, {}, {}, {}, {}},
			remaining: []money.Nanos{units(5), units(1000), units(900), units(20), units(5), units(10000)},
			exhausted: []bool{false, false, false, false, false, false},
			tightest:  []Tightest{{Currency: "EUR", BudgetID: "acme-eur", Remaining: units(900)}, {Currency: "USD", BudgetID: "acme-every-user", Value: "u1", Remaining: units(5)}},
			allowed:   true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Decide(applied, c.usage)
			require.NoError(t, err)
			require.Len(t, d.Lines, 6)
			for i, l := range d.Lines {
				assert.Equal(t, applied[i], l.Applied)
				assert.Equal(t, c.usage[i].Spent, l.Spent)
				assert.Equal(t, c.usage[i].Unpriced, l.Unpriced)
				assert.Equal(t, c.remaining[i], l.Remaining, l.Budget.ID())
				assert.Equal(t, c.exhausted[i], l.Exhausted, l.Budget.ID())
			}
			assert.Equal(t, c.tightest, d.Tightest)
			assert.Equal(t, c.allowed, d.Allowed)
		})
	}

	_, err := Decide(applied, nil)
	require.Error(t, err)
	d, err := Decide(nil, nil)
	require.NoError(t, err)
	assert.True(t, d.Allowed, "no budget in force allows")
	assert.Empty(t, d.Tightest)
}

func TestParseSubject(t *testing.T) {
	s, err := ParseSubject(url.Values{"user": {"u1"}, "tenant": {"acme"}, "model": {"gpt-4o"}, "provider": {"openai"}, "service": {"chat"}, "environment": {"prod"}, "feature": {""}})
	require.NoError(t, err)
	assert.Equal(t, Subject{Provider: "openai", Model: "gpt-4o", Service: "chat", Environment: "prod", Dimensions: dims("user", "u1", "tenant", "acme")}, s)

	s, err = ParseSubject(url.Values{})
	require.NoError(t, err)
	assert.Equal(t, Subject{}, s)

	_, err = ParseSubject(url.Values{"user": {"u1"}, "colour": {"red"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "colour: not one of provider, model, service, environment or a dimension (user, tenant,")
	_, err = ParseSubject(url.Values{"user": {"u1", "u2"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "user: given 2 times")
}
