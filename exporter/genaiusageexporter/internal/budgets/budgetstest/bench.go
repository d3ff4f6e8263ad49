package budgetstest

import (
	"context"
	"testing"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/budgets"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/storetest"
	"github.com/otelcol-genai/otelcol-genai/internal/budget"
)

// Bench measures budget statuses and checks on a store filled by
// storetest.FillYear (a year of calls of 1,000 users in 20 tenants), at
// 19:00 UTC on the year's last day: month windows in New York (ragged
// ends, both read partly from the records) and a day window per user.
func Bench(b *testing.B, q budgets.Querier) {
	ctx := context.Background()
	now := storetest.Base.Add(365*24*time.Hour - 5*time.Hour)
	ny := budget.Period{Kind: budget.Month, TimeZone: "America/New_York"}
	specs := []budget.Spec{
		{ID: "everything", Period: ny, Limit: "100000", Currency: "USD"},
		{ID: "tenant", Scope: budget.Scope{Dimensions: map[string]string{"tenant": "team-17"}}, Period: ny, Limit: "5000", Currency: "USD"},
		{ID: "model", Scope: budget.Scope{Model: "gpt-4o-mini"}, Period: ny, Limit: "5000", Currency: "USD"},
		{ID: "each-user-month", Scope: budget.Scope{Each: "user"}, Period: ny, Limit: "100", Currency: "USD"},
		{ID: "each-user-day", Scope: budget.Scope{Each: "user"}, Period: budget.Period{Kind: budget.Day}, Limit: "5", Currency: "USD", Enforce: true},
	}
	bs, err := budgets.Compile(specs)
	if err != nil {
		b.Fatal(err)
	}
	svc := budgets.New(q, bs, budgets.DefaultTopValues)
	subj := budget.Subject{Dimensions: map[string]string{"user": "u-17", "tenant": "team-17"}}
	cases := []struct {
		name string
		run  func() error
	}{
		{"Check/user", func() error {
			d, err := svc.Check(ctx, &subj, now)
			if err == nil && len(d.Lines) != 4 {
				b.Fatalf("%d budgets in force, want 4", len(d.Lines))
			}
			return err
		}},
		{"Status/all", func() error { _, err := svc.Statuses(ctx, now); return err }},
		// The gauges' and notifications' pass over the five.
		{"Refresh", func() error { _, _, err := svc.Refresh(ctx, now, budgets.DefaultTopValues); return err }},
	}
	for _, id := range []string{"everything", "tenant", "model", "each-user-month", "each-user-day"} {
		cases = append(cases, struct {
			name string
			run  func() error
		}{"Status/" + id, func() error { _, err := svc.Status(ctx, id, now); return err }})
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if err := bc.run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
		})
	}
}
