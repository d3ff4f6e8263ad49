package genaicostprocessor

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor/internal/metadata"
)

// callSpan is one span of a generated call.
type callSpan struct {
	parent int  // index of the parent among the call's spans, -1 for the call's root
	resp   bool // carries the call's response id
	usage  bool // carries token counts
}

// callShape is one way one LLM call can be recorded by one to three spans.
type callShape struct {
	name  string
	spans []callSpan
}

// callShapes are the shapes the property test covers: nested spans (two
// instrumentations of one client call, a wrapper over the provider call)
// with and without a shared response id, and sibling spans that share one
// (a gateway span and the client span that called it). Siblings without a
// shared response id are separate calls as far as anyone can tell, so no
// shape has them.
func callShapes() []callShape {
	var shapes []callShape
	add := func(name string, spans ...callSpan) { shapes = append(shapes, callShape{name, spans}) }
	for _, r := range []bool{false, true} {
		add(fmt.Sprintf("one resp=%v", r), callSpan{-1, r, true})
	}
	for _, r := range [][2]bool{{false, false}, {true, true}, {true, false}, {false, true}} {
		add(fmt.Sprintf("nested2 resp=%v", r), callSpan{-1, r[0], true}, callSpan{0, r[1], true})
	}
	// The outer span without usage (a wrapper that saw no usage): the
	// inner one still carries the call.
	add("nested2 outer-no-usage", callSpan{-1, true, false}, callSpan{0, true, true})
	add("siblings2", callSpan{-1, true, true}, callSpan{-1, true, true})
	for _, r := range [][3]bool{{}, {true, true, true}, {true, false, true}, {true, true, false}, {false, true, true}, {true, false, false}, {false, true, false}, {false, false, true}} {
		add(fmt.Sprintf("chain3 resp=%v", r), callSpan{-1, r[0], true}, callSpan{0, r[1], true}, callSpan{1, r[2], true})
	}
	for _, r := range []bool{false, true} {
		// A wrapper over two sibling spans of one call.
		add(fmt.Sprintf("wrapper-over-siblings resp=%v", r), callSpan{-1, r, true}, callSpan{0, true, true}, callSpan{0, true, true})
	}
	add("siblings3", callSpan{-1, true, true}, callSpan{-1, true, true}, callSpan{-1, true, true})
	for _, r := range [][2]bool{{true, false}, {false, true}, {true, true}} {
		// A nested pair and a sibling of the outer span (a gateway span).
		add(fmt.Sprintf("nested2+sibling resp=%v", r), callSpan{-1, r[0], true}, callSpan{0, r[1], true}, callSpan{-1, true, true})
	}
	return shapes
}

// linked reports whether spans a and b of a call are known to record it
// together: one is the other's parent, or both carry the response id.
func (s callShape) linked(a, b int) bool {
	x, y := s.spans[a], s.spans[b]
	return x.parent == b || y.parent == a || x.resp && y.resp
}

// connected reports whether the spans form one linked set.
func (s callShape) connected(idx []int) bool {
	if len(idx) == 0 {
		return true
	}
	reached := map[int]bool{idx[0]: true}
	for grew := true; grew; {
		grew = false
		for _, a := range idx {
			if reached[a] {
				continue
			}
			for b := range reached {
				if s.linked(a, b) {
					reached[a], grew = true, true
					break
				}
			}
		}
	}
	return len(reached) == len(idx)
}

// decidable reports whether the batches, in order, let a tracker link each
// span to the spans of its call seen before: every prefix of batches is a
// linked set. Otherwise two spans are decided before anything says they
// record one call (the two ends of a chain of three without a shared
// response id, before its middle span), and no rule can tell.
func (s callShape) decidable(batches [][]int) bool {
	var seen []int
	for _, b := range batches {
		seen = append(seen, b...)
		if !s.connected(seen) {
			return false
		}
	}
	return true
}

// permutations returns every order of 0..n-1.
func permutations(n int) [][]int {
	if n == 1 {
		return [][]int{{0}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := slices.Insert(slices.Clone(p), i, n-1)
			out = append(out, q)
		}
	}
	return out
}

// splits returns every way to cut order into consecutive batches.
func splits(order []int) [][][]int {
	var out [][][]int
	for mask := 0; mask < 1<<(len(order)-1); mask++ {
		var batches [][]int
		cur := []int{order[0]}
		for i := 1; i < len(order); i++ {
			if mask&(1<<(i-1)) != 0 {
				batches = append(batches, cur)
				cur = nil
			}
			cur = append(cur, order[i])
		}
		out = append(out, append(batches, cur))
	}
	return out
}

