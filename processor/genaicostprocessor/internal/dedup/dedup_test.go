package dedup

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func tid(n byte) TraceID { return TraceID{n} }
func sid(n byte) SpanID  { return SpanID{n} }

func decide(tr *Tracker, now time.Time, cs ...Candidate) []Decision {
	out := make([]Decision, len(cs))
	tr.Decide(now, cs, out)
	return out
}

var (
	priced = Decision{}
	dupOf  = func(n byte) Decision { return Decision{Duplicate: true, Of: sid(n)} }
)

func TestSameBatchInnerWins(t *testing.T) {
	tr := New(time.Minute, 1000)
	// 1 (framework span) -> 2 (provider SDK span), both billable.
	got := decide(tr, t0,
		Candidate{Trace: tid(1), Span: sid(1), Start: 100},
		Candidate{Trace: tid(1), Span: sid(2), Parent: sid(1), Start: 110},
	)
	assert.Equal(t, []Decision{dupOf(2), priced}, got)
}

func TestChildFirstThenParent(t *testing.T) {
	tr := New(time.Minute, 1000)
	assert.Equal(t, []Decision{priced}, decide(tr, t0, Candidate{Trace: tid(1), Span: sid(2), Parent: sid(1)}))
	assert.Equal(t, []Decision{dupOf(2)}, decide(tr, t0.Add(time.Second), Candidate{Trace: tid(1), Span: sid(1)}))
}

func TestParentFirstThenChild(t *testing.T) {
	tr := New(time.Minute, 1000)
	assert.Equal(t, []Decision{priced}, decide(tr, t0, Candidate{Trace: tid(1), Span: sid(1)}))
	assert.Equal(t, []Decision{dupOf(1)}, decide(tr, t0.Add(time.Second), Candidate{Trace: tid(1), Span: sid(2), Parent: sid(1)}),
		"the parent's decision has left the collector; the child must not add a second cost")
}

func TestChainOfThree(t *testing.T) {
	tr := New(time.Minute, 1000)
	got := decide(tr, t0,
		Candidate{Trace: tid(1), Span: sid(1)},
		Candidate{Trace: tid(1), Span: sid(2), Parent: sid(1)},
		Candidate{Trace: tid(1), Span: sid(3), Parent: sid(2)},
	)
	// Every duplicate points at the carrier, never at another duplicate.
	assert.Equal(t, []Decision{dupOf(3), dupOf(3), priced}, got)
}

func TestOuterStartingLaterIsStillTheDuplicate(t *testing.T) {
	tr := New(time.Minute, 1000)
	// OpenLIT's span around the Anthropic SDK's, one response id, the outer
	// span starting after the inner one: the inner one carries the call.
	got := decide(tr, t0,
		Candidate{Trace: tid(1), Span: sid(1), ResponseID: "msg_1", Start: 200},
		Candidate{Trace: tid(1), Span: sid(2), Parent: sid(1), ResponseID: "msg_1", Start: 100},
	)
	assert.Equal(t, []Decision{dupOf(2), priced}, got)
}

func TestWrapperOfTwoCalls(t *testing.T) {
	// One batch: the wrapper is a duplicate, each call has its carrier.
	tr := New(time.Minute, 1000)
	got := decide(tr, t0,
		Candidate{Trace: tid(1), Span: sid(1), ResponseID: "w"},
		Candidate{Trace: tid(1), Span: sid(2), Parent: sid(1), ResponseID: "a"},
		Candidate{Trace: tid(1), Span: sid(3), Parent: sid(1), ResponseID: "b"},
	)
	assert.Equal(t, []Decision{dupOf(2), priced, priced}, got)
	// The children first: the wrapper follows them.
	tr = New(time.Minute, 1000)
	decide(tr, t0, Candidate{Trace: tid(1), Span: sid(2), Parent: sid(1)})
	decide(tr, t0, Candidate{Trace: tid(1), Span: sid(3), Parent: sid(1)})
	assert.Equal(t, []Decision{dupOf(2)}, decide(tr, t0, Candidate{Trace: tid(1), Span: sid(1)}))
}

