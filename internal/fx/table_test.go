package fx

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// file reads a testdata file as a Source named by its path.
func file(t testing.TB, name string) Source {
	t.Helper()
	p := filepath.Join("testdata", name)
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	return Source{Name: p, Data: data}
}

// all loads every testdata file.
func all(t testing.TB, opts ...Option) *Table {
	t.Helper()
	tab, err := Load([]Source{
		file(t, "eurofxref-hist.csv"), file(t, "eurofxref.csv"), file(t, "rates.csv"), file(t, "rates.yaml"),
	}, opts...)
	require.NoError(t, err)
	return tab
}

func inline(name, text string) Source { return Source{Name: name, Data: []byte(text)} }

func instant(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func lookup(t *testing.T, tab *Table, from, to, at string) Rate {
	t.Helper()
	r, err := tab.Rate(from, to, instant(at))
	require.NoError(t, err)
	return r
}

func TestLoadTestdata(t *testing.T) {
	tab := all(t)
	assert.Equal(t, []string{
		"ARS", "AUD", "BRL", "CAD", "CHF", "CNY", "CZK", "DKK", "EUR", "GBP", "HKD", "HUF", "IDR", "ILS",
		"INR", "ISK", "JPY", "KRW", "MXN", "MYR", "NGN", "NOK", "NZD", "PHP", "PLN", "RON", "SEK", "SGD",
		"THB", "TRY", "USD", "XAU", "ZAR",
	}, tab.Currencies(), "N/A columns (BGN, HRK, ...) give no rates")
}

func TestDirect(t *testing.T) {
	tab := all(t)
	r := lookup(t, tab, "EUR", "USD", "2026-11-30T10:00:00Z")
	assert.Equal(t, "EUR>USD:EUR/USD=1.0823@2026-11-30", r.String())
	assert.Equal(t, "EUR", r.From())
	assert.Equal(t, "USD", r.To())
	assert.Equal(t, []Leg{{Base: "EUR", Quote: "USD", Rate: "1.0823", Date: instant("2026-11-30T00:00:00Z")}}, r.Legs())
	// 1 EUR = 1.0823 USD exactly.
	assert.Equal(t, money.Nanos(1_082_300_000), r.Convert(1_000_000_000))
	assert.Equal(t, "10823/10000", r.Factor().String())

	// The ECB's daily file extends its history.
	r = lookup(t, tab, "EUR", "JPY", "2026-12-07T16:00:00Z")
	assert.Equal(t, "EUR>JPY:EUR/JPY=162.88@2026-12-07", r.String())
}

func TestWeekendUsesFriday(t *testing.T) {
	tab := all(t)
	for _, at := range []string{"2026-12-05T00:00:00Z", "2026-12-05T13:00:00Z", "2026-12-06T23:59:59Z"} {
		r := lookup(t, tab, "EUR", "USD", at)
		// The history file writes 1.0850 as the ECB does, without the
		// trailing zero.
		assert.Equal(t, "EUR>USD:EUR/USD=1.085@2026-12-04", r.String(), at)
	}
	// Monday's rate is in force from Monday 00:00 UTC.
	assert.Equal(t, "EUR>USD:EUR/USD=1.0841@2026-12-07", lookup(t, tab, "EUR", "USD", "2026-12-07T00:00:00Z").String())
}

func TestIdentity(t *testing.T) {
	r := lookup(t, all(t), "USD", "USD", "1990-01-01T00:00:00Z")
	assert.True(t, r.IsIdentity())
	assert.Empty(t, r.String())
	assert.Empty(t, r.Legs())
	assert.Equal(t, "USD", r.From())
	assert.Equal(t, "USD", r.To())
	assert.Equal(t, money.Nanos(-123), r.Convert(-123))
	assert.Equal(t, "1", r.Factor().RatString())
}

func TestInverse(t *testing.T) {
	tab := all(t)
	r := lookup(t, tab, "USD", "EUR", "2026-11-30T10:00:00Z")
	assert.Equal(t, "USD>EUR:EUR/USD=1.0823@2026-11-30", r.String())
	assert.True(t, r.Legs()[0].Inverted)
	// 1 USD = 1/1.0823 EUR = 10000/10823 EUR
	//       = 0.923958237087683636... EUR: 10^13/10823 nanos, and
	// 10823 * 923958237 = 9999999999051, remainder 949 < 10823/2: round down.
	assert.Equal(t, money.Nanos(923_958_237), r.Convert(1_000_000_000))
	assert.Equal(t, money.Nanos(-923_958_237), r.Convert(-1_000_000_000))

	// The inverse pair is used before a cross: USD/GBP is not in the
	// table, GBP/USD is (rates.csv), so USD to GBP does not go through EUR.
	r = lookup(t, tab, "USD", "GBP", "2026-12-01T11:59:59Z")
	assert.Equal(t, "USD>GBP:GBP/USD=1.2710@2026-11-30", r.String())
	// 10^9 / 1.2710 = 10^12/1271 = 786782061.37..., 1271 * 786782061 =
	// 999999999531, remainder 469 < 635.5: round down.
	assert.Equal(t, money.Nanos(786_782_061), r.Convert(1_000_000_000))

	// An RFC 3339 date takes effect at its instant.
	r = lookup(t, tab, "USD", "GBP", "2026-12-01T12:00:00Z")
	assert.Equal(t, "USD>GBP:GBP/USD=1.2695@2026-12-01T12:00:00Z", r.String())
}

func TestCross(t *testing.T) {
	tab := all(t)

	// Through EUR, the first pivot: JPY -> EUR inverts EUR/JPY, EUR -> GBP
	// is direct.
	r := lookup(t, tab, "JPY", "GBP", "2026-11-30T10:00:00Z")
	assert.Equal(t, "JPY>GBP:EUR/JPY=162.47@2026-11-30;EUR/GBP=0.8312@2026-11-30", r.String())
	legs := r.Legs()
	require.Len(t, legs, 2)
	assert.True(t, legs[0].Inverted)
	assert.False(t, legs[1].Inverted)
	// factor = 0.8312 / 162.47 = 8312/1624700 = 2078/406175 (gcd 4).
	assert.Equal(t, "2078/406175", r.Factor().String())
	// 1000 JPY = 10^12 * 2078/406175 nanos = 2078000000000000/406175
	// = 5116021419.3389... (406175 * 5116021419 = 2077999999862325,
	// remainder 137675 < 203087.5): round down, once.
	assert.Equal(t, money.Nanos(5_116_021_419), r.Convert(1000*money.NanosPerUnit))

	// Through USD when EUR does not link them: EUR -> USD direct,
	// USD -> NGN direct (rates.yaml, given as the string "1489.50").
	r = lookup(t, tab, "EUR", "NGN", "2026-11-30T10:00:00Z")
	assert.Equal(t, "EUR>NGN:EUR/USD=1.0823@2026-11-30;USD/NGN=1489.50@2026-11-30", r.String())
	// 1.0823 * 1489.50 = 1612.085850 exactly.
	assert.Equal(t, money.Nanos(1_612_085_850_000), r.Convert(money.NanosPerUnit))

	// Both legs inverted: NGN -> USD, USD -> GBP.
	r = lookup(t, tab, "NGN", "GBP", "2026-11-30T10:00:00Z")
	assert.Equal(t, "NGN>GBP:USD/NGN=1489.50@2026-11-30;GBP/USD=1.2710@2026-11-30", r.String())
	// factor = 1/(1489.50 * 1.2710) = 1/1893.15450 = 10^5/189315450
	// = 2000/3786309. 10^6 NGN = 10^15 * 2000/3786309 nanos of GBP
	// = 528218906592.1455... (3786309 * 528218906592 = 1999999999999448928,
	// remainder 551072 < 1893154.5): round down, 528.218906592 GBP.
	assert.Equal(t, "2000/3786309", r.Factor().String())
	assert.Equal(t, money.Nanos(528_218_906_592), r.Convert(1_000_000*money.NanosPerUnit))

	// The cross is cached: the same rate comes back.
	assert.Equal(t, r, lookup(t, tab, "NGN", "GBP", "2026-11-30T11:00:00Z"))
}

func TestTooEarly(t *testing.T) {
	tab := all(t)
	_, err := tab.Rate("EUR", "USD", instant("2026-11-13T09:00:00Z"))
	require.ErrorIs(t, err, ErrTooEarly)
	assert.EqualError(t, err, "no exchange rate yet from EUR to USD at 2026-11-13T09:00:00Z: "+
		"the first EUR/USD rate takes effect on 2026-11-16 (testdata/eurofxref-hist.csv:16)")

	// One second before an RFC 3339 instant, through the inverse.
	tab, err = Load([]Source{inline("x.csv", "date,base,quote,rate\n2026-11-30T14:30:00Z,USD,ARS,1012.4\n")})
	require.NoError(t, err)
	_, err = tab.Rate("ARS", "USD", instant("2026-11-30T14:29:59Z"))
	assert.EqualError(t, err, "no exchange rate yet from ARS to USD at 2026-11-30T14:29:59Z: "+
		"the first USD/ARS rate takes effect on 2026-11-30T14:30:00Z (x.csv:2)")
}

func TestMaxAge(t *testing.T) {
	tab := all(t, WithMaxAge(96*time.Hour))
	_, err := tab.Rate("EUR", "USD", instant("2026-12-11T12:00:00Z"))
	require.ErrorIs(t, err, ErrStale)
	assert.EqualError(t, err, "exchange rate too old from EUR to USD at 2026-12-11T12:00:00Z: "+
		"the newest EUR/USD rate is from 2026-12-07 (testdata/eurofxref.csv:2), older than the max age of 96h0m0s")

	// Exactly the max age is still in force.
	r := lookup(t, tab, "EUR", "USD", "2026-12-11T00:00:00Z")
	assert.Equal(t, "EUR>USD:EUR/USD=1.0841@2026-12-07", r.String())

	// Without the daily file a Monday uses Friday's rate, 3 days old.
	hist, err := Load([]Source{file(t, "eurofxref-hist.csv")}, WithMaxAge(96*time.Hour))
	require.NoError(t, err)
	r = lookup(t, hist, "USD", "JPY", "2026-12-07T09:00:00Z")
	assert.Equal(t, "USD>JPY:EUR/USD=1.085@2026-12-04;EUR/JPY=163.05@2026-12-04", r.String())

	// A stale pair is passed over for a fresh way: here GBP/USD is stale
	// but the cross through EUR is not.
	tab, err = Load([]Source{
		file(t, "eurofxref-hist.csv"),
		inline("old.csv", "date,base,quote,rate\n2026-01-02,GBP,USD,1.3012\n"),
	}, WithMaxAge(96*time.Hour))
	require.NoError(t, err)
	r = lookup(t, tab, "GBP", "USD", "2026-12-04T10:00:00Z")
	assert.Equal(t, "GBP>USD:EUR/GBP=0.8297@2026-12-04;EUR/USD=1.085@2026-12-04", r.String())
	// and when nothing else works, the error names the first pair tried.
	_, err = tab.Rate("GBP", "USD", instant("2026-12-20T10:00:00Z"))
	assert.EqualError(t, err, "exchange rate too old from GBP to USD at 2026-12-20T10:00:00Z: "+
		"the newest GBP/USD rate is from 2026-01-02 (old.csv:2), older than the max age of 96h0m0s")

	_, err = Load([]Source{inline("x.csv", "")}, WithMaxAge(-time.Second))
	assert.EqualError(t, err, "max age -1s is negative; use 0 for no limit")
}

func TestNoRate(t *testing.T) {
	tab, err := Load([]Source{inline("x.csv", "date,base,quote,rate\n2026-01-01,AAA,BBB,2\n2026-01-01,CCC,DDD,3\n")})
	require.NoError(t, err)
	at := instant("2026-06-01T00:00:00Z")
	for _, c := range []struct{ from, to, want string }{
		{"AAA", "CCC", "no exchange rate from AAA to CCC: the table has neither AAA/CCC, CCC/AAA nor a currency that links them"},
		{"AAA", "EUR", "no exchange rate from AAA to EUR: the table has no rate for EUR"},
		{"XYZ", "AAA", "no exchange rate from XYZ to AAA: the table has no rate for XYZ"},
		{"usd", "AAA", `from: "usd" is not a currency code (three upper-case letters, such as USD)`},
		{"AAA", "", `to: "" is not a currency code (three upper-case letters, such as USD)`},
		{"eur", "eur", `from: "eur" is not a currency code (three upper-case letters, such as USD)`},
	} {
		_, err := tab.Rate(c.from, c.to, at)
		assert.EqualError(t, err, c.want)
	}
	_, err = tab.Rate("AAA", "CCC", at)
	assert.ErrorIs(t, err, ErrNoRate)

	// Instants far outside the table's years are still answered.
	r, err := tab.Rate("BBB", "AAA", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Equal(t, "BBB>AAA:AAA/BBB=2@2026-01-01", r.String())
	_, err = tab.Rate("BBB", "AAA", time.Time{})
	assert.ErrorIs(t, err, ErrTooEarly)
}

func TestPivotOrder(t *testing.T) {
	// AAA and ZZZ are linked through EUR, USD and BBB: EUR wins, then USD,
	// then the alphabetically first.
	rows := "date,base,quote,rate\n"
	for _, p := range []string{"USD", "BBB", "EUR", "CCC"} {
		rows += fmt.Sprintf("2026-01-01,AAA,%s,2\n2026-01-01,%s,ZZZ,3\n", p, p)
	}
	tab, err := Load([]Source{inline("x.csv", rows)})
	require.NoError(t, err)
	at := instant("2026-01-02T00:00:00Z")
	assert.Equal(t, "AAA>ZZZ:AAA/EUR=2@2026-01-01;EUR/ZZZ=3@2026-01-01", lookup(t, tab, "AAA", "ZZZ", at.Format(time.RFC3339)).String())

	tab, err = Load([]Source{inline("x.csv", strings.ReplaceAll(rows, "EUR", "DDD"))})
	require.NoError(t, err)
	assert.Equal(t, "AAA>ZZZ:AAA/USD=2@2026-01-01;USD/ZZZ=3@2026-01-01", lookup(t, tab, "AAA", "ZZZ", at.Format(time.RFC3339)).String())

	tab, err = Load([]Source{inline("x.csv", strings.ReplaceAll(strings.ReplaceAll(rows, "EUR", "DDD"), "USD", "EEE"))})
	require.NoError(t, err)
	assert.Equal(t, "AAA>ZZZ:AAA/BBB=2@2026-01-01;BBB/ZZZ=3@2026-01-01", lookup(t, tab, "AAA", "ZZZ", at.Format(time.RFC3339)).String())
}

func TestConcurrentLookups(t *testing.T) {
	tab := all(t)
	at := instant("2026-12-02T10:00:00Z")
	want := map[string]string{}
	pairs := [][2]string{{"EUR", "USD"}, {"USD", "EUR"}, {"JPY", "GBP"}, {"CHF", "SEK"}, {"XAU", "NGN"}}
	for _, p := range pairs {
		want[p[0]+p[1]] = lookup(t, all(t), p[0], p[1], at.Format(time.RFC3339)).String()
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				p := pairs[(g+i)%len(pairs)]
				r, err := tab.Rate(p[0], p[1], at)
				assert.NoError(t, err)
				assert.Equal(t, want[p[0]+p[1]], r.String())
			}
		})
	}
	wg.Wait()
}

