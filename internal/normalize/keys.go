package normalize

// concept is one thing a span can tell about a call. Several attribute keys,
// from different instrumentation libraries, name the same concept; the
// table below lists them best first, and the first one present wins.
type concept uint8

const (
	// Token counts as emitted (see Raw for their meaning).
	cInput concept = iota
	cUncachedInput
	cOutput
	cCacheRead
	cCacheWrite
	cCacheWrite5m
	cCacheWrite1h
	cReasoning
	cInputAudio
	cInputImage
	cInputVideo
	cOutputAudio
	cOutputImage
	cOutputVideo
	cCacheReadAudio
	cCacheReadImage
	cTotal
	cTokenDetails     // LangSmith: a Python dict rendered as a string
	cProviderMetadata // Vercel AI SDK: the provider's raw response metadata, JSON
	numTokenConcepts

	// What kind of span this is.
	cOperation = iota - 1 // = numTokenConcepts: the line above took one iota
	cOpenInferenceKind
	cTraceloopKind
	cVercelOperation
	cLLMRequestType
	cLangSmithKind
	cPydanticAgent

	// Which call.
	cResponseModel
	cRequestModel
	cProvider
	cServer
	cResponseID

	// Cost reported by the emitter, a gateway or the provider.
	cCostAmount
	cCostCurrency
	cCostSource
	cCostGateway // LiteLLM's gen_ai.cost.total_cost
	cCostEmitter // USD costs computed by an emitter's own price table

	cVercelDetails // any ai.usage.inputTokenDetails.* key: Vercel AI SDK v6+

	// How the call went; read only when describing a call (Options.Describe).
	cStreaming
	cInvocationParams
	cTTFTSeconds
	cTTFTMillis

	// The service tier, read only on a GenAI span being priced.
	cResponseTier
	cRequestTier

	// The prompt and completion text, read only on an inference span
	// without usage, when Options.Content is set (see content.go). The
	// numbered keys (gen_ai.prompt.N.content, llm.input_messages.N.*) are
	// not in the table: a second pass, on such spans only, reads them.
	cInputMessages      // OpenTelemetry: JSON list of messages
	cSystemInstructions // OpenTelemetry: JSON list of parts, or text
	cOutputMessages
	cVercelPromptMessages // Vercel AI SDK step spans: JSON list of messages
	cVercelPrompt         // Vercel AI SDK root spans: {"system","prompt","messages"}
	cVercelEmbedValues    // Vercel AI SDK embedMany: JSON strings
	cVercelEmbedValue     // Vercel AI SDK embed: a JSON string
	cVercelResponseText
	cVercelResponseObject // generateObject: the JSON the model wrote
	cVercelToolCalls
	cInputValue // OpenInference: the request, JSON or text
	cOutputValue

	numConcepts
)

// Each concept is a bit of scanState.found.
var _ [64 - numConcepts]struct{}

type keyInfo struct {
	key     string
	concept concept
}

