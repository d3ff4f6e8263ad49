package budget

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// Forecast methods.
const (
	// PeriodRunRate extends the rate of the window so far, spent over the
	// time elapsed since the window's start, to the window's end:
	// spent × length / elapsed.
	PeriodRunRate = "period_run_rate"
	// Last24hRunRate adds to what is spent the rate of the last 24 hours
	// over the time left: spent + last24h × left / 24h.
	Last24hRunRate = "last_24h_run_rate"
)

// RatioPlaces is the number of decimal places of Status.Ratio.
const RatioPlaces = 6

// Input is what Status needs: a window of the budget, the clock, and what
// the store counted in scope.
type Input struct {
	// Start and End are the window (from Window or Previous).
	Start, End time.Time
	// Now is the clock; it is taken as Start before the window and as End
	// after it.
	Now time.Time
	// Spent is the priced spend in [Start, Now), in the budget's currency.
	Spent money.Nanos
	// Last24h is the priced spend in [Now-24h, Now), whatever the window.
	Last24h money.Nanos
	// Unpriced counts the calls in scope in [Start, Now) that could not
	// be priced: they are not counted as zero, spent is at least Spent.
	Unpriced int64
}

// Status is a budget's state in one window.
type Status struct {
	Start, End, Now time.Time
	Currency        string
	Limit, Spent    money.Nanos
	// Remaining is Limit - Spent, negative when overspent.
	Remaining money.Nanos
	// Ratio is Spent / Limit with RatioPlaces places, rounded half to
	// even ("0.812500"); RatioFloat is the same ratio as a float64, for
	// display and metrics only.
	Ratio      string
	RatioFloat float64
	// Exhausted is Spent >= Limit.
	Exhausted bool
	// Crossed are the thresholds reached: Spent >= Limit × t / 100.
	Crossed  []int
	Unpriced int64
	// Forecasts are by PeriodRunRate, then Last24hRunRate.
	Forecasts []Forecast
}

// Forecast is the spend projected to the window's end at one rate.
type Forecast struct {
	Method string
	// Projected is the spend at End at the method's rate, half to even
	// to the nano.
	Projected money.Nanos
	// Crossing is when the limit is reached at that rate, half to even to
	// the nanosecond: Now when it is already reached (the crossing is now
	// or past), zero when it is not reached before End.
	Crossing time.Time
}

// Crosses reports whether the limit is reached before the window's end at
// the forecast's rate (or already is).
func (f *Forecast) Crosses() bool { return !f.Crossing.IsZero() }

// Status computes the budget's status in the window of in. All money is
// exact: products of an amount and a duration are formed in a big.Int and
// divided once, rounding half to even to the nano (amounts) or to the
// nanosecond (instants).
func (b *Budget) Status(in Input) Status {
	now := in.Now
	if now.Before(in.Start) {
		now = in.Start
	}
	if now.After(in.End) {
		now = in.End
	}
	limit, spent := b.limit, in.Spent
	s := Status{
		Start: in.Start, End: in.End, Now: now,
		Currency:   b.spec.Currency,
		Limit:      limit,
		Spent:      spent,
		Remaining:  subSat(limit, spent),
		Ratio:      formatFixed(mulDiv(int64(spent), pow10(RatioPlaces), int64(limit)), RatioPlaces),
		RatioFloat: float64(spent) / float64(limit),
		Exhausted:  spent >= limit,
		Unpriced:   in.Unpriced,
	}
	for _, t := range b.thresholds {
		if reached(spent, limit, t) {
			s.Crossed = append(s.Crossed, t)
		}
	}
	s.Forecasts = []Forecast{b.periodRunRate(in.Start, in.End, now, spent), b.last24hRunRate(in.End, now, spent, in.Last24h)}
	return s
}

func (b *Budget) periodRunRate(start, end, now time.Time, spent money.Nanos) Forecast {
	f := Forecast{Method: PeriodRunRate, Projected: spent}
	elapsed, length := now.Sub(start), end.Sub(start)
	if elapsed > 0 {
		f.Projected = scale(spent, length, elapsed)
	}
	switch {
	case spent >= b.limit:
		f.Crossing = now
	case spent > 0 && elapsed > 0:
		// spend(t) = spent × (t - start) / elapsed reaches the limit at
		// start + elapsed × limit / spent.
		if at := after(start, elapsed, b.limit, spent); at.Before(end) {
			f.Crossing = at
		}
	}
	return f
}

func (b *Budget) last24hRunRate(end, now time.Time, spent, last24h money.Nanos) Forecast {
	const day = 24 * time.Hour
	left := end.Sub(now)
	f := Forecast{Method: Last24hRunRate, Projected: addSat(spent, scale(last24h, left, day))}
	switch {
	case spent >= b.limit:
		f.Crossing = now
	case last24h > 0:
		// spend(t) = spent + last24h × (t - now) / 24h reaches the limit
		// at now + 24h × (limit - spent) / last24h.
		if at := after(now, day, subSat(b.limit, spent), last24h); at.Before(end) {
			f.Crossing = at
		}
	}
	return f
}

// reached reports whether spent >= limit × pct / 100, exactly.
func reached(spent, limit money.Nanos, pct int) bool {
	l := new(big.Int).Mul(big.NewInt(int64(limit)), big.NewInt(int64(pct)))
	s := new(big.Int).Mul(big.NewInt(int64(spent)), big.NewInt(100))
	return s.Cmp(l) >= 0
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// formatFixed formats v / 10^places with exactly places decimals.
func formatFixed(v int64, places int) string {
	sign := ""
	u := uint64(v)
	if v < 0 {
		sign = "-"
		u = -u
	}
	p := uint64(pow10(places))
	frac := strconv.FormatUint(u%p, 10)
	return sign + strconv.FormatUint(u/p, 10) + "." + strings.Repeat("0", places-len(frac)) + frac
}

// Summary says what the status knows of the spend, in words: "spent 12.5
// USD of 100 USD", or with calls that could not be priced, "spent at least
// 12.5 USD of 100 USD, and 3 calls that could not be priced".
func (s *Status) Summary() string {
	if s.Unpriced == 0 {
		return fmt.Sprintf("spent %s %s of %s %s", s.Spent, s.Currency, s.Limit, s.Currency)
	}
	calls := "calls"
	if s.Unpriced == 1 {
		calls = "call"
	}
	return fmt.Sprintf("spent at least %s %s of %s %s, and %d %s that could not be priced", s.Spent, s.Currency, s.Limit, s.Currency, s.Unpriced, calls)
}