// generatedCall is a call's spans, with ids, ready to send.
type generatedCall struct {
	shape  callShape
	trace  pcommon.TraceID
	ids    []pcommon.SpanID
	root   pcommon.SpanID // a non-billable parent (an agent span) of the call's root spans
	starts []time.Time
	respID string
}

// build fills one span of the call into ss.
func (g *generatedCall) build(ss ptrace.ScopeSpans, i int) {
	cs := g.shape.spans[i]
	sp := ss.Spans().AppendEmpty()
	sp.SetName(fmt.Sprintf("chat %d", i))
	sp.SetTraceID(g.trace)
	sp.SetSpanID(g.ids[i])
	if cs.parent >= 0 {
		sp.SetParentSpanID(g.ids[cs.parent])
	} else {
		sp.SetParentSpanID(g.root)
	}
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(g.starts[i]))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(g.starts[i].Add(time.Second)))
	a := sp.Attributes()
	a.PutStr("gen_ai.operation.name", "chat")
	a.PutStr("gen_ai.provider.name", "openai")
	a.PutStr("gen_ai.request.model", "gpt-4o-mini")
	if cs.usage {
		a.PutInt("gen_ai.usage.input_tokens", 1000)
		a.PutInt("gen_ai.usage.output_tokens", 100)
	}
	if cs.resp {
		a.PutStr("gen_ai.response.id", g.respID)
	}
}

// startPatterns are the start offsets of a call's spans, in span order
// (outer spans first): equal, the outer ones first, the inner ones first.
var startPatterns = []struct {
	name string
	of   func(i int) int
}{
	{"equal", func(int) int { return 0 }},
	{"ascending", func(i int) int { return i }},
	{"descending", func(i int) int { return 3 - i }},
}

var resolutions = []time.Duration{time.Nanosecond, time.Millisecond}

// carrierCheck sends batches through the processor and checks that each
// call ends with exactly one span that carries it and that every duplicate
// points at that span.
type carrierCheck struct {
	t    *testing.T
	proc *costProcessor
	seq  uint64
}

