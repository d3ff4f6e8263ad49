package genaiconv

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    pcommon.Value
		want money.Nanos
		ok   bool
	}{
		{"double", pcommon.NewValueDouble(0.0125), 12_500_000, true},
		{"int", pcommon.NewValueInt(3), 3_000_000_000, true},
		{"decimal string, exact", pcommon.NewValueStr("0.000000001"), 1, true},
		{"exponent string, exact", pcommon.NewValueStr(" 1e-3 "), 1_000_000, true},
		{"more decimals than nanos: the nearest nano", pcommon.NewValueStr("0.0025000000004"), 2_500_000, true},
		{"negative kept for the caller", pcommon.NewValueDouble(-0.5), -500_000_000, true},
		{"int too large for nanos", pcommon.NewValueInt(math.MaxInt64 / 2), 0, false},
		{"not a number", pcommon.NewValueStr("free"), 0, false},
		{"empty string", pcommon.NewValueStr(""), 0, false},
		{"NaN", pcommon.NewValueDouble(math.NaN()), 0, false},
		{"bool", pcommon.NewValueBool(true), 0, false},
	} {
		got, ok := ParseAmount(tc.v)
		assert.Equal(t, tc.ok, ok, tc.name)
		if tc.ok {
			assert.Equal(t, tc.want, got, tc.name)
		}
	}
}
