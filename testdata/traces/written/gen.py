#!/usr/bin/env python3
"""Generate hand-written OTLP/JSON trace fixtures for the genai_cost processor.

These fixtures are WRITTEN from the documented attribute shapes in
/work/shared/reference/genai-attributes.md (sections A0-A15 and "Traps"),
not captured from running libraries. They cover instrumentation libraries
that cannot run on the capture machine (Python- and Java-only ones, .NET)
and trap scenarios.

Usage (from the repository root):

    python3 testdata/traces/written/gen.py

For every scenario it writes, next to this script:
  <name>.json           one OTLP ExportTraceServiceRequest ({"resourceSpans": [...]})
  <name>.expected.json  the ground truth (what the provider billed, and how
                        each span must be treated)

Then it validates every file it wrote (JSON parses, ids are hex of the
right length, parents exist, span names are unique, every span is listed
exactly once in the expectations, ...). Python 3.11 standard library only;
the output is deterministic (fixed ids and timestamps).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
from datetime import datetime, timezone

OUT_DIR = os.path.dirname(os.path.abspath(__file__))

# Span kinds (OTLP enum values).
INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER = 1, 2, 3, 4, 5
# Status codes.
UNSET, OK, ERROR = 0, 1, 2

CANONICAL_PROVIDERS = {
    "openai", "anthropic", "aws.bedrock", "azure.ai.openai", "gcp.gen_ai", "mistral_ai", "openrouter",
}
ALLOWED_MODELS = {
    "gpt-4o-mini", "gpt-4o", "o3", "gpt-5",
    "claude-sonnet-4-5-20250929", "claude-haiku-4-5",
    "gemini-2.5-flash", "gemini-2.5-pro",
    "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "amazon.nova-pro-v1:0",
    "mistral-large-latest",
    "anthropic/claude-sonnet-4.5",
    "acme-llm-9000",
    "text-embedding-3-small",
}
EXPECTS = {"priced", "unpriced", "invalid", "provider_reported"}
USAGE_KEYS = ("input", "cache_read", "cache_write_5m", "cache_write_1h", "output", "reasoning")


# ---------------------------------------------------------------------------
# Small helpers for the spec
# ---------------------------------------------------------------------------

def ns(dt: datetime) -> int:
    """Nanoseconds since the epoch for an aware datetime (exact, no float)."""
    delta = dt - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


def utc(y, mo, d, h=0, mi=0, s=0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc)


def span(name, kind, start_ms, dur_ms, attrs, parent=None, status=UNSET):
    """A span spec. start_ms is relative to the scenario's base time."""
    return {"name": name, "kind": kind, "start_ms": start_ms, "dur_ms": dur_ms,
            "attrs": attrs, "parent": parent, "status": status}


def scope(name, version, spans):
    return {"name": name, "version": version, "spans": spans}


def resource(service, scopes, env="production", env_key="deployment.environment.name", extra=None):
    attrs = [("service.name", service)]
    if env is not None:
        attrs.append((env_key, env))
    attrs.extend(extra or [])
    return {"attrs": attrs, "scopes": scopes}


def usage(input=0, cache_read=0, cache_write_5m=0, cache_write_1h=0, output=0, reasoning=0):
    return {"input": input, "cache_read": cache_read, "cache_write_5m": cache_write_5m,
            "cache_write_1h": cache_write_1h, "output": output, "reasoning": reasoning}


def call(span_name, provider, model, usage_, expect, reason=""):
    return {"span": span_name, "provider": provider, "model": model, "usage": usage_,
            "expect": expect, "reason": reason}


SCENARIOS: list[dict] = []


def scenario(name, library, shape_source, notes, resources, calls, not_billable=(), duplicate=(),
             untouched=(), base=None):
    SCENARIOS.append({
        "name": name, "library": library, "shape_source": shape_source, "notes": notes,
        "resources": resources, "calls": calls, "not_billable": list(not_billable),
        "duplicate": list(duplicate), "untouched": list(untouched), "base": base,
    })


# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------

# 1 ---------------------------------------------------------------------------
_assoc = [
    ("traceloop.association.properties.user_id", "user-4821"),
    ("traceloop.association.properties.session_id", "sess-91c2"),
    ("gen_ai.conversation.id", "sess-91c2"),
]
scenario(
    "openllmetry-py-anthropic-cache",
    "OpenLLMetry Python (traceloop-sdk + opentelemetry-instrumentation-anthropic, semconv-ai 0.5.x)",
    "A1 A3 A4 A7 A8 A9 A10 A12 A15 trap 1 trap 3",
    "Workflow -> task -> anthropic.chat. OpenLLMetry's Anthropic instrumentation reports "
    "gen_ai.usage.input_tokens INCLUSIVE of cache (100 uncached + 2000 read + 500 creation = 2600), "
    "total = 2600 + 250. The Traceloop SDK stamps traceloop.association.properties.* and "
    "gen_ai.conversation.id on EVERY span started in context (trap: attribution keys on non-billable "
    "spans must not make them billable). The workflow and task spans carry no usage and are marked by "
    "traceloop.span.kind. Guessed details: scope names 'traceloop.tracer' (SDK decorators) and "
    "'opentelemetry.instrumentation.anthropic' (module name), their versions, the span names "
    "'<name>.workflow' / '<name>.task', and that the 0.5.x anthropic.chat span carries llm.request.type=chat "
    "but no gen_ai.operation.name (the brief lists none; a real 0.5.x span may also carry "
    "gen_ai.operation.name=chat). Cache-write TTL is not on the span; the truth assumes the default 5m TTL.",
    [resource("support-bot", [
        scope("traceloop.tracer", "0.47.0", [
            span("support_flow.workflow", INTERNAL, 0, 2400, [
                ("traceloop.span.kind", "workflow"),
                ("traceloop.workflow.name", "support_flow"),
                ("traceloop.entity.name", "support_flow"),
                *_assoc,
            ], status=OK),
            span("summarize_ticket.task", INTERNAL, 5, 2380, [
                ("traceloop.span.kind", "task"),
                ("traceloop.workflow.name", "support_flow"),
                ("traceloop.entity.name", "summarize_ticket"),
                ("traceloop.entity.path", ""),
                *_assoc,
            ], parent="support_flow.workflow", status=OK),
        ]),
        scope("opentelemetry.instrumentation.anthropic", "0.57.0", [
            span("anthropic.chat", CLIENT, 10, 2350, [
                ("gen_ai.provider.name", "anthropic"),
                ("llm.request.type", "chat"),
                ("gen_ai.request.model", "claude-sonnet-4-5-20250929"),
                ("gen_ai.request.max_tokens", 1024),
                ("gen_ai.is_streaming", False),
                ("gen_ai.response.model", "claude-sonnet-4-5-20250929"),
                ("gen_ai.response.id", "msg_01XFDUDYJgAACzvnptvVoYEL"),
                ("gen_ai.usage.input_tokens", 2600),
                ("gen_ai.usage.output_tokens", 250),
                ("gen_ai.usage.total_tokens", 2850),
                ("gen_ai.usage.cache_read.input_tokens", 2000),
                ("gen_ai.usage.cache_creation.input_tokens", 500),
                ("traceloop.workflow.name", "support_flow"),
                *_assoc,
            ], parent="summarize_ticket.task", status=OK),
        ]),
    ])],
    [call("anthropic.chat", "anthropic", "claude-sonnet-4-5-20250929",
          usage(input=100, cache_read=2000, cache_write_5m=500, output=250), "priced")],
    not_billable=["support_flow.workflow", "summarize_ticket.task"],
)