func newCarrierCheck(t *testing.T) *carrierCheck {
	cfg := createDefaultConfig().(*Config)
	p, err := newCostProcessor(cfg, processortest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	return &carrierCheck{t: t, proc: p}
}

func (c *carrierCheck) newCall(shape callShape, pattern func(int) int, unit time.Duration) *generatedCall {
	c.seq++
	g := &generatedCall{shape: shape, respID: fmt.Sprintf("chatcmpl-%d", c.seq)}
	g.trace = pcommon.TraceID{byte(c.seq), byte(c.seq >> 8), byte(c.seq >> 16), byte(c.seq >> 24), 7}
	g.root = pcommon.SpanID{0xff, byte(c.seq)}
	for i := range shape.spans {
		// Span ids in the opposite order of the spans, so that the span id
		// tie-break is not the same as the shape's order.
		g.ids = append(g.ids, pcommon.SpanID{byte(9 - i), byte(c.seq), byte(c.seq >> 8), 1})
		g.starts = append(g.starts, noon.Add(time.Duration(pattern(i))*unit))
	}
	return g
}

// deliver sends the batches of spans (pairs of call and span index) and
// returns the status and duplicate_of written on each.
func (c *carrierCheck) deliver(batches [][]spanRef) map[spanRef][2]string {
	out := map[spanRef][2]string{}
	for _, b := range batches {
		td := ptrace.NewTraces()
		ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
		for _, r := range b {
			r.call.build(ss, r.span)
		}
		got, err := c.proc.processTraces(context.Background(), td)
		require.NoError(c.t, err)
		spans := got.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
		for k, r := range b {
			a := spans.At(k).Attributes()
			st, _ := a.Get(genaiconv.Status)
			dup, _ := a.Get(genaiconv.DuplicateOf)
			out[r] = [2]string{st.Str(), dup.Str()}
		}
	}
	return out
}

type spanRef struct {
	call *generatedCall
	span int
}

// check asserts exactly one carrier per call, and every duplicate pointing
// at it.
func (c *carrierCheck) check(calls []*generatedCall, got map[spanRef][2]string, what string) {
	c.t.Helper()
	for _, g := range calls {
		var carriers []string
		for i := range g.shape.spans {
			st := got[spanRef{g, i}][0]
			if genaiconv.Billable(st) {
				carriers = append(carriers, g.ids[i].String())
			}
		}
		if len(carriers) != 1 {
			c.t.Fatalf("%s: call %s has %d carriers, want 1: %v", what, g.shape.name, len(carriers), got)
		}
		for i := range g.shape.spans {
			r := got[spanRef{g, i}]
			if r[0] == genaiconv.StatusDuplicate && r[1] != carriers[0] {
				c.t.Fatalf("%s: call %s span %d is a duplicate of %s, not of the carrier %s", what, g.shape.name, i, r[1], carriers[0])
			}
		}
	}
}

// TestPropertyOneCarrierPerCall sends every call shape of one to three
// spans, with every start pattern at nanosecond and millisecond
// resolution, in every order and every split into batches that lets the
// spans be linked, and checks that each call has exactly one carrier and
// that no duplicate points at a duplicate. Each delivery is then replayed
// whole, and must get the same decisions.
func TestPropertyOneCarrierPerCall(t *testing.T) {
	c := newCarrierCheck(t)
	deliveries := 0
	for _, shape := range callShapes() {
		n := len(shape.spans)
		for _, pat := range startPatterns {
			for _, unit := range resolutions {
				for _, order := range permutations(n) {
					for _, split := range splits(order) {
						if !shape.decidable(split) {
							continue
						}
						g := c.newCall(shape, pat.of, unit)
						batches := make([][]spanRef, len(split))
						for b, idx := range split {
							for _, i := range idx {
								batches[b] = append(batches[b], spanRef{g, i})
							}
						}
						what := fmt.Sprintf("%s, starts %s at %v, batches %v", shape.name, pat.name, unit, split)
						got := c.deliver(batches)
						c.check([]*generatedCall{g}, got, what)
						again := c.deliver(batches)
						require.Equal(t, got, again, "%s: a replay changed a decision", what)
						deliveries++
					}
				}
			}
		}
	}
	t.Logf("%d deliveries of %d shapes", deliveries, len(callShapes()))
	require.Greater(t, deliveries, 1000)
}

// TestPropertyCallsOfOneTrace sends several calls of one trace, under one
// agent span, interleaved in random orders and batches, and checks each
// call has one carrier: calls of one trace never swallow each other.
func TestPropertyCallsOfOneTrace(t *testing.T) {
	c := newCarrierCheck(t)
	shapes := callShapes()
	rng := rand.New(rand.NewPCG(11, 2026))
	for iter := range 3000 {
		var calls []*generatedCall
		var refs []spanRef
		trace := pcommon.TraceID{0xee, byte(iter), byte(iter >> 8)}
		for range 2 + rng.IntN(3) {
			pat := startPatterns[rng.IntN(len(startPatterns))]
			g := c.newCall(shapes[rng.IntN(len(shapes))], pat.of, resolutions[rng.IntN(2)])
			g.trace, g.root = trace, pcommon.SpanID{0xaa}
			calls = append(calls, g)
			for i := range g.shape.spans {
				refs = append(refs, spanRef{g, i})
			}
		}
		rng.Shuffle(len(refs), func(i, j int) { refs[i], refs[j] = refs[j], refs[i] })
		var batches [][]spanRef
		for len(refs) > 0 {
			k := 1 + rng.IntN(len(refs))
			batches = append(batches, refs[:k])
			refs = refs[k:]
		}
		if !decidableCalls(calls, batches) {
			continue
		}
		c.check(calls, c.deliver(batches), fmt.Sprintf("iteration %d", iter))
	}
}

// decidableCalls is decidable for each call of interleaved batches.
func decidableCalls(calls []*generatedCall, batches [][]spanRef) bool {
	for _, g := range calls {
		var own [][]int
		for _, b := range batches {
			var idx []int
			for _, r := range b {
				if r.call == g {
					idx = append(idx, r.span)
				}
			}
			if idx != nil {
				own = append(own, idx)
			}
		}
		if !g.shape.decidable(own) {
			return false
		}
	}
	return true
}

// TestOuterSpanStartingLaterStillDefersToInner is the case that lost
// calls: OpenLIT's span around the Anthropic SDK's span, both with the
// response id, the outer one starting after the inner one, in one batch.
func TestOuterSpanStartingLaterStillDefersToInner(t *testing.T) {
	c := newCarrierCheck(t)
	shape := callShape{"openlit over sdk", []callSpan{{-1, true, true}, {0, true, true}}}
	g := c.newCall(shape, startPatterns[2].of, time.Millisecond)
	got := c.deliver([][]spanRef{{{g, 0}, {g, 1}}})
	c.check([]*generatedCall{g}, got, shape.name)
	require.Equal(t, genaiconv.StatusPriced, got[spanRef{g, 1}][0], "the inner span carries the call")
}