func TestWrapperOfAWrapper(t *testing.T) {
	tr := New(time.Minute, 1000)
	// 1 -> 2 -> {3, 4}: 1's only child wraps two calls, so 1 wraps them
	// too, and neither 1 nor 2 carries a cost.
	got := decide(tr, t0,
		Candidate{Trace: tid(1), Span: sid(1)},
		Candidate{Trace: tid(1), Span: sid(2), Parent: sid(1)},
		Candidate{Trace: tid(1), Span: sid(3), Parent: sid(2)},
		Candidate{Trace: tid(1), Span: sid(4), Parent: sid(2)},
	)
	assert.Equal(t, []Decision{dupOf(3), dupOf(3), priced, priced}, got)
}

func TestCarrierReplayedAfterItsEntryIsForgotten(t *testing.T) {
	tr := New(time.Minute, 1000)
	carrier := Candidate{Trace: tid(1), Span: sid(1), ResponseID: "r"}
	decide(tr, t0, carrier)
	// Forget the carrier's own entry but not its response id's.
	fp := tr.spanFP(&carrier.Trace, carrier.Span)
	e := tr.cur.find(fp)
	require.NotZero(t, e.key)
	e.key = 0
	tr.cur.n--
	assert.Equal(t, []Decision{priced}, decide(tr, t0, carrier), "never a duplicate of itself")
}

func TestSameSpanTwiceInABatch(t *testing.T) {
	tr := New(time.Minute, 1000)
	c := Candidate{Trace: tid(1), Span: sid(1), ResponseID: "r"}
	assert.Equal(t, []Decision{priced, priced}, decide(tr, t0, c, c), "one span, one decision")
	assert.Equal(t, []Decision{priced}, decide(tr, t0, c))
}

func TestParentCycleTerminates(t *testing.T) {
	tr := New(time.Minute, 1000)
	got := decide(tr, t0,
		Candidate{Trace: tid(1), Span: sid(1), Parent: sid(2)},
		Candidate{Trace: tid(1), Span: sid(2), Parent: sid(1)},
		Candidate{Trace: tid(1), Span: sid(3), Parent: sid(3)},
	)
	carriers := 0
	for _, d := range got[:2] {
		if !d.Duplicate {
			carriers++
		}
	}
	assert.Equal(t, 1, carriers, "%v", got)
	assert.Equal(t, priced, got[2])
}

func TestSiblingsAreSeparateCalls(t *testing.T) {
	tr := New(time.Minute, 1000)
	// Parent 9 is not billable (an agent span), so it is not a candidate.
	got := decide(tr, t0,
		Candidate{Trace: tid(1), Span: sid(1), Parent: sid(9), ResponseID: "r1"},
		Candidate{Trace: tid(1), Span: sid(2), Parent: sid(9), ResponseID: "r2"},
	)
	assert.Equal(t, []Decision{priced, priced}, got)
	got = decide(tr, t0, Candidate{Trace: tid(1), Span: sid(3), Parent: sid(9)})
	assert.Equal(t, []Decision{priced}, got)
}

func TestAggregateParentThenMoreChildren(t *testing.T) {
	tr := New(time.Minute, 1000)
	decide(tr, t0, Candidate{Trace: tid(1), Span: sid(2), Parent: sid(1)})
	assert.Equal(t, []Decision{dupOf(2)}, decide(tr, t0, Candidate{Trace: tid(1), Span: sid(1)}))
	// The parent carries no cost, so a late second child is its own call.
	assert.Equal(t, []Decision{priced}, decide(tr, t0, Candidate{Trace: tid(1), Span: sid(3), Parent: sid(1)}))
}

