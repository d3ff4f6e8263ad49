package catalog

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// rateKey is a key of a card's rates: a meter and the number of units its
// price is for. The unit is in the key's name (mtok: per million tokens,
// kcount: per thousand), so a rate can never be read in the wrong unit.
type rateKey struct {
	meter meter.Meter
	per   int64
}

const (
	perMillion  = 1_000_000
	perThousand = 1_000
)

// rateKeys are the keys a card's rates may use. They follow the names of the
// public genai-prices data set, so that its figures can be copied as they are.
var rateKeys = map[string]rateKey{
	"input_mtok":            {meter.Input, perMillion},
	"cache_read_mtok":       {meter.CacheRead, perMillion},
	"cache_write_mtok":      {meter.CacheWrite5m, perMillion},
	"cache_write_1h_mtok":   {meter.CacheWrite1h, perMillion},
	"output_mtok":           {meter.Output, perMillion},
	"output_reasoning_mtok": {meter.Reasoning, perMillion},
	"input_audio_mtok":      {meter.InputAudio, perMillion},
	"cache_audio_read_mtok": {meter.CacheReadAudio, perMillion},
	"output_audio_mtok":     {meter.OutputAudio, perMillion},
	"input_image_mtok":      {meter.InputImage, perMillion},
	"cache_image_read_mtok": {meter.CacheReadImage, perMillion},
	"output_image_mtok":     {meter.OutputImage, perMillion},
	"input_video_mtok":      {meter.InputVideo, perMillion},
	"output_video_mtok":     {meter.OutputVideo, perMillion},
	"web_searches_kcount":   {meter.WebSearch, perThousand},
	"requests_kcount":       {meter.Request, perThousand},
}

// RateKey returns the catalog key that prices m.
func RateKey(m meter.Meter) string {
	for k, rk := range rateKeys {
		if rk.meter == m {
			return k
		}
	}
	return ""
}

// maxRateUnits bounds a plausible price per block of units, in currency
// units. A rate above it is almost surely a unit mistake (a per-token price
// typed as per-million, say) and fails the load.
var maxRateUnits = map[int64]int64{
	perMillion:  10_000,  // $10,000 per million tokens
	perThousand: 100_000, // $100 per call
}

var errUnknownRate = errors.New("unknown rate")

// ParseRate reads one rate as a price file states it: its key
// (input_mtok, web_searches_kcount, ...) and its decimal text, exactly.
// A negative rate, or one above the plausible bound of its unit, is an
// error.
func ParseRate(key, text string) (meter.Meter, Rate, error) {
	rk, ok := rateKeys[key]
	if !ok {
		return 0, Rate{}, fmt.Errorf("%w; known rates: %s", errUnknownRate, knownRateKeys())
	}
	n, err := money.ParseDecimal(text)
	if err != nil {
		return 0, Rate{}, err
	}
	if n < 0 {
		return 0, Rate{}, fmt.Errorf("%q is negative", text)
	}
	if limit := maxRateUnits[rk.per]; int64(n) > limit*money.NanosPerUnit {
		return 0, Rate{}, fmt.Errorf("%s is implausibly high (limit %d); rates are per %s units", text, limit, strconv.FormatInt(rk.per, 10))
	}
	return rk.meter, Rate{Price: money.Price{Nanos: n, Per: rk.per}, Set: true}, nil
}
