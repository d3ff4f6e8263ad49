package fx

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// ecbHistory writes an ECB history file of the given business days,
// newest first, ending on 2026-12-04, with the 30 currencies the ECB
// publishes today.
func ecbHistory(days int) (data []byte, last time.Time) {
	quotes := []string{"USD", "JPY", "CZK", "DKK", "GBP", "HUF", "PLN", "RON", "SEK", "CHF", "ISK", "NOK", "TRY",
		"AUD", "BRL", "CAD", "CNY", "HKD", "IDR", "ILS", "INR", "KRW", "MXN", "MYR", "NZD", "PHP", "SGD", "THB", "ZAR"}
	var b bytes.Buffer
	b.WriteString("Date")
	for _, q := range quotes {
		b.WriteString("," + q)
	}
	b.WriteString(",\n")
	rng := rand.New(rand.NewPCG(1, 2))
	d := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	last = d
	for n := 0; n < days; d = d.AddDate(0, 0, -1) {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		b.WriteString(d.Format(time.DateOnly))
		for range quotes {
			fmt.Fprintf(&b, ",%d.%04d", 1+rng.IntN(2000), rng.IntN(10000))
		}
		b.WriteString(",\n")
		n++
	}
	return b.Bytes(), last
}

// benchTable is 25 years of ECB history: 6,500 days, 188,500 rates.
func benchTable(b *testing.B) (tab *Table, last time.Time) {
	b.Helper()
	data, last := ecbHistory(6500)
	tab, err := Load([]Source{{Name: "eurofxref-hist.csv", Data: data}}, WithMaxAge(96*time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	return tab, last
}

func BenchmarkRate(b *testing.B) {
	tab, last := benchTable(b)
	// Calls of the last few days, as on the ingest path: mostly the newest
	// rate, some the day before, some over a weekend.
	rng := rand.New(rand.NewPCG(3, 4))
	ats := make([]time.Time, 1024)
	for i := range ats {
		ats[i] = last.Add(-48*time.Hour + time.Duration(rng.Int64N(int64(96*time.Hour))))
	}
	for _, c := range []struct{ name, from, to string }{
		{"identity", "USD", "USD"},
		{"direct", "EUR", "USD"},
		{"inverse", "USD", "EUR"},
		{"cross", "USD", "JPY"},
	} {
		for _, at := range ats {
			if _, err := tab.Rate(c.from, c.to, at); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := tab.Rate(c.from, c.to, ats[i&1023]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
	b.Run("cross/parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := tab.Rate("USD", "JPY", ats[i&1023]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}

func BenchmarkConvert(b *testing.B) {
	for _, c := range []struct{ name, rate string }{
		{"direct", "EUR>USD:EUR/USD=1.0823@2026-11-30"},
		{"cross", "JPY>GBP:EUR/JPY=162.47@2026-11-30;EUR/GBP=0.8312@2026-11-30"},
		{"bigfactor", "AAA>CCC:AAA/BBB=123456.789012345678@2026-01-01;BBB/CCC=987654.321098765432@2026-01-01"},
	} {
		r, err := ParseRate(c.rate)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var sum money.Nanos
			n := money.Nanos(1)
			for b.Loop() {
				sum += r.Convert(n)
				n = n*7 + 3
				n &= 1<<26 - 1
			}
			_ = sum
		})
	}
}

func BenchmarkLoad(b *testing.B) {
	data, _ := ecbHistory(6500)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load([]Source{{Name: "eurofxref-hist.csv", Data: data}}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRate("USD>GBP:EUR/USD=1.0823@2026-11-30;EUR/GBP=0.8312@2026-11-30"); err != nil {
			b.Fatal(err)
		}
	}
}
