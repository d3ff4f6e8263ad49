package genaicostprocessor // import "github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor"

import (
	"context"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor/internal/metadata"
)

// outcome is a status, a reason category and whether the usage was
// estimated, the attributes of the span counter. Reasons are categories
// (unknown_model, negative, estimated:ratio, ...), never attribute values,
// so the set stays small.
type outcome struct {
	status, reason string
	estimated      bool
}

// outcomeCounts counts a batch's spans per outcome. A batch has one to a
// few outcomes, so a short list beats a map that hashes two strings.
type outcomeCounts []outcomeCount

type outcomeCount struct {
	o outcome
	n int64
}

func (c *outcomeCounts) add(o outcome) {
	for i := range *c {
		if (*c)[i].o == o {
			(*c)[i].n++
			return
		}
	}
	*c = append(*c, outcomeCount{o, 1})
}

// telemetry offers verbs over the generated instruments; a batch's counts
// are added once per outcome.
type telemetry struct {
	tb   *metadata.TelemetryBuilder
	opts sync.Map // outcome -> metric.MeasurementOption
}

func (t *telemetry) record(ctx context.Context, counts outcomeCounts, amount money.Nanos) {
	for _, c := range counts {
		t.tb.ProcessorGenaiCostSpans.Add(ctx, c.n, t.option(c.o))
	}
	if amount > 0 {
		t.tb.ProcessorGenaiCostAmount.Add(ctx, int64(amount))
	}
}

func (t *telemetry) option(o outcome) metric.MeasurementOption {
	if v, ok := t.opts.Load(o); ok {
		return v.(metric.MeasurementOption)
	}
	attrs := []attribute.KeyValue{attribute.String("status", o.status)}
	if o.reason != "" {
		attrs = append(attrs, attribute.String("reason", o.reason))
	}
	if o.estimated {
		attrs = append(attrs, attribute.Bool("estimated", true))
	}
	v, _ := t.opts.LoadOrStore(o, metric.WithAttributeSet(attribute.NewSet(attrs...)))
	return v.(metric.MeasurementOption)
}

var (
	attrReloadSuccess = metric.WithAttributeSet(attribute.NewSet(attribute.String("result", "success")))
	attrReloadFailure = metric.WithAttributeSet(attribute.NewSet(attribute.String("result", "failure")))
)

// reloaded counts a reload of the catalog, ok or not.
func (t *telemetry) reloaded(ctx context.Context, ok bool) {
	if ok {
		t.tb.ProcessorGenaiCostCatalogReloads.Add(ctx, 1, attrReloadSuccess)
	} else {
		t.tb.ProcessorGenaiCostCatalogReloads.Add(ctx, 1, attrReloadFailure)
	}
}
