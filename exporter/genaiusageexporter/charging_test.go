package genaiusageexporter

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/contract"
	"github.com/otelcol-genai/otelcol-genai/internal/fx"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// pgDSN creates a database for the test on the PostgreSQL of
// OTELCOL_GENAI_PG_DSN (or .ci/postgres's), dropped after it; it skips
// without a server unless OTELCOL_GENAI_REQUIRE_PG=1.
func pgDSN(t *testing.T) string {
	t.Helper()
	admin := os.Getenv("OTELCOL_GENAI_PG_DSN")
	if admin == "" {
		admin = "postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		if os.Getenv("OTELCOL_GENAI_REQUIRE_PG") == "1" {
			t.Fatalf("postgres unreachable: %v", err)
		}
		t.Skipf("postgres unreachable (run .ci/postgres): %v", err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "otelcol_genai_exp_" + hex.EncodeToString(b[:])
	_, err = conn.Exec(ctx, "CREATE DATABASE "+name)
	require.NoError(t, err)
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err == nil {
			_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			_ = c.Close(context.Background())
		}
	})
	cfg, err := pgx.ParseConfig(admin)
	require.NoError(t, err)
	return fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Password, cfg.Host, cfg.Port, name)
}

// onEachStore runs fn on the test configuration with a SQLite store, then
// with a PostgreSQL one (skipped without a server, unless
// OTELCOL_GENAI_REQUIRE_PG=1).
func onEachStore(t *testing.T, fn func(t *testing.T, cfg *Config)) {
	for _, backend := range []string{DriverSQLite, DriverPostgres} {
		t.Run(backend, func(t *testing.T) {
			cfg := testConfig(t)
			if backend == DriverPostgres {
				cfg.Store.Driver, cfg.Store.Postgres.DSN = DriverPostgres, configopaque.String(pgDSN(t))
			}
			fn(t, cfg)
		})
	}
}

// chargingCall is one gpt-4o-mini call at start by user.
func chargingCall(start time.Time, span byte, user string) ptrace.Traces {
	td := llmTraces(func(a pcommon.Map) {
		a.PutStr("gen_ai.provider.name", "openai")
		a.PutInt("gen_ai.usage.input_tokens", 1_200_000) // 200k of them cached
		a.PutInt("gen_ai.usage.cache_read.input_tokens", 200_000)
		a.PutInt("gen_ai.usage.output_tokens", 100_000)
		a.PutStr("user.id", user)
	})
	s := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	s.SetSpanID(pcommon.SpanID{span, 1})
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Second)))
	return td
}

