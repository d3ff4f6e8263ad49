package normalize

import "github.com/otelcol-genai/otelcol-genai/internal/meter"

// CacheTTL is the prompt-cache class that cache writes are billed in when a
// span does not split them.
type CacheTTL uint8

// The cache classes.
const (
	TTL5m CacheTTL = iota // written for 5 minutes (Anthropic's default)
	TTL1h                 // written for an hour
)

// Meters turns the raw counts into exclusive canonical meters (see package
// meter). inputIncludesCache tells whether the emitter's input count already
// contains cache reads and writes (OpenTelemetry semantics) or not
// (Anthropic's native usage). It reports whether the counts themselves showed
// the input to be exclusive: an input smaller than its cache parts cannot
// include them.
func (c *Call) Meters(inputIncludesCache bool, ttl CacheTTL, out *meter.Counts) (inferredExclusive bool) {
	t := &c.Tokens
	*out = meter.Counts{}
	cw5, cw1 := t[cCacheWrite5m], t[cCacheWrite1h]
	if !c.has(cCacheWrite5m) && !c.has(cCacheWrite1h) {
		if ttl == TTL1h {
			cw1 = t[cCacheWrite]
		} else {
			cw5 = t[cCacheWrite]
		}
	} else if c.has(cCacheWrite) && cw5+cw1 < t[cCacheWrite] {
		// A split that does not cover the total: the rest is the default class.
		cw5 = t[cCacheWrite] - cw1
	}
	cached := t[cCacheRead] + cw5 + cw1

	switch {
	case c.has(cUncachedInput):
		out[meter.Input] = t[cUncachedInput]
	case inputIncludesCache && t[cInput] >= cached:
		out[meter.Input] = t[cInput] - cached
	default:
		out[meter.Input] = t[cInput]
		inferredExclusive = inputIncludesCache
	}
	out[meter.CacheRead] = t[cCacheRead]
	out[meter.CacheWrite5m] = cw5
	out[meter.CacheWrite1h] = cw1

	// Output includes reasoning (OpenTelemetry); a reasoning count larger
	// than the output shows an emitter that reports them apart.
	out[meter.Output] = t[cOutput]
	if t[cReasoning] > t[cOutput] {
		out[meter.Output] += t[cReasoning]
	}
	out[meter.Reasoning] = t[cReasoning]

	// Modality counts are subsets. Input audio and image counts cover cached
	// tokens too when the input does; keep only the uncached part.
	audio, image := t[cInputAudio], t[cInputImage]
	if inputIncludesCache && !inferredExclusive {
		audio = max(audio-t[cCacheReadAudio], 0)
		image = max(image-t[cCacheReadImage], 0)
	}
	out[meter.InputAudio] = audio
	out[meter.InputImage] = image
	out[meter.InputVideo] = t[cInputVideo]
	out[meter.CacheReadAudio] = t[cCacheReadAudio]
	out[meter.CacheReadImage] = t[cCacheReadImage]
	out[meter.OutputAudio] = t[cOutputAudio]
	out[meter.OutputImage] = t[cOutputImage]
	out[meter.OutputVideo] = t[cOutputVideo]
	out[meter.Request] = 1
	return inferredExclusive
}

// Model returns the model id to price: the response model when known, else
// the requested one.
func (c *Call) Model() string {
	if c.ResponseModel != "" {
		return c.ResponseModel
	}
	return c.RequestModel
}
