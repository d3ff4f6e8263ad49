package genaiconv

import (
	"math"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// ParseAmount reads an amount of money in currency units, as emitters and
// the processor write it: a double, an int or a decimal string. A decimal
// string ("0.0025", "1e-3") and an int are read exactly; a double, or a
// string with more decimals than nanos hold, is taken at its nearest nano. The processor
// reading an emitter's cost and the exporter reading the span afterwards
// use this one reading, so they agree on every value. Negative amounts
// are returned as they are: callers decide.
func ParseAmount(v pcommon.Value) (money.Nanos, bool) {
	switch v.Type() {
	case pcommon.ValueTypeDouble:
		return money.FromFloat64(v.Double())
	case pcommon.ValueTypeInt:
		if n := v.Int(); n < math.MaxInt64/money.NanosPerUnit && n > math.MinInt64/money.NanosPerUnit {
			return money.Nanos(n * money.NanosPerUnit), true
		}
	case pcommon.ValueTypeStr:
		if n, err := money.ParseDecimal(v.Str()); err == nil {
			return n, true
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(v.Str()), 64); err == nil {
			return money.FromFloat64(f)
		}
	}
	return 0, false
}