func TestRateAllocatesNothing(t *testing.T) {
	tab := all(t)
	at := instant("2026-12-02T10:00:00Z")
	for _, p := range [][2]string{{"EUR", "USD"}, {"USD", "EUR"}, {"JPY", "GBP"}, {"USD", "USD"}} {
		_, err := tab.Rate(p[0], p[1], at) // the first use builds the rate
		require.NoError(t, err)
		n := testing.AllocsPerRun(100, func() {
			r, _ := tab.Rate(p[0], p[1], at)
			_ = r.Convert(123_456_789)
			_ = r.String()
		})
		assert.Zero(t, n, "%s to %s", p[0], p[1])
	}
}

func TestCrossCacheBounded(t *testing.T) {
	tab := all(t)
	at := instant("2026-11-30T10:00:00Z")
	first := lookup(t, tab, "JPY", "GBP", at.Format(time.RFC3339))
	assert.Equal(t, 1, tab.crossCount)
	lookup(t, tab, "JPY", "GBP", at.Format(time.RFC3339))
	assert.Equal(t, 1, tab.crossCount, "a cached rate is not added again")

	// Full: the next new cross rate starts a new generation.
	tab.crossCount = maxCross
	lookup(t, tab, "JPY", "CHF", at.Format(time.RFC3339))
	assert.Equal(t, uint64(1), tab.crossGen.Load())
	assert.Equal(t, 1, tab.crossCount)
	// The old generation is gone but its rates are made again, equal.
	assert.Equal(t, first, lookup(t, tab, "JPY", "GBP", at.Format(time.RFC3339)))
	assert.Equal(t, 2, tab.crossCount)
}
