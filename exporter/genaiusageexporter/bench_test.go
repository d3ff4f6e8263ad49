package genaiusageexporter

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-genai/otelcol-genai/internal/fixtures"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// BenchmarkPushTraces measures the exporter's whole write path on SQLite:
// converting priced spans to records, storing them with their rollups,
// and the Prometheus metrics, for batches of the exporter's size under
// load (sending_queue.batch.min_size) made of the fixtures' billable
// calls, given new ids and starts within the last hour.
func BenchmarkPushTraces(b *testing.B) {
	fxs, err := fixtures.Load("captured", "written")
	require.NoError(b, err)
	conv := testConverter(b, nil)
	template := ptrace.NewTraces()
	perTemplate := 0
	for _, fx := range fxs {
		for _, td := range priceTraces(b, fx.Traces) {
			if n := len(recordsOf(conv, nil, td)); n > 0 {
				perTemplate += n
				td.ResourceSpans().MoveAndAppendTo(template.ResourceSpans())
			}
		}
	}
	require.NotZero(b, perTemplate)
	const batch = 20_000
	copies := (batch + perTemplate - 1) / perTemplate
	run := startExporter(b, testConfig(b))
	ctx := context.Background()
	var seq uint64
	records := 0
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		td := ptrace.NewTraces()
		base := time.Now().Add(-time.Hour)
		for range copies {
			seq++
			for i := 0; i < template.ResourceSpans().Len(); i++ {
				rs := td.ResourceSpans().AppendEmpty()
				template.ResourceSpans().At(i).CopyTo(rs)
				for j := 0; j < rs.ScopeSpans().Len(); j++ {
					spans := rs.ScopeSpans().At(j).Spans()
					for k := 0; k < spans.Len(); k++ {
						sp := spans.At(k)
						tid := sp.TraceID()
						binary.BigEndian.PutUint64(tid[:8], seq)
						sp.SetTraceID(tid)
						d := sp.EndTimestamp().AsTime().Sub(sp.StartTimestamp().AsTime())
						start := base.Add(time.Duration(seq%3600) * time.Second)
						sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
						sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(d)))
					}
				}
			}
		}
		records += copies * perTemplate
		b.StartTimer()
		if err := run.impl.pushTraces(ctx, td); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkConvert measures turning priced spans into records alone: the
// fixtures' billable calls, read the way the exporter reads every batch.
func BenchmarkConvert(b *testing.B) {
	fxs, err := fixtures.Load("captured", "written")
	require.NoError(b, err)
	conv := testConverter(b, nil)
	var priced []ptrace.Traces
	n := 0
	for _, fx := range fxs {
		for _, td := range priceTraces(b, fx.Traces) {
			if k := len(recordsOf(conv, nil, td)); k > 0 {
				priced, n = append(priced, td), n+k
			}
		}
	}
	recs := make([]usage.Record, 0, n)
	b.ReportAllocs()
	for b.Loop() {
		recs = recs[:0]
		for _, td := range priced {
			recs = recordsOf(conv, recs, td)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
}