# 2 ---------------------------------------------------------------------------
scenario(
    "openllmetry-py-legacy-openai",
    "OpenLLMetry Python <= 0.4.13 (opentelemetry-instrumentation-openai, semconv-ai 0.4.13)",
    "A1 A2 A3 A7 A9 A10 A15 trap 4 trap 13",
    "Legacy OpenLLMetry names: gen_ai.system, gen_ai.usage.prompt_tokens (inclusive of the 200 cached, "
    "OpenAI prompt_tokens), gen_ai.usage.completion_tokens, flat gen_ai.usage.cache_read_input_tokens, "
    "llm.usage.total_tokens, llm.request.type=chat, llm.is_streaming as a bool. No gen_ai.operation.name. "
    "Guessed: scope 'opentelemetry.instrumentation.openai.v1' (the v1 wrapper module) and its version; "
    "span name 'openai.chat'.",
    [resource("ticket-router", [
        scope("opentelemetry.instrumentation.openai.v1", "0.47.5", [
            span("openai.chat", CLIENT, 0, 1800, [
                ("llm.request.type", "chat"),
                ("gen_ai.system", "openai"),
                ("gen_ai.request.model", "gpt-4o-mini"),
                ("llm.is_streaming", False),
                ("gen_ai.openai.api_base", "https://api.openai.com/v1/"),
                ("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
                ("gen_ai.response.id", "chatcmpl-Lg4cy0001"),
                ("gen_ai.usage.prompt_tokens", 1200),
                ("gen_ai.usage.completion_tokens", 300),
                ("llm.usage.total_tokens", 1500),
                ("gen_ai.usage.cache_read_input_tokens", 200),
            ], status=OK),
        ]),
    ])],
    [call("openai.chat", "openai", "gpt-4o-mini", usage(input=1000, cache_read=200, output=300), "priced")],
)

# 3 ---------------------------------------------------------------------------
scenario(
    "openllmetry-py-bedrock-converse",
    "OpenLLMetry Python (opentelemetry-instrumentation-bedrock, semconv-ai 0.5.x), Bedrock Converse",
    "A1 A3 A4 A8 A9 A15 trap 3 trap 9",
    "Bedrock Converse usage copied raw: gen_ai.usage.input_tokens = inputTokens, which is EXCLUSIVE of "
    "cache (300 < 1000 read + 200 write, so it cannot be inclusive); cache read/creation in the 0.5.x "
    "dotted names (A4: Bedrock Converse cacheWriteInputTokens -> gen_ai.usage.cache_creation.input_tokens). "
    "total_tokens = Bedrock totalTokens = 300 + 1000 + 200 + 150. DOUBT: per A8/trap 9 OpenLLMetry strips "
    "the region and vendor prefix, so a real span would more likely carry "
    "gen_ai.request.model='claude-sonnet-4-5-20250929-v1:0'; this fixture keeps the unstripped "
    "inference-profile id as the brief asks. gen_ai.system='aws.bedrock' (0.4.x used 'AWS'). Guessed: span "
    "name 'bedrock.converse', scope version. Cache-write TTL assumed 5m.",
    [resource("claims-assistant", [
        scope("opentelemetry.instrumentation.bedrock", "0.57.0", [
            span("bedrock.converse", CLIENT, 0, 3100, [
                ("gen_ai.system", "aws.bedrock"),
                ("llm.request.type", "chat"),
                ("gen_ai.request.model", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
                ("gen_ai.response.model", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
                ("gen_ai.request.max_tokens", 1024),
                ("gen_ai.usage.input_tokens", 300),
                ("gen_ai.usage.output_tokens", 150),
                ("gen_ai.usage.total_tokens", 1650),
                ("gen_ai.usage.cache_read.input_tokens", 1000),
                ("gen_ai.usage.cache_creation.input_tokens", 200),
            ], status=OK),
        ]),
    ])],
    [call("bedrock.converse", "aws.bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
          usage(input=300, cache_read=1000, cache_write_5m=200, output=150), "priced")],
)

# 4 ---------------------------------------------------------------------------
scenario(
    "openlit-py-anthropic",
    "OpenLIT Python SDK (openlit), Anthropic",
    "A1 A3 A4 A7 A9 A12 A13 A15 trap 3 trap 6 trap 10",
    "OpenLIT Anthropic reports the raw Anthropic input_tokens, EXCLUSIVE of cache (100), plus cache "
    "read 2000 and creation 500 and output 250. The span attribute gen_ai.client.token.usage=350 "
    "(input+output) has the same name as the OTel metric (trap 10) and must not be read as usage. "
    "gen_ai.request.user='' (OpenLIT default, trap 6). gen_ai.usage.cost=0.006525 USD is OpenLIT's own "
    "estimate (100*3 + 2000*0.3 + 500*3.75 + 250*15 per MTok), so the span is provider_reported. Resource "
    "uses the old deployment.environment key as OpenLIT does. Guessed: span name 'chat <model>', scope "
    "'openlit.otel.tracing' and its version, telemetry.sdk.name on the span. gen_ai.request.user is "
    "documented for OpenAI (OL-OAI); placing it on the Anthropic span is a guess. Cache-write TTL assumed 5m.",
    [resource("support-bot", [
        scope("openlit.otel.tracing", "1.35.0", [
            span("chat claude-sonnet-4-5-20250929", CLIENT, 0, 2600, [
                ("telemetry.sdk.name", "openlit"),
                ("gen_ai.operation.name", "chat"),
                ("gen_ai.provider.name", "anthropic"),
                ("server.address", "api.anthropic.com"),
                ("server.port", 443),
                ("gen_ai.request.model", "claude-sonnet-4-5-20250929"),
                ("gen_ai.request.max_tokens", 1024),
                ("gen_ai.request.user", ""),
                ("gen_ai.response.id", "msg_01OpenLitAnthropic0001"),
                ("gen_ai.response.model", "claude-sonnet-4-5-20250929"),
                ("gen_ai.response.finish_reasons", ["end_turn"]),
                ("gen_ai.usage.input_tokens", 100),
                ("gen_ai.usage.output_tokens", 250),
                ("gen_ai.usage.cache_read.input_tokens", 2000),
                ("gen_ai.usage.cache_creation.input_tokens", 500),
                ("gen_ai.client.token.usage", 350),
                ("gen_ai.usage.cost", 0.006525),
            ], status=OK),
        ]),
    ], env="production", env_key="deployment.environment")],
    [call("chat claude-sonnet-4-5-20250929", "anthropic", "claude-sonnet-4-5-20250929",
          usage(input=100, cache_read=2000, cache_write_5m=500, output=250), "provider_reported")],
)

# 5 ---------------------------------------------------------------------------
scenario(
    "openlit-py-openai",
    "OpenLIT Python SDK (openlit), OpenAI",
    "A1 A3 A7 A12 A13 A15 trap 6 trap 10",
    "OpenLIT OpenAI: gen_ai.usage.input_tokens INCLUSIVE of the 200 cached (prompt_tokens_include_cache), "
    "gen_ai.usage.cache_read.input_tokens=200, output 300, gen_ai.client.token.usage=1500 span attribute "
    "(trap 10), gen_ai.request.user='' (trap 6), gen_ai.usage.cost=0.00036 USD (OpenLIT's estimate: 1200*0.15 "
    "+ 300*0.60 per MTok, i.e. without a cache discount; the exact catalogue price with the discount would "
    "be 0.000345). The reported cost wins: provider_reported. Guessed: span name, scope version.",
    [resource("faq-service", [
        scope("openlit.otel.tracing", "1.35.0", [
            span("chat gpt-4o-mini", CLIENT, 0, 1400, [
                ("telemetry.sdk.name", "openlit"),
                ("gen_ai.operation.name", "chat"),
                ("gen_ai.provider.name", "openai"),
                ("server.address", "api.openai.com"),
                ("server.port", 443),
                ("gen_ai.request.model", "gpt-4o-mini"),
                ("gen_ai.request.user", ""),
                ("gen_ai.request.temperature", 0.2),
                ("gen_ai.response.id", "chatcmpl-OpenLit0002"),
                ("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
                ("gen_ai.response.finish_reasons", ["stop"]),
                ("gen_ai.usage.input_tokens", 1200),
                ("gen_ai.usage.output_tokens", 300),
                ("gen_ai.usage.cache_read.input_tokens", 200),
                ("gen_ai.usage.cache_creation.input_tokens", 0),
                ("gen_ai.client.token.usage", 1500),
                ("gen_ai.usage.cost", 0.00036),
            ], status=OK),
        ]),
    ], env="production", env_key="deployment.environment")],
    [call("chat gpt-4o-mini", "openai", "gpt-4o-mini", usage(input=1000, cache_read=200, output=300),
          "provider_reported")],
)

# 6 ---------------------------------------------------------------------------
def _pai_chat(name, start, dur, inp, cached, out, cost, resp_id, parent):
    return span(name, INTERNAL, start, dur, [
        ("gen_ai.operation.name", "chat"),
        ("gen_ai.provider.name", "openai"),
        ("gen_ai.system", "openai"),
        ("gen_ai.request.model", "gpt-4o"),
        ("server.address", "api.openai.com"),
        ("server.port", 443),
        ("model_request_parameters", "{\"function_tools\": [{\"name\": \"get_order_status\"}], \"allow_text_output\": true}"),
        ("gen_ai.response.model", "gpt-4o-2024-08-06"),
        ("gen_ai.response.id", resp_id),
        ("gen_ai.response.finish_reasons", ["tool_call"] if name == "chat gpt-4o" else ["stop"]),
        ("gen_ai.usage.input_tokens", inp),
        ("gen_ai.usage.output_tokens", out),
        ("gen_ai.usage.cache_read.input_tokens", cached),
        ("gen_ai.usage.details.cache_read_tokens", cached),
        ("operation.cost", cost),
        ("logfire.msg", "chat gpt-4o"),
    ], parent=parent)


scenario(
    "pydantic-ai-legacy-agent",
    "Pydantic AI (Python) with use_aggregated_usage_attribute_names=False / legacy agent-run span",
    "A1 A3 A8 A9 A11 A13 trap 1 trap 2",
    "Legacy agent run span 'agent run' (attributes agent_name, model_name, NO gen_ai.operation.name) repeats "
    "the SUM of its two model requests under the standard gen_ai.usage.* names (input 1500+1800=3300, "
    "output 120+200=320, cache read 1024+1280=2304): trap 1, it is not billable. Each chat span has both "
    "gen_ai.usage.cache_read.input_tokens and the back-compat gen_ai.usage.details.cache_read_tokens with "
    "the SAME value (trap 2: never sum). Input is inclusive of cache (Pydantic AI docstring). "
    "gen_ai.provider.name and gen_ai.system are both 'openai'. operation.cost is Pydantic AI's genai-prices "
    "estimate (USD), so both chat spans are provider_reported: 0.00367 (476*2.5 + 1024*1.25 + 120*10 per "
    "MTok) and 0.0049 (520*2.5 + 1280*1.25 + 200*10). SPAN NAMES: both model requests are really named "
    "'chat gpt-4o'; the second is suffixed ' #2' only to keep names unique in this fixture. Guessed: span "
    "kind INTERNAL for every Pydantic AI span (start_as_current_span default), the 'running tool' tool span "
    "attributes (gen_ai.tool.name, gen_ai.tool.call.id, no gen_ai.operation.name), scope version. The "
    "tool span is listed as not_billable (framework span) although it carries no GenAI usage or "
    "operation marker; a processor that leaves it untouched is equally harmless.",
    [resource("support-agent", [
        scope("pydantic-ai", "1.56.0", [
            span("agent run", INTERNAL, 0, 5200, [
                ("model_name", "gpt-4o"),
                ("agent_name", "support_agent"),
                ("logfire.msg", "support_agent run"),
                ("gen_ai.usage.input_tokens", 3300),
                ("gen_ai.usage.output_tokens", 320),
                ("gen_ai.usage.cache_read.input_tokens", 2304),
                ("gen_ai.usage.details.cache_read_tokens", 2304),
            ]),
            _pai_chat("chat gpt-4o", 10, 2100, 1500, 1024, 120, 0.00367, "chatcmpl-Pai0001", "agent run"),
            span("running tool", INTERNAL, 2120, 300, [
                ("gen_ai.tool.name", "get_order_status"),
                ("gen_ai.tool.call.id", "call_pai_0001"),
                ("logfire.msg", "running tool: get_order_status"),
            ], parent="agent run"),
            _pai_chat("chat gpt-4o #2", 2430, 2700, 1800, 1280, 200, 0.0049, "chatcmpl-Pai0002", "agent run"),
        ]),
    ])],
    [
        call("chat gpt-4o", "openai", "gpt-4o", usage(input=476, cache_read=1024, output=120), "provider_reported"),
        call("chat gpt-4o #2", "openai", "gpt-4o", usage(input=520, cache_read=1280, output=200), "provider_reported"),
    ],
    not_billable=["agent run", "running tool"],
)

# 7 ---------------------------------------------------------------------------
scenario(
    "pydantic-ai-v2-agent",
    "Pydantic AI (Python) V2 defaults: gen_ai.aggregated_usage.* on the agent span",
    "A1 A3 A9 A11 A13 A15 trap 1 trap 2 trap 6",
    "invoke_agent span with gen_ai.operation.name=invoke_agent and the run's usage under the custom "
    "gen_ai.aggregated_usage.* namespace (the gen_ai.usage. prefix replaced), child chat span with "
    "gen_ai.usage.*. Anthropic claude-haiku-4-5 through Pydantic AI: input_tokens INCLUSIVE of cache "
    "(3000 = 500 uncached + 2500 read, per the Pydantic AI docstring), cache read in both names (trap 2). "
    "gen_ai.conversation.id is '' on both spans (trap 6). operation.cost=0.00275 USD (500*1 + 2500*0.1 + "
    "400*5 per MTok) makes the chat span provider_reported. Guessed: agent span name "
    "'invoke_agent <agent name>', span kinds INTERNAL, scope version.",
    [resource("research-agent", [
        scope("pydantic-ai", "2.1.0", [
            span("invoke_agent research_agent", INTERNAL, 0, 3000, [
                ("gen_ai.operation.name", "invoke_agent"),
                ("gen_ai.agent.name", "research_agent"),
                ("gen_ai.conversation.id", ""),
                ("model_name", "claude-haiku-4-5"),
                ("gen_ai.aggregated_usage.input_tokens", 3000),
                ("gen_ai.aggregated_usage.output_tokens", 400),
                ("gen_ai.aggregated_usage.cache_read.input_tokens", 2500),
                ("gen_ai.aggregated_usage.details.cache_read_tokens", 2500),
                ("logfire.msg", "research_agent run"),
            ]),
            span("chat claude-haiku-4-5", INTERNAL, 15, 2900, [
                ("gen_ai.operation.name", "chat"),
                ("gen_ai.provider.name", "anthropic"),
                ("gen_ai.system", "anthropic"),
                ("gen_ai.request.model", "claude-haiku-4-5"),
                ("gen_ai.conversation.id", ""),
                ("server.address", "api.anthropic.com"),
                ("server.port", 443),
                ("gen_ai.response.model", "claude-haiku-4-5-20251001"),
                ("gen_ai.response.id", "msg_01PydanticV2Haiku0001"),
                ("gen_ai.response.finish_reasons", ["stop"]),
                ("gen_ai.usage.input_tokens", 3000),
                ("gen_ai.usage.output_tokens", 400),
                ("gen_ai.usage.cache_read.input_tokens", 2500),
                ("gen_ai.usage.details.cache_read_tokens", 2500),
                ("operation.cost", 0.00275),
            ], parent="invoke_agent research_agent"),
        ]),
    ])],
    [call("chat claude-haiku-4-5", "anthropic", "claude-haiku-4-5",
          usage(input=500, cache_read=2500, output=400), "provider_reported")],
    not_billable=["invoke_agent research_agent"],
)

# 8 ---------------------------------------------------------------------------
scenario(
    "spring-ai-openai-strings",
    "Spring AI (Java) via Micrometer Observation + OTel bridge, OpenAI",
    "A1 A2 A3 A7 A9 trap 6",
    "Spring AI writes usage through Micrometer KeyValue, so EVERY number is a STRING "
    "(gen_ai.usage.input_tokens='1200' inclusive of cache, gen_ai.usage.output_tokens='300', "
    "gen_ai.usage.cache_read.input_tokens='200', gen_ai.usage.total_tokens='1500'; the request temperature "
    "too). gen_ai.system=openai. Guessed: scope 'org.springframework.boot' (Spring Boot's OTel tracer; the "
    "brief suggested org.springframework.ai), its version, span name 'chat gpt-4o-mini', span kind "
    "INTERNAL (Micrometer observations that are not sender/receiver contexts), finish reasons as a string.",
    [resource("quote-service", [
        scope("org.springframework.boot", "3.5.6", [
            span("chat gpt-4o-mini", INTERNAL, 0, 1600, [
                ("gen_ai.operation.name", "chat"),
                ("gen_ai.system", "openai"),
                ("gen_ai.request.model", "gpt-4o-mini"),
                ("gen_ai.request.temperature", "0.7"),
                ("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
                ("gen_ai.response.id", "chatcmpl-Spring0001"),
                ("gen_ai.response.finish_reasons", "[\"STOP\"]"),
                ("gen_ai.usage.input_tokens", "1200"),
                ("gen_ai.usage.output_tokens", "300"),
                ("gen_ai.usage.cache_read.input_tokens", "200"),
                ("gen_ai.usage.total_tokens", "1500"),
            ]),
        ]),
    ], extra=[("telemetry.sdk.language", "java")])],
    [call("chat gpt-4o-mini", "openai", "gpt-4o-mini", usage(input=1000, cache_read=200, output=300), "priced")],
)

# 9 ---------------------------------------------------------------------------
scenario(
    "strands-anthropic-agent",
    "Strands Agents (Python) with the direct Anthropic model provider",
    "A1 A2 A7 A8 A9 A15 trap 1 trap 2 trap 3 trap 8",
    "invoke_agent span (accumulated usage of its one call, plus cache_read/cache_write_input_tokens=0 "
    "defaults) -> execute_event_loop_cycle -> chat. gen_ai.system='strands-agents' on every span is NOT "
    "the provider (trap 8): the provider must come from gen_ai.request.model=claude-haiku-4-5. The chat "
    "span carries BOTH gen_ai.usage.input_tokens and gen_ai.usage.prompt_tokens (same value) and "
    "output/completion pairs (trap 2: never sum). Input is the raw Anthropic input_tokens, EXCLUSIVE (no "
    "cache in this call, so it does not matter here). Strands starts the chat span with kind INTERNAL, not "
    "CLIENT. Span names, kinds and attributes follow strands/telemetry/tracer.py; scope = tracer module "
    "name. execute_event_loop_cycle carries no gen_ai.operation.name; it is listed as not_billable "
    "(framework span).",
    [resource("strands-helpdesk", [
        scope("strands.telemetry.tracer", None, [
            span("invoke_agent Strands Agents", INTERNAL, 0, 2500, [
                ("gen_ai.operation.name", "invoke_agent"),
                ("gen_ai.system", "strands-agents"),
                ("gen_ai.agent.name", "Strands Agents"),
                ("gen_ai.request.model", "claude-haiku-4-5"),
                ("gen_ai.usage.prompt_tokens", 1200),
                ("gen_ai.usage.completion_tokens", 350),
                ("gen_ai.usage.input_tokens", 1200),
                ("gen_ai.usage.output_tokens", 350),
                ("gen_ai.usage.total_tokens", 1550),
                ("gen_ai.usage.cache_read_input_tokens", 0),
                ("gen_ai.usage.cache_write_input_tokens", 0),
            ], status=OK),
            span("execute_event_loop_cycle", INTERNAL, 5, 2480, [
                ("event_loop.cycle_id", "5b0e6f2a-3c1d-4d8e-9a57-2f1e0c9b7a11"),
            ], parent="invoke_agent Strands Agents", status=OK),
            span("chat", INTERNAL, 10, 2450, [
                ("gen_ai.operation.name", "chat"),
                ("gen_ai.system", "strands-agents"),
                ("gen_ai.request.model", "claude-haiku-4-5"),
                ("gen_ai.usage.prompt_tokens", 1200),
                ("gen_ai.usage.input_tokens", 1200),
                ("gen_ai.usage.completion_tokens", 350),
                ("gen_ai.usage.output_tokens", 350),
                ("gen_ai.usage.total_tokens", 1550),
                ("gen_ai.server.time_to_first_token", 420),
                ("gen_ai.server.request.duration", 2400),
            ], parent="execute_event_loop_cycle", status=OK),
        ]),
    ])],
    [call("chat", "anthropic", "claude-haiku-4-5", usage(input=1200, output=350), "priced")],
    not_billable=["invoke_agent Strands Agents", "execute_event_loop_cycle"],
)

# 10 --------------------------------------------------------------------------
scenario(
    "strands-bedrock-cache",
    "Strands Agents (Python) with the Bedrock model provider",
    "A1 A3 A4 A7 A9 A15 trap 2 trap 4 trap 8",
    "Strands chat span for a Bedrock call: gen_ai.system='strands-agents' (not the provider, trap 8), "
    "gen_ai.request.model is the Bedrock cross-region inference-profile id, Bedrock's inputTokens copied "
    "raw (EXCLUSIVE, 300) into both input_tokens and prompt_tokens, flat cache names "
    "gen_ai.usage.cache_read_input_tokens=1000 / gen_ai.usage.cache_write_input_tokens=200 (trap 4), "
    "total = Bedrock totalTokens. DOUBT: Strands' tracer itself does not set server.address; it is present "
    "here (as the brief asks) as if added by custom trace attributes or a botocore instrumentation. "
    "Span kind INTERNAL as in Strands. Cache-write TTL assumed 5m.",
    [resource("strands-claims", [
        scope("strands.telemetry.tracer", None, [
            span("chat", INTERNAL, 0, 3200, [
                ("gen_ai.operation.name", "chat"),
                ("gen_ai.system", "strands-agents"),
                ("gen_ai.request.model", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
                ("server.address", "bedrock-runtime.us-east-1.amazonaws.com"),
                ("gen_ai.usage.prompt_tokens", 300),
                ("gen_ai.usage.input_tokens", 300),
                ("gen_ai.usage.completion_tokens", 150),
                ("gen_ai.usage.output_tokens", 150),
                ("gen_ai.usage.total_tokens", 1650),
                ("gen_ai.usage.cache_read_input_tokens", 1000),
                ("gen_ai.usage.cache_write_input_tokens", 200),
                ("gen_ai.server.time_to_first_token", 610),
                ("gen_ai.server.request.duration", 3150),
            ], status=OK),
        ]),
    ], env="staging")],
    [call("chat", "aws.bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
          usage(input=300, cache_read=1000, cache_write_5m=200, output=150), "priced")],
)

# 11 --------------------------------------------------------------------------
scenario(
    "litellm-callback-anthropic",
    "LiteLLM proxy, OTel callback (litellm/integrations/opentelemetry.py), Anthropic",
    "A1 A3 A8 A9 A10 A12 A13 A15 trap 6 trap 11 trap 12",
    "LiteLLM span: gen_ai.system=anthropic (custom_llm_provider), gen_ai.operation.name=acompletion "
    "(call type passed through), gen_ai.usage.input_tokens = LiteLLM prompt_tokens = 100 uncached + 2000 "
    "cache read (LiteLLM adds cache_read to prompt_tokens; there were no cache writes, so the version "
    "question about adding creation tokens does not arise), gen_ai.usage.cache_read_input_tokens=2000, "
    "output 250. gen_ai.cost.* are LiteLLM's USD costs (input 0.0009 incl. cache read, output 0.00375, "
    "total 0.00465), so provider_reported. llm.is_streaming is the STRING 'False'. "
    "metadata.user_api_key_* proxy attribution. The parent 'Received Proxy Server Request' SERVER span "
    "(LiteLLM proxy's own span, nested layout as before v1.81 or with USE_OTEL_LITELLM_REQUEST_SPAN=true) "
    "carries no GenAI attributes. DOUBT: the reference does not name LiteLLM's cache-read span attribute; "
    "gen_ai.usage.cache_read_input_tokens is the brief's choice. Resource uses deployment.environment "
    "(LiteLLM's LITELLM_RESOURCE).",
    [resource("litellm-proxy", [
        scope("litellm", None, [
            span("Received Proxy Server Request", SERVER, 0, 2800, [
                ("http.request.method", "POST"),
                ("url.path", "/v1/chat/completions"),
            ], status=OK),
            span("litellm_request", INTERNAL, 20, 2750, [
                ("gen_ai.operation.name", "acompletion"),
                ("gen_ai.system", "anthropic"),
                ("gen_ai.request.model", "claude-sonnet-4-5-20250929"),
                ("gen_ai.request.max_tokens", 1024),
                ("llm.is_streaming", "False"),
                ("gen_ai.response.id", "chatcmpl-8d2b8a4e-6f0c-4a57-9a1e-1c7f3b2d9e01"),
                ("gen_ai.response.model", "claude-sonnet-4-5-20250929"),
                ("gen_ai.usage.input_tokens", 2100),
                ("gen_ai.usage.output_tokens", 250),
                ("gen_ai.usage.total_tokens", 2350),
                ("gen_ai.usage.cache_read_input_tokens", 2000),
                ("gen_ai.cost.input_cost", 0.0009),
                ("gen_ai.cost.output_cost", 0.00375),
                ("gen_ai.cost.total_cost", 0.00465),
                ("metadata.user_api_key_team_id", "team-analytics"),
                ("metadata.user_api_key_alias", "analytics-batch-key"),
                ("metadata.user_api_key_user_id", "user-173"),
            ], parent="Received Proxy Server Request", status=OK),
        ]),
    ], env="production", env_key="deployment.environment")],
    [call("litellm_request", "anthropic", "claude-sonnet-4-5-20250929",
          usage(input=100, cache_read=2000, output=250), "provider_reported")],
    untouched=["Received Proxy Server Request"],
)

# 12 --------------------------------------------------------------------------
scenario(
    "litellm-streaming-no-usage",
    "LiteLLM OTel callback, streaming call whose usage never arrived",
    "A1 A2 A10 trap 6 trap 7",
    "A streamed acompletion where no usage chunk arrived: LiteLLM writes '' for None, so "
    "gen_ai.usage.input_tokens='', gen_ai.usage.output_tokens='' and gen_ai.usage.total_tokens='' "
    "(trap 6). The call happened but its billed usage is unknown, so the truth 'usage' is null and the "
    "span must be flagged invalid with reason 'empty' (not priced at zero). llm.is_streaming='True' (string).",
    [resource("litellm", [
        scope("litellm", None, [
            span("litellm_request", INTERNAL, 0, 5200, [
                ("gen_ai.operation.name", "acompletion"),
                ("gen_ai.system", "openai"),
                ("gen_ai.request.model", "gpt-4o-mini"),
                ("llm.is_streaming", "True"),
                ("gen_ai.response.id", "chatcmpl-StreamNoUsage0001"),
                ("gen_ai.response.model", "gpt-4o-mini"),
                ("gen_ai.usage.input_tokens", ""),
                ("gen_ai.usage.output_tokens", ""),
                ("gen_ai.usage.total_tokens", ""),
            ], status=OK),
        ]),
    ], env="production", env_key="deployment.environment")],
    [call("litellm_request", "openai", "gpt-4o-mini", None, "invalid", "empty")],
)

# 13 --------------------------------------------------------------------------
scenario(
    "gateway-proxy-and-client",
    "OTel Python openai-v2 instrumentation (client app) + LiteLLM proxy OTel callback",
    "A1 A3 A9 A10 A13 trap 11",
    "ONE call seen twice in one trace: the app's 'chat gpt-4o-mini' CLIENT span (service web-app, "
    "server.address = the proxy) -> httpx 'POST' -> proxy FastAPI SERVER span (service litellm-proxy) -> "
    "'litellm_request' (gen_ai.operation.name=acompletion). Both GenAI spans carry the same "
    "gen_ai.response.id 'chatcmpl-XYZ' and the same usage (1200 inclusive, 200 cached, 300 out). Rule: same "
    "response id in one trace = one call; within one batch the later-starting, inner span wins, so "
    "litellm_request carries the cost (and it has LiteLLM's gen_ai.cost.total_cost=0.000345, so "
    "provider_reported); the client span is a duplicate. The HTTP spans are untouched. DOUBT: LiteLLM's "
    "cache-read attribute name (see litellm-callback-anthropic). Guessed: scope versions, server.port 4000.",
    [
        resource("web-app", [
            scope("opentelemetry.instrumentation.openai_v2", "2.3b0", [
                span("chat gpt-4o-mini", CLIENT, 0, 1900, [
                    ("gen_ai.operation.name", "chat"),
                    ("gen_ai.system", "openai"),
                    ("gen_ai.request.model", "gpt-4o-mini"),
                    ("server.address", "litellm-proxy.internal"),
                    ("server.port", 4000),
                    ("gen_ai.response.id", "chatcmpl-XYZ"),
                    ("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
                    ("gen_ai.response.finish_reasons", ["stop"]),
                    ("gen_ai.usage.input_tokens", 1200),
                    ("gen_ai.usage.cache_read.input_tokens", 200),
                    ("gen_ai.usage.output_tokens", 300),
                ]),
            ]),
            scope("opentelemetry.instrumentation.httpx", "0.59b0", [
                span("POST", CLIENT, 3, 1890, [
                    ("http.request.method", "POST"),
                    ("url.full", "http://litellm-proxy.internal:4000/v1/chat/completions"),
                    ("server.address", "litellm-proxy.internal"),
                    ("server.port", 4000),
                    ("http.response.status_code", 200),
                ], parent="chat gpt-4o-mini"),
            ]),
        ]),
        resource("litellm-proxy", [
            scope("opentelemetry.instrumentation.fastapi", "0.59b0", [
                span("POST /v1/chat/completions", SERVER, 8, 1875, [
                    ("http.request.method", "POST"),
                    ("url.scheme", "http"),
                    ("url.path", "/v1/chat/completions"),
                    ("http.route", "/v1/chat/completions"),
                    ("server.address", "litellm-proxy.internal"),
                    ("server.port", 4000),
                    ("http.response.status_code", 200),
                ], parent="POST"),
            ]),
            scope("litellm", None, [
                span("litellm_request", INTERNAL, 15, 1850, [
                    ("gen_ai.operation.name", "acompletion"),
                    ("gen_ai.system", "openai"),
                    ("gen_ai.request.model", "gpt-4o-mini"),
                    ("llm.is_streaming", "False"),
                    ("gen_ai.response.id", "chatcmpl-XYZ"),
                    ("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
                    ("gen_ai.usage.input_tokens", 1200),
                    ("gen_ai.usage.output_tokens", 300),
                    ("gen_ai.usage.total_tokens", 1500),
                    ("gen_ai.usage.cache_read_input_tokens", 200),
                    ("gen_ai.cost.input_cost", 0.000165),
                    ("gen_ai.cost.output_cost", 0.00018),
                    ("gen_ai.cost.total_cost", 0.000345),
                    ("metadata.user_api_key_team_id", "team-web"),
                    ("metadata.user_api_key_alias", "web-app-prod"),
                ], parent="POST /v1/chat/completions", status=OK),
            ]),
        ], env="production", env_key="deployment.environment"),
    ],
    [call("litellm_request", "openai", "gpt-4o-mini", usage(input=1000, cache_read=200, output=300),
          "provider_reported")],
    duplicate=["chat gpt-4o-mini"],
    untouched=["POST", "POST /v1/chat/completions"],
)

# 14 --------------------------------------------------------------------------
scenario(
    "langsmith-chain-and-llm",
    "LangSmith OTel exporter (langsmith-sdk Python, LangChain runs)",
    "A1 A3 A8 A9 A10 A12 trap 1 trap 6 trap 8",
    "Chain run 'RunnableSequence' (gen_ai.operation.name=chain, langsmith.span.kind=chain) carries "
    "gen_ai.usage.* copied from the AIMessage it returned (trap 1): not billable. The llm run 'ChatOpenAI' "
    "(gen_ai.operation.name=chat) has gen_ai.usage.input_tokens=1200 (LangChain usage_metadata, inclusive), "
    "output 300, and the cache read only inside gen_ai.usage.input_token_details, a Python str(dict) "
    "\"{'audio': 0, 'cache_read': 200}\" (trap 6). gen_ai.system='openai' is guessed from the model name by "
    "the exporter (trap 8); langsmith.metadata.ls_model_name and gen_ai.request.model both gpt-4o-mini. "
    "Guessed: scope name 'langsmith', span kinds INTERNAL, run names as span names.",
    [resource("rag-app", [
        scope("langsmith", "0.4.30", [
            span("RunnableSequence", INTERNAL, 0, 2300, [
                ("gen_ai.operation.name", "chain"),
                ("langsmith.span.kind", "chain"),
                ("langsmith.trace.name", "RunnableSequence"),
                ("langsmith.trace.session_name", "rag-app"),
                ("gen_ai.usage.input_tokens", 1200),
                ("gen_ai.usage.output_tokens", 300),
                ("gen_ai.usage.total_tokens", 1500),
                ("gen_ai.usage.input_token_details", "{'audio': 0, 'cache_read': 200}"),
            ]),
            span("ChatOpenAI", INTERNAL, 30, 2200, [
                ("gen_ai.operation.name", "chat"),
                ("langsmith.span.kind", "llm"),
                ("langsmith.trace.name", "ChatOpenAI"),
                ("langsmith.trace.session_name", "rag-app"),
                ("gen_ai.system", "openai"),
                ("gen_ai.request.model", "gpt-4o-mini"),
                ("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
                ("langsmith.metadata.ls_provider", "openai"),
                ("langsmith.metadata.ls_model_name", "gpt-4o-mini"),
                ("langsmith.metadata.ls_model_type", "chat"),
                ("gen_ai.usage.input_tokens", 1200),
                ("gen_ai.usage.output_tokens", 300),
                ("gen_ai.usage.total_tokens", 1500),
                ("gen_ai.usage.input_token_details", "{'audio': 0, 'cache_read': 200}"),
                ("gen_ai.usage.output_token_details", "{'audio': 0, 'reasoning': 0}"),
                ("gen_ai.response.finish_reasons", "stop"),
            ], parent="RunnableSequence"),
        ]),
    ])],
    [call("ChatOpenAI", "openai", "gpt-4o-mini", usage(input=1000, cache_read=200, output=300), "priced")],
    not_billable=["RunnableSequence"],
)

# 15 --------------------------------------------------------------------------
def _maf_chat(name, start, dur, inp, out, cached, resp_id):
    attrs = [
        ("gen_ai.operation.name", "chat"),
        ("gen_ai.provider.name", "openai"),
        ("gen_ai.request.model", "gpt-4o"),
        ("server.address", "api.openai.com"),
        ("server.port", 443),
        ("gen_ai.response.model", "gpt-4o-2024-08-06"),
        ("gen_ai.response.id", resp_id),
        ("gen_ai.response.finish_reasons", ["tool_calls"] if cached else ["stop"]),
        ("gen_ai.usage.input_tokens", inp),
        ("gen_ai.usage.output_tokens", out),
    ]
    if cached:
        attrs.append(("gen_ai.usage.cache_read.input_tokens", cached))
    return span(name, CLIENT, start, dur, attrs, parent="invoke_agent SupportAgent")


scenario(
    "maf-invoke-agent",
    "Microsoft Agent Framework (Python, agent_framework observability)",
    "A1 A3 A9 A11 trap 1",
    "invoke_agent span with the ACCUMULATED usage of its two chat children (input 2000+2400=4400, "
    "output 150+260=410, cache read 1536): trap 1, not billable. Chat spans: gen_ai.provider.name=openai, "
    "gpt-4o, input inclusive of cache; cache read only on the first. SPAN NAMES: both chat spans are really "
    "'chat gpt-4o'; the second is suffixed ' #2' only to keep names unique. Guessed: scope 'agent_framework' "
    "and version, span kinds (invoke_agent INTERNAL, chat CLIENT), agent span name "
    "'invoke_agent <agent name>', gen_ai.agent.id value.",
    [resource("maf-support", [
        scope("agent_framework", "1.0.0", [
            span("invoke_agent SupportAgent", INTERNAL, 0, 4800, [
                ("gen_ai.operation.name", "invoke_agent"),
                ("gen_ai.provider.name", "openai"),
                ("gen_ai.agent.name", "SupportAgent"),
                ("gen_ai.agent.id", "agent-3f1c9e"),
                ("gen_ai.conversation.id", "thread_abc123"),
                ("gen_ai.usage.input_tokens", 4400),
                ("gen_ai.usage.output_tokens", 410),
                ("gen_ai.usage.cache_read.input_tokens", 1536),
            ]),
            _maf_chat("chat gpt-4o", 10, 2100, 2000, 150, 1536, "chatcmpl-Maf0001"),
            _maf_chat("chat gpt-4o #2", 2400, 2350, 2400, 260, 0, "chatcmpl-Maf0002"),
        ]),
    ])],
    [
        call("chat gpt-4o", "openai", "gpt-4o", usage(input=464, cache_read=1536, output=150), "priced"),
        call("chat gpt-4o #2", "openai", "gpt-4o", usage(input=2400, output=260), "priced"),
    ],
    not_billable=["invoke_agent SupportAgent"],
)

# 16 --------------------------------------------------------------------------
scenario(
    "semantic-kernel-azure-deployment",
    "Semantic Kernel .NET, Azure OpenAI connector",
    "A1 A8 A9 A10 trap 8 trap 9",
    "SK .NET starts the completion activity with the Azure DEPLOYMENT name as the model "
    "(gen_ai.request.model='my-gpt4o-deployment', trap 9) and gen_ai.system='openai' because the Azure "
    "connector derives from the OpenAI base (trap 8). gen_ai.operation.name='chat.completions' (SK value). "
    "The real model is gen_ai.response.model='gpt-4o-2024-08-06' and server.address is the Azure resource, "
    "so the call must be priced as azure.ai.openai gpt-4o via the response model. Usage: 3000 in (no "
    "cache), 500 out. Guessed: span name '<operation> <model>', kind CLIENT, presence of server.address "
    "(the brief asks for it).",
    [resource("sk-assistant", [
        scope("Microsoft.SemanticKernel.Diagnostics", None, [
            span("chat.completions my-gpt4o-deployment", CLIENT, 0, 2700, [
                ("gen_ai.operation.name", "chat.completions"),
                ("gen_ai.system", "openai"),
                ("gen_ai.request.model", "my-gpt4o-deployment"),
                ("server.address", "myorg.openai.azure.com"),
                ("gen_ai.response.id", "chatcmpl-SkAzure0001"),
                ("gen_ai.response.model", "gpt-4o-2024-08-06"),
                ("gen_ai.response.finish_reasons", ["Stop"]),
                ("gen_ai.usage.input_tokens", 3000),
                ("gen_ai.usage.output_tokens", 500),
            ]),
        ]),
    ], extra=[("telemetry.sdk.language", "dotnet")])],
    [call("chat.completions my-gpt4o-deployment", "azure.ai.openai", "gpt-4o", usage(input=3000, output=500),
          "priced")],
)

# 17 --------------------------------------------------------------------------
scenario(
    "google-adk-gemini",
    "Google ADK (Python, 2025 tracing)",
    "A1 A2 A5 A8 A9 A11 A15 trap 5 trap 8",
    "ADK call_llm span: gen_ai.system='gcp.vertex.agent' is a constant, NOT the provider (trap 8); "
    "gen_ai.request.model=gemini-2.5-flash, no response model; gen_ai.usage.input_tokens = Gemini "
    "prompt_token_count (inclusive of cached content; none here) = 20000, gen_ai.usage.output_tokens = "
    "candidates_token_count = 5000. ADK does NOT map thoughts_token_count (trap 5): the truth assumes the "
    "call ran with thinking_budget=0 (thoughts = 0), otherwise the billed output would exceed what any "
    "processor can read from the span. Parent 'invoke_agent weather_agent' (gen_ai.operation.name="
    "invoke_agent, ADK session id as gen_ai.conversation.id) has no usage. Provider must come from the "
    "model name: Gemini API -> gcp.gen_ai. Guessed: agent span name (2025 ADK used 'agent_run [name]' "
    "before 'invoke_agent name'), kinds INTERNAL, scope version, ids.",
    [resource("adk-weather", [
        scope("gcp.vertex.agent", "1.15.0", [
            span("invoke_agent weather_agent", INTERNAL, 0, 6200, [
                ("gen_ai.operation.name", "invoke_agent"),
                ("gen_ai.agent.name", "weather_agent"),
                ("gen_ai.agent.description", "Answers weather questions."),
                ("gen_ai.conversation.id", "adk-session-5f2e"),
            ]),
            span("call_llm", INTERNAL, 20, 6100, [
                ("gen_ai.system", "gcp.vertex.agent"),
                ("gen_ai.request.model", "gemini-2.5-flash"),
                ("gcp.vertex.agent.invocation_id", "e-8a1f0c7d"),
                ("gcp.vertex.agent.session_id", "adk-session-5f2e"),
                ("gcp.vertex.agent.event_id", "ev-33c1"),
                ("gcp.vertex.agent.llm_request", "{}"),
                ("gcp.vertex.agent.llm_response", "{}"),
                ("gen_ai.usage.input_tokens", 20000),
                ("gen_ai.usage.output_tokens", 5000),
            ], parent="invoke_agent weather_agent"),
        ]),
    ])],
    [call("call_llm", "gcp.gen_ai", "gemini-2.5-flash", usage(input=20000, output=5000), "priced")],
    not_billable=["invoke_agent weather_agent"],
)

# 18 --------------------------------------------------------------------------
scenario(
    "claude-code-request",
    "Claude Code 2.1.x (claude_code.llm_request spans)",
    "A1 A3 A4 A13 trap 3 trap 4",
    "Claude Code writes flat, un-namespaced attributes: input_tokens=12 (raw Anthropic, EXCLUSIVE), "
    "output_tokens=300, cache_read_tokens=5000, cache_creation_tokens=800, model, and cost_usd=0.009036 "
    "(12*3 + 5000*0.3 + 800*3.75 + 300*15 per MTok) which makes it provider_reported. No provider attribute: "
    "the provider comes from the model name. DOUBT: the reference only cites Claude Code's cost as the "
    "metric claude_code.cost.usage; the span attribute name cost_usd is the brief's. Guessed: scope "
    "'com.anthropic.claude_code' (Claude Code's meter name), span kind INTERNAL, session.id and duration_ms "
    "attributes. Cache-write TTL assumed 5m (not on the span).",
    [resource("claude-code", [
        scope("com.anthropic.claude_code", "2.1.114", [
            span("claude_code.llm_request", INTERNAL, 0, 8400, [
                ("session.id", "0b7e3c9a-2f4d-4e61-9c85-7d1a2b3c4d5e"),
                ("model", "claude-sonnet-4-5-20250929"),
                ("input_tokens", 12),
                ("output_tokens", 300),
                ("cache_read_tokens", 5000),
                ("cache_creation_tokens", 800),
                ("cost_usd", 0.009036),
                ("duration_ms", 8390),
            ]),
        ]),
    ], env=None)],
    [call("claude_code.llm_request", "anthropic", "claude-sonnet-4-5-20250929",
          usage(input=12, cache_read=5000, cache_write_5m=800, output=300), "provider_reported")],
)

# 19 --------------------------------------------------------------------------
scenario(
    "openinference-py-anthropic-old",
    "OpenInference Python (openinference-instrumentation-anthropic) before 2025-03-25",
    "A1 A3 A4 A7 A8 A9 A10 A15 trap 3",
    "Before commit abd36c45e (2025-03-25) OpenInference's Anthropic llm.token_count.prompt was the raw "
    "input_tokens, EXCLUSIVE of cache: 100, with llm.token_count.prompt_details.cache_read=2000 and "
    "cache_write=500. The counts prove exclusivity (100 < 2000 + 500). llm.token_count.total = prompt + "
    "completion = 350. openinference.span.kind=LLM, llm.provider=anthropic, llm.system=anthropic, "
    "llm.model_name. Guessed: span name 'Messages', kind INTERNAL, scope version, invocation parameters "
    "string. Cache-write TTL assumed 5m.",
    [resource("oi-anthropic-app", [
        scope("openinference.instrumentation.anthropic", "0.1.13", [
            span("Messages", INTERNAL, 0, 2500, [
                ("openinference.span.kind", "LLM"),
                ("llm.provider", "anthropic"),
                ("llm.system", "anthropic"),
                ("llm.model_name", "claude-sonnet-4-5-20250929"),
                ("llm.invocation_parameters", "{\"max_tokens\": 1024}"),
                ("llm.token_count.prompt", 100),
                ("llm.token_count.completion", 250),
                ("llm.token_count.total", 350),
                ("llm.token_count.prompt_details.cache_read", 2000),
                ("llm.token_count.prompt_details.cache_write", 500),
            ], status=OK),
        ]),
    ])],
    [call("Messages", "anthropic", "claude-sonnet-4-5-20250929",
          usage(input=100, cache_read=2000, cache_write_5m=500, output=250), "priced")],
)

# 20 --------------------------------------------------------------------------
scenario(
    "openrouter-gateway",
    "OTel Python openai-v2 instrumentation, OpenAI SDK pointed at OpenRouter",
    "A8 A9 A13 A15 trap 8 trap 9",
    "gen_ai.system='openai' (the SDK), but server.address=openrouter.ai and the model is OpenRouter's "
    "'anthropic/claude-sonnet-4.5' (provider/model form, trap 9): the call is billed by OpenRouter. Usage "
    "1000 in, 0 cached, 200 out. No reported cost on the span (OpenRouter's usage.cost is not captured by "
    "this instrumentation), so it must be priced from the catalogue as provider openrouter. Guessed: scope "
    "version.",
    [resource("router-client", [
        scope("opentelemetry.instrumentation.openai_v2", "2.3b0", [
            span("chat anthropic/claude-sonnet-4.5", CLIENT, 0, 3300, [
                ("gen_ai.operation.name", "chat"),
                ("gen_ai.system", "openai"),
                ("gen_ai.request.model", "anthropic/claude-sonnet-4.5"),
                ("server.address", "openrouter.ai"),
                ("server.port", 443),
                ("gen_ai.response.id", "gen-1762000000-AbCdEf0123"),
                ("gen_ai.response.model", "anthropic/claude-sonnet-4.5"),
                ("gen_ai.response.finish_reasons", ["stop"]),
                ("gen_ai.usage.input_tokens", 1000),
                ("gen_ai.usage.output_tokens", 200),
            ]),
        ]),
    ])],
    [call("chat anthropic/claude-sonnet-4.5", "openrouter", "anthropic/claude-sonnet-4.5",
          usage(input=1000, output=200), "priced")],
)

# 21 --------------------------------------------------------------------------
scenario(
    "azure-openai-semconv",
    "OTel GenAI semconv (v1.37+ gen_ai.provider.name), Azure OpenAI",
    "A1 A3 A8 A9 trap 9",
    "Current-semconv span: gen_ai.provider.name=azure.ai.openai, request model gpt-4o-mini, response model "
    "gpt-4o-mini-2024-07-18 (date suffix, trap 9), input 1200 inclusive of 200 cache read, output 300. "
    "Guessed: emitting library/scope (openai-v2 instrumentation), server.address.",
    [resource("azure-chat", [
        scope("opentelemetry.instrumentation.openai_v2", "2.3b0", [
            span("chat gpt-4o-mini", CLIENT, 0, 1500, [
                ("gen_ai.operation.name", "chat"),
                ("gen_ai.provider.name", "azure.ai.openai"),
                ("gen_ai.request.model", "gpt-4o-mini"),
                ("server.address", "myorg.openai.azure.com"),
                ("server.port", 443),
                ("gen_ai.response.id", "chatcmpl-AzureSemconv0001"),
                ("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
                ("gen_ai.response.finish_reasons", ["stop"]),
                ("gen_ai.usage.input_tokens", 1200),
                ("gen_ai.usage.cache_read.input_tokens", 200),
                ("gen_ai.usage.output_tokens", 300),
            ]),
        ]),
    ])],
    [call("chat gpt-4o-mini", "azure.ai.openai", "gpt-4o-mini", usage(input=1000, cache_read=200, output=300),
          "priced")],
)

# 22 --------------------------------------------------------------------------
_ARN = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0"
scenario(
    "bedrock-arn-profile",
    "OTel GenAI semconv on Bedrock (botocore-style), inference-profile ARN as model",
    "A8 A9 A15 trap 9",
    "gen_ai.request.model is a full inference-profile ARN whose last path segment is the cross-region "
    "profile id; the model must be recovered from it WITH its ':0' version suffix (trap 9 notes that "
    "OpenLLMetry's split on ':' cuts it). Usage 1000 in / 100 out, no cache. Guessed: emitting library/scope "
    "(botocore instrumentation), span name.",
    [resource("bedrock-app", [
        scope("opentelemetry.instrumentation.botocore.bedrock-runtime", "0.59b0", [
            span("chat " + _ARN, CLIENT, 0, 2100, [
                ("gen_ai.operation.name", "chat"),
                ("gen_ai.provider.name", "aws.bedrock"),
                ("gen_ai.request.model", _ARN),
                ("server.address", "bedrock-runtime.us-east-1.amazonaws.com"),
                ("server.port", 443),
                ("gen_ai.response.finish_reasons", ["end_turn"]),
                ("gen_ai.usage.input_tokens", 1000),
                ("gen_ai.usage.output_tokens", 100),
            ]),
        ]),
    ])],
    [call("chat " + _ARN, "aws.bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
          usage(input=1000, output=100), "priced")],
)

# 23 --------------------------------------------------------------------------
scenario(
    "bedrock-nova",
    "OTel botocore Bedrock instrumentation (gen_ai.system), Amazon Nova",
    "A9 A15",
    "Deprecated gen_ai.system='aws.bedrock', model amazon.nova-pro-v1:0, 10000 in / 1000 out. Guessed: "
    "scope, span name, rpc.* attributes of the botocore instrumentation.",
    [resource("nova-summarizer", [
        scope("opentelemetry.instrumentation.botocore.bedrock-runtime", "0.55b0", [
            span("chat amazon.nova-pro-v1:0", CLIENT, 0, 4100, [
                ("rpc.system", "aws-api"),
                ("rpc.service", "Bedrock Runtime"),
                ("rpc.method", "Converse"),
                ("cloud.region", "us-east-1"),
                ("gen_ai.operation.name", "chat"),
                ("gen_ai.system", "aws.bedrock"),
                ("gen_ai.request.model", "amazon.nova-pro-v1:0"),
                ("gen_ai.response.finish_reasons", ["end_turn"]),
                ("gen_ai.usage.input_tokens", 10000),
                ("gen_ai.usage.output_tokens", 1000),
            ]),
        ]),
    ])],
    [call("chat amazon.nova-pro-v1:0", "aws.bedrock", "amazon.nova-pro-v1:0", usage(input=10000, output=1000),
          "priced")],
)

# 24 --------------------------------------------------------------------------
scenario(
    "mistral-chat",
    "OTel GenAI semconv, Mistral AI",
    "A9",
    "gen_ai.provider.name=mistral_ai, mistral-large-latest (an alias the provider bills as its current "
    "large model), 10000 in / 2000 out. Guessed: emitting library/scope and span name.",
    [resource("mistral-app", [
        scope("opentelemetry.instrumentation.mistralai", "0.57.0", [
            span("chat mistral-large-latest", CLIENT, 0, 3600, [
                ("gen_ai.operation.name", "chat"),
                ("gen_ai.provider.name", "mistral_ai"),
                ("gen_ai.request.model", "mistral-large-latest"),
                ("server.address", "api.mistral.ai"),
                ("server.port", 443),
                ("gen_ai.response.model", "mistral-large-latest"),
                ("gen_ai.response.id", "cmpl-MistralLarge0001"),
                ("gen_ai.usage.input_tokens", 10000),
                ("gen_ai.usage.output_tokens", 2000),
            ]),
        ]),
    ])],
    [call("chat mistral-large-latest", "mistral_ai", "mistral-large-latest", usage(input=10000, output=2000),
          "priced")],
)

# 25 --------------------------------------------------------------------------
scenario(
    "gemini-long-context",
    "OTel GenAI semconv (google-genai instrumentation), Gemini API",
    "A1 A9 A15",
    "gen_ai.provider.name=gcp.gemini (canonical pricing provider gcp.gen_ai), gemini-2.5-pro, a 250000-token "
    "prompt (no cache) and 1000 output tokens: the prompt is above 200k, so Gemini 2.5 Pro's long-context "
    "rates apply to the whole call. No thinking tokens reported (assumed 0). Guessed: scope name/version "
    "and span name.",
    [resource("doc-analyzer", [
        scope("opentelemetry.instrumentation.google_genai", "0.4b0", [
            span("generate_content gemini-2.5-pro", CLIENT, 0, 41000, [
                ("gen_ai.operation.name", "generate_content"),
                ("gen_ai.provider.name", "gcp.gemini"),
                ("gen_ai.request.model", "gemini-2.5-pro"),
                ("server.address", "generativelanguage.googleapis.com"),
                ("server.port", 443),
                ("gen_ai.response.model", "gemini-2.5-pro"),
                ("gen_ai.response.finish_reasons", ["stop"]),
                ("gen_ai.usage.input_tokens", 250000),
                ("gen_ai.usage.output_tokens", 1000),
            ]),
        ]),
    ])],
    [call("generate_content gemini-2.5-pro", "gcp.gen_ai", "gemini-2.5-pro", usage(input=250000, output=1000),
          "priced")],
)

# 26 --------------------------------------------------------------------------
scenario(
    "anthropic-long-context",
    "OTel GenAI semconv v1.40+ (inclusive input), Anthropic",
    "A1 A3 A15 trap 3",
    "Semconv Anthropic span: gen_ai.usage.input_tokens is INCLUSIVE (the spec's MUST-sum: 150000 uncached + "
    "60000 cache read = 210000), gen_ai.usage.cache_read.input_tokens=60000, output 2000. The whole prompt "
    "(210000) exceeds 200k, so Claude Sonnet 4.5's long-context (1M-context beta) rates apply to every meter "
    "of the call, cache read included. Guessed: emitting library/scope and version.",
    [resource("contract-review", [
        scope("opentelemetry.instrumentation.anthropic", "0.1b0", [
            span("chat claude-sonnet-4-5-20250929", CLIENT, 0, 52000, [
                ("gen_ai.operation.name", "chat"),
                ("gen_ai.provider.name", "anthropic"),
                ("gen_ai.request.model", "claude-sonnet-4-5-20250929"),
                ("server.address", "api.anthropic.com"),
                ("server.port", 443),
                ("gen_ai.response.model", "claude-sonnet-4-5-20250929"),
                ("gen_ai.response.id", "msg_01LongContext0001"),
                ("gen_ai.response.finish_reasons", ["end_turn"]),
                ("gen_ai.usage.input_tokens", 210000),
                ("gen_ai.usage.cache_read.input_tokens", 60000),
                ("gen_ai.usage.output_tokens", 2000),
            ]),
        ]),
    ])],
    [call("chat claude-sonnet-4-5-20250929", "anthropic", "claude-sonnet-4-5-20250929",
          usage(input=150000, cache_read=60000, output=2000), "priced")],
)

# 27 --------------------------------------------------------------------------
scenario(
    "openai-reasoning",
    "OTel GenAI semconv v1.41 (reasoning attribute), OpenAI",
    "A2 A5 A15 trap 5",
    "gpt-5 call: output_tokens=5000 ALREADY includes gen_ai.usage.reasoning.output_tokens=4000 (trap 5: "
    "never add reasoning on top; billed output is 5000). Input 2000, no cache. Guessed: scope, span name.",
    [resource("planner", [
        scope("opentelemetry.instrumentation.openai_v2", "2.3b0", [
            span("chat gpt-5", CLIENT, 0, 38000, [
                ("gen_ai.operation.name", "chat"),
                ("gen_ai.provider.name", "openai"),
                ("gen_ai.request.model", "gpt-5"),
                ("server.address", "api.openai.com"),
                ("server.port", 443),
                ("gen_ai.response.model", "gpt-5-2025-08-07"),
                ("gen_ai.response.id", "chatcmpl-Reasoning0001"),
                ("gen_ai.response.finish_reasons", ["stop"]),
                ("gen_ai.usage.input_tokens", 2000),
                ("gen_ai.usage.output_tokens", 5000),
                ("gen_ai.usage.reasoning.output_tokens", 4000),
            ]),
        ]),
    ])],
    [call("chat gpt-5", "openai", "gpt-5", usage(input=2000, output=5000, reasoning=4000), "priced")],
)

# 28 --------------------------------------------------------------------------
_O3_BASE = utc(2025, 6, 9, 22, 59, 0)
_o3_before_ms = (ns(utc(2025, 6, 9, 23, 0, 0)) - ns(_O3_BASE)) // 1_000_000
_o3_after_ms = (ns(utc(2025, 6, 10, 1, 0, 0)) - ns(_O3_BASE)) // 1_000_000


def _o3(name, start_ms, resp_id):
    return span(name, CLIENT, start_ms, 21000, [
        ("gen_ai.operation.name", "chat"),
        ("gen_ai.provider.name", "openai"),
        ("gen_ai.request.model", "o3"),
        ("server.address", "api.openai.com"),
        ("server.port", 443),
        ("gen_ai.response.model", "o3-2025-04-16"),
        ("gen_ai.response.id", resp_id),
        ("gen_ai.usage.input_tokens", 1000),
        ("gen_ai.usage.output_tokens", 1000),
    ], parent="nightly_eval")


scenario(
    "o3-price-change",
    "OTel GenAI semconv, OpenAI (two calls straddling a price change)",
    "A8 A9",
    "Two o3 calls in ONE trace under a long-running batch span: the first starts 2025-06-09T23:00:00Z "
    "(before o3's price cut of 2025-06-10: 10/40 USD per MTok), the second 2025-06-10T01:00:00Z (after: 2/8). "
    "Same usage (1000 in / 1000 out) -> different costs; each call must be priced at the rate in force at "
    "its own start time. The parent 'nightly_eval' span has no GenAI attributes (untouched). SPAN NAMES: "
    "both calls are really 'chat o3'; the second is suffixed ' #2' only to keep names unique.",
    [resource("eval-runner", [
        scope("eval-runner", None, [
            span("nightly_eval", INTERNAL, 0, _o3_after_ms + 60000, [
                ("job.name", "nightly_eval"),
            ]),
        ]),
        scope("opentelemetry.instrumentation.openai_v2", "2.1b0", [
            _o3("chat o3", _o3_before_ms, "chatcmpl-O3Before0001"),
            _o3("chat o3 #2", _o3_after_ms, "chatcmpl-O3After0002"),
        ]),
    ])],
    [
        call("chat o3", "openai", "o3", usage(input=1000, output=1000), "priced"),
        call("chat o3 #2", "openai", "o3", usage(input=1000, output=1000), "priced"),
    ],
    untouched=["nightly_eval"],
    base=_O3_BASE,
)

# 29 --------------------------------------------------------------------------
def _bad(name, start_ms, resp_id, inp, out):
    return span(name, CLIENT, start_ms, 900, [
        ("gen_ai.operation.name", "chat"),
        ("gen_ai.provider.name", "openai"),
        ("gen_ai.request.model", "gpt-4o-mini"),
        ("server.address", "api.openai.com"),
        ("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
        ("gen_ai.response.id", resp_id),
        ("gen_ai.usage.input_tokens", inp),
        ("gen_ai.usage.output_tokens", out),
    ])


scenario(
    "bad-values",
    "OTel GenAI semconv, OpenAI, corrupted usage values",
    "A1 A2 trap 6",
    "Five separate chat calls, each with exactly one bad usage value (the other is valid): "
    "input intValue -5 (negative); output stringValue 'NaN' (not_a_number); input stringValue '12.5' "
    "(fractional); output stringValue 'abc' (not_a_number); input intValue 1000000000000 (too_large, "
    "absurd for one call). The billed usage is unknown, so 'usage' is null and each span must be invalid "
    "with the given reason, never priced. SPAN NAMES: all are really 'chat gpt-4o-mini'; the bracketed "
    "suffix only keeps names unique.",
    [resource("bad-values-app", [
        scope("opentelemetry.instrumentation.openai_v2", "2.3b0", [
            _bad("chat gpt-4o-mini [negative]", 0, "chatcmpl-Bad0001", -5, 300),
            _bad("chat gpt-4o-mini [nan]", 1000, "chatcmpl-Bad0002", 1200, "NaN"),
            _bad("chat gpt-4o-mini [fractional]", 2000, "chatcmpl-Bad0003", "12.5", 300),
            _bad("chat gpt-4o-mini [abc]", 3000, "chatcmpl-Bad0004", 1200, "abc"),
            _bad("chat gpt-4o-mini [too-large]", 4000, "chatcmpl-Bad0005", 1000000000000, 300),
        ]),
    ])],
    [
        call("chat gpt-4o-mini [negative]", "openai", "gpt-4o-mini", None, "invalid", "negative"),
        call("chat gpt-4o-mini [nan]", "openai", "gpt-4o-mini", None, "invalid", "not_a_number"),
        call("chat gpt-4o-mini [fractional]", "openai", "gpt-4o-mini", None, "invalid", "fractional"),
        call("chat gpt-4o-mini [abc]", "openai", "gpt-4o-mini", None, "invalid", "not_a_number"),
        call("chat gpt-4o-mini [too-large]", "openai", "gpt-4o-mini", None, "invalid", "too_large"),
    ],
)

# 30 --------------------------------------------------------------------------
scenario(
    "unknown-model",
    "OTel GenAI semconv, OpenAI provider with a model missing from the catalogue",
    "A8 A9",
    "gen_ai.provider.name=openai, model acme-llm-9000 (not in any price list), usage 111 in / 22 out. The "
    "usage is valid and known, but the call cannot be priced: unpriced, reason unknown_model.",
    [resource("acme-app", [
        scope("opentelemetry.instrumentation.openai_v2", "2.3b0", [
            span("chat acme-llm-9000", CLIENT, 0, 700, [
                ("gen_ai.operation.name", "chat"),
                ("gen_ai.provider.name", "openai"),
                ("gen_ai.request.model", "acme-llm-9000"),
                ("server.address", "api.openai.com"),
                ("gen_ai.response.model", "acme-llm-9000"),
                ("gen_ai.response.id", "chatcmpl-Acme0001"),
                ("gen_ai.usage.input_tokens", 111),
                ("gen_ai.usage.output_tokens", 22),
            ]),
        ]),
    ])],
    [call("chat acme-llm-9000", "openai", "acme-llm-9000", usage(input=111, output=22), "unpriced",
          "unknown_model")],
)

# 31 --------------------------------------------------------------------------
scenario(
    "embeddings-otel-py",
    "OTel Python openai-v2 instrumentation, embeddings",
    "A1 A10",
    "gen_ai.operation.name=embeddings, gen_ai.system=openai, text-embedding-3-small, 8 input tokens, no "
    "output tokens attribute at all. Must be priced on input only. Guessed: scope version, "
    "gen_ai.embeddings.dimension.count.",
    [resource("search-indexer", [
        scope("opentelemetry.instrumentation.openai_v2", "2.3b0", [
            span("embeddings text-embedding-3-small", CLIENT, 0, 180, [
                ("gen_ai.operation.name", "embeddings"),
                ("gen_ai.system", "openai"),
                ("gen_ai.request.model", "text-embedding-3-small"),
                ("gen_ai.request.encoding_formats", ["float"]),
                ("server.address", "api.openai.com"),
                ("server.port", 443),
                ("gen_ai.response.model", "text-embedding-3-small"),
                ("gen_ai.embeddings.dimension.count", 1536),
                ("gen_ai.usage.input_tokens", 8),
            ]),
        ]),
    ])],
    [call("embeddings text-embedding-3-small", "openai", "text-embedding-3-small", usage(input=8), "priced")],
)

# 32 --------------------------------------------------------------------------
scenario(
    "mixed-http-noise",
    "OTel HTTP instrumentations (FastAPI, httpx) + openai-v2, through an egress proxy",
    "A9 (server.address) A10",
    "One GenAI call among HTTP spans: the app's 'POST /api/ask' SERVER span -> 'chat gpt-4o-mini' CLIENT "
    "(800 in, 0 cached, 150 out) -> httpx 'POST' CLIENT to api.openai.com -> an egress proxy's "
    "'POST /v1/chat/completions' SERVER span whose server.address is api.openai.com (the Host header it "
    "received). Trap: HTTP spans that talk to, or claim to be, an LLM host are NOT GenAI calls and must be "
    "left untouched. The brief asked for two HTTP server spans; a third HTTP span (the httpx client) was "
    "added to make the path realistic.",
    [
        resource("chat-api", [
            scope("opentelemetry.instrumentation.fastapi", "0.59b0", [
                span("POST /api/ask", SERVER, 0, 2600, [
                    ("http.request.method", "POST"),
                    ("url.scheme", "https"),
                    ("url.path", "/api/ask"),
                    ("http.route", "/api/ask"),
                    ("server.address", "chat-api.example.com"),
                    ("server.port", 443),
                    ("http.response.status_code", 200),
                ]),
            ]),
            scope("opentelemetry.instrumentation.openai_v2", "2.3b0", [
                span("chat gpt-4o-mini", CLIENT, 40, 2500, [
                    ("gen_ai.operation.name", "chat"),
                    ("gen_ai.system", "openai"),
                    ("gen_ai.request.model", "gpt-4o-mini"),
                    ("server.address", "api.openai.com"),
                    ("server.port", 443),
                    ("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
                    ("gen_ai.response.id", "chatcmpl-Noise0001"),
                    ("gen_ai.response.finish_reasons", ["stop"]),
                    ("gen_ai.usage.input_tokens", 800),
                    ("gen_ai.usage.output_tokens", 150),
                ], parent="POST /api/ask"),
            ]),
            scope("opentelemetry.instrumentation.httpx", "0.59b0", [
                span("POST", CLIENT, 45, 2480, [
                    ("http.request.method", "POST"),
                    ("url.full", "https://api.openai.com/v1/chat/completions"),
                    ("server.address", "api.openai.com"),
                    ("server.port", 443),
                    ("http.response.status_code", 200),
                ], parent="chat gpt-4o-mini"),
            ]),
        ]),
        resource("egress-proxy", [
            scope("opentelemetry.instrumentation.fastapi", "0.59b0", [
                span("POST /v1/chat/completions", SERVER, 50, 2460, [
                    ("http.request.method", "POST"),
                    ("url.scheme", "https"),
                    ("url.path", "/v1/chat/completions"),
                    ("http.route", "/v1/chat/completions"),
                    ("server.address", "api.openai.com"),
                    ("server.port", 443),
                    ("http.response.status_code", 200),
                ], parent="POST"),
            ]),
        ]),
    ],
    [call("chat gpt-4o-mini", "openai", "gpt-4o-mini", usage(input=800, output=150), "priced")],
    untouched=["POST /api/ask", "POST", "POST /v1/chat/completions"],
)


# ---------------------------------------------------------------------------
# Encoding
# ---------------------------------------------------------------------------

def any_value(v):
    # bool first: bool is a subclass of int.
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}  # proto3 JSON: int64 as a string
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            raise ValueError("NaN/Inf doubles are not representable in JSON")
        return {"doubleValue": v}
    if isinstance(v, str):
        return {"stringValue": v}
    if isinstance(v, (list, tuple)):
        return {"arrayValue": {"values": [any_value(x) for x in v]}}
    raise TypeError(f"unsupported attribute value {v!r}")


def attributes(pairs):
    return [{"key": k, "value": any_value(v)} for k, v in pairs]


def hexid(seed: str, nbytes: int) -> str:
    h = hashlib.sha256(seed.encode()).hexdigest()[: nbytes * 2]
    if int(h, 16) == 0:  # all-zero ids are invalid in OTLP
        h = "1" + h[1:]
    return h


def build(sc, index):
    name = sc["name"]
    base = sc["base"] or utc(2026, 11, 1, 12, 0, 0)
    if sc["base"] is None:
        base_ns = ns(base) + index * 60 * 1_000_000_000  # one minute apart per scenario
    else:
        base_ns = ns(base)
    trace_id = hexid(f"genai-written/{name}/trace", 16)
    span_ids = {}
    for res in sc["resources"]:
        for sc_ in res["scopes"]:
            for sp in sc_["spans"]:
                span_ids[sp["name"]] = hexid(f"genai-written/{name}/span/{sp['name']}", 8)
    resource_spans = []
    for res in sc["resources"]:
        scope_spans = []
        for sc_ in res["scopes"]:
            spans = []
            for sp in sc_["spans"]:
                start = base_ns + sp["start_ms"] * 1_000_000
                end = start + sp["dur_ms"] * 1_000_000
                out = {"traceId": trace_id, "spanId": span_ids[sp["name"]]}
                if sp["parent"] is not None:
                    out["parentSpanId"] = span_ids[sp["parent"]]
                out.update({
                    "name": sp["name"],
                    "kind": sp["kind"],
                    "startTimeUnixNano": str(start),
                    "endTimeUnixNano": str(end),
                    "attributes": attributes(sp["attrs"]),
                    "droppedAttributesCount": 0,
                    "events": [],
                    "droppedEventsCount": 0,
                    "status": {"code": sp["status"]},
                    "links": [],
                    "droppedLinksCount": 0,
                    "flags": 257,
                })
                spans.append(out)
            scope_obj = {"name": sc_["name"]}
            if sc_["version"]:
                scope_obj["version"] = sc_["version"]
            scope_spans.append({"scope": scope_obj, "spans": spans})
        resource_spans.append({
            "resource": {"attributes": attributes(res["attrs"]), "droppedAttributesCount": 0},
            "scopeSpans": scope_spans,
        })
    fixture = {"resourceSpans": resource_spans}
    expected = {
        "scenario": name,
        "library": sc["library"],
        "shape_source": sc["shape_source"],
        "calls": sc["calls"],
        "not_billable_spans": sc["not_billable"],
        "duplicate_spans": sc["duplicate"],
        "untouched_spans": sc["untouched"],
        "notes": sc["notes"],
    }
    return fixture, expected


def dump(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


# ---------------------------------------------------------------------------
# Validation (of the files as written, re-read from disk)
# ---------------------------------------------------------------------------

def is_hex(s, n):
    return isinstance(s, str) and len(s) == n and all(c in "0123456789abcdef" for c in s) and int(s, 16) != 0


def validate_value(v, where, errors):
    if not isinstance(v, dict) or len(v) != 1:
        errors.append(f"{where}: AnyValue must have exactly one field: {v!r}")
        return
    (k, x), = v.items()
    if k == "intValue":
        if not isinstance(x, str):
            errors.append(f"{where}: intValue must be a JSON string")
        else:
            try:
                int(x)
            except ValueError:
                errors.append(f"{where}: intValue {x!r} is not an integer")
    elif k == "doubleValue":
        if not isinstance(x, (int, float)) or isinstance(x, bool):
            errors.append(f"{where}: doubleValue must be a number")
    elif k == "stringValue":
        if not isinstance(x, str):
            errors.append(f"{where}: stringValue must be a string")
    elif k == "boolValue":
        if not isinstance(x, bool):
            errors.append(f"{where}: boolValue must be a bool")
    elif k == "arrayValue":
        for i, e in enumerate(x.get("values", [])):
            validate_value(e, f"{where}[{i}]", errors)
    else:
        errors.append(f"{where}: unexpected AnyValue field {k}")


def validate(name, seen_trace_ids):
    errors = []
    fx_path = os.path.join(OUT_DIR, f"{name}.json")
    ex_path = os.path.join(OUT_DIR, f"{name}.expected.json")
    with open(fx_path, encoding="utf-8") as f:
        fx = json.load(f)
    with open(ex_path, encoding="utf-8") as f:
        ex = json.load(f)

    spans = {}
    span_ids = set()
    trace_ids = set()
    for ri, rs in enumerate(fx.get("resourceSpans", [])):
        rattrs = {a["key"]: a["value"] for a in rs["resource"]["attributes"]}
        if "service.name" not in rattrs:
            errors.append(f"resourceSpans[{ri}]: no service.name")
        for a in rs["resource"]["attributes"]:
            validate_value(a["value"], f"resource {a['key']}", errors)
        for ss in rs["scopeSpans"]:
            if not ss.get("scope", {}).get("name"):
                errors.append(f"resourceSpans[{ri}]: scope without name")
            for sp in ss["spans"]:
                n = sp["name"]
                if n in spans:
                    errors.append(f"span name {n!r} is not unique")
                spans[n] = sp
                if not is_hex(sp["traceId"], 32):
                    errors.append(f"{n}: bad traceId {sp['traceId']!r}")
                if not is_hex(sp["spanId"], 16):
                    errors.append(f"{n}: bad spanId {sp['spanId']!r}")
                if sp["spanId"] in span_ids:
                    errors.append(f"{n}: duplicate spanId")
                span_ids.add(sp["spanId"])
                trace_ids.add(sp["traceId"])
                if "parentSpanId" in sp and not is_hex(sp["parentSpanId"], 16):
                    errors.append(f"{n}: bad parentSpanId")
                if sp.get("kind") not in (1, 2, 3, 4, 5):
                    errors.append(f"{n}: kind must be 1..5")
                s, e = sp["startTimeUnixNano"], sp["endTimeUnixNano"]
                if not (isinstance(s, str) and s.isdigit() and isinstance(e, str) and e.isdigit()):
                    errors.append(f"{n}: timestamps must be digit strings")
                elif int(e) < int(s):
                    errors.append(f"{n}: ends before it starts")
                for a in sp["attributes"]:
                    validate_value(a["value"], f"{n} {a['key']}", errors)
                keys = [a["key"] for a in sp["attributes"]]
                if len(keys) != len(set(keys)):
                    errors.append(f"{n}: repeated attribute key")
    for n, sp in spans.items():
        if "parentSpanId" in sp and sp["parentSpanId"] not in span_ids:
            errors.append(f"{n}: parent {sp['parentSpanId']} not in fixture")
    if len(trace_ids) != 1:
        errors.append(f"expected one trace id, found {len(trace_ids)}")
    for t in trace_ids:
        if t in seen_trace_ids:
            errors.append(f"trace id {t} reused from scenario {seen_trace_ids[t]}")
        seen_trace_ids[t] = name

    # Expectations.
    for key in ("scenario", "library", "shape_source", "calls", "not_billable_spans", "duplicate_spans",
                "untouched_spans", "notes"):
        if key not in ex:
            errors.append(f"expected: missing {key}")
    if ex.get("scenario") != name:
        errors.append("expected: scenario name mismatch")
    listed = []
    for c in ex.get("calls", []):
        listed.append(c["span"])
        if c["provider"] not in CANONICAL_PROVIDERS:
            errors.append(f"call {c['span']}: non-canonical provider {c['provider']}")
        if c["model"] not in ALLOWED_MODELS:
            errors.append(f"call {c['span']}: model {c['model']} not in the allowed list")
        if c["expect"] not in EXPECTS:
            errors.append(f"call {c['span']}: bad expect {c['expect']}")
        if c["expect"] in ("unpriced", "invalid") and not c.get("reason"):
            errors.append(f"call {c['span']}: {c['expect']} needs a reason")
        if c["expect"] in ("priced", "provider_reported") and c.get("reason"):
            errors.append(f"call {c['span']}: {c['expect']} must not have a reason")
        u = c["usage"]
        if u is None:
            if c["expect"] != "invalid":
                errors.append(f"call {c['span']}: usage null is only allowed for invalid calls")
        else:
            if set(u) != set(USAGE_KEYS):
                errors.append(f"call {c['span']}: usage keys must be {USAGE_KEYS}")
            if any(not isinstance(u[k], int) or u[k] < 0 for k in USAGE_KEYS):
                errors.append(f"call {c['span']}: usage values must be non-negative ints")
            elif u["reasoning"] > u["output"]:
                errors.append(f"call {c['span']}: reasoning must be inside output")
    listed += ex.get("not_billable_spans", []) + ex.get("duplicate_spans", []) + ex.get("untouched_spans", [])
    for n in listed:
        if n not in spans:
            errors.append(f"expected lists span {n!r} that is not in the fixture")
    dupes = {n for n in listed if listed.count(n) > 1}
    if dupes:
        errors.append(f"spans listed more than once: {sorted(dupes)}")
    for n in spans:
        if n not in listed:
            errors.append(f"span {n!r} is not classified in the expectations")
    return errors


def main():
    names = [s["name"] for s in SCENARIOS]
    if len(names) != len(set(names)):
        sys.exit("duplicate scenario names")
    for i, sc in enumerate(SCENARIOS):
        fixture, expected = build(sc, i)
        dump(os.path.join(OUT_DIR, f"{sc['name']}.json"), fixture)
        dump(os.path.join(OUT_DIR, f"{sc['name']}.expected.json"), expected)
    seen = {}
    failed = False
    for n in names:
        errs = validate(n, seen)
        for e in errs:
            print(f"{n}: {e}", file=sys.stderr)
        failed |= bool(errs)
    if failed:
        sys.exit(1)
    print(f"wrote and validated {len(names)} scenarios in {os.path.relpath(OUT_DIR)}")


if __name__ == "__main__":
    main()
