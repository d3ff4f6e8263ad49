package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
)

// The budgets managed through the API (store.BudgetStore), written once
// for both dialects: changes go through Writer, each with its audit row in
// one transaction; reads through DB.

// BudgetsSchema is the budgets and budget_audit tables, in the SQL both
// dialects speak but for the audit's sequence column, seqColumn: SQLite's
// "INTEGER PRIMARY KEY" (its rowid), PostgreSQL's identity column.
func BudgetsSchema(seqColumn string) string {
	return `
CREATE TABLE budgets (
  id TEXT PRIMARY KEY,
  spec TEXT NOT NULL,      -- a budget.Spec as JSON
  created_ms BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL,
  version BIGINT NOT NULL  -- 1 when created, one more at every update
);
CREATE TABLE budget_audit (
  seq ` + seqColumn + `,
  ts_ms BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
  budget_id TEXT NOT NULL,
  before_spec TEXT,        -- NULL for a create
  after_spec TEXT,         -- NULL for a delete
  version BIGINT NOT NULL  -- after the change; before it for a delete
);
CREATE INDEX budget_audit_budget ON budget_audit (budget_id, seq);
`
}

// maxLWWTries bounds the retries of a last-write-wins change that another
// change overtook between its read and its write.
const maxLWWTries = 5

// Budgets lists the stored budgets by id.
func (r *Reader) Budgets(ctx context.Context) ([]store.StoredBudget, error) {
	rows, err := r.DB.QueryContext(ctx, `SELECT id, spec, created_ms, updated_ms, version FROM budgets ORDER BY id`)
	if err != nil {
		return nil, r.errorf("list budgets: %w", err)
	}
	defer rows.Close()
	var out []store.StoredBudget
	for rows.Next() {
		b, err := scanBudget(rows)
		if err != nil {
			return nil, r.errorf("list budgets: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, r.errorf("list budgets: %w", err)
	}
	return out, nil
}

// Budget returns one stored budget.
func (r *Reader) Budget(ctx context.Context, id string) (store.StoredBudget, error) {
	b, err := getBudget(ctx, r.DB, r.D, id)
	if err != nil {
		return store.StoredBudget{}, r.budgetErr("read budget", err)
	}
	return b, nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func getBudget(ctx context.Context, q queryer, d Dialect, id string) (store.StoredBudget, error) {
	b, err := scanBudget(q.QueryRowContext(ctx, d.Rebind(`SELECT id, spec, created_ms, updated_ms, version FROM budgets WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.StoredBudget{}, store.ErrBudgetNotFound
	}
	return b, err
}

func scanBudget(row interface{ Scan(...any) error }) (store.StoredBudget, error) {
	var b store.StoredBudget
	var spec string
	var created, updated int64
	if err := row.Scan(&b.ID, &spec, &created, &updated, &b.Version); err != nil {
		return b, err
	}
	b.Spec = json.RawMessage(spec)
	b.Created, b.Updated = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return b, nil
}

// budgetErr wraps err for op, keeping the store's own budget errors as
// they are.
func (r *Reader) budgetErr(op string, err error) error {
	if errors.Is(err, store.ErrBudgetNotFound) || errors.Is(err, store.ErrBudgetExists) || errors.Is(err, store.ErrBudgetVersion) {
		return err
	}
	return r.errorf("%s: %w", op, err)
}

// inTx runs fn in a transaction of the writer.
func (r *Reader) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := r.Writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

func (r *Reader) audit(ctx context.Context, tx *sql.Tx, c *store.BudgetChange, action string, before, after json.RawMessage, version int64) error {
	_, err := tx.ExecContext(ctx, r.Rebind(`INSERT INTO budget_audit (ts_ms, actor, action, budget_id, before_spec, after_spec, version) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		c.Time.UnixMilli(), c.Actor, action, c.ID, nullJSON(before), nullJSON(after), version)
	return err
}

func nullJSON(j json.RawMessage) any {
	if j == nil {
		return nil
	}
	return string(j)
}

// CreateBudget stores a new budget at version 1, with its audit row.
func (r *Reader) CreateBudget(ctx context.Context, c store.BudgetChange) (store.StoredBudget, error) {
	b := store.StoredBudget{ID: c.ID, Spec: c.Spec, Created: c.Time.Truncate(time.Millisecond).UTC(), Updated: c.Time.Truncate(time.Millisecond).UTC(), Version: 1}
	err := r.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, r.Rebind(`INSERT INTO budgets (id, spec, created_ms, updated_ms, version) VALUES (?, ?, ?, ?, 1) ON CONFLICT (id) DO NOTHING`),
			c.ID, string(c.Spec), c.Time.UnixMilli(), c.Time.UnixMilli())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.ErrBudgetExists
		}
		return r.audit(ctx, tx, &c, store.AuditCreate, nil, c.Spec, 1)
	})
	if err != nil {
		return store.StoredBudget{}, r.budgetErr("create budget", err)
	}
	return b, nil
}

// change reads the budget of c, checks its version, and runs write with
// it in the same transaction; write returns the rows it changed, none when
// another change overtook this one, which is then tried again (last write
// wins) or refused (c.Version given).
func (r *Reader) change(ctx context.Context, c *store.BudgetChange, write func(tx *sql.Tx, old *store.StoredBudget) (int64, error)) (store.StoredBudget, error) {
	var old store.StoredBudget
	for try := 0; ; try++ {
		done := false
		err := r.inTx(ctx, func(tx *sql.Tx) error {
			var err error
			if old, err = getBudget(ctx, tx, r.D, c.ID); err != nil {
				return err
			}
			if c.Version != 0 && old.Version != c.Version {
				return store.ErrBudgetVersion
			}
			n, err := write(tx, &old)
			done = n > 0
			if err == nil && !done {
				return errOvertaken
			}
			return err
		})
		switch {
		case errors.Is(err, errOvertaken) && c.Version == 0 && try < maxLWWTries:
			continue
		case errors.Is(err, errOvertaken):
			return old, store.ErrBudgetVersion
		}
		return old, err
	}
}

var errOvertaken = errors.New("overtaken by another change")

// UpdateBudget replaces a budget's spec and adds one to its version, with
// its audit row.
func (r *Reader) UpdateBudget(ctx context.Context, c store.BudgetChange) (store.StoredBudget, error) {
	var out store.StoredBudget
	_, err := r.change(ctx, &c, func(tx *sql.Tx, old *store.StoredBudget) (int64, error) {
		res, err := tx.ExecContext(ctx, r.Rebind(`UPDATE budgets SET spec = ?, updated_ms = ?, version = version + 1 WHERE id = ? AND version = ?`),
			string(c.Spec), c.Time.UnixMilli(), c.ID, old.Version)
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return n, err
		}
		out = store.StoredBudget{ID: c.ID, Spec: c.Spec, Created: old.Created, Updated: c.Time.Truncate(time.Millisecond).UTC(), Version: old.Version + 1}
		return n, r.audit(ctx, tx, &c, store.AuditUpdate, old.Spec, c.Spec, old.Version+1)
	})
	if err != nil {
		return store.StoredBudget{}, r.budgetErr("update budget", err)
	}
	return out, nil
}

