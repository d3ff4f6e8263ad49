// Package money holds exact amounts of money and prices.
//
// Amounts are integers of nanos (1e-9 of a currency unit). Prices are
// decimals parsed from their text, kept as nanos per block of units (for
// example nanos per million tokens), so that no value ever passes through a
// binary float. The product of a count and a price is computed in 128-bit
// integer arithmetic and rounded once, half to even.
package money

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// Nanos is an amount of money in billionths of a currency unit.
type Nanos int64

// NanosPerUnit is the number of nanos in one currency unit.
const NanosPerUnit = 1_000_000_000

// maxDecimalDigits bounds the integer digits accepted by ParseDecimal, so
// that a value always fits an int64 of nanos.
const maxDecimalDigits = 9

// ErrPrecision is returned when a decimal has more than nine fractional
// digits, which nanos cannot hold exactly.
var ErrPrecision = errors.New("more than 9 decimal places")

// ParseDecimal parses a decimal number such as "2.5", "0.003625", "-1",
// "1e-3" or "12" into nanos, exactly. It refuses values that nanos cannot
// hold exactly, NaN, infinities and values of a billion units or more.
func ParseDecimal(s string) (Nanos, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty number")
	}
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > 40 || e < -40 {
			return 0, fmt.Errorf("invalid number %q", orig)
		}
		exp = e
		s = s[:i]
	}
	intPart, fracPart := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, fracPart = s[:i], s[i+1:]
	}
	if intPart == "" && fracPart == "" {
		return 0, fmt.Errorf("invalid number %q", orig)
	}
	digits := intPart + fracPart
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, fmt.Errorf("invalid number %q", orig)
		}
	}
	// The value is digits times 10^(exp - len(fracPart)), and nanos are the
	// value times 10^9: digits shifted by scale places.
	scale := exp - len(fracPart) + 9
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return 0, nil
	}
	if scale < 0 {
		// The last -scale digits must be zeros, else precision is lost.
		if -scale > len(digits) || strings.TrimRight(digits[len(digits)+scale:], "0") != "" {
			return 0, fmt.Errorf("%q: %w", orig, ErrPrecision)
		}
		digits = digits[:len(digits)+scale]
		scale = 0
	}
	if len(digits)+scale > maxDecimalDigits+9 {
		return 0, fmt.Errorf("%q is too large", orig)
	}
	v, err := strconv.ParseInt(digits+strings.Repeat("0", scale), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is too large", orig)
	}
	if neg {
		v = -v
	}
	return Nanos(v), nil
}

// String formats n as a plain decimal in currency units with no trailing
// zeros: 4125000 nanos is "0.004125", 12 units is "12".
func (n Nanos) String() string {
	v := int64(n)
	sign := ""
	var u uint64
	if v < 0 {
		sign = "-"
		u = uint64(-(v + 1)) + 1
	} else {
		u = uint64(v)
	}
	ip, fp := u/NanosPerUnit, u%NanosPerUnit
	if fp == 0 {
		return sign + strconv.FormatUint(ip, 10)
	}
	frac := strings.TrimRight(fmt.Sprintf("%09d", fp), "0")
	return sign + strconv.FormatUint(ip, 10) + "." + frac
}

// Float64 returns the nearest float64 to the amount in currency units. The
// conversion is correctly rounded, and FromFloat64 recovers n exactly for
// amounts below 2^51 nanos (about 2.2 million units).
func (n Nanos) Float64() float64 {
	return float64(n) / NanosPerUnit
}

// FromFloat64 converts an amount in currency units to the nearest nanos. It
// reports false for NaN, infinities and values out of range.
func FromFloat64(f float64) (Nanos, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	x := math.Round(f * NanosPerUnit)
	if x >= math.MaxInt64 || x <= math.MinInt64 {
		return 0, false
	}
	return Nanos(x), true
}

// Price is the price of one block of Per units, in nanos: $2.50 per million
// tokens is Price{Nanos: 2_500_000_000, Per: 1_000_000}.
type Price struct {
	Nanos Nanos
	Per   int64
}

// Cost returns the price of count units, rounded half to even to whole
// nanos. The product is exact: it is formed in 128 bits before dividing.
// count and the price must not be negative; the result saturates at the
// largest Nanos rather than wrapping.
func (p Price) Cost(count int64) Nanos {
	if count <= 0 || p.Nanos <= 0 || p.Per <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(count), uint64(p.Nanos))
	per := uint64(p.Per)
	if hi >= per {
		return math.MaxInt64
	}
	q, r := bits.Div64(hi, lo, per)
	// Round half to even.
	if twice := 2 * r; twice > per || (twice == per && q%2 == 1) || twice < r {
		q++
	}
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return Nanos(q)
}
