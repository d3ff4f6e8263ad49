package normalize

import "strings"

// Operation names, by what they mean for billing. Values come from the
// OpenTelemetry GenAI conventions and from the libraries that pass their own
// names through (LiteLLM call types, Semantic Kernel, Spring AI, LangSmith
// run types). An operation in neither list is billed if the span has usage.
var (
	inferenceOps = set("chat", "text_completion", "generate_content", "embeddings", "embedding", "completion",
		"chat.completions", "text.completions", "responses", "rerank", "image", "image_generation",
		"transcription", "speech", "generate", "llm", "prompt_completion",
		// LiteLLM passes its async call types through unchanged.
		"acompletion", "atext_completion", "aembedding", "aresponses", "aimage_generation",
		"atranscription", "aspeech", "arerank")
	aggregateOps = set("invoke_agent", "create_agent", "invoke_workflow", "execute_tool", "plan", "agent_step",
		"retrieval", "search_memory", "create_memory", "update_memory", "upsert_memory", "delete_memory",
		"create_memory_store", "delete_memory_store", "execute_event_loop_cycle", "execute_task",
		"workflow", "task", "agent", "tool", "chain", "retriever", "parser", "prompt", "framework",
		"vector_db_retrieve", "guardrail", "evaluator",
		// Counting tokens is free.
		"count_tokens")
	// OpenInference span kinds.
	openInferenceInference = set("llm", "embedding", "reranker")
	// Vercel AI SDK legacy operation ids: the do* spans are the provider
	// calls; the others wrap them and repeat (or sum) their usage.
	vercelInferenceSuffixes = []string{".doGenerate", ".doStream", ".doEmbed"}
)

func set(vals ...string) map[string]bool {
	m := make(map[string]bool, len(vals))
	for _, v := range vals {
		m[v] = true
	}
	return m
}

// classify decides whether a GenAI span is a model call or an aggregate.
// Explicit markers decide in this order: the Vercel AI SDK operation id,
// gen_ai.operation.name, the OpenInference span kind, llm.request.type,
// the LangSmith span kind, the Traceloop span kind, Pydantic AI's legacy
// agent-run attribute, a token-counting span name. Without any marker, a
// span with usage is a call.
func classify(st *scanState, c *Call, opts *Options, spanName string) Kind {
	if op := str(st, cVercelOperation); op != "" {
		for _, s := range vercelInferenceSuffixes {
			if strings.HasSuffix(op, s) {
				return Inference
			}
		}
		if strings.HasPrefix(op, "ai.") {
			return Aggregate
		}
	}
	if op := str(st, cOperation); op != "" {
		switch op { // the common names, without lower-casing or lookups
		case "chat", "text_completion", "generate_content", "embeddings":
			if len(opts.AggregateOps) == 0 {
				return Inference
			}
		case "invoke_agent", "execute_tool", "invoke_workflow", "create_agent":
			if len(opts.InferenceOps) == 0 {
				return Aggregate
			}
		}
		op = strings.ToLower(op)
		switch {
		case opts.InferenceOps[op]:
			return Inference
		case opts.AggregateOps[op]:
			return Aggregate
		case inferenceOps[op]:
			return Inference
		case aggregateOps[op]:
			return Aggregate
		}
	}
	if k := strings.ToLower(str(st, cOpenInferenceKind)); k != "" {
		if openInferenceInference[k] {
			return Inference
		}
		return Aggregate
	}
	if t := strings.ToLower(str(st, cLLMRequestType)); t != "" && t != "unknown" {
		return Inference
	}
	if k := strings.ToLower(str(st, cLangSmithKind)); k != "" {
		if k == "llm" {
			return Inference
		}
		return Aggregate
	}
	if str(st, cTraceloopKind) != "" {
		return Aggregate
	}
	if st.found&(1<<cPydanticAgent) != 0 {
		return Aggregate
	}
	if strings.HasSuffix(spanName, ".count_tokens") { // the Anthropic SDK's own span
		return Aggregate
	}
	if c.HasUsage() || c.Problem.Reason != "" || c.ResponseModel != "" || c.RequestModel != "" || c.Reported.Present {
		return Inference
	}
	return Aggregate
}
