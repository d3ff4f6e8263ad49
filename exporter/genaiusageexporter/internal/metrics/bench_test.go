package metrics

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// realisticRecords spreads n calls over 4 models, 6 services, 200 users
// in 20 tenants and 5 features: about 4,000 attribution label sets.
func realisticRecords(n int) []usage.Record {
	rng := rand.New(rand.NewPCG(1, 2))
	models := [...][2]string{{"openai", "gpt-4o"}, {"openai", "gpt-4o-mini"}, {"anthropic", "claude-sonnet-4-5"}, {"google", "gemini-2.5-flash"}}
	recs := make([]usage.Record, n)
	for i := range recs {
		r := &recs[i]
		pm := models[rng.IntN(len(models))]
		user := rng.IntN(200)
		feature := rng.IntN(5)
		r.Provider, r.Model = pm[0], pm[1]
		r.Service = fmt.Sprintf("service-%d", feature%6)
		r.Dims = usage.Dimensions{
			User:    fmt.Sprintf("user-%04d", user),
			Tenant:  fmt.Sprintf("tenant-%02d", user%20),
			Feature: fmt.Sprintf("feature-%d", feature),
		}
		r.Status = genaiconv.StatusPriced
		r.Currency = "USD"
		r.Duration = time.Duration(200+rng.IntN(20_000)) * time.Millisecond
		r.Tokens[meter.Input] = int64(100 + rng.IntN(8000))
		r.Tokens[meter.Output] = int64(10 + rng.IntN(1500))
		if rng.IntN(3) == 0 {
			r.Tokens[meter.CacheRead] = int64(1000 + rng.IntN(30_000))
			r.CacheSaved = money.Nanos(rng.IntN(5_000_000))
		}
		if rng.IntN(2) == 0 {
			r.Streaming, r.TTFT = true, time.Duration(100+rng.IntN(2000))*time.Millisecond
		}
		r.Cost = money.Nanos(rng.IntN(50_000_000))
		switch rng.IntN(50) {
		case 0:
			r.Status, r.Cost, r.Currency = genaiconv.StatusUnpriced, 0, ""
		case 1:
			r.ErrorType = "429"
		}
	}
	return recs
}

func benchmarkObserve(b *testing.B, cfg Config) {
	recs := realisticRecords(1 << 14)
	m, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	for i := range recs { // create the series first: steady state is what matters
		m.Observe(&recs[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		m.Observe(&recs[i&(len(recs)-1)])
		i++
	}
}

// BenchmarkObserve measures one record on existing series, and with most
// label sets past the cardinality limit.
func BenchmarkObserve(b *testing.B) {
	dims := []string{"user", "tenant", "feature"}
	b.Run("steady", func(b *testing.B) { benchmarkObserve(b, Config{Dimensions: dims}) })
	b.Run("no_dimensions", func(b *testing.B) { benchmarkObserve(b, Config{}) })
	b.Run("overflow", func(b *testing.B) { benchmarkObserve(b, Config{Dimensions: dims, CardinalityLimit: 100}) })
	b.Run("parallel", func(b *testing.B) {
		recs := realisticRecords(1 << 14)
		m, err := New(Config{Dimensions: dims})
		if err != nil {
			b.Fatal(err)
		}
		for i := range recs {
			m.Observe(&recs[i])
		}
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := rand.IntN(len(recs))
			for pb.Next() {
				m.Observe(&recs[i&(len(recs)-1)])
				i++
			}
		})
	})
}
