package normalize

import (
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Canonical operations: what kind of call a span records, whatever the
// library named it.
const (
	OpChat           = "chat"
	OpTextCompletion = "text_completion"
	OpEmbeddings     = "embeddings"
	OpImage          = "image_generation"
	OpSpeech         = "speech"
	OpTranscription  = "transcription"
	OpRerank         = "rerank"
	OpModeration     = "moderation"
	OpCountTokens    = "count_tokens"
	// OpOther is a call whose operation no rule names.
	OpOther = "other"
)

// Operations lists the canonical operations.
var Operations = []string{OpChat, OpTextCompletion, OpEmbeddings, OpImage, OpSpeech, OpTranscription, OpRerank, OpModeration, OpCountTokens, OpOther}

// Description is how a call went, as far as the span tells: what the
// exporter records beside the usage and the cost.
type Description struct {
	// Operation is one of the canonical operations; RawOperation is the
	// library's own name for it (gen_ai.operation.name, ai.operationId,
	// openinference.span.kind, llm.request.type, ...).
	Operation, RawOperation string
	// Streaming tells a streamed response.
	Streaming bool
	// TTFT is the time to the first chunk of a stream; 0 if unknown.
	TTFT time.Duration
}

// operationNames maps the operation names of every dialect, lower case, to
// canonical operations: gen_ai.operation.name (the conventions, LiteLLM's
// call types, Semantic Kernel, Spring AI, LangSmith, OpenLIT),
// llm.request.type and openinference.span.kind.
var operationNames = map[string]string{
	"chat": OpChat, "chat.completions": OpChat, "completion": OpChat, "acompletion": OpChat,
	"responses": OpChat, "aresponses": OpChat, "generate_content": OpChat, "llm": OpChat,
	"prompt": OpChat, "generate": OpChat, "prompt_completion": OpChat, "messages": OpChat,

	"text_completion": OpTextCompletion, "text.completions": OpTextCompletion, "atext_completion": OpTextCompletion,

	"embeddings": OpEmbeddings, "embedding": OpEmbeddings, "aembedding": OpEmbeddings, "embed": OpEmbeddings,

	"image": OpImage, "images": OpImage, "image_generation": OpImage, "aimage_generation": OpImage,

	// OpenLIT names text-to-speech "audio".
	"speech": OpSpeech, "aspeech": OpSpeech, "audio": OpSpeech, "text_to_speech": OpSpeech,

	"transcription": OpTranscription, "atranscription": OpTranscription, "speech_to_text": OpTranscription,

	"rerank": OpRerank, "arerank": OpRerank, "reranker": OpRerank,

	"moderation": OpModeration, "moderations": OpModeration, "amoderation": OpModeration,

	"count_tokens": OpCountTokens,
}

// vercelOperations maps the Vercel AI SDK's legacy operation ids, without
// their ".do*" step suffix, to canonical operations.
var vercelOperations = map[string]string{
	"ai.generateText": OpChat, "ai.streamText": OpChat, "ai.generateObject": OpChat, "ai.streamObject": OpChat,
	"ai.embed": OpEmbeddings, "ai.embedMany": OpEmbeddings,
	"ai.generateImage": OpImage, "ai.generateSpeech": OpSpeech, "ai.transcribe": OpTranscription, "ai.rerank": OpRerank,
}

func (c *Call) describe(st *scanState, spanName string) {
	d := &c.Description
	d.Operation, d.RawOperation = operation(st, spanName, c.ClaudeCode)
	d.TTFT = ttft(st)
	d.Streaming = d.TTFT > 0
	switch {
	case st.found&(1<<cStreaming) != 0:
		d.Streaming = truth(st.val[cStreaming])
	case st.found&(1<<cInvocationParams) != 0:
		d.Streaming = streamParam(st.val[cInvocationParams].AsString())
	}
	if strings.HasSuffix(d.RawOperation, ".doStream") {
		d.Streaming = true
	}
}

// operation returns the canonical operation and the raw name it came from,
// from the markers classify reads, in the same order.
func operation(st *scanState, spanName string, claudeCode bool) (canonical, raw string) {
	for _, k := range [...]concept{cVercelOperation, cOperation, cOpenInferenceKind, cLLMRequestType, cLangSmithKind} {
		if raw = str(st, k); raw != "" {
			return CanonicalOperation(raw), raw
		}
	}
	switch {
	case claudeCode:
		return OpChat, spanName
	case strings.HasSuffix(spanName, ".count_tokens"):
		return OpCountTokens, spanName
	}
	return OpOther, ""
}

// CanonicalOperation maps a library's operation name (gen_ai.operation.name,
// a Vercel AI SDK operation id, an OpenInference span kind, an OpenLLMetry
// request type) to a canonical operation; OpOther if no rule names it.
func CanonicalOperation(raw string) string {
	if strings.HasPrefix(raw, "ai.") {
		base := raw
		for _, s := range vercelInferenceSuffixes {
			base = strings.TrimSuffix(base, s)
		}
		if op, ok := vercelOperations[base]; ok {
			return op
		}
		return OpOther
	}
	if op, ok := operationNames[strings.ToLower(strings.TrimSpace(raw))]; ok {
		return op
	}
	if raw == "" {
		return ""
	}
	return OpOther
}

// ttft reads the time to the first chunk, in seconds or milliseconds by
// key; a value that is not a positive duration under a day is ignored.
func ttft(st *scanState) time.Duration {
	for _, k := range [...]struct {
		c    concept
		unit time.Duration
	}{{cTTFTSeconds, time.Second}, {cTTFTMillis, time.Millisecond}} {
		if st.found&(1<<k.c) == 0 {
			continue
		}
		f, ok := number(st.val[k.c])
		if d := f * float64(k.unit); ok && d > 0 && d <= float64(24*time.Hour) {
			return time.Duration(d)
		}
	}
	return 0
}

func number(v pcommon.Value) (float64, bool) {
	switch v.Type() {
	case pcommon.ValueTypeDouble:
		return v.Double(), true
	case pcommon.ValueTypeInt:
		return float64(v.Int()), true
	case pcommon.ValueTypeStr:
		f, err := strconv.ParseFloat(strings.TrimSpace(v.Str()), 64)
		return f, err == nil
	}
	return 0, false
}

// streamParam reads "stream": true from request parameters kept as JSON.
func streamParam(params string) bool {
	i := strings.Index(params, `"stream"`)
	if i < 0 {
		return false
	}
	rest := strings.TrimLeft(params[i+len(`"stream"`):], " \t\n\r:")
	return strings.HasPrefix(rest, "true")
}

// truth reads a boolean sent as a bool or as text ("true", "True").
func truth(v pcommon.Value) bool {
	switch v.Type() {
	case pcommon.ValueTypeBool:
		return v.Bool()
	case pcommon.ValueTypeStr:
		b, err := strconv.ParseBool(strings.TrimSpace(v.Str()))
		return err == nil && b
	}
	return false
}
