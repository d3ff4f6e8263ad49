package fx

import (
	"math"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// FuzzLoad: a rates file, whatever its bytes, loads or is an error; it
// never panics, and every rate of a table that loads converts and reads
// back from its text.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("date,base,quote,rate\n2026-11-30,EUR,USD,1.0823\n2026-11-30,USD,JPY,150.5\n"))
	f.Add([]byte("rates:\n  - {date: 2026-11-30T10:00:00+02:00, base: AAA, quote: BBB, rate: \"0.000000000001\"}\n"))
	f.Add([]byte("Date, USD, \n05 December 2026, 999999999999999999, \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := Load([]Source{{Name: "fuzz", Data: data}})
		if err != nil {
			return
		}
		cs := tab.Currencies()
		if len(cs) > 8 {
			cs = cs[:8]
		}
		for _, at := range []time.Time{{}, time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)} {
			for _, a := range cs {
				for _, b := range cs {
					r, err := tab.Rate(a, b, at)
					if err != nil {
						continue
					}
					r.Convert(math.MaxInt64)
					r.Convert(-money.NanosPerUnit)
					if r.IsIdentity() {
						continue
					}
					back, err := ParseRate(r.String())
					if err != nil || back.String() != r.String() || back.Factor().Cmp(r.Factor()) != 0 {
						t.Fatalf("%q does not read back: %v", r.String(), err)
					}
				}
			}
		}
	})
}

// FuzzParseRate: any text parses or is an error; a rate that parses
// writes a canonical text that reads back to the identical rate.
func FuzzParseRate(f *testing.F) {
	f.Add("USD>EUR:EUR/USD=1.0823@2026-11-30")
	f.Add("USD>GBP:EUR/USD=1.0823@2026-11-30;EUR/GBP=0.8312@2026-11-30")
	f.Add("USD>ARS:USD/ARS=1012.4@2026-11-30T14:30:00.25+01:00")
	f.Add("AAA>CCC:AAA/BBB=123456.789012345678@2026-01-01;BBB/CCC=987654.321098765432@2026-01-01")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err != nil {
			return
		}
		back, err := ParseRate(r.String())
		if err != nil {
			t.Fatalf("%q: its text %q does not parse: %v", s, r.String(), err)
		}
		if back.String() != r.String() || back.from != r.from || back.to != r.to ||
			len(back.legs) != len(r.legs) || back.Factor().Cmp(r.Factor()) != 0 {
			t.Fatalf("%q: %q reads back as %q", s, r.String(), back.String())
		}
		for i := range r.legs {
			if back.legs[i] != r.legs[i] {
				t.Fatalf("%q: leg %d: %+v reads back as %+v", s, i, r.legs[i], back.legs[i])
			}
		}
	})
}

// FuzzConvert: the 128-bit path and the math/big path agree with exact
// rational arithmetic for any amount and any one- or two-leg rate.
func FuzzConvert(f *testing.F) {
	f.Add(int64(1_000_000_000), uint64(10823), uint8(4), uint64(8312), uint8(4), false, true)
	f.Add(int64(math.MaxInt64), uint64(999999999999999999), uint8(12), uint64(1), uint8(12), true, false)
	f.Add(int64(math.MinInt64), uint64(5), uint8(1), uint64(0), uint8(0), false, false)
	f.Fuzz(func(t *testing.T, n int64, d1 uint64, s1 uint8, d2 uint64, s2 uint8, inv1, inv2 bool) {
		legs := []Leg{{Base: "AAA", Quote: "BBB", Rate: decimalText(d1, s1), Inverted: inv1}}
		if d2 != 0 {
			legs = append(legs, Leg{Base: "BBB", Quote: "CCC", Rate: decimalText(d2, s2), Inverted: inv2})
		}
		r, err := newRate("X", "Y", legs)
		if err != nil {
			t.Fatal(err)
		}
		want := ratRound(new(big.Rat).Mul(new(big.Rat).SetInt64(n), r.Factor()))
		if got := r.Convert(money.Nanos(n)); got != want {
			t.Fatalf("%s of %d: got %d, want %d", r.String(), n, got, want)
		}
		if r.frac == nil {
			if got := r.convertBig(money.Nanos(n)); got != want {
				t.Fatalf("math/big: %s of %d: got %d, want %d", r.String(), n, got, want)
			}
		}
	})
}

// decimalText writes a valid rate from fuzzed digits and scale.
func decimalText(d uint64, scale uint8) string {
	d = d%(pow10[maxDigits]-1) + 1
	s := big.NewInt(0).SetUint64(d).String()
	sc := int(scale) % (maxScale + 1)
	for len(s) <= sc {
		s = "0" + s
	}
	if sc == 0 {
		return s
	}
	return s[:len(s)-sc] + "." + s[len(s)-sc:]
}
