package fx

import (
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

func mustParse(t testing.TB, s string) Rate {
	t.Helper()
	r, err := ParseRate(s)
	require.NoError(t, err)
	return r
}

func TestConvertHalfEven(t *testing.T) {
	half := mustParse(t, "AAA>BBB:AAA/BBB=0.5@2026-01-01")
	quarter := mustParse(t, "AAA>BBB:AAA/BBB=0.25@2026-01-01")
	inv := mustParse(t, "BBB>AAA:AAA/BBB=2.5@2026-01-01") // factor 2/5
	for _, c := range []struct {
		r    Rate
		n    money.Nanos
		want money.Nanos
	}{
		{half, 1, 0},   // 0.5 -> 0, even
		{half, 3, 2},   // 1.5 -> 2
		{half, 5, 2},   // 2.5 -> 2
		{half, 7, 4},   // 3.5 -> 4
		{half, -1, 0},  // -0.5 -> 0
		{half, -3, -2}, // -1.5 -> -2
		{half, -5, -2}, // -2.5 -> -2
		{half, 0, 0},
		{quarter, 1, 0},  // 0.25 -> 0
		{quarter, 3, 1},  // 0.75 -> 1
		{quarter, 6, 2},  // 1.5 -> 2
		{quarter, 10, 2}, // 2.5 -> 2
		{quarter, -6, -2},
		{inv, 5, 2}, // 2 exactly
		{inv, 1, 0}, // 0.4 -> 0
		{inv, 2, 1}, // 0.8 -> 1
		{inv, -2, -1},
		// MaxInt64 / 2 = 4611686018427387903.5: the tie goes to the even
		// ...904; MinInt64 / 2 is exact.
		{half, math.MaxInt64, 4611686018427387904},
		{half, math.MinInt64, -4611686018427387904},
		{half, math.MinInt64 + 1, -4611686018427387904}, // -...903.5 -> even
	} {
		assert.Equal(t, c.want, c.r.Convert(c.n), "%s of %d", c.r, c.n)
		assert.Equal(t, c.want, c.r.convertBig(c.n), "math/big: %s of %d", c.r, c.n)
	}
}

func TestConvertSaturates(t *testing.T) {
	r := mustParse(t, "EUR>USD:EUR/USD=1.0823@2026-11-30")
	assert.Equal(t, money.Nanos(math.MaxInt64), r.Convert(math.MaxInt64))
	assert.Equal(t, money.Nanos(math.MinInt64), r.Convert(math.MinInt64))
	// At the edge: 8522010567176176482 * 1.0823 = 9223372036854775806.4686
	// rounds down; ...483 * 1.0823 = ...807.5509 rounds up past MaxInt64.
	assert.Equal(t, money.Nanos(math.MaxInt64-1), r.Convert(8_522_010_567_176_176_482))
	assert.Equal(t, money.Nanos(math.MaxInt64), r.Convert(8_522_010_567_176_176_483))
	assert.Equal(t, money.Nanos(-math.MaxInt64+1), r.Convert(-8_522_010_567_176_176_482))
	// -...807.5509 rounds to MinInt64 itself, which fits.
	assert.Equal(t, money.Nanos(math.MinInt64), r.Convert(-8_522_010_567_176_176_483))
	assert.Equal(t, money.Nanos(math.MinInt64), r.convertBig(-8_522_010_567_176_176_483))
	assert.Equal(t, money.Nanos(math.MaxInt64), r.convertBig(math.MaxInt64))
	assert.Equal(t, money.Nanos(math.MinInt64), r.convertBig(math.MinInt64))
	// 8.5 billion units convert exactly the other way: 8.5e18 * 10000 /
	// 10823 = 7853645015245310911 remainder 10247 > 5411.5: round up.
	inv := mustParse(t, "USD>EUR:EUR/USD=1.0823@2026-11-30")
	assert.Equal(t, money.Nanos(7_853_645_015_245_310_912), inv.Convert(8_500_000_000*money.NanosPerUnit))
}

// A cross of two rates with 18 significant digits has a factor whose
// terms do not fit 64 bits: Convert takes the math/big path.
func TestConvertBigFactor(t *testing.T) {
	r := mustParse(t, "AAA>CCC:AAA/BBB=123456.789012345678@2026-01-01;BBB/CCC=987654.321098765432@2026-01-01")
	require.NotNil(t, r.frac, "the factor needs math/big")
	// 123456789012345678 * 987654321098765432 / 10^24, reduced by 16
	// (2 * 8 divide the two numerators):
	assert.Equal(t, "7620789446063862145156988263812681/62500000000000000000000", r.Factor().String())
	// 1 nano * 121932631137.021794322... = 121932631137.02: round down.
	assert.Equal(t, money.Nanos(121_932_631_137), r.Convert(1))
	assert.Equal(t, money.Nanos(-121_932_631_137), r.Convert(-1))
	// 75,000,000 nanos (0.075 units) * 121932631137.021794322... =
	// 9144947335276634574.19...: round down.
	assert.Equal(t, money.Nanos(9_144_947_335_276_634_574), r.Convert(75_000_000))
	assert.Equal(t, money.Nanos(-9_144_947_335_276_634_574), r.Convert(-75_000_000))
	assert.Equal(t, money.Nanos(math.MaxInt64), r.Convert(76_000_000))

	// The other way, a huge amount: MaxInt64 / 121932631137.021794322... =
	// 75643180.5895...: round up.
	back := mustParse(t, "CCC>AAA:BBB/CCC=987654.321098765432@2026-01-01;AAA/BBB=123456.789012345678@2026-01-01")
	require.NotNil(t, back.frac)
	assert.Equal(t, money.Nanos(75_643_181), back.Convert(math.MaxInt64))
	assert.Equal(t, money.Nanos(-75_643_181), back.Convert(math.MinInt64))
}

// TestConvertMatchesRat checks Convert against big.Rat arithmetic over
// amounts around the edges of the fast path.
func TestConvertMatchesRat(t *testing.T) {
	rates := []string{
		"USD>EUR:EUR/USD=1.0823@2026-11-30",
		"EUR>IDR:EUR/IDR=17741.25@2026-11-30",
		"IDR>EUR:EUR/IDR=17741.25@2026-11-30",
		"JPY>GBP:EUR/JPY=162.47@2026-11-30;EUR/GBP=0.8312@2026-11-30",
		"AAA>BBB:AAA/BBB=0.000000000001@2026-11-30",
		"BBB>AAA:AAA/BBB=0.000000000001@2026-11-30",
		"AAA>BBB:AAA/BBB=999999999999999999@2026-11-30",
		"BBB>AAA:AAA/BBB=999999.999999999999@2026-11-30",
	}
	amounts := []money.Nanos{0, 1, -1, 2, 7, 999_999_999, 1_000_000_000, -1_000_000_001, 123_456_789_012_345,
		math.MaxInt64, math.MinInt64, math.MaxInt64 / 3, math.MinInt64 / 7, 1 << 40, -(1 << 50)}
	for _, s := range rates {
		r := mustParse(t, s)
		for _, n := range amounts {
			want := ratRound(new(big.Rat).Mul(new(big.Rat).SetInt64(int64(n)), r.Factor()))
			assert.Equal(t, want, r.Convert(n), "%s of %d", s, n)
		}
	}
}

// ratRound rounds half to even and saturates, independently of roundQuo.
func ratRound(x *big.Rat) money.Nanos {
	i := new(big.Int).Quo(x.Num(), x.Denom()) // truncates toward zero
	frac := new(big.Rat).Sub(x, new(big.Rat).SetInt(i))
	half := big.NewRat(1, 2)
	sign := int64(x.Sign())
	c := new(big.Rat).Abs(frac).Cmp(half)
	if c > 0 || (c == 0 && i.Bit(0) == 1) {
		i.Add(i, big.NewInt(sign))
	}
	switch {
	case i.Cmp(big.NewInt(math.MaxInt64)) > 0:
		return math.MaxInt64
	case i.Cmp(big.NewInt(math.MinInt64)) < 0:
		return math.MinInt64
	}
	return money.Nanos(i.Int64())
}

func TestStringRoundTrip(t *testing.T) {
	tab := all(t)
	at := instant("2026-12-01T12:00:00Z")
	n := 0
	for _, from := range tab.Currencies() {
		for _, to := range tab.Currencies() {
			r, err := tab.Rate(from, to, at)
			if err != nil {
				continue
			}
			n++
			if r.IsIdentity() {
				assert.Empty(t, r.String())
				continue
			}
			back, err := ParseRate(r.String())
			require.NoError(t, err, r.String())
			assert.Equal(t, r, back, r.String())
		}
	}
	assert.Greater(t, n, 800, "most pairs are linked")

	id, err := ParseRate("")
	require.NoError(t, err)
	assert.True(t, id.IsIdentity())
	assert.Equal(t, Rate{}, id)
	assert.Equal(t, money.Nanos(42), id.Convert(42))
}

func TestParseRate(t *testing.T) {
	// Dates other than midnight are RFC 3339 in UTC; fractions of a second
	// are kept.
	r := mustParse(t, "USD>ARS:USD/ARS=1012.4@2026-11-30T14:30:00.25+01:00")
	assert.Equal(t, "USD>ARS:USD/ARS=1012.4@2026-11-30T13:30:00.25Z", r.String())
	assert.Equal(t, r, mustParse(t, r.String()))
	// A midnight instant reads as its date.
	assert.Equal(t, "USD>ARS:USD/ARS=1012.4@2026-11-30", mustParse(t, "USD>ARS:USD/ARS=1012.4@2026-11-30T00:00:00Z").String())

	for _, c := range []struct{ in, want string }{
		{"EUR/USD=1.0823@2026-11-30", `rate "EUR/USD=1.0823@2026-11-30": want FROM>TO:BASE/QUOTE=RATE@DATE`},
		{"EURUSD:EUR/USD=1@2026-11-30", `rate "EURUSD:EUR/USD=1@2026-11-30": "EURUSD" is not FROM>TO`},
		{"eur>USD:EUR/USD=1@2026-11-30", `rate "eur>USD:EUR/USD=1@2026-11-30": "eur" is not a currency code (three upper-case letters, such as USD)`},
		{"USD>USD:EUR/USD=1@2026-11-30", `rate "USD>USD:EUR/USD=1@2026-11-30": converts USD to itself; the identity is the empty string`},
		{"EUR>USD:", `rate "EUR>USD:": leg 1: "" is not BASE/QUOTE=RATE@DATE`},
		{"EUR>USD:EUR/USD=1.0823", `rate "EUR>USD:EUR/USD=1.0823": leg 1: "EUR/USD=1.0823" is not BASE/QUOTE=RATE@DATE`},
		{"EUR>USD:EUR/USD=-1@2026-11-30", `rate "EUR>USD:EUR/USD=-1@2026-11-30": leg 1: rate "-1" is not a positive decimal such as 1.0823`},
		{"EUR>USD:EUR/USD=1@30.11.2026", `rate "EUR>USD:EUR/USD=1@30.11.2026": leg 1: date: "30.11.2026" is not a date (2006-01-02) or an RFC 3339 time`},
		{"EUR>USD:EUR/EUR=1@2026-11-30", `rate "EUR>USD:EUR/EUR=1@2026-11-30": leg 1: pair EUR/EUR has the same currency twice`},
		{"EUR>USD:GBP/USD=1@2026-11-30", `rate "EUR>USD:GBP/USD=1@2026-11-30": leg 1 (GBP/USD) does not convert from EUR`},
		{"EUR>USD:EUR/GBP=1@2026-11-30", `rate "EUR>USD:EUR/GBP=1@2026-11-30": the legs end in GBP, not USD`},
		{"EUR>USD:EUR/GBP=1@2026-11-30;GBP/JPY=1@2026-11-30;JPY/USD=1@2026-11-30",
			`rate "EUR>USD:EUR/GBP=1@2026-11-30;GBP/JPY=1@2026-11-30;JPY/USD=1@2026-11-30": 3 legs; a rate has at most 2`},
	} {
		_, err := ParseRate(c.in)
		assert.EqualError(t, err, c.want, c.in)
	}
}
