// Package budget is the model of spending budgets: what a budget is, the
// periods it counts over, which budgets apply to a subject and in what
// order, and its status and forecasts, in exact money.
//
// A Spec is a budget as it is written in the exporter's configuration and
// sent to the usage API; Validate names the field of every error. New
// compiles a valid Spec into a Budget (its limit parsed to nanos, its time
// zone loaded), which answers the arithmetic: Window and Previous give the
// period containing an instant (calendar days, ISO weeks and months in an
// IANA time zone, DST-correct, or a rolling window ending at that instant),
// Resolve and Decide say which budgets apply to a subject, the tightest
// remaining amount per currency and whether a call is allowed, and Status
// gives spent, remaining, ratio, thresholds crossed and the forecasts to the
// period's end by two stated methods, with the instant the limit would be
// crossed.
//
// The package has no storage, no HTTP and no notifications: it is given
// the amounts spent and the clock (plain time.Time arguments), and returns
// values. See docs/budgets.md.
package budget

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	// Budgets are counted in IANA time zones, and every collector sharing
	// a store must find the same zones even in an image without
	// /usr/share/zoneinfo: the Go copy of the database is the fallback.
	_ "time/tzdata"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// Period kinds.
const (
	Day     = "day"
	Week    = "week" // ISO 8601 week: Monday 00:00 to the next Monday 00:00
	Month   = "month"
	Rolling = "rolling" // the last Days × 24 hours, ending now
)

// Kinds are the period kinds, in the order error messages list them.
var Kinds = [...]string{Day, Week, Month, Rolling}

// Threshold bounds, in percent of the limit.
const (
	MinThreshold = 1
	MaxThreshold = 1000
)

// MaxRollingDays bounds a rolling window.
const MaxRollingDays = 366

// DefaultThresholds are the thresholds of a Spec that lists none.
var DefaultThresholds = []int{50, 80, 100}

// Spec is a budget as configured and as the API reads and writes it.
type Spec struct {
	// ID names the budget in the API, in metrics and in notifications:
	// 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or
	// a digit.
	ID string `mapstructure:"id" json:"id"`
	// Name is free text for people.
	Name   string `mapstructure:"name" json:"name,omitempty"`
	Scope  Scope  `mapstructure:"scope" json:"scope"`
	Period Period `mapstructure:"period" json:"period"`
	// Limit is a decimal amount of Currency, such as "250" or "12.50",
	// parsed exactly (money.ParseDecimal); it must be positive.
	Limit    string `mapstructure:"limit" json:"limit"`
	Currency string `mapstructure:"currency" json:"currency"`
	// Thresholds are percents of the limit, strictly increasing, each
	// from 1 to 1000; none means DefaultThresholds.
	Thresholds []int `mapstructure:"thresholds" json:"thresholds,omitempty"`
	// Enforce makes the budget refuse calls (allowed: false in a check)
	// once spent reaches the limit; otherwise it only warns.
	Enforce bool `mapstructure:"enforce" json:"enforce,omitempty"`
}

// Scope is what a budget counts: the calls whose every fixed value
// (non-empty field, dimension entry) is equal. With Each set, the budget
// is one budget per value of that dimension ("every user: 5 USD a day"),
// among the calls of the fixed values. An empty scope counts every call.
type Scope struct {
	Provider    string `mapstructure:"provider" json:"provider,omitempty"`
	Model       string `mapstructure:"model" json:"model,omitempty"`
	Service     string `mapstructure:"service" json:"service,omitempty"`
	Environment string `mapstructure:"environment" json:"environment,omitempty"`
	// Dimensions maps dimension names (usage.DimensionNames) to a value.
	Dimensions map[string]string `mapstructure:"dimensions" json:"dimensions,omitempty"`
	// Each is a dimension name: one budget for each of its values.
	Each string `mapstructure:"each" json:"each,omitempty"`
}

// Period is the span of time a budget counts over.
type Period struct {
	// Kind is day, week, month or rolling.
	Kind string `mapstructure:"kind" json:"kind"`
	// TimeZone is the IANA time zone of the day, week and month
	// boundaries ("Europe/Berlin"); empty means UTC. A rolling window
	// has none.
	TimeZone string `mapstructure:"time_zone" json:"time_zone,omitempty"`
	// Days is the length of a rolling window, 1 to 366 days of 24 hours.
	Days int `mapstructure:"days" json:"days,omitempty"`
}

var (
	idPattern       = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)
)

// dimensionList is the list of dimensions error messages give.
var dimensionList = strings.Join(usage.DimensionNames[:], ", ")

// IsDimension reports whether name is one of usage.DimensionNames.
func IsDimension(name string) bool { return slices.Contains(usage.DimensionNames[:], name) }

// Validate checks s and returns every problem, each naming its field as
// it is written in the configuration ("limit: ...", "scope.each: ...",
// "period.time_zone: ..."), joined with errors.Join; nil if s is valid.
func (s *Spec) Validate() error {
	_, err := s.compile()
	return err
}

