package budget

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

func dec(t testing.TB, s string) money.Nanos {
	t.Helper()
	n, err := money.ParseDecimal(s)
	require.NoError(t, err)
	return n
}

// TestStatus checks status and forecasts against values computed by hand.
func TestStatus(t *testing.T) {
	march := func(limit string, thresholds ...int) *Budget {
		return mustBudget(t, Spec{Period: Period{Kind: Month}, Limit: limit, Thresholds: thresholds})
	}
	nyDay := mustBudget(t, Spec{Period: Period{Kind: Day, TimeZone: ny}, Limit: "10"})
	utcDay := mustBudget(t, Spec{Period: Period{Kind: Day}, Limit: "1"})
	m10 := utc("2026-03-11T00:00:00Z") // 10 days = 240 h into March's 744 h

	type fc struct {
		projected string
		crossing  string // UTC; "" for none
	}
	cases := []struct {
		name      string
		b         *Budget
		window    time.Time // the window containing this instant; now if zero
		now       time.Time
		spent     string
		last24h   string
		unpriced  int64
		remaining string
		ratio     string
		crossed   []int
		exhausted bool
		period    fc
		last      fc
	}{
		{
			// period: 40 × 744/240 = 124, crossing at 240 h × 100/40 = 600 h = March 26;
			// last 24 h: 40 + 2 × 504/24 = 82, crossing 24 h × 60/2 = 30 days on: none.
			name: "month, slow lately", b: march("100"), now: m10, spent: "40", last24h: "2",
			remaining: "60", ratio: "0.400000", period: fc{"124", "2026-03-26T00:00:00Z"}, last: fc{"82", ""},
		},
		{
			// The worked example of docs/budgets.md. Last 24 h: 40 + 10 × 21 = 250,
			// crossing 24 h × 60/10 = 6 days on: March 17.
			name: "month, fast lately", b: march("100"), now: m10, spent: "40", last24h: "10",
			remaining: "60", ratio: "0.400000", period: fc{"124", "2026-03-26T00:00:00Z"}, last: fc{"250", "2026-03-17T00:00:00Z"},
		},
		{
			// The spring-forward day is 23 h: 11 h in (05:00Z to 16:00Z), 5.5 × 23/11 =
			// 11.5 (a 24 h day would say 12), crossing at 11 h × 10/5.5 = 20 h, 01:00Z;
			// last 24 h: 12 h left, 5.5 + 3 × 12/24 = 7, crossing 24 h × 4.5/3 = 36 h: none.
			name: "new york DST day", b: nyDay, now: local(ny, "2026-03-08T12:00:00"), spent: "5.5", last24h: "3",
			remaining: "4.5", ratio: "0.550000", crossed: []int{50}, period: fc{"11.5", "2026-03-09T01:00:00Z"}, last: fc{"7", ""},
		},
		{
			name: "overspent", b: march("100", 50, 80, 100, 150), now: m10, spent: "120", last24h: "1",
			remaining: "-20", ratio: "1.200000", crossed: []int{50, 80, 100}, exhausted: true,
			// 120 × 744/240 = 372; 120 + 1 × 21 = 141; the crossing is now (or past).
			period: fc{"372", "2026-03-11T00:00:00Z"}, last: fc{"141", "2026-03-11T00:00:00Z"},
		},
		{
			name: "exactly at the limit", b: march("100"), now: m10, spent: "100",
			remaining: "0", ratio: "1.000000", crossed: []int{50, 80, 100}, exhausted: true,
			period: fc{"310", "2026-03-11T00:00:00Z"}, last: fc{"100", "2026-03-11T00:00:00Z"},
		},
		{
			name: "one nano short of a threshold", b: march("100"), now: m10, spent: "79.999999999",
			remaining: "20.000000001", ratio: "0.800000", crossed: []int{50},
			// 79.999999999 × 3.1 = 247.9999999969; 240 h × 100/79.999999999 is
			// 300 h × (1 + 1.25e-11 + ...) = 300 h + 13500.0000002 ns.
			period: fc{"247.999999997", "2026-03-13T12:00:00.0000135Z"}, last: fc{"79.999999999", ""},
		},
		{
			// At the window's start nothing is elapsed: no period rate yet. The last
			// 24 h (the end of February) run at 24 a day: 24 × 744/24 = 744,
			// crossing 24 h × 100/24 = 100 h on.
			name: "at the start", b: march("100"), now: utc("2026-03-01T00:00:00Z"), spent: "0", last24h: "24",
			remaining: "100", ratio: "0.000000", period: fc{"0", ""}, last: fc{"744", "2026-03-05T04:00:00Z"},
		},
		{
			name: "nothing spent", b: march("100"), now: m10, spent: "0",
			remaining: "100", ratio: "0.000000", period: fc{"0", ""}, last: fc{"0", ""},
		},
		{
			// After the window, the clock is the window's end: nothing is left to forecast.
			name: "after the end", b: march("100"), window: m10, now: utc("2026-04-03T00:00:00Z"), spent: "90", last24h: "50",
			remaining: "10", ratio: "0.900000", crossed: []int{50, 80}, period: fc{"90", ""}, last: fc{"90", ""},
		},
		{
			// Half to even to the nano: 16 h into a day, 1, 3 and 5 nanos run to
			// 1.5, 4.5 and 7.5 nanos, so 2, 4 and 8.
			name: "rounding 1.5", b: utcDay, now: utc("2026-03-08T16:00:00Z"), spent: "0.000000001",
			remaining: "0.999999999", ratio: "0.000000", period: fc{"0.000000002", ""}, last: fc{"0.000000001", ""},
		},
		{
			name: "rounding 4.5", b: utcDay, now: utc("2026-03-08T16:00:00Z"), spent: "0.000000003",
			remaining: "0.999999997", ratio: "0.000000", period: fc{"0.000000004", ""}, last: fc{"0.000000003", ""},
		},
		{
			name: "rounding 7.5", b: utcDay, now: utc("2026-03-08T16:00:00Z"), spent: "0.000000005",
			remaining: "0.999999995", ratio: "0.000000", period: fc{"0.000000008", ""}, last: fc{"0.000000005", ""},
		},
		{
			// Half to even to the nanosecond: 1 nano left at 131072 nanos a day is
			// 86.4e12 ns / 2^17 = 659179687.5 ns, so 659179688; 3 nanos left is
			// 1977539062.5 ns, so 1977539062. Last 24 h projected: 131072 × 23/24 =
			// 125610.67, so 125611. The period's rate: 1 h × 1e9/(1e9 - 1) is
			// 1 h + 3600.0000036 ns, and with 3 nanos left 1 h + 10800.0000324 ns.
			name: "crossing instant rounds half to even (up)", b: utcDay, now: utc("2026-03-08T01:00:00Z"), spent: "0.999999999", last24h: "0.000131072",
			remaining: "0.000000001", ratio: "1.000000", crossed: []int{50, 80},
			period: fc{"23.999999976", "2026-03-08T01:00:00.0000036Z"}, last: fc{"1.000125610", "2026-03-08T01:00:00.659179688Z"},
		},
		{
			name: "crossing instant rounds half to even (down)", b: utcDay, now: utc("2026-03-08T01:00:00Z"), spent: "0.999999997", last24h: "0.000131072",
			remaining: "0.000000003", ratio: "1.000000", crossed: []int{50, 80},
			period: fc{"23.999999928", "2026-03-08T01:00:00.0000108Z"}, last: fc{"1.000125608", "2026-03-08T01:00:01.977539062Z"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			at := c.window
			if at.IsZero() {
				at = c.now
			}
			start, end := c.b.Window(at)
			last := money.Nanos(0)
			if c.last24h != "" {
				last = dec(t, c.last24h)
			}
			s := c.b.Status(Input{Start: start, End: end, Now: c.now, Spent: dec(t, c.spent), Last24h: last, Unpriced: c.unpriced})
			assert.Equal(t, dec(t, c.spent), s.Spent)
			assert.Equal(t, c.b.Limit(), s.Limit)
			assert.Equal(t, dec(t, c.remaining), s.Remaining, "remaining")
			assert.Equal(t, c.ratio, s.Ratio)
			assert.InDelta(t, float64(s.Spent)/float64(s.Limit), s.RatioFloat, 1e-12)
			assert.Equal(t, c.crossed, s.Crossed, "thresholds crossed")
			assert.Equal(t, c.exhausted, s.Exhausted)
			require.Len(t, s.Forecasts, 2)
			for i, want := range []fc{c.period, c.last} {
				f := s.Forecasts[i]
				assert.Equal(t, []string{PeriodRunRate, Last24hRunRate}[i], f.Method)
				assert.Equal(t, dec(t, want.projected), f.Projected, "%s projected %s", f.Method, f.Projected)
				if want.crossing == "" {
					assert.False(t, f.Crosses(), "%s crosses at %v", f.Method, f.Crossing)
				} else {
					assert.True(t, f.Crosses(), f.Method)
					assert.Equal(t, utc(want.crossing), f.Crossing.UTC(), f.Method)
				}
			}
		})
	}
}

