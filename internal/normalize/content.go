package normalize

import (
	"encoding/json"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-genai/otelcol-genai/internal/estimate"
)

// Content is the text of a call's prompt and completion as the span's
// attributes carry it (span events are not read), split into the texts of
// messages and parts: no JSON syntax, roles or ids.
type Content struct {
	// Input and Output are the texts of each side.
	Input, Output []string
	// InputFrom and OutputFrom name the dialect the texts came from (the
	// attribute, or the pattern of numbered attributes); "" when none.
	InputFrom, OutputFrom string
	// Embedding tells an embeddings call, which has input only.
	Embedding bool
}

// Complete reports whether the text of both sides is there (of the input
// alone for embeddings), the condition for an estimate: a span that shows
// only the prompt (a failed call, an instrumentation that records only
// input) would be estimated at no output.
func (c *Content) Complete() bool {
	return c != nil && len(c.Input) > 0 && (len(c.Output) > 0 || c.Embedding)
}

// The numbered keys, per dialect. OpenLLMetry: gen_ai.prompt.N.content,
// gen_ai.completion.N.content (and .tool_calls.M.arguments). OpenInference:
// llm.{input,output}_messages.N.message.content, its list of parts
// ...message.contents.M.message_content.text, tool calls
// ...message.tool_calls.M.tool_call.function.arguments, and
// embedding.embeddings.N.embedding.text.
const (
	fromOLLPrompt     = "gen_ai.prompt.N.content"
	fromOLLCompletion = "gen_ai.completion.N.content"
	fromOIInput       = "llm.input_messages.N.message.content"
	fromOIOutput      = "llm.output_messages.N.message.content"
	fromOIEmbedding   = "embedding.embeddings.N.embedding.text"
)

// numbered holds the texts of the numbered keys, per dialect and side.
type numbered struct {
	ollIn, ollOut, oiIn, oiOut, oiEmbed []string
}

// readNumbered is the second pass over the attributes, made only for an
// inference span without usage.
func readNumbered(attrs pcommon.Map) *numbered {
	n := &numbered{}
	for k, v := range attrs.All() {
		switch {
		case len(k) < 16:
		case strings.HasPrefix(k, "gen_ai.prompt."):
			if strings.HasSuffix(k, ".content") {
				n.ollIn = estimate.AppendTexts(n.ollIn, v.AsString())
			}
		case strings.HasPrefix(k, "gen_ai.completion."):
			if strings.HasSuffix(k, ".content") {
				n.ollOut = estimate.AppendTexts(n.ollOut, v.AsString())
			} else if strings.HasSuffix(k, ".arguments") {
				n.ollOut = appendText(n.ollOut, v.AsString())
			}
		case strings.HasPrefix(k, "llm.input_messages."):
			if oiText(k) {
				n.oiIn = appendText(n.oiIn, v.AsString())
			}
		case strings.HasPrefix(k, "llm.output_messages."):
			if oiText(k) {
				n.oiOut = appendText(n.oiOut, v.AsString())
			}
		case strings.HasPrefix(k, "embedding.embeddings."):
			if strings.HasSuffix(k, ".embedding.text") {
				n.oiEmbed = appendText(n.oiEmbed, v.AsString())
			}
		}
	}
	return n
}

// oiText tells the OpenInference message keys that hold text.
func oiText(k string) bool {
	return strings.HasSuffix(k, ".message.content") || strings.HasSuffix(k, ".message_content.text") ||
		strings.HasSuffix(k, ".tool_call.function.arguments")
}

func appendText(dst []string, s string) []string {
	if strings.TrimSpace(s) == "" {
		return dst
	}
	return append(dst, s)
}