// keyTable lists every attribute key read, grouped by concept, best first.
// See docs/normalisation.md for where each comes from.
var keyTable = []keyInfo{
	{"gen_ai.usage.input_tokens", cInput},
	{"gen_ai.usage.prompt_tokens", cInput},
	{"llm.token_count.prompt", cInput},
	{"ai.usage.inputTokens", cInput},
	{"ai.usage.promptTokens", cInput},
	{"ai.usage.tokens", cInput}, // Vercel AI SDK embed and embedMany: the input is all there is

	{"ai.usage.inputTokenDetails.noCacheTokens", cUncachedInput},

	{"gen_ai.usage.output_tokens", cOutput},
	{"gen_ai.usage.completion_tokens", cOutput},
	{"llm.token_count.completion", cOutput},
	{"ai.usage.outputTokens", cOutput},
	{"ai.usage.completionTokens", cOutput},

	{"gen_ai.usage.cache_read.input_tokens", cCacheRead},
	{"gen_ai.usage.cache_read_input_tokens", cCacheRead},
	{"llm.token_count.prompt_details.cache_read", cCacheRead},
	{"ai.usage.inputTokenDetails.cacheReadTokens", cCacheRead},
	{"ai.usage.cachedInputTokens", cCacheRead},
	{"gen_ai.usage.details.cache_read_tokens", cCacheRead},
	{"gen_ai.usage.input_tokens.cached", cCacheRead},
	{"gen_ai.usage.prompt_tokens_details.cached_tokens", cCacheRead},
	{"llm.token_count.prompt_details.cache_input", cCacheRead},

	{"gen_ai.usage.cache_write.input_tokens", cCacheWrite},
	{"gen_ai.usage.cache_creation.input_tokens", cCacheWrite},
	{"gen_ai.usage.cache_creation_input_tokens", cCacheWrite},
	{"gen_ai.usage.cache_write_input_tokens", cCacheWrite},
	{"llm.token_count.prompt_details.cache_write", cCacheWrite},
	{"ai.usage.inputTokenDetails.cacheWriteTokens", cCacheWrite},
	{"gen_ai.usage.details.cache_write_tokens", cCacheWrite},
	{"gen_ai.usage.input_tokens.cache_write", cCacheWrite},
	{"gen_ai.usage.prompt_tokens_details.cache_creation_tokens", cCacheWrite},

	// Anthropic's TTL split of cache writes: the Anthropic SDK's own spans,
	// and the same names under gen_ai.usage where an emitter forwards them.
	{"anthropic.usage.cache_creation.ephemeral_5m_input_tokens", cCacheWrite5m},
	{"gen_ai.usage.cache_creation.ephemeral_5m_input_tokens", cCacheWrite5m},
	{"anthropic.usage.cache_creation.ephemeral_1h_input_tokens", cCacheWrite1h},
	{"gen_ai.usage.cache_creation.ephemeral_1h_input_tokens", cCacheWrite1h},

	{"gen_ai.usage.reasoning.output_tokens", cReasoning},
	{"gen_ai.usage.reasoning_tokens", cReasoning},
	{"llm.usage.reasoning_tokens", cReasoning},
	{"llm.token_count.completion_details.reasoning", cReasoning},
	{"ai.usage.outputTokenDetails.reasoningTokens", cReasoning},
	{"ai.usage.reasoningTokens", cReasoning},
	{"gen_ai.usage.completion_tokens_details.reasoning_tokens", cReasoning},
	{"gen_ai.usage.output_tokens.reasoning", cReasoning},

	{"gen_ai.usage.audio.input_tokens", cInputAudio},
	{"llm.token_count.prompt_details.audio", cInputAudio},
	{"gen_ai.usage.details.input_audio_tokens", cInputAudio},
	{"gen_ai.usage.prompt_tokens_details.audio_tokens", cInputAudio},
	{"gen_ai.usage.image.input_tokens", cInputImage},
	{"gen_ai.usage.video.input_tokens", cInputVideo},
	{"gen_ai.usage.audio.output_tokens", cOutputAudio},
	{"llm.token_count.completion_details.audio", cOutputAudio},
	{"gen_ai.usage.details.output_audio_tokens", cOutputAudio},
	{"gen_ai.usage.completion_tokens_details.audio_tokens", cOutputAudio},
	{"gen_ai.usage.image.output_tokens", cOutputImage},
	{"gen_ai.usage.video.output_tokens", cOutputVideo},
	{"gen_ai.usage.audio.cache_read.input_tokens", cCacheReadAudio},
	{"gen_ai.usage.details.cache_audio_read_tokens", cCacheReadAudio},
	{"gen_ai.usage.image.cache_read.input_tokens", cCacheReadImage},

	{"gen_ai.usage.total_tokens", cTotal},
	{"llm.usage.total_tokens", cTotal},
	{"llm.token_count.total", cTotal},
	{"ai.usage.totalTokens", cTotal},

	{"gen_ai.usage.input_token_details", cTokenDetails},
	{"ai.response.providerMetadata", cProviderMetadata},

	{"gen_ai.operation.name", cOperation},
	{"openinference.span.kind", cOpenInferenceKind},
	{"traceloop.span.kind", cTraceloopKind},
	{"ai.operationId", cVercelOperation},
	{"llm.request.type", cLLMRequestType},
	{"langsmith.span.kind", cLangSmithKind},
	{"agent_name", cPydanticAgent},

	{"gen_ai.response.model", cResponseModel},
	{"llm.response.model_name", cResponseModel},
	{"ai.response.model", cResponseModel},
	{"gen_ai.request.model", cRequestModel},
	{"llm.request.model_name", cRequestModel},
	{"llm.model_name", cRequestModel},
	{"ai.model.id", cRequestModel},
	{"langsmith.metadata.ls_model_name", cRequestModel},
	{"embedding.model_name", cRequestModel},

	{"gen_ai.provider.name", cProvider},
	{"gen_ai.system", cProvider},
	{"llm.provider", cProvider},
	{"llm.system", cProvider},
	{"ai.model.provider", cProvider},
	{"langsmith.metadata.ls_provider", cProvider},

	{"server.address", cServer},

	{"gen_ai.response.id", cResponseID},
	{"ai.response.id", cResponseID},

	{"gen_ai.usage.cost.amount", cCostAmount},
	{"gen_ai.usage.cost.currency", cCostCurrency},
	{"gen_ai.usage.cost.source", cCostSource},
	{"gen_ai.cost.total_cost", cCostGateway},
	{"gen_ai.usage.cost", cCostEmitter},
	{"llm.cost.total", cCostEmitter},
	{"operation.cost", cCostEmitter},
	{"gen_ai.usage.total_cost", cCostEmitter},

	{"ai.usage.inputTokenDetails.noCacheTokens", cVercelDetails},
	{"ai.usage.inputTokenDetails.cacheReadTokens", cVercelDetails},
	{"ai.usage.inputTokenDetails.cacheWriteTokens", cVercelDetails},

	{"gen_ai.request.stream", cStreaming},
	{"gen_ai.request.is_stream", cStreaming}, // OpenLIT
	{"gen_ai.is_streaming", cStreaming},      // OpenLLMetry 0.5
	{"llm.is_streaming", cStreaming},         // OpenLLMetry 0.4, LiteLLM ("True"/"False")
	// OpenInference: the request's parameters as JSON, "stream": true among them.
	{"llm.invocation_parameters", cInvocationParams},

	{"gen_ai.response.time_to_first_chunk", cTTFTSeconds},
	{"gen_ai.client.operation.time_to_first_chunk", cTTFTSeconds}, // @ai-sdk/otel
	{"gen_ai.server.time_to_first_token", cTTFTSeconds},           // OpenLIT
	{"ai.response.msToFirstChunk", cTTFTMillis},                   // Vercel AI SDK
	{"ai.stream.msToFirstChunk", cTTFTMillis},

	// The tier that served the call (OpenLIT, OpenLLMetry, the OpenAI v2
	// instrumentation; the Anthropic SDK's own spans), then the tier asked
	// for; older semantic conventions kept them under gen_ai.openai.
	{"openai.response.service_tier", cResponseTier},
	{"gen_ai.openai.response.service_tier", cResponseTier},
	{"anthropic.response.service_tier", cResponseTier},
	{"openai.request.service_tier", cRequestTier},
	{"gen_ai.openai.request.service_tier", cRequestTier},
	{"anthropic.request.service_tier", cRequestTier},

	{"gen_ai.input.messages", cInputMessages},
	{"gen_ai.system_instructions", cSystemInstructions},
	{"gen_ai.output.messages", cOutputMessages},
	{"ai.prompt.messages", cVercelPromptMessages},
	{"ai.prompt", cVercelPrompt},
	{"ai.values", cVercelEmbedValues},
	{"ai.value", cVercelEmbedValue},
	{"ai.response.text", cVercelResponseText},
	{"ai.response.object", cVercelResponseObject},
	{"ai.response.toolCalls", cVercelToolCalls},
	{"input.value", cInputValue},
	{"output.value", cOutputValue},
}