func TestResponseIDSameBatchLaterStartWins(t *testing.T) {
	tr := New(time.Minute, 1000)
	// A client span and a gateway span of one call, with HTTP spans between
	// them (so no parent link among candidates).
	got := decide(tr, t0,
		Candidate{Trace: tid(1), Span: sid(1), Parent: sid(50), ResponseID: "chatcmpl-1", Start: 100},
		Candidate{Trace: tid(1), Span: sid(2), Parent: sid(60), ResponseID: "chatcmpl-1", Start: 150},
	)
	assert.Equal(t, []Decision{dupOf(2), priced}, got)
	// Equal starts: a deterministic tie-break.
	tr = New(time.Minute, 1000)
	got = decide(tr, t0,
		Candidate{Trace: tid(1), Span: sid(7), ResponseID: "x", Start: 1},
		Candidate{Trace: tid(1), Span: sid(3), ResponseID: "x", Start: 1},
	)
	assert.Equal(t, []Decision{priced, dupOf(7)}, got)
}

func TestResponseIDAcrossBatchesFirstWins(t *testing.T) {
	tr := New(time.Minute, 1000)
	assert.Equal(t, []Decision{priced}, decide(tr, t0, Candidate{Trace: tid(1), Span: sid(1), ResponseID: "msg_1", Start: 100}))
	assert.Equal(t, []Decision{dupOf(1)}, decide(tr, t0, Candidate{Trace: tid(1), Span: sid(2), ResponseID: "msg_1", Start: 150}))
	// The same response id in another trace is another call.
	assert.Equal(t, []Decision{priced}, decide(tr, t0, Candidate{Trace: tid(2), Span: sid(2), ResponseID: "msg_1"}))
}

func TestReplayKeepsDecision(t *testing.T) {
	tr := New(time.Minute, 1000)
	batch := []Candidate{{Trace: tid(1), Span: sid(1)}, {Trace: tid(1), Span: sid(2), Parent: sid(1)}}
	first := decide(tr, t0, batch...)
	for range 3 {
		assert.Equal(t, first, decide(tr, t0.Add(time.Second), batch...))
	}
	// Replaying only the parent keeps it a duplicate.
	assert.Equal(t, []Decision{dupOf(2)}, decide(tr, t0, batch[0]))
	assert.Equal(t, 2, tr.Len())
}

func TestTracesDoNotMix(t *testing.T) {
	tr := New(time.Minute, 1000)
	decide(tr, t0, Candidate{Trace: tid(1), Span: sid(2), Parent: sid(1)})
	assert.Equal(t, []Decision{priced}, decide(tr, t0, Candidate{Trace: tid(2), Span: sid(1)}))
}

func TestWindowExpiry(t *testing.T) {
	tr := New(time.Minute, 1000)
	decide(tr, t0, Candidate{Trace: tid(1), Span: sid(2), Parent: sid(1)})
	// Within half a window, and up to a whole one, the child is remembered.
	assert.Equal(t, []Decision{dupOf(2)}, decide(tr, t0.Add(59*time.Second), Candidate{Trace: tid(1), Span: sid(1)}))
	tr = New(time.Minute, 1000)
	decide(tr, t0, Candidate{Trace: tid(1), Span: sid(2), Parent: sid(1)})
	decide(tr, t0.Add(31*time.Second), Candidate{Trace: tid(9), Span: sid(9)})
	// Past the window the child is forgotten: the documented limit.
	assert.Equal(t, []Decision{priced}, decide(tr, t0.Add(62*time.Second), Candidate{Trace: tid(1), Span: sid(1)}))
}

func TestMaxSpans(t *testing.T) {
	tr := New(time.Hour, 100)
	for i := range 1000 {
		decide(tr, t0, Candidate{Trace: TraceID{byte(i), byte(i >> 8)}, Span: sid(1), Parent: sid(2), ResponseID: fmt.Sprint(i)})
		// Each span adds itself, its parent's child mark and its response.
		require.LessOrEqual(t, tr.Len(), 3*100+3)
	}
	// The most recent spans are still known.
	assert.Equal(t, []Decision{dupOf(1)}, decide(tr, t0, Candidate{Trace: TraceID{byte(999 % 256), byte(999 >> 8)}, Span: sid(2)}))
}

