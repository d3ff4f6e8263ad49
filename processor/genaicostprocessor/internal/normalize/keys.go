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
	cOperation = numTokenConcepts + iota - 1
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

	numConcepts
)

// family names the library convention a key belongs to.
type family uint8

const (
	fSemconv family = iota
	fOpenInference
	fVercel
	fOther
)

type keyInfo struct {
	key     string
	concept concept
	family  family
}

// keyTable lists every attribute key read, grouped by concept, best first.
// See docs/normalisation.md for where each comes from.
var keyTable = []keyInfo{
	{"gen_ai.usage.input_tokens", cInput, fSemconv},
	{"gen_ai.usage.prompt_tokens", cInput, fSemconv},
	{"llm.token_count.prompt", cInput, fOpenInference},
	{"ai.usage.inputTokens", cInput, fVercel},
	{"ai.usage.promptTokens", cInput, fVercel},

	{"ai.usage.inputTokenDetails.noCacheTokens", cUncachedInput, fVercel},

	{"gen_ai.usage.output_tokens", cOutput, fSemconv},
	{"gen_ai.usage.completion_tokens", cOutput, fSemconv},
	{"llm.token_count.completion", cOutput, fOpenInference},
	{"ai.usage.outputTokens", cOutput, fVercel},
	{"ai.usage.completionTokens", cOutput, fVercel},

	{"gen_ai.usage.cache_read.input_tokens", cCacheRead, fSemconv},
	{"gen_ai.usage.cache_read_input_tokens", cCacheRead, fSemconv},
	{"llm.token_count.prompt_details.cache_read", cCacheRead, fOpenInference},
	{"ai.usage.inputTokenDetails.cacheReadTokens", cCacheRead, fVercel},
	{"ai.usage.cachedInputTokens", cCacheRead, fVercel},
	{"gen_ai.usage.details.cache_read_tokens", cCacheRead, fOther},
	{"gen_ai.usage.input_tokens.cached", cCacheRead, fOther},
	{"gen_ai.usage.prompt_tokens_details.cached_tokens", cCacheRead, fOther},
	{"llm.token_count.prompt_details.cache_input", cCacheRead, fOpenInference},

	{"gen_ai.usage.cache_write.input_tokens", cCacheWrite, fSemconv},
	{"gen_ai.usage.cache_creation.input_tokens", cCacheWrite, fSemconv},
	{"gen_ai.usage.cache_creation_input_tokens", cCacheWrite, fSemconv},
	{"gen_ai.usage.cache_write_input_tokens", cCacheWrite, fSemconv},
	{"llm.token_count.prompt_details.cache_write", cCacheWrite, fOpenInference},
	{"ai.usage.inputTokenDetails.cacheWriteTokens", cCacheWrite, fVercel},
	{"gen_ai.usage.details.cache_write_tokens", cCacheWrite, fOther},
	{"gen_ai.usage.input_tokens.cache_write", cCacheWrite, fOther},
	{"gen_ai.usage.prompt_tokens_details.cache_creation_tokens", cCacheWrite, fOther},

	// Anthropic's TTL split of cache writes: the Anthropic SDK's own spans,
	// and the same names under gen_ai.usage where an emitter forwards them.
	{"anthropic.usage.cache_creation.ephemeral_5m_input_tokens", cCacheWrite5m, fOther},
	{"gen_ai.usage.cache_creation.ephemeral_5m_input_tokens", cCacheWrite5m, fOther},
	{"anthropic.usage.cache_creation.ephemeral_1h_input_tokens", cCacheWrite1h, fOther},
	{"gen_ai.usage.cache_creation.ephemeral_1h_input_tokens", cCacheWrite1h, fOther},

	{"gen_ai.usage.reasoning.output_tokens", cReasoning, fSemconv},
	{"gen_ai.usage.reasoning_tokens", cReasoning, fSemconv},
	{"llm.usage.reasoning_tokens", cReasoning, fOther},
	{"llm.token_count.completion_details.reasoning", cReasoning, fOpenInference},
	{"ai.usage.outputTokenDetails.reasoningTokens", cReasoning, fVercel},
	{"ai.usage.reasoningTokens", cReasoning, fVercel},
	{"gen_ai.usage.completion_tokens_details.reasoning_tokens", cReasoning, fOther},
	{"gen_ai.usage.output_tokens.reasoning", cReasoning, fOther},

	{"gen_ai.usage.audio.input_tokens", cInputAudio, fSemconv},
	{"llm.token_count.prompt_details.audio", cInputAudio, fOpenInference},
	{"gen_ai.usage.details.input_audio_tokens", cInputAudio, fOther},
	{"gen_ai.usage.prompt_tokens_details.audio_tokens", cInputAudio, fOther},
	{"gen_ai.usage.image.input_tokens", cInputImage, fSemconv},
	{"gen_ai.usage.video.input_tokens", cInputVideo, fSemconv},
	{"gen_ai.usage.audio.output_tokens", cOutputAudio, fSemconv},
	{"llm.token_count.completion_details.audio", cOutputAudio, fOpenInference},
	{"gen_ai.usage.details.output_audio_tokens", cOutputAudio, fOther},
	{"gen_ai.usage.completion_tokens_details.audio_tokens", cOutputAudio, fOther},
	{"gen_ai.usage.image.output_tokens", cOutputImage, fSemconv},
	{"gen_ai.usage.video.output_tokens", cOutputVideo, fSemconv},
	{"gen_ai.usage.audio.cache_read.input_tokens", cCacheReadAudio, fSemconv},
	{"gen_ai.usage.details.cache_audio_read_tokens", cCacheReadAudio, fOther},
	{"gen_ai.usage.image.cache_read.input_tokens", cCacheReadImage, fSemconv},

	{"gen_ai.usage.total_tokens", cTotal, fSemconv},
	{"llm.usage.total_tokens", cTotal, fOther},
	{"llm.token_count.total", cTotal, fOpenInference},
	{"ai.usage.totalTokens", cTotal, fVercel},

	{"gen_ai.usage.input_token_details", cTokenDetails, fOther},
	{"ai.response.providerMetadata", cProviderMetadata, fVercel},

	{"gen_ai.operation.name", cOperation, fSemconv},
	{"openinference.span.kind", cOpenInferenceKind, fOpenInference},
	{"traceloop.span.kind", cTraceloopKind, fOther},
	{"ai.operationId", cVercelOperation, fVercel},
	{"llm.request.type", cLLMRequestType, fOther},
	{"langsmith.span.kind", cLangSmithKind, fOther},
	{"agent_name", cPydanticAgent, fOther},

	{"gen_ai.response.model", cResponseModel, fSemconv},
	{"llm.response.model_name", cResponseModel, fOpenInference},
	{"ai.response.model", cResponseModel, fVercel},
	{"gen_ai.request.model", cRequestModel, fSemconv},
	{"llm.request.model_name", cRequestModel, fOpenInference},
	{"llm.model_name", cRequestModel, fOpenInference},
	{"ai.model.id", cRequestModel, fVercel},
	{"langsmith.metadata.ls_model_name", cRequestModel, fOther},
	{"embedding.model_name", cRequestModel, fOpenInference},

	{"gen_ai.provider.name", cProvider, fSemconv},
	{"gen_ai.system", cProvider, fSemconv},
	{"llm.provider", cProvider, fOpenInference},
	{"llm.system", cProvider, fOpenInference},
	{"ai.model.provider", cProvider, fVercel},
	{"langsmith.metadata.ls_provider", cProvider, fOther},

	{"server.address", cServer, fSemconv},

	{"gen_ai.response.id", cResponseID, fSemconv},
	{"ai.response.id", cResponseID, fVercel},

	{"gen_ai.usage.cost.amount", cCostAmount, fSemconv},
	{"gen_ai.usage.cost.currency", cCostCurrency, fSemconv},
	{"gen_ai.usage.cost.source", cCostSource, fSemconv},
	{"gen_ai.cost.total_cost", cCostGateway, fOther},
	{"gen_ai.usage.cost", cCostEmitter, fOther},
	{"llm.cost.total", cCostEmitter, fOpenInference},
	{"operation.cost", cCostEmitter, fOther},
	{"gen_ai.usage.total_cost", cCostEmitter, fOther},

	{"ai.usage.inputTokenDetails.noCacheTokens", cVercelDetails, fVercel},
	{"ai.usage.inputTokenDetails.cacheReadTokens", cVercelDetails, fVercel},
	{"ai.usage.inputTokenDetails.cacheWriteTokens", cVercelDetails, fVercel},
}

// claudeCodeKeys are the flat keys of Claude Code's claude_code.llm_request
// spans, read only on spans with that name prefix.
var claudeCodeKeys = []keyInfo{
	{"input_tokens", cInput, fOther},
	{"output_tokens", cOutput, fOther},
	{"cache_read_tokens", cCacheRead, fOther},
	{"cache_creation_tokens", cCacheWrite, fOther},
	{"model", cRequestModel, fOther},
	{"cost_usd", cCostEmitter, fOther},
}

// entry is a key's place in the table: its concept, family and rank (its
// position among the keys of its concept; 0 is best).
type entry struct {
	concept concept
	family  family
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
		return k[:3] == "ai." || k == "agent_name" || (len(k) > 16 && k[:16] == "anthropic.usage.")
	case 'o':
		return k == "openinference.span.kind" || k == "operation.cost"
	case 't':
		return k == "traceloop.span.kind"
	case 'e':
		return k == "embedding.model_name"
	case 's':
		return k == "server.address"
	}
	return false
}
