package budget

import (
	"math"
	"math/big"
	"time"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// mulDiv returns a × b / c rounded half to even, exactly (the product is
// formed in a big.Int), saturated to the int64 range. c must be positive.
func mulDiv(a, b, c int64) int64 {
	num := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	return divRound(num, big.NewInt(c))
}

// divRound returns num / den rounded half to even, saturated to the int64
// range. den must be positive.
func divRound(num, den *big.Int) int64 {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int)) // truncated: r has num's sign
	twice := new(big.Int).Abs(r)
	twice.Lsh(twice, 1)
	if c := twice.Cmp(den); c > 0 || (c == 0 && q.Bit(0) == 1) {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	switch {
	case q.IsInt64():
		return q.Int64()
	case q.Sign() > 0:
		return math.MaxInt64
	default:
		return math.MinInt64
	}
}

// subSat returns a - b, saturated to the int64 range.
func subSat(a, b money.Nanos) money.Nanos {
	d := a - b
	// Overflow when a and b have different signs and d the sign of b.
	if (a >= 0) != (b >= 0) && (d >= 0) == (b >= 0) {
		if a >= 0 {
			return math.MaxInt64
		}
		return math.MinInt64
	}
	return d
}

// addSat returns a + b, saturated to the int64 range.
func addSat(a, b money.Nanos) money.Nanos {
	s := a + b
	if (a >= 0) == (b >= 0) && (s >= 0) != (a >= 0) {
		if a >= 0 {
			return math.MaxInt64
		}
		return math.MinInt64
	}
	return s
}

// scale returns amount × num / den, half to even to the nano.
func scale(amount money.Nanos, num, den time.Duration) money.Nanos {
	return money.Nanos(mulDiv(int64(amount), int64(num), int64(den)))
}

// after returns the instant d × num / den after t, half to even to the
// nanosecond.
func after(t time.Time, d time.Duration, num, den money.Nanos) time.Time {
	return t.Add(time.Duration(mulDiv(int64(d), int64(num), int64(den))))
}
