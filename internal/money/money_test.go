package money

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDecimal(t *testing.T) {
	cases := []struct {
		in   string
		want Nanos
	}{
		{"0", 0},
		{"2.5", 2_500_000_000},
		{"0.003625", 3_625_000},
		{"0.000000001", 1},
		{"15", 15_000_000_000},
		{"-1.25", -1_250_000_000},
		{"+3", 3_000_000_000},
		{"1e-3", 1_000_000},
		{"1.5E2", 150_000_000_000},
		{".5", 500_000_000},
		{"7.", 7_000_000_000},
		{"0.1000000000", 100_000_000}, // trailing zeros beyond 9 places are exact
		{" 4 ", 4_000_000_000},
	}
	for _, c := range cases {
		got, err := ParseDecimal(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.want, got, c.in)
	}
}

func TestParseDecimalRejects(t *testing.T) {
	for _, in := range []string{"", "abc", "1.2.3", "0.0000000001", "NaN", "inf", "1e99", "99999999999999999999", "--1", ".", "1e"} {
		_, err := ParseDecimal(in)
		assert.Error(t, err, in)
	}
	_, err := ParseDecimal("0.0000000001")
	assert.ErrorIs(t, err, ErrPrecision)
}

func TestString(t *testing.T) {
	assert.Equal(t, "0", Nanos(0).String())
	assert.Equal(t, "0.004125", Nanos(4_125_000).String())
	assert.Equal(t, "12", Nanos(12_000_000_000).String())
	assert.Equal(t, "0.000000001", Nanos(1).String())
	assert.Equal(t, "-1.5", Nanos(-1_500_000_000).String())
	assert.Equal(t, "-9223372036.854775808", Nanos(math.MinInt64).String())
	for _, n := range []Nanos{1, 999, 1_000_000_001, 123_456_789_012} {
		back, err := ParseDecimal(n.String())
		require.NoError(t, err)
		assert.Equal(t, n, back)
	}
}

func TestFloatRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		n := Nanos(r.Int64N(1 << 51))
		back, ok := FromFloat64(n.Float64())
		require.True(t, ok)
		require.Equal(t, n, back, "nanos %d", n)
	}
	_, ok := FromFloat64(math.NaN())
	assert.False(t, ok)
	_, ok = FromFloat64(math.Inf(1))
	assert.False(t, ok)
	_, ok = FromFloat64(1e30)
	assert.False(t, ok)
}

func TestPriceCost(t *testing.T) {
	perM := func(s string) Price {
		n, err := ParseDecimal(s)
		require.NoError(t, err)
		return Price{Nanos: n, Per: 1_000_000}
	}
	// $3 per Mtok, 1234 tokens = $0.003702.
	assert.Equal(t, Nanos(3_702_000), perM("3").Cost(1234))
	// $0.075 per Mtok is 75 nanos a token.
	assert.Equal(t, Nanos(75), perM("0.075").Cost(1))
	// $0.00875 per Mtok: 1 token = 8.75 nanos -> 9; 2 tokens = 17.5 -> 18 (even).
	assert.Equal(t, Nanos(9), perM("0.00875").Cost(1))
	assert.Equal(t, Nanos(18), perM("0.00875").Cost(2))
	// $0.0000015 per Mtok: 1 token = 0.0015 nanos -> 0; 1000 tokens = 1.5 -> 2.
	assert.Equal(t, Nanos(0), perM("0.0000015").Cost(1))
	assert.Equal(t, Nanos(2), perM("0.0000015").Cost(1000))
	// Half to even: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2.
	half := Price{Nanos: 1, Per: 2}
	assert.Equal(t, Nanos(0), half.Cost(1))
	assert.Equal(t, Nanos(2), half.Cost(3))
	assert.Equal(t, Nanos(2), half.Cost(5))
	// Per-thousand prices: $10 per 1000 requests, one request = $0.01.
	assert.Equal(t, Nanos(10_000_000), Price{Nanos: 10 * NanosPerUnit, Per: 1000}.Cost(1))
	// Large products need 128 bits: 1e8 tokens at $10000/Mtok = $1,000,000.
	assert.Equal(t, Nanos(1_000_000*NanosPerUnit), perM("10000").Cost(100_000_000))
	// Non-positive inputs cost nothing.
	assert.Equal(t, Nanos(0), perM("3").Cost(-5))
	assert.Equal(t, Nanos(0), Price{}.Cost(5))
	// Saturates rather than wrapping.
	assert.Equal(t, Nanos(math.MaxInt64), Price{Nanos: math.MaxInt64, Per: 1}.Cost(math.MaxInt64))
}

// TestPriceCostMatchesBigRat checks the 128-bit path against exact rationals.
func TestPriceCostMatchesBigRat(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		p := Price{Nanos: Nanos(r.Int64N(1 << 44)), Per: []int64{1, 1000, 1_000_000}[r.IntN(3)]}
		count := r.Int64N(1 << 33)
		want := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(count), big.NewInt(int64(p.Nanos))), big.NewInt(p.Per))
		// Round half to even with big.Int arithmetic.
		q, m := new(big.Int).QuoRem(want.Num(), want.Denom(), new(big.Int))
		twice := new(big.Int).Mul(m, big.NewInt(2))
		if c := twice.Cmp(want.Denom()); c > 0 || (c == 0 && q.Bit(0) == 1) {
			q.Add(q, big.NewInt(1))
		}
		if !q.IsInt64() {
			require.Equal(t, Nanos(math.MaxInt64), p.Cost(count), "saturates")
			continue
		}
		require.Equal(t, q.Int64(), int64(p.Cost(count)), "count %d price %+v", count, p)
	}
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"2.5", "0.003625", "1e-3", "-7", "", "1.2.3", "9999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseDecimal(s)
		if err != nil {
			return
		}
		back, err := ParseDecimal(n.String())
		if err != nil || back != n {
			t.Fatalf("%q -> %d -> %q -> %d (%v)", s, n, n.String(), back, err)
		}
	})
}