// claudeCodeKeys are the flat keys of Claude Code's claude_code.llm_request
// spans, read only on spans with that name prefix.
var claudeCodeKeys = []keyInfo{
	{"input_tokens", cInput},
	{"output_tokens", cOutput},
	{"cache_read_tokens", cCacheRead},
	{"cache_creation_tokens", cCacheWrite},
	{"model", cRequestModel},
	{"cost_usd", cCostEmitter},
}

// entry is a key's place in the table: its concept and rank (its
// position among the keys of its concept; 0 is best).
type entry struct {
	concept concept
	rank    uint8
	idx     uint16 // index in its table, to name the key in reasons
}

var (
	genAIIndex      = newKeyIndex(keyTable)
	claudeCodeIndex = newKeyIndex(claudeCodeKeys)
)

// mayBeGenAI is a cheap filter run on every key of every span before the
// table lookup, so that spans of other kinds (HTTP, database, ...) cost a
// byte compare or two per attribute and never a hash.
func mayBeGenAI(k string) bool {
	if len(k) < 5 {
		return false
	}
	switch k[0] {
	case 'g':
		return k[1] == 'e' && len(k) > 7 && k[:7] == "gen_ai."
	case 'l':
		return (k[:4] == "llm.") || (len(k) > 10 && k[:10] == "langsmith.")
	case 'a':
		return k[:3] == "ai." || k == "agent_name" || (len(k) > 16 && k[:16] == "anthropic.usage.") ||
			k == "anthropic.response.service_tier" || k == "anthropic.request.service_tier"
	case 'o':
		return k == "openinference.span.kind" || k == "operation.cost" ||
			k == "openai.response.service_tier" || k == "openai.request.service_tier" || k == "output.value"
	case 'i':
		return k == "input.value"
	case 't':
		return k == "traceloop.span.kind"
	case 'e':
		return k == "embedding.model_name"
	case 's':
		return k == "server.address"
	}
	return false
}