// DeleteBudget deletes a budget, with its audit row.
func (r *Reader) DeleteBudget(ctx context.Context, c store.BudgetChange) error {
	_, err := r.change(ctx, &c, func(tx *sql.Tx, old *store.StoredBudget) (int64, error) {
		res, err := tx.ExecContext(ctx, r.Rebind(`DELETE FROM budgets WHERE id = ? AND version = ?`), c.ID, old.Version)
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return n, err
		}
		return n, r.audit(ctx, tx, &c, store.AuditDelete, old.Spec, nil, old.Version)
	})
	if err != nil {
		return r.budgetErr("delete budget", err)
	}
	return nil
}

// BudgetAudit lists audit rows newest first.
func (r *Reader) BudgetAudit(ctx context.Context, p store.Page) ([]store.BudgetAuditEntry, int64, error) {
	var total int64
	if err := r.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM budget_audit`).Scan(&total); err != nil {
		return nil, 0, r.errorf("budget audit: %w", err)
	}
	limit := p.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := r.DB.QueryContext(ctx, r.Rebind(`SELECT seq, ts_ms, actor, action, budget_id, before_spec, after_spec, version
FROM budget_audit ORDER BY seq DESC LIMIT ? OFFSET ?`), limit, p.Offset)
	if err != nil {
		return nil, 0, r.errorf("budget audit: %w", err)
	}
	defer rows.Close()
	out := []store.BudgetAuditEntry{}
	for rows.Next() {
		var e store.BudgetAuditEntry
		var ts int64
		var before, after sql.NullString
		if err := rows.Scan(&e.Seq, &ts, &e.Actor, &e.Action, &e.BudgetID, &before, &after, &e.Version); err != nil {
			return nil, 0, r.errorf("budget audit: %w", err)
		}
		e.Time = time.UnixMilli(ts).UTC()
		if before.Valid {
			e.Before = json.RawMessage(before.String)
		}
		if after.Valid {
			e.After = json.RawMessage(after.String)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, r.errorf("budget audit: %w", err)
	}
	return out, total, nil
}