func TestStatusRatio(t *testing.T) {
	b := mustBudget(t, Spec{Period: Period{Kind: Day}, Limit: "0.002"}) // 2,000,000 nanos
	now := utc("2026-03-08T12:00:00Z")
	start, end := b.Window(now)
	for spent, want := range map[money.Nanos]string{
		0: "0.000000", 1: "0.000000" /* 0.5 ppm */, 3: "0.000002" /* 1.5 */, 5: "0.000002", /* 2.5 */
		7: "0.000004" /* 3.5 */, 1_999_999: "1.000000", 2_000_000: "1.000000", 2_000_001: "1.000000",
		5_000_000: "2.500000", 2_000_000_000: "1000.000000",
	} {
		s := b.Status(Input{Start: start, End: end, Now: now, Spent: spent})
		assert.Equal(t, want, s.Ratio, "spent %d nanos", spent)
	}
}

func TestThresholdsExact(t *testing.T) {
	// A limit of 3 nanos: 50% is 1.5 nanos, reached by 2 and not by 1.
	b := mustBudget(t, Spec{Period: Period{Kind: Day}, Limit: "0.000000003", Thresholds: []int{50, 100, 1000}})
	now := utc("2026-03-08T12:00:00Z")
	start, end := b.Window(now)
	for spent, want := range map[money.Nanos][]int{0: nil, 1: nil, 2: {50}, 3: {50, 100}, 29: {50, 100}, 30: {50, 100, 1000}} {
		s := b.Status(Input{Start: start, End: end, Now: now, Spent: spent})
		assert.Equal(t, want, s.Crossed, "spent %d", spent)
	}
}