// readContent fills c.Content. For each side the first dialect that has
// text wins, in this order (texts of two dialects are never added: a span
// that carries both would count the prompt twice):
//
//	input:  OpenTelemetry gen_ai.system_instructions + gen_ai.input.messages;
//	        OpenLLMetry gen_ai.prompt.N.content; OpenInference
//	        llm.input_messages.N.*; Vercel ai.prompt.messages, else
//	        ai.prompt, else ai.values / ai.value (embeddings); OpenInference
//	        embedding.embeddings.N.embedding.text; OpenInference input.value.
//	output: OpenTelemetry gen_ai.output.messages; OpenLLMetry
//	        gen_ai.completion.N.content; OpenInference llm.output_messages.N.*;
//	        Vercel ai.response.text (else ai.response.object) + ai.response.toolCalls;
//	        OpenInference output.value.
func (c *Call) readContent(st *scanState, attrs pcommon.Map) {
	ct := &Content{}
	c.Content = ct
	val := func(k concept) (string, bool) {
		if st.found&(1<<k) == 0 {
			return "", false
		}
		return st.val[k].AsString(), true
	}
	var n *numbered // read when a side needs it
	numberedTexts := func() *numbered {
		if n == nil {
			n = readNumbered(attrs)
		}
		return n
	}

	// Input. The system instructions are apart from the messages in the
	// conventions, but OpenLIT also keeps them as a system message: then
	// they are counted once, from the messages.
	msgs, hasMsgs := val(cInputMessages)
	if s, ok := val(cSystemInstructions); ok && (!hasMsgs || !hasSystemMessage(msgs)) {
		ct.Input = estimate.AppendTexts(ct.Input, s)
	}
	if hasMsgs {
		ct.Input = estimate.AppendTexts(ct.Input, msgs)
	}
	if len(ct.Input) > 0 {
		ct.InputFrom = "gen_ai.input.messages"
	}
	if len(ct.Input) == 0 {
		nt := numberedTexts()
		switch {
		case len(nt.ollIn) > 0:
			ct.Input, ct.InputFrom = nt.ollIn, fromOLLPrompt
		case len(nt.oiIn) > 0:
			ct.Input, ct.InputFrom = nt.oiIn, fromOIInput
		}
	}
	for _, k := range [...]concept{cVercelPromptMessages, cVercelPrompt} {
		if s, ok := val(k); ok && len(ct.Input) == 0 {
			ct.Input, ct.InputFrom = estimate.AppendTexts(nil, s), keyTable[st.key[k]].key
		}
	}
	if len(ct.Input) == 0 {
		if st.found&(1<<cVercelEmbedValues) != 0 {
			ct.Input = appendEmbedValues(ct.Input, st.val[cVercelEmbedValues])
			ct.InputFrom = "ai.values"
		} else if s, ok := val(cVercelEmbedValue); ok {
			ct.Input, ct.InputFrom = appendText(nil, unquoteJSON(s)), "ai.value"
		}
	}
	if len(ct.Input) == 0 && len(numberedTexts().oiEmbed) > 0 {
		ct.Input, ct.InputFrom = n.oiEmbed, fromOIEmbedding
	}
	if s, ok := val(cInputValue); ok && len(ct.Input) == 0 {
		ct.Input, ct.InputFrom = estimate.AppendTexts(nil, s), "input.value"
	}
	if len(ct.Input) == 0 {
		ct.InputFrom = ""
	}
	switch ct.InputFrom {
	case "ai.values", "ai.value", fromOIEmbedding:
		ct.Embedding = true
	default:
		op := strings.ToLower(str(st, cOperation))
		ct.Embedding = op == "embeddings" || op == "embedding" || strings.EqualFold(str(st, cOpenInferenceKind), "embedding")
	}

	// Output.
	if s, ok := val(cOutputMessages); ok {
		ct.Output, ct.OutputFrom = estimate.AppendTexts(nil, s), "gen_ai.output.messages"
	}
	if len(ct.Output) == 0 {
		nt := numberedTexts()
		switch {
		case len(nt.ollOut) > 0:
			ct.Output, ct.OutputFrom = nt.ollOut, fromOLLCompletion
		case len(nt.oiOut) > 0:
			ct.Output, ct.OutputFrom = nt.oiOut, fromOIOutput
		}
	}
	if len(ct.Output) == 0 {
		// Vercel: the text the model wrote (or the object, as the JSON it
		// wrote) and its tool calls, each as written.
		if s, ok := val(cVercelResponseText); ok && s != "" {
			ct.Output, ct.OutputFrom = appendText(ct.Output, s), "ai.response.text"
		} else if s, ok := val(cVercelResponseObject); ok {
			ct.Output, ct.OutputFrom = appendText(ct.Output, s), "ai.response.object"
		}
		if s, ok := val(cVercelToolCalls); ok {
			ct.Output = estimate.AppendTexts(ct.Output, s)
			if ct.OutputFrom == "" {
				ct.OutputFrom = "ai.response.toolCalls"
			}
		}
	}
	if s, ok := val(cOutputValue); ok && len(ct.Output) == 0 {
		ct.Output, ct.OutputFrom = estimate.AppendTexts(nil, s), "output.value"
	}
	if len(ct.Output) == 0 {
		ct.OutputFrom = ""
	}
}

// hasSystemMessage reports whether an OpenTelemetry message list holds a
// system (or developer) message.
func hasSystemMessage(s string) bool {
	if !strings.Contains(s, "system") && !strings.Contains(s, "developer") {
		return false
	}
	var msgs []struct {
		Role string `json:"role"`
	}
	if json.Unmarshal([]byte(s), &msgs) != nil {
		return false
	}
	for _, m := range msgs {
		if m.Role == "system" || m.Role == "developer" {
			return true
		}
	}
	return false
}

// appendEmbedValues reads Vercel's ai.values: a list of JSON-encoded
// values (strings, as the SDK writes them).
func appendEmbedValues(dst []string, v pcommon.Value) []string {
	if v.Type() != pcommon.ValueTypeSlice {
		return appendText(dst, unquoteJSON(v.AsString()))
	}
	s := v.Slice()
	for i := 0; i < s.Len(); i++ {
		dst = appendText(dst, unquoteJSON(s.At(i).AsString()))
	}
	return dst
}

// unquoteJSON unquotes a JSON string; anything else stays as it is.
func unquoteJSON(s string) string {
	var out string
	if len(s) > 1 && s[0] == '"' && json.Unmarshal([]byte(s), &out) == nil {
		return out
	}
	return s
}
