package genaiusageexporter // import "github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// keySlots numbers the attribute keys the converter reads.
type keySlots map[string]int

// add numbers keys and returns their slots.
func (k keySlots) add(keys ...string) []int {
	slots := make([]int, len(keys))
	for i, key := range keys {
		s, ok := k[key]
		if !ok {
			s = len(k)
			k[key] = s
		}
		slots[i] = s
	}
	return slots
}

// attrView answers Get, for the keys of its slots, from one pass over an
// attribute map. The converter asks a span for about 130 keys, most of
// them absent, and each miss of pcommon.Map.Get scans the whole map: that
// was most of the time a call's conversion took (docs/benchmarks.md).
// Other keys are looked up in the map itself.
type attrView struct {
	slots keySlots
	m     pcommon.Map
	vals  []pcommon.Value
	has   []bool
}

func newAttrView(slots keySlots) *attrView {
	return &attrView{slots: slots, vals: make([]pcommon.Value, len(slots)), has: make([]bool, len(slots))}
}

// load makes the view answer for m. Of a key set twice, the first value
// counts, as with pcommon.Map.Get.
func (v *attrView) load(m pcommon.Map) {
	v.m = m
	clear(v.has)
	m.Range(func(k string, val pcommon.Value) bool {
		if s, ok := v.slots[k]; ok && !v.has[s] {
			v.vals[s], v.has[s] = val, true
		}
		return true
	})
}

// at is Get of the key in slot s.
func (v *attrView) at(s int) (pcommon.Value, bool) { return v.vals[s], v.has[s] }

// firstAt is firstOf over the keys in slots.
func (v *attrView) firstAt(slots []int) string {
	for _, s := range slots {
		if val, ok := v.at(s); ok {
			if t := textOf(val); t != "" {
				return t
			}
		}
	}
	return ""
}

func (v *attrView) Get(key string) (pcommon.Value, bool) {
	s, ok := v.slots[key]
	if !ok {
		return v.m.Get(key)
	}
	return v.vals[s], v.has[s]
}
