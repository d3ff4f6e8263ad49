// Package cost prices one call's usage with a price card, exactly.
//
// Usage comes as canonical meter counts (see package meter): Input is
// uncached input, the cache meters are apart from it, and the modality and
// reasoning meters are subsets of Input, CacheRead and Output. Compute splits
// the subsets out only where the card prices them apart, so that no token is
// billed twice and none is billed at a rate the card does not state.
//
// Fallbacks, where a card has no rate for a meter that has usage:
//   - cache reads and 5-minute cache writes are billed as uncached input
//     (a provider that names no cache price bills those tokens as input);
//   - image tokens are billed at the text rate of their class;
//   - reasoning is billed as output unless the card prices it apart;
//   - a missing per-request fee means there is none;
//   - anything else (audio, video, 1-hour cache writes, web searches, input
//     or output with no rate at all) stays unpriced: the meter is left out of
//     the amount and reported, and the call is "partial", never a silent $0.
package cost

import (
	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// Result is the price of one call.
type Result struct {
	// Total is the sum of ByMeter; each meter is rounded on its own, half to
	// even, so the parts always add up to the total.
	Total money.Nanos
	// ByMeter is the amount billed for each meter's own tokens.
	ByMeter [meter.Count]money.Nanos
	// Unpriced holds the meters with usage that the card gives no rate for.
	Unpriced meter.Set
	// TierAbove is the threshold of the long-context tier applied, 0 if none.
	TierAbove int64
}

// Partial reports whether some usage could not be priced.
func (r *Result) Partial() bool { return r.Unpriced != 0 }

// Compute prices usage u with card c.
func Compute(c *catalog.Card, u *meter.Counts) Result { return compute(c, u, nil) }

// Line is how one meter's share of a call was billed: the tokens left to
// it once the subsets the card prices apart are split out, the meter whose
// rate applied (itself, or its fallback), that rate and the amount.
type Line struct {
	Meter   meter.Meter
	Tokens  int64
	RatedAs meter.Meter
	Rate    money.Price
	Amount  money.Nanos
	// Unpriced: the card has no rate for the meter nor a fallback.
	Unpriced bool
}

// Explain prices usage u with card c as Compute does, and lists how each
// meter with tokens was billed, in billing order.
func Explain(c *catalog.Card, u *meter.Counts) (Result, []Line) {
	var lines []Line
	res := compute(c, u, &lines)
	return res, lines
}

func compute(c *catalog.Card, u *meter.Counts, lines *[]Line) Result {
	var res Result
	rates, above := c.RatesFor(u.Prompt())
	res.TierAbove = above
	b := biller{rates: rates, res: &res, lines: lines}

	// Input: split out the modalities the card prices apart.
	in := u[meter.Input]
	audioIn := b.split(&in, u[meter.InputAudio])
	videoIn := b.split(&in, u[meter.InputVideo])
	imageIn := int64(0)
	if rates[meter.InputImage].Set {
		imageIn = b.split(&in, u[meter.InputImage])
	}
	b.bill(meter.Input, in)
	b.bill(meter.InputAudio, audioIn)
	b.bill(meter.InputVideo, videoIn)
	b.bill(meter.InputImage, imageIn)

	cached := u[meter.CacheRead]
	audioCached := b.split(&cached, u[meter.CacheReadAudio])
	imageCached := int64(0)
	if rates[meter.CacheReadImage].Set {
		imageCached = b.split(&cached, u[meter.CacheReadImage])
	}
	b.bill(meter.CacheRead, cached, meter.Input)
	b.bill(meter.CacheReadAudio, audioCached, meter.InputAudio)
	b.bill(meter.CacheReadImage, imageCached)

	b.bill(meter.CacheWrite5m, u[meter.CacheWrite5m], meter.Input)
	b.bill(meter.CacheWrite1h, u[meter.CacheWrite1h])

	// Output: reasoning and modalities are inside Output.
	out := u[meter.Output]
	audioOut := b.split(&out, u[meter.OutputAudio])
	videoOut := b.split(&out, u[meter.OutputVideo])
	imageOut, reasoning := int64(0), int64(0)
	if rates[meter.OutputImage].Set {
		imageOut = b.split(&out, u[meter.OutputImage])
	}
	if rates[meter.Reasoning].Set {
		reasoning = b.split(&out, u[meter.Reasoning])
	}
	b.bill(meter.Output, out)
	b.bill(meter.Reasoning, reasoning)
	b.bill(meter.OutputAudio, audioOut)
	b.bill(meter.OutputVideo, videoOut)
	b.bill(meter.OutputImage, imageOut)

	b.bill(meter.WebSearch, u[meter.WebSearch])
	if rates[meter.Request].Set {
		b.bill(meter.Request, u[meter.Request])
	}
	return res
}

// CacheSaved is what prompt caching saved a call: what its cache reads
// would have cost as uncached input, less what they cost, at the rates of
// the tier the call fell in. Zero when the card prices either apart.
func CacheSaved(c *catalog.Card, u *meter.Counts) money.Nanos {
	reads := u[meter.CacheRead]
	if reads == 0 {
		return 0
	}
	rates, _ := c.RatesFor(u.Prompt())
	in, cached := rates[meter.Input], rates[meter.CacheRead]
	if !in.Set || !cached.Set {
		return 0
	}
	return max(in.Price.Cost(reads)-cached.Price.Cost(reads), 0)
}

type biller struct {
	rates *catalog.Rates
	res   *Result
	lines *[]Line // Explain's, else nil
}

// split takes up to n tokens out of *from and returns how many it took.
func (b *biller) split(from *int64, n int64) int64 {
	n = min(max(n, 0), *from)
	*from -= n
	return n
}

// bill adds the cost of n tokens of meter m at m's rate, else at the first
// fallback meter's rate that is set, else marks m unpriced.
func (b *biller) bill(m meter.Meter, n int64, fallbacks ...meter.Meter) {
	if n <= 0 {
		return
	}
	r, as := b.rates[m], m
	for _, f := range fallbacks {
		if r.Set {
			break
		}
		r, as = b.rates[f], f
	}
	if !r.Set {
		b.res.Unpriced = b.res.Unpriced.Add(m)
		if b.lines != nil {
			*b.lines = append(*b.lines, Line{Meter: m, Tokens: n, RatedAs: m, Unpriced: true})
		}
		return
	}
	c := r.Price.Cost(n)
	b.res.ByMeter[m] += c
	b.res.Total += c
	if b.lines != nil {
		*b.lines = append(*b.lines, Line{Meter: m, Tokens: n, RatedAs: as, Rate: r.Price, Amount: c})
	}
}
