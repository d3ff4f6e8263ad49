package estimate

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// textKeys are the JSON object keys whose values are text a model reads or
// writes, in every message shape the dialects put on spans: OpenTelemetry
// parts ({"type":"text","content":…}, tool_call "arguments", tool_call_response
// "response"), provider request and response bodies (OpenAI "content",
// Anthropic "text" and "system", the Responses API "input" and "output"),
// the Vercel AI SDK's prompt ({"system":…,"prompt":…,"messages":…}), tool
// calls ("input") and tool results ("output"), LangChain's serialised
// messages ("content", "text"). An object under such a key that holds none
// of them (tool arguments, a tool's result) counts as its JSON.
var textKeys = map[string]bool{
	"content": true, "text": true, "system": true, "prompt": true,
	"arguments": true, "response": true, "result": true, "input": true, "output": true,
}

// AppendTexts appends the texts that s holds to dst. A JSON array or
// object (an OpenTelemetry message list, a request body, a list of content
// parts) gives the strings under textKeys, not its syntax, roles or ids;
// anything else, or JSON without such strings, is text as it is.
func AppendTexts(dst []string, s string) []string {
	n := len(dst)
	dst = appendJSONTexts(dst, s, 0)
	if len(dst) == n && strings.TrimSpace(s) != "" {
		dst = append(dst, s)
	}
	return dst
}

// maxDepth bounds the re-parsing of JSON held in a JSON string (LangChain
// puts a list of parts, as JSON, in an OpenTelemetry part's content).
const maxDepth = 2

func appendJSONTexts(dst []string, s string, depth int) []string {
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '[' && t[0] != '{') {
		return dst
	}
	var v any
	if json.Unmarshal([]byte(t), &v) != nil {
		return dst
	}
	return walk(dst, v, false, depth)
}

// walk collects the strings found under a text key; inText tells that v is
// the value of one, or an element of a list that is. Every object is
// walked, keys in order, so that the texts come out in a stable order.
func walk(dst []string, v any, inText bool, depth int) []string {
	switch x := v.(type) {
	case string:
		if !inText || x == "" {
			return dst
		}
		if depth < maxDepth {
			n := len(dst)
			if dst = appendJSONTexts(dst, x, depth+1); len(dst) > n {
				return dst
			}
		}
		return append(dst, x)
	case []any:
		for _, e := range x {
			dst = walk(dst, e, inText, depth)
		}
	case map[string]any:
		if inText && !hasTextKey(x) {
			// A structured value the model reads or writes as JSON:
			// tool-call arguments or input, a tool's result.
			if b, err := json.Marshal(x); err == nil {
				dst = append(dst, string(b))
			}
			return dst
		}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			// A key that is not text itself may hold some: "messages",
			// "choices", "parts", "kwargs", ...
			dst = walk(dst, x[k], textKeys[k], depth)
		}
	}
	return dst
}

func hasTextKey(m map[string]any) bool {
	for k := range m {
		if textKeys[k] {
			return true
		}
	}
	return false
}