func TestConcurrent(t *testing.T) {
	tr := New(time.Minute, 10_000)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				tr := tr
				trace := TraceID{byte(g), byte(i), byte(i >> 8)}
				got := decide(tr, t0, Candidate{Trace: trace, Span: sid(1)}, Candidate{Trace: trace, Span: sid(2), Parent: sid(1)})
				if got[0] != dupOf(2) || got[1] != priced {
					t.Errorf("trace %v: %v", trace, got)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestManySpansOneResponseID(t *testing.T) {
	tr := New(time.Minute, 1000)
	batch := []Candidate{
		{Trace: tid(1), Span: sid(1), ResponseID: "r", Start: 10},
		{Trace: tid(1), Span: sid(2), ResponseID: "r", Start: 30},
		{Trace: tid(1), Span: sid(3), ResponseID: "r", Start: 20},
	}
	assert.Equal(t, []Decision{dupOf(2), priced, dupOf(2)}, decide(tr, t0, batch...), "every duplicate points at the span that carries the cost")
	// A later span with the response id is a duplicate of the priced one.
	assert.Equal(t, []Decision{dupOf(2)}, decide(tr, t0, Candidate{Trace: tid(1), Span: sid(4), ResponseID: "r"}))
}

func TestResponseOfDuplicatePointsAtCostBearer(t *testing.T) {
	tr := New(time.Minute, 1000)
	// The wrapper has the response id but its child (without one) carries
	// the cost; a later span with that response id must not add a cost.
	got := decide(tr, t0,
		Candidate{Trace: tid(1), Span: sid(1), ResponseID: "r"},
		Candidate{Trace: tid(1), Span: sid(2), Parent: sid(1)},
	)
	assert.Equal(t, []Decision{dupOf(2), priced}, got)
	assert.Equal(t, []Decision{dupOf(2)}, decide(tr, t0, Candidate{Trace: tid(1), Span: sid(9), Parent: sid(50), ResponseID: "r"}))
}

func TestBatchLargerThanTheTable(t *testing.T) {
	tr := New(time.Hour, 100) // 50 entries a generation
	batch := make([]Candidate, 5000)
	for i := range batch {
		batch[i] = Candidate{Trace: TraceID{byte(i), byte(i >> 8)}, Span: sid(1), Parent: sid(2), ResponseID: fmt.Sprint(i)}
	}
	out := make([]Decision, len(batch))
	tr.Decide(t0, batch, out) // must terminate, never fill a table
	for i, d := range out {
		require.Equal(t, priced, d, i)
	}
	assert.LessOrEqual(t, tr.cur.n, len(tr.cur.entries)/2)
}

func BenchmarkDecideLargeBatch(b *testing.B) {
	tr := New(2*time.Minute, 100_000)
	batch := make([]Candidate, 8192)
	out := make([]Decision, len(batch))
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		for i := range batch {
			n++
			batch[i] = Candidate{Trace: TraceID{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)}, Span: SpanID{1}, Parent: SpanID{2}, ResponseID: "chatcmpl-abcdef"}
		}
		tr.Decide(t0, batch, out)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/span")
}

func BenchmarkDecideNew(b *testing.B) {
	tr := New(2*time.Minute, 100_000)
	batch := make([]Candidate, 100)
	out := make([]Decision, 100)
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		for i := range batch {
			n++
			batch[i] = Candidate{Trace: TraceID{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)}, Span: SpanID{1}, Parent: SpanID{2}, ResponseID: "chatcmpl-abcdef"}
		}
		tr.Decide(t0, batch, out)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/span")
}
