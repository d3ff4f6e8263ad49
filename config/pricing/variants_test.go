package pricing

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/cost"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
)

// TestDefaultVariants prices calls at the shipped service tiers and checks
// each amount, to the nano, against the list rates written here times the
// documented multipliers (USD per million tokens).
func TestDefaultVariants(t *testing.T) {
	c, err := Load(true, nil)
	require.NoError(t, err)
	noon := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		provider, model, tier, geo string
		usage                      meter.Counts
		want                       string // USD
	}{
		// claude-sonnet-4-5: 3 in, 15 out below 200k tokens; batch halves:
		// 100k in + 100k out = 0.9; above 200k: 6 and 22.5, halved.
		{"anthropic", "claude-sonnet-4-5", "batch", "", meter.Counts{meter.Input: 100_000, meter.Output: 100_000}, "0.9"},
		{"anthropic", "claude-sonnet-4-5", "batch", "", meter.Counts{meter.Input: 1e6, meter.Output: 1e6}, "14.25"},
		// claude-opus-4-6 US-only: 5 x 1.1 = 5.5 in, 25 x 1.1 = 27.5 out.
		{"anthropic", "claude-opus-4-6", "", "geo:us", meter.Counts{meter.Input: 100_000, meter.Output: 100_000}, "3.3"},
		// ... in a batch: 2.75 + 13.75.
		{"anthropic", "claude-opus-4-6", "batch", "geo:us", meter.Counts{meter.Input: 100_000, meter.Output: 100_000}, "1.65"},
		// Fast mode: opus 4.6 6x (30 in), opus 5 2x (10 in).
		{"anthropic", "claude-opus-4-6", "fast", "", meter.Counts{meter.Input: 100_000}, "3"},
		{"anthropic", "claude-opus-5", "fast", "", meter.Counts{meter.Input: 100_000}, "1"},
		// gpt-5: 1.25 in, 0.125 cached, 10 out; flex and batch halve.
		{"openai", "gpt-5", "flex", "", meter.Counts{meter.Input: 1e6, meter.CacheRead: 1e6, meter.Output: 1e6}, "5.6875"},
		{"openai", "gpt-4o-mini", "batch", "", meter.Counts{meter.Input: 1e6, meter.Output: 1e6}, "0.375"},
		{"openai", "o3", "flex", "", meter.Counts{meter.Input: 1e6, meter.Output: 1e6}, "5"},
		// gemini-2.5-pro above 200k tokens: 2.5 in, 15 out; batch halves the tier too.
		{"gcp.gen_ai", "gemini-2.5-pro", "batch", "", meter.Counts{meter.Input: 250_000, meter.Output: 1e6}, "7.8125"},
		// gemini-3.7-flash priority is 1.8x.
		{"gcp.gen_ai", "gemini-3.7-flash", "priority", "", meter.Counts{meter.Input: 1e6}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.provider+"/"+tc.model+"+"+tc.tier+tc.geo, func(t *testing.T) {
			res := c.Resolve(catalog.Query{Providers: []string{tc.provider}, Model: tc.model})
			require.NotNil(t, res.Model)
			base := res.Model.CardAt(noon)
			require.NotNil(t, base)
			card, ok := base.Variant(tc.tier, tc.geo)
			require.True(t, ok)
			assert.NotSame(t, base, card)
			got := cost.Compute(card, &tc.usage)
			if tc.want == "" {
				// The rate is the catalog's, whatever it is: check the ratio.
				b := cost.Compute(base, &tc.usage)
				assert.Equal(t, b.Total*18/10, got.Total)
				return
			}
			assert.Equal(t, tc.want, got.Total.String())
		})
	}
}

// TestDefaultVariantsLeaveOtherTiersUnpriced: the tiers no public price is
// shipped for have no variant, so the processor leaves them unpriced.
func TestDefaultVariantsLeaveOtherTiersUnpriced(t *testing.T) {
	c, err := Load(true, nil)
	require.NoError(t, err)
	for _, tc := range []struct{ provider, model, tier string }{
		{"openai", "gpt-5", "priority"},
		{"openai", "gpt-5", "scale"},
		{"openai", "gpt-4o-mini", "flex"},
		{"anthropic", "claude-sonnet-4-5", "priority"},
		{"anthropic", "claude-sonnet-4-5", "fast"},
		{"gcp.gen_ai", "gemini-2.5-pro", "flex"},
	} {
		res := c.Resolve(catalog.Query{Providers: []string{tc.provider}, Model: tc.model})
		require.NotNil(t, res.Model, tc.model)
		_, ok := res.Model.Cards[len(res.Model.Cards)-1].Variant(tc.tier)
		assert.False(t, ok, "%s %s", tc.model, tc.tier)
	}
	// A modifier with no variant (geo:us before Claude 4.6) changes nothing.
	res := c.Resolve(catalog.Query{Providers: []string{"anthropic"}, Model: "claude-sonnet-4-5"})
	base := res.Model.Cards[len(res.Model.Cards)-1]
	v, ok := base.Variant("", "geo:us")
	assert.True(t, ok)
	assert.Same(t, base, v)
}
