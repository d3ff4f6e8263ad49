// Package reconcile compares a cost a provider, a gateway or an
// instrumentation library reported for a call with the cost computed from
// its usage and the price card: they agree within a tolerance, disagree,
// disagree by a factor that says the reported one is in the wrong unit
// (a thousand or a million times off: dollars read as milli-dollars,
// micro-units as units), or cannot be compared (different currencies).
// The reported cost is never trusted over the computed one: it is kept
// beside it, and the result says how they compare.
package reconcile

import (
	"math/big"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// The results. "" means nothing to compare.
const (
	Match    = "match"    // within the tolerance
	Mismatch = "mismatch" // outside it
	Unit     = "unit"     // about 1,000 or 1,000,000 times off either way: a unit mistake
	Currency = "currency" // in different currencies: not compared without a rate
)

// Results lists the results, for metrics and checks.
var Results = []string{Match, Mismatch, Unit, Currency}

// Floor is the smallest difference ever flagged, in nanos (a millionth
// of a unit): below it, rounding on tiny calls is not a disagreement.
const Floor = money.Nanos(1000)

// Check compares reported with computed, both in the same currency, with
// tolerance the largest accepted difference relative to computed (0.02 is
// 2 %), and returns Match, Mismatch or Unit. Exact: no float.
func Check(reported, computed money.Nanos, tolerance *big.Rat) string {
	diff := reported - computed
	if diff < 0 {
		diff = -diff
	}
	if diff <= Floor {
		return Match
	}
	limit := new(big.Rat).Mul(tolerance, new(big.Rat).SetInt64(int64(computed)))
	if new(big.Rat).SetInt64(int64(diff)).Cmp(limit) <= 0 {
		return Match
	}
	if computed > 0 && reported > 0 {
		for _, f := range []int64{1000, 1_000_000} {
			if near(reported, computed, f) || near(computed, reported, f) {
				return Unit
			}
		}
	}
	return Mismatch
}

// near reports whether a is within 10 % of f times b.
func near(a, b money.Nanos, f int64) bool {
	x := new(big.Int).Mul(big.NewInt(int64(b)), big.NewInt(f))
	lo := new(big.Int).Div(new(big.Int).Mul(x, big.NewInt(9)), big.NewInt(10))
	hi := new(big.Int).Div(new(big.Int).Mul(x, big.NewInt(11)), big.NewInt(10))
	v := big.NewInt(int64(a))
	return v.Cmp(lo) >= 0 && v.Cmp(hi) <= 0
}

// ParseTolerance reads a tolerance: a decimal from 0 to 1.
func ParseTolerance(s string) (*big.Rat, bool) {
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() < 0 || r.Cmp(big.NewRat(1, 1)) > 0 {
		return nil, false
	}
	return r, true
}
