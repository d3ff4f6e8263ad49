package sqlstore

import (
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// RollupKey identifies a rollup row: a time bucket, one dimension value
// (Dim "" is the total over all values), and the fixed breakdowns.
type RollupKey struct {
	Grain    string
	BucketMs int64
	Dim      string
	Value    string
	Provider string
	Model    string
	Service  string
	// Environment, like Provider, Model and Service, is set in total rows
	// only (Dim "").
	Environment string
	Currency    string
}

// RollupValues are the sums of a rollup row.
type RollupValues struct {
	Calls, Errors, Unpriced int64
	Tokens                  [meter.Count - 1]int64
	Cost                    int64
	CacheSaved              int64
	DurationMs              int64
	TTFTMs, TTFTCount       int64
	// List is the list cost (usage.Record.ListCost), Cost the actual.
	List int64
	// EstimatedCalls and EstimatedCost count the calls whose usage was
	// estimated, and their cost: part of Calls and Cost.
	EstimatedCalls, EstimatedCost int64
}

// Rollups aggregates records in memory: the rows a batch adds to each
// rollup key, so that a batch costs one upsert per key, not per record.
//
// A record adds to three kinds of rows: the total of its hour and of its
// day, by provider, model, service, environment and currency (Dim ""); and, for each
// dimension, the row of its day and value by currency alone, and of its
// hour too for the dimensions with few values (HourlyDimension), and of its
// week too for users (WeeklyDimension). Dimension rows are not by
// provider, model or service, and a user or a session has no hourly rows:
// such a value has about as many hours with calls as it has calls, so
// those rows would be as many as the records, make every batch pay for
// them, and answer nothing faster.
//
// Add sums each record into groups by hour: one of the total (by
// provider, model, service, environment and currency) and one per dimension (by value
// and currency); Rows spreads each group over the rows of its hour, day
// and week. One lookup per dimension and one for the total, of small
// keys, instead of one per row of the whole key.
type Rollups struct {
	totals map[totalGroup]*RollupValues
	dims   map[dimGroup]*RollupValues
}

type totalGroup struct {
	hourMs                                          int64
	provider, model, service, environment, currency string
}

type dimGroup struct {
	hourMs          int64
	dim             int
	value, currency string
}

// Add adds one inserted record to every rollup it belongs to.
func (r *Rollups) Add(rec *usage.Record) {
	if r.totals == nil {
		r.totals = make(map[totalGroup]*RollupValues)
		r.dims = make(map[dimGroup]*RollupValues)
	}
	hour := store.BucketStart(time.UnixMilli(rec.StartMillis()), store.GrainHour).UnixMilli()
	sum(r.totals, totalGroup{hourMs: hour, provider: rec.Provider, model: rec.Model, service: rec.Service, environment: rec.Environment, currency: rec.Currency}).add(rec)
	for d, v := range rec.Dims.Values() {
		sum(r.dims, dimGroup{hourMs: hour, dim: d, value: v, currency: rec.Currency}).add(rec)
	}
}

// Remove takes one record away from every rollup it belongs to: with Add
// of its new version, what a repricing changes in the rollups.
func (r *Rollups) Remove(rec *usage.Record) {
	if r.totals == nil {
		r.totals = make(map[totalGroup]*RollupValues)
		r.dims = make(map[dimGroup]*RollupValues)
	}
	var v RollupValues
	v.add(rec)
	hour := store.BucketStart(time.UnixMilli(rec.StartMillis()), store.GrainHour).UnixMilli()
	sum(r.totals, totalGroup{hourMs: hour, provider: rec.Provider, model: rec.Model, service: rec.Service, environment: rec.Environment, currency: rec.Currency}).Merge(&v, -1)
	for d, val := range rec.Dims.Values() {
		sum(r.dims, dimGroup{hourMs: hour, dim: d, value: val, currency: rec.Currency}).Merge(&v, -1)
	}
}

// sum returns the sums of key k in m, adding them if new.
func sum[K comparable](m map[K]*RollupValues, k K) *RollupValues {
	v := m[k]
	if v == nil {
		v = &RollupValues{}
		m[k] = v
	}
	return v
}

// Rows returns the sums of every rollup row the added records belong to.
// Hours nest in days and days in weeks, so a group's hour tells them.
func (r *Rollups) Rows() map[RollupKey]*RollupValues {
	rows := make(map[RollupKey]*RollupValues, 2*len(r.totals)+len(r.dims))
	for g, v := range r.totals {
		k := RollupKey{Grain: store.GrainHour, BucketMs: g.hourMs, Provider: g.provider, Model: g.model, Service: g.service, Environment: g.environment, Currency: g.currency}
		sum(rows, k).Merge(v, 1)
		k.Grain, k.BucketMs = store.GrainDay, store.BucketStart(time.UnixMilli(g.hourMs), store.GrainDay).UnixMilli()
		sum(rows, k).Merge(v, 1)
	}
	for g, v := range r.dims {
		start := time.UnixMilli(g.hourMs)
		k := RollupKey{Grain: store.GrainDay, BucketMs: store.BucketStart(start, store.GrainDay).UnixMilli(), Dim: usage.DimensionNames[g.dim], Value: g.value, Currency: g.currency}
		sum(rows, k).Merge(v, 1)
		switch dimGrains[g.dim] {
		case store.GrainHour:
			k.Grain, k.BucketMs = store.GrainHour, g.hourMs
			sum(rows, k).Merge(v, 1)
		case store.GrainWeek:
			k.Grain, k.BucketMs = store.GrainWeek, store.BucketStart(start, store.GrainWeek).UnixMilli()
			sum(rows, k).Merge(v, 1)
		}
	}
	return rows
}

// dimGrains is, in DimensionNames order, the grain each dimension has
// rollup rows of beside days: hours for those whose values are few
// (teams, departments, session types, features, API keys), weeks for
// users, so that a month's ranking of a thousand users reads a fifth of
// the rows. Sessions have days only: most last minutes, so their week
// rows would be as many as their day rows.
var dimGrains = func() (m [len(usage.DimensionNames)]string) {
	for i, n := range usage.DimensionNames {
		switch n {
		case "user":
			m[i] = store.GrainWeek
		case "session":
		default:
			m[i] = store.GrainHour
		}
	}
	return m
}()

func dimGrain(name string) string {
	for i, n := range usage.DimensionNames {
		if n == name {
			return dimGrains[i]
		}
	}
	return ""
}

// HourlyDimension reports whether the dimension name has hourly rollup
// rows as well as daily ones.
func HourlyDimension(name string) bool { return dimGrain(name) == store.GrainHour }

// WeeklyDimension reports whether the dimension name has weekly rollup
// rows as well as daily ones.
func WeeklyDimension(name string) bool { return dimGrain(name) == store.GrainWeek }

// IndexedDimension reports whether the records are indexed by the
// dimension's value and start (usage_records_user, usage_records_session):
// the dimensions with many values, whose calls are read value by value.
func IndexedDimension(name string) bool { return name == "user" || name == "session" }

func (v *RollupValues) add(rec *usage.Record) {
	v.Calls++
	if rec.Failed() {
		v.Errors++
	}
	if genaiconv.Unpriced(rec.Status) {
		v.Unpriced++
	}
	for i, m := range TokenMeters {
		v.Tokens[i] += rec.Tokens[m]
	}
	v.Cost += int64(rec.Cost)
	v.List += int64(rec.ListCost)
	if rec.Estimated {
		v.EstimatedCalls++
		v.EstimatedCost += int64(rec.Cost)
	}
	v.CacheSaved += int64(rec.CacheSaved)
	v.DurationMs += rec.Duration.Milliseconds()
	if rec.TTFT.Milliseconds() > 0 { // as the records count it: whole milliseconds
		v.TTFTMs += rec.TTFT.Milliseconds()
		v.TTFTCount++
	}
}

// Merge adds o to v, times sign (1 to add, -1 to take away).
func (v *RollupValues) Merge(o *RollupValues, sign int64) {
	v.Calls += sign * o.Calls
	v.Errors += sign * o.Errors
	v.Unpriced += sign * o.Unpriced
	for i := range v.Tokens {
		v.Tokens[i] += sign * o.Tokens[i]
	}
	v.Cost += sign * o.Cost
	v.List += sign * o.List
	v.EstimatedCalls += sign * o.EstimatedCalls
	v.EstimatedCost += sign * o.EstimatedCost
	v.CacheSaved += sign * o.CacheSaved
	v.DurationMs += sign * o.DurationMs
	v.TTFTMs += sign * o.TTFTMs
	v.TTFTCount += sign * o.TTFTCount
}
