// Package meter names the billable quantities of an LLM call.
//
// Token meters are exclusive where that matters for money: Input counts only
// uncached input tokens, so Input + CacheRead + CacheWrite5m + CacheWrite1h is
// the whole prompt. Output counts every generated token including reasoning;
// Reasoning and the modality meters are subsets kept apart so that a price
// card can bill them at their own rate.
package meter

// Meter is one billable quantity.
type Meter uint8

// The meters. Their numbers go into the hash of every price card id
// (internal/catalog), so a new meter is added last, before Count.
const (
	Input          Meter = iota // uncached input tokens, every modality
	CacheRead                   // input tokens read from a prompt cache
	CacheWrite5m                // input tokens written to a 5-minute cache
	CacheWrite1h                // input tokens written to a 1-hour cache
	Output                      // output tokens, reasoning included
	Reasoning                   // reasoning tokens; a subset of Output
	InputAudio                  // uncached audio input tokens; a subset of Input
	CacheReadAudio              // cached audio input tokens; a subset of CacheRead
	OutputAudio                 // audio output tokens; a subset of Output
	InputImage                  // uncached image input tokens; a subset of Input
	CacheReadImage              // cached image input tokens; a subset of CacheRead
	OutputImage                 // image output tokens; a subset of Output
	InputVideo                  // video input tokens; a subset of Input
	OutputVideo                 // video output tokens; a subset of Output
	WebSearch                   // web search tool calls
	Request                     // the call itself, for per-request fees

	// Count is the number of meters.
	Count
)

var names = [Count]string{
	Input:          "input",
	CacheRead:      "cache_read",
	CacheWrite5m:   "cache_write_5m",
	CacheWrite1h:   "cache_write_1h",
	Output:         "output",
	Reasoning:      "reasoning",
	InputAudio:     "input_audio",
	CacheReadAudio: "cache_read_audio",
	OutputAudio:    "output_audio",
	InputImage:     "input_image",
	CacheReadImage: "cache_read_image",
	OutputImage:    "output_image",
	InputVideo:     "input_video",
	OutputVideo:    "output_video",
	WebSearch:      "web_search",
	Request:        "request",
}

// String returns the meter's canonical name, as used in attributes,
// records and APIs.
func (m Meter) String() string {
	if m < Count {
		return names[m]
	}
	return "unknown"
}

// ByName returns the meter with the given canonical name.
func ByName(name string) (Meter, bool) {
	for m, n := range names {
		if n == name {
			return Meter(m), true
		}
	}
	return 0, false
}

// Set is a set of meters.
type Set uint32

// Add returns s with m added.
func (s Set) Add(m Meter) Set { return s | 1<<m }

// Has reports whether m is in s.
func (s Set) Has(m Meter) bool { return s&(1<<m) != 0 }

// Counts holds one count per meter.
type Counts [Count]int64

// Prompt is the whole prompt: uncached input plus cache reads and writes.
// Long-context tiers are measured against it, and cache hit ratios divide
// by it.
func (c *Counts) Prompt() int64 {
	return c[Input] + c[CacheRead] + c[CacheWrite5m] + c[CacheWrite1h]
}

// Tokens is every token of the call: the prompt plus the output. The other
// meters are parts of these (reasoning, modalities) or not tokens (web
// searches, the request).
func (c *Counts) Tokens() int64 { return c.Prompt() + c[Output] }

// IsToken reports whether meter m counts tokens.
func (m Meter) IsToken() bool { return m != Request && m != WebSearch }
