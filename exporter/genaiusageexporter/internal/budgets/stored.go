package budgets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/budget"
)

// Managed is the Source of the configured budgets and those kept in the
// store, which it also changes (for the usage API's write routes), each
// change with its audit row. Collectors sharing a database share the
// stored budgets: every read lists them afresh.
//
// The configured budgets are read-only: a stored budget cannot take a
// configured id (ErrConfigured), and a stored budget whose id a later
// configuration takes is hidden by it: the configuration wins, and the
// status of that budget says so (Entry.Shadows).
type Managed struct {
	Config Static
	Store  store.BudgetStore
}

// Entry is a budget in force and where it comes from.
type Entry struct {
	Budget *budget.Budget
	// Stored: kept in the store, at Version; otherwise configured.
	Stored  bool
	Version int64
	// Shadows: a configured budget whose id a stored budget has too; the
	// stored one is not in force.
	Shadows bool
}

// Origin says where a budget comes from, in its status.
func (e *Entry) Origin() string {
	if e.Stored {
		return "store"
	}
	return "config"
}

// Note is what a status says of the entry's origin; empty if nothing.
func (e *Entry) Note() string {
	if e.Shadows {
		return "a budget with this id is also kept in the store (created through the API); the configured one is in force, the stored one is ignored"
	}
	return ""
}

// Entries lists the budgets in force: the configured ones in their order,
// then the stored ones by id. A stored spec that no longer compiles (from
// a newer collector) is skipped.
func (m *Managed) Entries(ctx context.Context) ([]Entry, error) {
	stored, err := m.Store.Budgets(ctx)
	if err != nil {
		return nil, err
	}
	configured := make(map[string]int, len(m.Config))
	out := make([]Entry, 0, len(m.Config)+len(stored))
	for i, b := range m.Config {
		configured[b.ID()] = i
		out = append(out, Entry{Budget: b})
	}
	for _, sb := range stored {
		if i, ok := configured[sb.ID]; ok {
			out[i].Shadows = true
			continue
		}
		b, err := compileStored(&sb)
		if err != nil {
			continue
		}
		out = append(out, Entry{Budget: b, Stored: true, Version: sb.Version})
	}
	return out, nil
}

// Budgets lists the budgets in force (Entries).
func (m *Managed) Budgets(ctx context.Context) ([]*budget.Budget, error) {
	es, err := m.Entries(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*budget.Budget, len(es))
	for i := range es {
		out[i] = es[i].Budget
	}
	return out, nil
}

func compileStored(sb *store.StoredBudget) (*budget.Budget, error) {
	var s budget.Spec
	if err := json.Unmarshal(sb.Spec, &s); err != nil {
		return nil, err
	}
	return budget.New(s)
}

// ErrConfigured is the error of a change to a configured budget.
var ErrConfigured = errors.New("configured")

// ConfiguredError is a change refused because the budget is configured:
// read-only.
type ConfiguredError struct{ ID string }

func (e *ConfiguredError) Error() string {
	return fmt.Sprintf("id: %q is a configured budget (the genai_usage exporter's budgets:), read-only through the API; change it in the collector's configuration", e.ID)
}

// Is makes a ConfiguredError ErrConfigured.
func (e *ConfiguredError) Is(target error) bool { return target == ErrConfigured }

// InvalidError is a spec refused, each problem naming its field.
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return e.Err.Error() }
func (e *InvalidError) Unwrap() error { return e.Err }

// validate checks s as the configuration's budgets are checked.
func (m *Managed) validate(s *budget.Spec) error {
	if err := errors.Join(s.Validate(), Supported(s)); err != nil {
		return &InvalidError{err}
	}
	for _, b := range m.Config {
		if b.ID() == s.ID {
			return &ConfiguredError{s.ID}
		}
	}
	return nil
}

func specJSON(s *budget.Spec) (json.RawMessage, error) { return json.Marshal(s) }

// Create stores a new budget; *InvalidError, *ConfiguredError,
// store.ErrBudgetExists.
func (m *Managed) Create(ctx context.Context, s budget.Spec, actor string, now time.Time) (store.StoredBudget, error) {
	if err := m.validate(&s); err != nil {
		return store.StoredBudget{}, err
	}
	j, err := specJSON(&s)
	if err != nil {
		return store.StoredBudget{}, err
	}
	return m.Store.CreateBudget(ctx, store.BudgetChange{ID: s.ID, Spec: j, Actor: actor, Time: now})
}

// Update replaces a stored budget's spec, at version (0: any);
// *InvalidError, *ConfiguredError, store.ErrBudgetNotFound,
// store.ErrBudgetVersion.
func (m *Managed) Update(ctx context.Context, s budget.Spec, version int64, actor string, now time.Time) (store.StoredBudget, error) {
	if err := m.validate(&s); err != nil {
		return store.StoredBudget{}, err
	}
	j, err := specJSON(&s)
	if err != nil {
		return store.StoredBudget{}, err
	}
	return m.Store.UpdateBudget(ctx, store.BudgetChange{ID: s.ID, Spec: j, Version: version, Actor: actor, Time: now})
}

// Delete deletes a stored budget, at version (0: any); *ConfiguredError,
// store.ErrBudgetNotFound, store.ErrBudgetVersion.
func (m *Managed) Delete(ctx context.Context, id string, version int64, actor string, now time.Time) error {
	for _, b := range m.Config {
		if b.ID() == id {
			return &ConfiguredError{id}
		}
	}
	return m.Store.DeleteBudget(ctx, store.BudgetChange{ID: id, Version: version, Actor: actor, Time: now})
}

// Audit lists the changes of stored budgets, newest first.
func (m *Managed) Audit(ctx context.Context, p store.Page) ([]store.BudgetAuditEntry, int64, error) {
	return m.Store.BudgetAudit(ctx, p)
}
