package sqlstore

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
)

func TestPlan(t *testing.T) {
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) // a Sunday
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	var open time.Time
	add := func(from, to time.Time, grain string) segment { return segment{from: from, to: to, grain: grain} }
	sub := func(from, to time.Time, grain string) segment {
		return segment{from: from, to: to, grain: grain, neg: true}
	}
	both := []string{store.GrainDay, store.GrainHour}
	weeks := []string{store.GrainWeek, store.GrainDay}
	for _, tc := range []struct {
		name     string
		from, to time.Time
		grains   []string
		kept     time.Time
		want     []segment
	}{
		{"open range", open, open, both, open, []segment{add(open, open, store.GrainDay)}},
		{"whole days", at(0, 0), at(72, 0), both, open, []segment{add(at(0, 0), at(72, 0), store.GrainDay)}},
		{"days and hours", at(20, 0), at(50, 0), both, open, []segment{
			add(at(20, 0), at(24, 0), store.GrainHour), add(at(24, 0), at(48, 0), store.GrainDay), add(at(48, 0), at(50, 0), store.GrainHour)}},
		{"ragged ends", at(23, 30), at(49, 10), both, open, []segment{
			add(at(23, 30), at(24, 0), ""), add(at(24, 0), at(48, 0), store.GrainDay), add(at(48, 0), at(49, 0), store.GrainHour), add(at(49, 0), at(49, 10), "")}},
		{"inside one hour", at(5, 10), at(5, 50), both, open, []segment{add(at(5, 10), at(5, 50), "")}},
		{"open start", open, at(30, 0), both, open, []segment{add(open, at(24, 0), store.GrainDay), add(at(24, 0), at(30, 0), store.GrainHour)}},
		// 18 hours of the first day are its rows less the 6 before; the
		// last 12 hours are read as they are (their rest is as long).
		{"days less hours", at(6, 0), at(60, 0), []string{store.GrainDay}, open, []segment{
			add(at(0, 0), at(24, 0), store.GrainDay), sub(at(0, 0), at(6, 0), ""), add(at(24, 0), at(48, 0), store.GrainDay), add(at(48, 0), at(60, 0), "")}},
		{"not less what retention dropped", at(6, 0), at(60, 0), []string{store.GrainDay}, at(3, 0), []segment{
			add(at(6, 0), at(24, 0), ""), add(at(24, 0), at(48, 0), store.GrainDay), add(at(48, 0), at(60, 0), "")}},
		{"to now", at(0, 0), at(40, 0), []string{store.GrainDay}, open, []segment{
			add(at(0, 0), at(24, 0), store.GrainDay), add(at(24, 0), at(48, 0), store.GrainDay), sub(at(40, 0), at(48, 0), "")}},
		{"weeks and days", at(-20, 0), at(24*16+3, 0), weeks, open, []segment{
			add(at(-24, 0), at(0, 0), store.GrainDay), sub(at(-24, 0), at(-20, 0), ""), add(at(0, 0), at(24, 0), store.GrainDay),
			add(at(24, 0), at(24*15, 0), store.GrainWeek), add(at(24*15, 0), at(24*16, 0), store.GrainDay), add(at(24*16, 0), at(24*16+3, 0), "")}},
		{"no whole week", at(24, 0), at(24*7, 0), weeks, open, []segment{add(at(24, 0), at(24*7, 0), store.GrainDay)}},
		{"a week less hours", at(24, 0), at(355, 0), weeks, open, []segment{
			add(at(24, 0), at(192, 0), store.GrainWeek), add(at(192, 0), at(360, 0), store.GrainWeek), sub(at(355, 0), at(360, 0), "")}},
		// The rest taken away is itself a day less an hour.
		{"less, less", at(24, 0), at(313, 0), weeks, open, []segment{
			add(at(24, 0), at(192, 0), store.GrainWeek), add(at(192, 0), at(360, 0), store.GrainWeek),
			sub(at(312, 0), at(336, 0), store.GrainDay), add(at(312, 0), at(313, 0), ""), sub(at(336, 0), at(360, 0), store.GrainDay)}},
		{"records only", at(6, 0), at(60, 0), nil, open, []segment{add(at(6, 0), at(60, 0), "")}},
		{"empty", at(6, 0), at(6, 0), both, open, []segment{add(at(6, 0), at(6, 0), "")}},
	} {
		got := plan(tc.from, tc.to, tc.grains, tc.kept)
		assert.Equal(t, tc.want, got, tc.name)
		// Whatever the parts, each instant of the range is counted once
		// and each outside it not at all.
		for h := -48; h < 24*20; h++ {
			at := day.Add(time.Duration(h)*time.Hour + 17*time.Minute)
			in := (tc.from.IsZero() || !at.Before(tc.from)) && (tc.to.IsZero() || at.Before(tc.to))
			n := 0
			for _, s := range got {
				if (s.from.IsZero() || !at.Before(s.from)) && (s.to.IsZero() || at.Before(s.to)) {
					n += map[bool]int{false: 1, true: -1}[s.neg]
				}
			}
			assert.Equal(t, map[bool]int{false: 0, true: 1}[in], n, "%s at %s", tc.name, at)
		}
	}
}
