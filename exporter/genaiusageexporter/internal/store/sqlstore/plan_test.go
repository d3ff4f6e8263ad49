package sqlstore

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
)

func TestPlan(t *testing.T) {
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	both := []string{store.GrainDay, store.GrainHour}
	for _, tc := range []struct {
		name     string
		from, to time.Time
		grains   []string
		want     []segment
	}{
		{"open range", time.Time{}, time.Time{}, both, []segment{{time.Time{}, time.Time{}, store.GrainDay}}},
		{"whole days", at(0, 0), at(72, 0), both, []segment{{at(0, 0), at(72, 0), store.GrainDay}}},
		{"days and hours", at(20, 0), at(50, 0), both, []segment{
			{at(20, 0), at(24, 0), store.GrainHour}, {at(24, 0), at(48, 0), store.GrainDay}, {at(48, 0), at(50, 0), store.GrainHour}}},
		{"ragged ends", at(23, 30), at(49, 10), both, []segment{
			{at(23, 30), at(24, 0), ""}, {at(24, 0), at(48, 0), store.GrainDay}, {at(48, 0), at(49, 0), store.GrainHour}, {at(49, 0), at(49, 10), ""}}},
		{"inside one hour", at(5, 10), at(5, 50), both, []segment{{at(5, 10), at(5, 50), ""}}},
		{"open start", time.Time{}, at(30, 0), both, []segment{{time.Time{}, at(24, 0), store.GrainDay}, {at(24, 0), at(30, 0), store.GrainHour}}},
		{"days only", at(6, 0), at(60, 0), []string{store.GrainDay}, []segment{
			{at(6, 0), at(24, 0), ""}, {at(24, 0), at(48, 0), store.GrainDay}, {at(48, 0), at(60, 0), ""}}},
		{"records only", at(6, 0), at(60, 0), nil, []segment{{at(6, 0), at(60, 0), ""}}},
		{"empty", at(6, 0), at(6, 0), both, []segment{{at(6, 0), at(6, 0), ""}}},
	} {
		assert.Equal(t, tc.want, plan(tc.from, tc.to, tc.grains), tc.name)
	}
}
