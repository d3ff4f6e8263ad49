package genaiusageexporter

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// A stream abandoned before its usage chunk, whose span carries its
// messages, beside a measured call: the real processor estimates the
// first, and the stores keep it flagged and apart in every sum.
func TestExporterKeepsEstimatesApart(t *testing.T) {
	onEachStore(t, func(t *testing.T, cfg *Config) {
		run := startExporter(t, cfg)
		measured := chargingCall(time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC), 1, "alice")
		abandoned := llmTraces(func(a pcommon.Map) {
			a.PutStr("gen_ai.provider.name", "openai")
			a.PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"hello world"}]}]`)
			a.PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"hello world"}]}]`)
		})
		s := abandoned.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
		s.SetSpanID(pcommon.SpanID{9, 9})
		for _, td := range priceTraces(t, measured, abandoned) {
			require.NoError(t, run.exp.ConsumeTraces(context.Background(), td))
		}
		recs := exportRecords(t, run.impl.store)
		require.Len(t, recs, 2)
		var est, meas money.Nanos
		for _, r := range recs {
			if r.Estimated {
				est = r.Cost
				assert.Equal(t, "priced", r.Status)
				assert.Equal(t, "estimated:tokenizer:o200k_base", r.Reason)
				assert.Equal(t, int64(2), r.Tokens[0], "\"hello world\" is 2 tokens")
			} else {
				meas = r.Cost
			}
		}
		require.Positive(t, est)
		require.Equal(t, money.Nanos(225_000_000), meas)
		for _, f := range []store.Filter{{}, {Search: "gpt"}} { // rollups, then records
			sum, err := run.impl.store.Summary(context.Background(), f)
			require.NoError(t, err)
			assert.Equal(t, int64(1), sum.EstimatedCalls, "%+v", f)
			assert.Equal(t, map[string]money.Nanos{"USD": est}, sum.EstimatedCost, "%+v", f)
			assert.Equal(t, map[string]money.Nanos{"USD": meas}, map[string]money.Nanos{"USD": sum.Cost["USD"] - sum.EstimatedCost["USD"]},
				"the measured cost is the cost less the estimated")
		}
		fams := scrape(t, run)
		assert.InDelta(t, 1, counterSum(fams["genai_usage_estimated_calls_total"]), 0)
		assert.InDelta(t, est.Float64(), counterSum(fams["genai_usage_estimated_cost_total"]), 1e-12)
	})
}