// compile validates s and returns the parsed limit and the location.
func (s *Spec) compile() (*Budget, error) {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	switch {
	case s.ID == "":
		add("id: required")
	case !idPattern.MatchString(s.ID):
		add("id: %q must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or a digit", s.ID)
	}
	errs = append(errs, s.Scope.validate()...)
	loc, perrs := s.Period.validate()
	errs = append(errs, perrs...)

	var limit money.Nanos
	switch n, err := money.ParseDecimal(s.Limit); {
	case strings.TrimSpace(s.Limit) == "":
		add("limit: required (a decimal amount such as \"250\" or \"12.50\")")
	case err != nil:
		add("limit: %q is not an exact decimal amount: %w", s.Limit, err)
	case n < 0:
		add("limit: %q is negative", s.Limit)
	case n == 0:
		add("limit: %q is zero; a limit must be positive", s.Limit)
	default:
		limit = n
	}
	switch {
	case s.Currency == "":
		add("currency: required (an ISO 4217 code such as USD)")
	case !currencyPattern.MatchString(s.Currency):
		add("currency: %q is not an ISO 4217 code (three upper-case letters)", s.Currency)
	}
	for i, t := range s.Thresholds {
		if t < MinThreshold || t > MaxThreshold {
			add("thresholds[%d]: %d is not a percent from %d to %d", i, t, MinThreshold, MaxThreshold)
		} else if i > 0 && t <= s.Thresholds[i-1] {
			add("thresholds[%d]: %d is not greater than thresholds[%d] (%d); thresholds must be strictly increasing", i, t, i-1, s.Thresholds[i-1])
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	thresholds := DefaultThresholds
	if len(s.Thresholds) > 0 {
		thresholds = s.Thresholds
	}
	return &Budget{spec: *s, limit: limit, loc: loc, thresholds: slices.Clone(thresholds)}, nil
}

func (sc *Scope) validate() []error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(sc.Dimensions)) { // errors in a stable order
		switch {
		case !IsDimension(name):
			errs = append(errs, fmt.Errorf("scope.dimensions: %q is not a dimension (one of %s)", name, dimensionList))
		case sc.Dimensions[name] == "":
			errs = append(errs, fmt.Errorf("scope.dimensions.%s: empty value; leave the dimension out to count every value, or use scope.each", name))
		}
	}
	if sc.Each != "" {
		if !IsDimension(sc.Each) {
			errs = append(errs, fmt.Errorf("scope.each: %q is not a dimension (one of %s)", sc.Each, dimensionList))
		} else if _, fixed := sc.Dimensions[sc.Each]; fixed {
			errs = append(errs, fmt.Errorf("scope.each: %q is also fixed in scope.dimensions", sc.Each))
		}
	}
	return errs
}

func (p *Period) validate() (*time.Location, []error) {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	kinds := strings.Join(Kinds[:], ", ")
	switch {
	case p.Kind == "":
		add("period.kind: required (one of %s)", kinds)
	case !slices.Contains(Kinds[:], p.Kind):
		add("period.kind: %q is not one of %s", p.Kind, kinds)
	}
	loc := time.UTC
	if p.Kind == Rolling {
		if p.TimeZone != "" {
			add("period.time_zone: set but period.kind is rolling (a rolling window has no calendar boundaries)")
		}
		switch {
		case p.Days == 0:
			add("period.days: required with period.kind rolling (1 to %d)", MaxRollingDays)
		case p.Days < 1 || p.Days > MaxRollingDays:
			add("period.days: %d is not from 1 to %d", p.Days, MaxRollingDays)
		}
		return loc, errs
	}
	if p.Days != 0 {
		add("period.days: set but period.kind is %q (days are the length of a rolling window)", p.Kind)
	}
	if p.TimeZone != "" {
		// "Local" is the host's zone: collectors sharing a store could
		// disagree on it, so only named zones are accepted.
		l, err := time.LoadLocation(p.TimeZone)
		if err != nil || p.TimeZone == "Local" {
			add("period.time_zone: %q is not an IANA time zone (such as UTC, Europe/Berlin, America/New_York)", p.TimeZone)
		} else {
			loc = l
		}
	}
	return loc, errs
}

// Budget is a compiled, valid Spec.
type Budget struct {
	spec       Spec
	limit      money.Nanos
	loc        *time.Location
	thresholds []int
}

// New validates s (see Validate) and compiles it.
func New(s Spec) (*Budget, error) {
	s.Scope.Dimensions = maps.Clone(s.Scope.Dimensions)
	s.Thresholds = slices.Clone(s.Thresholds)
	return s.compile()
}

// Spec returns the budget's Spec as it was given.
func (b *Budget) Spec() Spec {
	s := b.spec
	s.Scope.Dimensions = maps.Clone(s.Scope.Dimensions)
	s.Thresholds = slices.Clone(s.Thresholds)
	return s
}

// ID is the budget's id.
func (b *Budget) ID() string { return b.spec.ID }

// Limit is the budget's limit in nanos of Currency.
func (b *Budget) Limit() money.Nanos { return b.limit }

// Currency is the budget's currency.
func (b *Budget) Currency() string { return b.spec.Currency }

// Enforce reports whether the budget refuses calls once exhausted.
func (b *Budget) Enforce() bool { return b.spec.Enforce }

// Thresholds are the budget's thresholds in percent, DefaultThresholds if
// its Spec lists none.
func (b *Budget) Thresholds() []int { return slices.Clone(b.thresholds) }

// Location is the time zone of the budget's calendar periods (UTC for a
// rolling window).
func (b *Budget) Location() *time.Location { return b.loc }
