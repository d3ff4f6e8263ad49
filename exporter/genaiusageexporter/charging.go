package genaiusageexporter // import "github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter"

import (
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/otelcol-genai/otelcol-genai/internal/charge"
	"github.com/otelcol-genai/otelcol-genai/internal/contract"
	"github.com/otelcol-genai/otelcol-genai/internal/fx"
	"github.com/otelcol-genai/otelcol-genai/internal/reconcile"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// ExchangeRatesConfig names the exchange-rate files (docs/pricing.md,
// "Currencies"): our CSV or YAML, or the ECB's reference-rate CSVs.
type ExchangeRatesConfig struct {
	// Files are read in order; later files add to earlier ones.
	Files []string `mapstructure:"files"`
	// MaxAge is how old the newest rate before a call may be; an older one
	// leaves the call in its own currency. 0 means no limit.
	MaxAge time.Duration `mapstructure:"max_age"`
}

// validateCharging checks the reporting currency, the rates and the
// contract terms, loading them as the exporter will.
func (cfg *Config) validateCharging() []error {
	var errs []error
	if _, err := cfg.charger(nil); err != nil {
		errs = append(errs, err)
	}
	if _, err := cfg.Reconciliation.tolerance(); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// charger builds the charging step of the configuration: contract terms,
// the reporting currency and its rates. card finds price cards.
func (cfg *Config) charger(ch *charge.Charger) (*charge.Charger, error) {
	if ch == nil {
		ch = &charge.Charger{}
	}
	var errs []error
	if c := cfg.ReportingCurrency; c != "" {
		if !usage.IsCurrency(c) {
			errs = append(errs, fmt.Errorf("reporting_currency: %q is not an ISO 4217 code such as EUR", c))
		}
		if len(cfg.ExchangeRates.Files) == 0 {
			errs = append(errs, fmt.Errorf("exchange_rates.files: required with reporting_currency %s: amounts are converted at the rate in force at each call's time", c))
		}
		ch.Currency = c
	}
	if cfg.ExchangeRates.MaxAge < 0 {
		errs = append(errs, fmt.Errorf("exchange_rates.max_age: %v is negative", cfg.ExchangeRates.MaxAge))
	}
	if len(cfg.ExchangeRates.Files) > 0 {
		if cfg.ReportingCurrency == "" {
			errs = append(errs, errors.New("exchange_rates: set reporting_currency too; the rates convert into it"))
		}
		t, err := cfg.loadRates()
		if err != nil {
			errs = append(errs, err)
		}
		ch.Rates = t
	}
	terms, err := contract.New(cfg.Contracts)
	if err != nil {
		errs = append(errs, err)
	}
	ch.Terms = terms
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return ch, nil
}

// loadRates reads exchange_rates.files into a table; errors name the file,
// line and field.
func (cfg *Config) loadRates() (*fx.Table, error) {
	var errs []error
	var srcs []fx.Source
	for i, f := range cfg.ExchangeRates.Files {
		data, err := os.ReadFile(strings.TrimSpace(f))
		if err != nil {
			errs = append(errs, fmt.Errorf("exchange_rates.files[%d]: %w", i, err))
			continue
		}
		srcs = append(srcs, fx.Source{Name: f, Data: data})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	t, err := fx.Load(srcs, fx.WithMaxAge(cfg.ExchangeRates.MaxAge))
	if err != nil {
		return nil, fmt.Errorf("exchange_rates: %w", err)
	}
	return t, nil
}

// chargeProblems logs, at most once a minute, the records a contract
// term or a conversion could not be applied to, with the last reason
// and how many since the last line: the records are kept, charged as
// far as they could be (charge.ErrNoCard, charge.ErrNoRate).
type chargeProblems struct {
	logger *zap.Logger
	now    func() time.Time

	mu      sync.Mutex
	last    time.Time
	pending int
}

func (p *chargeProblems) note(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending++
	now := p.now()
	if now.Sub(p.last) < time.Minute {
		return
	}
	p.logger.Warn("Calls charged at list price or left in their own currency", zap.Int("calls", p.pending), zap.Error(err))
	p.last, p.pending = now, 0
}

// ReconciliationConfig tunes the comparison of reported and computed
// costs.
type ReconciliationConfig struct {
	// Tolerance is the largest difference, relative to the computed cost,
	// at which a reported cost still agrees: "0.02" is 2 %. A difference
	// of a millionth of a unit or less always agrees.
	Tolerance string `mapstructure:"tolerance"`
}

// tolerance parses Tolerance.
func (c *ReconciliationConfig) tolerance() (*big.Rat, error) {
	t, ok := reconcile.ParseTolerance(c.Tolerance)
	if !ok {
		return nil, fmt.Errorf("reconciliation.tolerance: %q is not a decimal from 0 to 1 (0.02 is 2 %%)", c.Tolerance)
	}
	return t, nil
}