func TestUnpricedCarried(t *testing.T) {
	b := mustBudget(t, Spec{Period: Period{Kind: Day}, Limit: "100", Currency: "EUR"})
	now := utc("2026-03-08T12:00:00Z")
	start, end := b.Window(now)
	cases := []struct {
		unpriced int64
		want     string
	}{
		{0, "spent 12.5 EUR of 100 EUR"},
		{1, "spent at least 12.5 EUR of 100 EUR, and 1 call that could not be priced"},
		{3, "spent at least 12.5 EUR of 100 EUR, and 3 calls that could not be priced"},
	}
	for _, c := range cases {
		s := b.Status(Input{Start: start, End: end, Now: now, Spent: dec(t, "12.5"), Unpriced: c.unpriced})
		assert.Equal(t, c.unpriced, s.Unpriced)
		assert.Equal(t, "EUR", s.Currency)
		assert.Equal(t, c.want, s.Summary())
		assert.Equal(t, dec(t, "87.5"), s.Remaining, "unpriced calls are not counted as anything")
	}
}

func TestStatusSaturates(t *testing.T) {
	b := mustBudget(t, Spec{Period: Period{Kind: Day}, Limit: "1"})
	now := utc("2026-03-08T01:00:00Z")
	start, end := b.Window(now)
	s := b.Status(Input{Start: start, End: end, Now: now, Spent: math.MaxInt64, Last24h: math.MaxInt64})
	assert.Equal(t, money.Nanos(math.MaxInt64), s.Forecasts[0].Projected)
	assert.Equal(t, money.Nanos(math.MaxInt64), s.Forecasts[1].Projected)
	assert.True(t, s.Exhausted)
}

// TestMulDivMatchesRat checks the rounding helper against exact rationals,
// with both signs.
func TestMulDivMatchesRat(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		a, b, c := r.Int64N(1<<50)-(1<<49), r.Int64N(1<<50), r.Int64N(1<<40)+1
		if r.IntN(4) == 0 {
			c = 2 // many exact halves
		}
		q := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(a), big.NewInt(b)), big.NewInt(c))
		// Nearest integer, ties to even, from the floor.
		fl := new(big.Int).Div(q.Num(), q.Denom()) // Euclidean: floor for a positive denominator
		frac := new(big.Rat).Sub(q, new(big.Rat).SetInt(fl))
		switch frac.Cmp(big.NewRat(1, 2)) {
		case 1:
			fl.Add(fl, big.NewInt(1))
		case 0:
			if fl.Bit(0) == 1 {
				fl.Add(fl, big.NewInt(1))
			}
		}
		want := int64(math.MaxInt64)
		if fl.IsInt64() {
			want = fl.Int64()
		} else if fl.Sign() < 0 {
			want = math.MinInt64
		}
		require.Equal(t, want, mulDiv(a, b, c), "%d × %d / %d", a, b, c)
	}
	assert.Equal(t, int64(-2), mulDiv(-5, 1, 2), "-2.5 to -2")
	assert.Equal(t, int64(-4), mulDiv(-7, 1, 2), "-3.5 to -4")
	assert.Equal(t, int64(math.MinInt64), mulDiv(math.MinInt64, 2, 1))
}

func TestSaturatingArithmetic(t *testing.T) {
	assert.Equal(t, money.Nanos(math.MaxInt64), subSat(1, math.MinInt64))
	assert.Equal(t, money.Nanos(math.MinInt64), subSat(-2, math.MaxInt64))
	assert.Equal(t, money.Nanos(-5), subSat(5, 10))
	assert.Equal(t, money.Nanos(math.MaxInt64), addSat(math.MaxInt64, 1))
	assert.Equal(t, money.Nanos(math.MinInt64), addSat(math.MinInt64, -1))
	assert.Equal(t, money.Nanos(3), addSat(5, -2))
}