// A contract renegotiated mid-month and a reporting currency, on both
// stores: each call is charged with the term and the exchange rate in
// force at its start, keeps its list cost, its cost before conversion
// and the rate, and the sums add them up per currency. A call before the
// first rate stays in dollars, apart.
func TestExporterChargesContractsAndCurrencies(t *testing.T) {
	onEachStore(t, func(t *testing.T, cfg *Config) {
		rates := filepath.Join(t.TempDir(), "rates.csv")
		require.NoError(t, os.WriteFile(rates, []byte("date,base,quote,rate\n2026-11-02,EUR,USD,1.06\n2026-11-16,EUR,USD,1.05\n2026-11-30,EUR,USD,1.0823\n"), 0o600))
		cfg.ReportingCurrency = "EUR"
		cfg.ExchangeRates.Files = []string{rates}
		cfg.Contracts = []contract.Config{
			{Name: "openai", From: "2026-11-01", To: "2026-11-15", Match: map[string]string{"provider": "openai"}, Multiplier: "0.9"},
			{Name: "openai", From: "2026-11-15", Match: map[string]string{"provider": "openai"}, Multiplier: "0.8"},
		}
		require.NoError(t, cfg.Validate())
		run := startExporter(t, cfg)

		// The list price of each call: 1M x 0.15 + 200k x 0.075 + 100k x 0.6 per million.
		const list = money.Nanos(225_000_000)
		calls := []struct {
			at             time.Time
			contract, mult string
			rate           string // "" stays in USD
		}{
			{time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), "openai@2026-11-01", "0.9", ""},
			{time.Date(2026, 11, 14, 23, 59, 0, 0, time.UTC), "openai@2026-11-01", "0.9", "USD>EUR:EUR/USD=1.06@2026-11-02"},
			{time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC), "openai@2026-11-15", "0.8", "USD>EUR:EUR/USD=1.06@2026-11-02"},
			{time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC), "openai@2026-11-15", "0.8", "USD>EUR:EUR/USD=1.05@2026-11-16"},
			{time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC), "openai@2026-11-15", "0.8", "USD>EUR:EUR/USD=1.0823@2026-11-30"},
		}
		for i, c := range calls {
			require.NoError(t, run.exp.ConsumeTraces(context.Background(), priceTraces(t, chargingCall(c.at, byte(i+1), "alice"))[0]))
		}
		wantCost, wantList := map[string]money.Nanos{}, map[string]money.Nanos{}
		var recs []usage.Record
		require.NoError(t, run.impl.store.Export(context.Background(), store.Filter{}, func(r *usage.Record) error {
			recs = append(recs, *r)
			return nil
		}))
		require.Len(t, recs, len(calls))
		for i, c := range calls {
			r := recs[i]
			assert.Equal(t, c.contract, r.Contract, "%v", c.at)
			assert.Equal(t, c.mult, r.Multiplier)
			assert.Equal(t, c.rate, r.FXRate)
			term, err := contract.New([]contract.Config{{Name: "x", From: "2026-01-01", Multiplier: c.mult}})
			require.NoError(t, err)
			// The processor's parts: 0.15, 0.015 and 0.06.
			parts := []money.Nanos{150_000_000, 15_000_000, 60_000_000}
			var actual, listed money.Nanos
			for _, p := range parts {
				a, l := term.Terms()[0].Apply(p), p
				if c.rate != "" {
					rate, err := fx.ParseRate(c.rate)
					require.NoError(t, err)
					a, l = rate.Convert(a), rate.Convert(l)
				}
				actual, listed = actual+a, listed+l
			}
			if c.rate == "" {
				assert.Equal(t, "USD", r.Currency, "no rate before the 2nd: left in dollars")
				assert.Equal(t, list, r.ListCost)
				assert.Empty(t, r.SourceCurrency)
			} else {
				assert.Equal(t, "EUR", r.Currency)
				assert.Equal(t, "USD", r.SourceCurrency)
				assert.Equal(t, term.Terms()[0].Apply(150_000_000)+term.Terms()[0].Apply(15_000_000)+term.Terms()[0].Apply(60_000_000), r.SourceCost)
			}
			assert.Equal(t, actual, r.Cost, "%v", c.at)
			assert.Equal(t, listed, r.ListCost, "%v", c.at)
			assert.Less(t, r.Cost, r.ListCost)
			wantCost[r.Currency] += r.Cost
			wantList[r.Currency] += r.ListCost
		}
		for _, f := range []store.Filter{{}, {Search: "gpt"}} { // rollups, then records
			sum, err := run.impl.store.Summary(context.Background(), f)
			require.NoError(t, err)
			assert.Equal(t, wantCost, sum.Cost, "%+v", f)
			assert.Equal(t, wantList, sum.ListCost, "%+v", f)
		}
		assert.Equal(t, money.Nanos(202_500_000), wantCost["USD"], "0.9 x 0.225 USD, apart from the euros")

		// The record's detail says how its amounts were derived.
		var detail struct {
			Data struct {
				ListCost string `json:"list_cost"`
				Contract struct {
					ID, Multiplier string
				} `json:"contract"`
				Conversion struct {
					Legs []struct {
						Base, Quote, Rate string
						Inverted          bool
					} `json:"legs"`
					SourceCost string `json:"source_cost"`
				} `json:"conversion"`
				Recharged struct {
					Cost string `json:"cost"`
					Same bool   `json:"same"`
				} `json:"recharged"`
			} `json:"data"`
		}
		last := recs[len(recs)-1]
		require.Equal(t, 200, get(t, "http://"+run.impl.addrs["api"]+"/api/v1/usage/records/"+last.ID()+"/pricing", &detail))
		d := detail.Data
		assert.Equal(t, last.ListCost.String(), d.ListCost)
		assert.Equal(t, "openai@2026-11-15", d.Contract.ID)
		assert.Equal(t, "0.8", d.Contract.Multiplier)
		require.Len(t, d.Conversion.Legs, 1)
		assert.Equal(t, "1.0823", d.Conversion.Legs[0].Rate)
		assert.True(t, d.Conversion.Legs[0].Inverted, "dollars into euros divides by EUR/USD")
		assert.Equal(t, "0.18", d.Conversion.SourceCost)
		assert.True(t, d.Recharged.Same)
		assert.Equal(t, last.Cost.String(), d.Recharged.Cost)

		// The metrics count both amounts.
		fams := scrape(t, run)
		assert.InDelta(t, wantList["EUR"].Float64()+wantList["USD"].Float64(), counterSum(fams["genai_usage_list_cost_total"]), 1e-9)
		assert.InDelta(t, wantCost["EUR"].Float64()+wantCost["USD"].Float64(), counterSum(fams["genai_usage_cost_total"]), 1e-9)
	})
}

func TestChargingConfigErrors(t *testing.T) {
	for _, c := range []struct {
		set  func(*Config)
		want string
	}{
		{func(c *Config) { c.ReportingCurrency = "eur" }, `reporting_currency: "eur" is not an ISO 4217 code`},
		{func(c *Config) { c.ReportingCurrency = "EUR" }, "exchange_rates.files: required with reporting_currency EUR"},
		{func(c *Config) { c.ExchangeRates.Files = []string{"/nonexistent/rates.csv"} }, "exchange_rates.files[0]: open /nonexistent/rates.csv"},
		{func(c *Config) { c.Contracts = []contract.Config{{Name: "x", From: "2026-01-01"}} }, "contracts[0] (x): set a multiplier or rates"},
	} {
		cfg := createDefaultConfig().(*Config)
		c.set(cfg)
		assert.ErrorContains(t, cfg.Validate(), c.want)
	}
	bad := filepath.Join(t.TempDir(), "rates.csv")
	require.NoError(t, os.WriteFile(bad, []byte("date,base,quote,rate\n2026-11-02,EUR,USD,-1\n"), 0o600))
	cfg := createDefaultConfig().(*Config)
	cfg.ReportingCurrency, cfg.ExchangeRates.Files = "EUR", []string{bad}
	err := cfg.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), bad)
}
