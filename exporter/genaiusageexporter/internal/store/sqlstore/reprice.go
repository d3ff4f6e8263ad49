package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// Repricing (store.RepriceStore), in the SQL both dialects speak. A step
// is one write transaction: the run's row, the next records of its range
// in key order, the changed records, the rollups' differences (the old
// records' sums taken away, the new ones' added) and the run's cursor.

// RepriceRunsSchema is the table of runs (schema v8), with idColumn the
// dialect's auto-numbered primary key.
func RepriceRunsSchema(idColumn string) string {
	return `
CREATE TABLE usage_reprice_runs (
  id ` + idColumn + `,
  created_ms BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT NOT NULL,
  from_ms BIGINT NOT NULL,
  to_ms BIGINT NOT NULL,
  dry_run INTEGER NOT NULL,
  status TEXT NOT NULL,
  cursor_id TEXT NOT NULL,   -- the usage.Record ID of the last record read
  scanned BIGINT NOT NULL,
  changed BIGINT NOT NULL,
  models TEXT NOT NULL,      -- []store.RepriceModel as JSON
  error TEXT NOT NULL
);
`
}

// repricedColumns are the record columns a repricing may change: what
// the price of a call is made of, and the provider and model a price
// card names.
var repricedColumns = append(append([]string{"provider", "model", "status", "reason", "card", "cost_source"}, CostColumns...),
	"cost_nanos", "currency", "cache_saved_nanos", "list_nanos", "contract", "multiplier", "fx_rate", "source_nanos", "source_currency")

func repricedArgs(r *usage.Record) []any {
	args := []any{r.Provider, r.Model, r.Status, r.Reason, r.Card, r.CostSource}
	for m := meter.Meter(0); m < meter.Count; m++ {
		args = append(args, int64(r.CostByMeter[m]))
	}
	var source any
	if r.FXRate != "" {
		source = int64(r.SourceCost)
	}
	return append(args, int64(r.Cost), r.Currency, int64(r.CacheSaved), int64(r.ListCost), r.Contract, r.Multiplier, r.FXRate, source, r.SourceCurrency,
		r.StartMillis(), r.TraceID[:], r.SpanID[:])
}

var (
	updateRepricedSQL = "UPDATE usage_records SET " + strings.Join(repricedColumns, " = ?, ") + " = ? WHERE ts_ms = ? AND trace_id = ? AND span_id = ?"
	addRollupSQL      = func() string {
		sets := make([]string, len(RollupValueColumns))
		for i, v := range RollupValueColumns {
			sets[i] = v + " = usage_rollups." + v + " + excluded." + v
		}
		all := append(slices.Clone(RollupKeyColumns), RollupValueColumns...)
		return "INSERT INTO usage_rollups (" + strings.Join(all, ", ") + ") VALUES (" + Placeholders(len(all)) +
			") ON CONFLICT (" + strings.Join(RollupKeyColumns, ", ") + ") DO UPDATE SET " + strings.Join(sets, ", ")
	}()
	runColumns = "id, created_ms, updated_ms, actor, reason, from_ms, to_ms, dry_run, status, cursor_id, scanned, changed, models, error"
)

// CreateRepriceRun stores a new run.
func (r *Reader) CreateRepriceRun(ctx context.Context, run *store.RepriceRun) error {
	run.Status, run.Cursor, run.Scanned, run.Changed, run.Models = store.RepriceRunning, "", 0, 0, nil
	q := r.Rebind(`INSERT INTO usage_reprice_runs (created_ms, updated_ms, actor, reason, from_ms, to_ms, dry_run, status, cursor_id, scanned, changed, models, error)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', 0, 0, '[]', '') RETURNING id`)
	err := r.Writer.QueryRowContext(ctx, q, run.Created.UnixMilli(), run.Created.UnixMilli(), run.Actor, run.Reason,
		run.From.UnixMilli(), run.To.UnixMilli(), boolInt(run.DryRun), run.Status).Scan(&run.ID)
	if err != nil {
		return r.errorf("create reprice run: %w", err)
	}
	run.Updated = run.Created
	return nil
}

// RepriceStep answers store.RepriceStore.
func (r *Reader) RepriceStep(ctx context.Context, id int64, batch int, fn func(*usage.Record) bool, now time.Time) (store.RepriceRun, error) {
	if batch <= 0 {
		return store.RepriceRun{}, errors.New("reprice: batch must be positive")
	}
	tx, err := r.Writer.BeginTx(ctx, nil)
	if err != nil {
		return store.RepriceRun{}, r.errorf("reprice: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	run, err := r.repriceRun(ctx, tx, id, true)
	if err != nil {
		return store.RepriceRun{}, err
	}
	if run.Status == store.RepriceDone {
		return run, store.ErrRepriceDone
	}
	q, args := selectRecords+" WHERE ts_ms >= ? AND ts_ms < ?", []any{run.From.UnixMilli(), run.To.UnixMilli()}
	if run.Cursor != "" {
		ms, trace, span, err := usage.ParseID(run.Cursor)
		if err != nil {
			return store.RepriceRun{}, fmt.Errorf("reprice run %d: cursor %q: %w", id, run.Cursor, err)
		}
		// A row value: both databases seek the key to it.
		q += " AND (ts_ms, trace_id, span_id) > (?, ?, ?)"
		args = append(args, ms, trace[:], span[:])
	}
	q += " ORDER BY ts_ms, trace_id, span_id LIMIT ?"
	args = append(args, batch)
	var olds, news []usage.Record
	read := 0
	err = r.scanRecordsIn(ctx, tx, q, args, func(rec *usage.Record) error {
		read++
		run.Cursor = rec.ID()
		again := *rec
		if fn(&again) {
			olds, news = append(olds, *rec), append(news, again)
		}
		return nil
	})
	if err != nil {
		return store.RepriceRun{}, err
	}
	models := map[[2]string]*store.RepriceModel{}
	for _, m := range run.Models {
		models[[2]string{m.Provider, m.Model}] = &m
	}
	var deltas Rollups
	updated := make([]bool, len(olds))
	if len(olds) > 0 && !run.DryRun {
		if err := r.updateRepriced(ctx, tx, news, updated); err != nil {
			return store.RepriceRun{}, err
		}
	}
	for i := range olds {
		if !run.DryRun {
			if !updated[i] {
				continue // dropped by retention since it was read
			}
			deltas.Remove(&olds[i])
			deltas.Add(&news[i])
		}
		k := [2]string{olds[i].Provider, olds[i].Model}
		if models[k] == nil {
			models[k] = &store.RepriceModel{Provider: k[0], Model: k[1]}
		}
		models[k].Add(&olds[i], &news[i])
		run.Changed++
	}
	if err := r.addRollups(ctx, tx, deltas.Rows()); err != nil {
		return store.RepriceRun{}, err
	}
	run.Scanned += int64(read)
	run.Models = run.Models[:0]
	for _, m := range models {
		run.Models = append(run.Models, *m)
	}
	slices.SortFunc(run.Models, func(a, b store.RepriceModel) int {
		return cmp.Or(cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.Model, b.Model))
	})
	if read < batch {
		run.Status = store.RepriceDone
	} else {
		run.Status = store.RepriceRunning
	}
	run.Updated, run.Error = now, ""
	if err := r.saveRun(ctx, tx, &run); err != nil {
		return store.RepriceRun{}, err
	}
	if err := tx.Commit(); err != nil {
		return store.RepriceRun{}, r.errorf("reprice: commit: %w", err)
	}
	return run, nil
}

func (r *Reader) saveRun(ctx context.Context, tx *sql.Tx, run *store.RepriceRun) error {
	models, err := json.Marshal(run.Models)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, r.Rebind(`UPDATE usage_reprice_runs SET updated_ms = ?, status = ?, cursor_id = ?, scanned = ?, changed = ?, models = ?, error = ? WHERE id = ?`),
		run.Updated.UnixMilli(), run.Status, run.Cursor, run.Scanned, run.Changed, string(models), run.Error, run.ID)
	if err != nil {
		return r.errorf("reprice: save run: %w", err)
	}
	return nil
}

// FailRepriceRun marks a run failed.
func (r *Reader) FailRepriceRun(ctx context.Context, id int64, reason string, now time.Time) error {
	res, err := r.Writer.ExecContext(ctx, r.Rebind(`UPDATE usage_reprice_runs SET status = ?, error = ?, updated_ms = ? WHERE id = ? AND status <> ?`),
		store.RepriceFailed, usage.CleanText(reason), now.UnixMilli(), id, store.RepriceDone)
	if err != nil {
		return r.errorf("reprice: fail run: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrRepriceNotFound
	}
	return nil
}

// repriceRun reads a run; forUpdate locks its row (PostgreSQL), so that
// two steps of one run never overlap.
func (r *Reader) repriceRun(ctx context.Context, q dbtx, id int64, forUpdate bool) (store.RepriceRun, error) {
	sel := "SELECT " + runColumns + " FROM usage_reprice_runs WHERE id = ?"
	if forUpdate && r.D.Numbered {
		sel += " FOR UPDATE"
	}
	runs, err := r.scanRuns(ctx, q, sel, id)
	if err != nil {
		return store.RepriceRun{}, err
	}
	if len(runs) == 0 {
		return store.RepriceRun{}, fmt.Errorf("reprice run %d: %w", id, store.ErrRepriceNotFound)
	}
	return runs[0], nil
}

// RepriceRunByID answers store.RepriceStore.
func (r *Reader) RepriceRunByID(ctx context.Context, id int64) (store.RepriceRun, error) {
	return r.repriceRun(ctx, r.DB, id, false)
}

// RepriceRuns answers store.RepriceStore.
func (r *Reader) RepriceRuns(ctx context.Context, p store.Page) ([]store.RepriceRun, int64, error) {
	var total int64
	if err := r.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM usage_reprice_runs").Scan(&total); err != nil {
		return nil, 0, r.errorf("reprice runs: %w", err)
	}
	limit := int64(p.Limit)
	if limit <= 0 {
		limit = 100
	}
	runs, err := r.scanRuns(ctx, r.DB, "SELECT "+runColumns+" FROM usage_reprice_runs ORDER BY id DESC LIMIT ? OFFSET ?", limit, max(p.Offset, 0))
	return runs, total, err
}

func (r *Reader) scanRuns(ctx context.Context, q dbtx, sel string, args ...any) ([]store.RepriceRun, error) {
	rows, err := q.QueryContext(ctx, r.Rebind(sel), args...)
	if err != nil {
		return nil, r.errorf("reprice runs: %w", err)
	}
	defer rows.Close()
	var out []store.RepriceRun
	for rows.Next() {
		var (
			run                                store.RepriceRun
			created, updated, from, to, dryRun int64
			models                             string
		)
		if err := rows.Scan(&run.ID, &created, &updated, &run.Actor, &run.Reason, &from, &to, &dryRun, &run.Status,
			&run.Cursor, &run.Scanned, &run.Changed, &models, &run.Error); err != nil {
			return nil, r.errorf("reprice runs: %w", err)
		}
		run.Created, run.Updated = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
		run.From, run.To, run.DryRun = time.UnixMilli(from).UTC(), time.UnixMilli(to).UTC(), dryRun != 0
		if err := json.Unmarshal([]byte(models), &run.Models); err != nil {
			return nil, fmt.Errorf("reprice run %d: models: %w", run.ID, err)
		}
		out = append(out, run)
	}
	if err := rows.Err(); err != nil {
		return nil, r.errorf("reprice runs: %w", err)
	}
	return out, nil
}

// updateRepriced writes the repriced records and marks in updated those
// that were there to write. SQLite runs one prepared statement a record,
// in the process; PostgreSQL one statement for the batch, since each
// statement is a round trip to the server.
func (r *Reader) updateRepriced(ctx context.Context, tx *sql.Tx, recs []usage.Record, updated []bool) error {
	if !r.D.Numbered {
		update, err := tx.PrepareContext(ctx, updateRepricedSQL)
		if err != nil {
			return r.errorf("reprice: prepare: %w", err)
		}
		defer update.Close() //nolint:errcheck // closing a statement of a transaction that ends anyway
		for i := range recs {
			res, err := update.ExecContext(ctx, repricedArgs(&recs[i])...)
			if err != nil {
				return r.errorf("reprice: update record: %w", err)
			}
			n, err := res.RowsAffected()
			updated[i] = err == nil && n == 1
		}
		return nil
	}
	at := map[string]int{}
	for i := range recs {
		at[recs[i].ID()] = i
	}
	const perStatement = 1000
	for lo := 0; lo < len(recs); lo += perStatement {
		part := recs[lo:min(lo+perStatement, len(recs))]
		args := make([]any, 0, len(part)*(len(repricedColumns)+3))
		for i := range part {
			args = append(args, repricedArgs(&part[i])...)
		}
		rows, err := tx.QueryContext(ctx, pgUpdateRepricedSQL(len(part)), args...)
		if err != nil {
			return r.errorf("reprice: update records: %w", err)
		}
		for rows.Next() {
			var rec usage.Record
			var ms int64
			var trace, span []byte
			if err := rows.Scan(&ms, &trace, &span); err != nil {
				rows.Close()
				return r.errorf("reprice: update records: %w", err)
			}
			rec.Start = time.UnixMilli(ms)
			copy(rec.TraceID[:], trace)
			copy(rec.SpanID[:], span)
			if i, ok := at[rec.ID()]; ok {
				updated[i] = true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return r.errorf("reprice: update records: %w", err)
		}
	}
	return nil
}

// pgRepricedTypes are the PostgreSQL types of repricedColumns and the
// key, for the parameters of a VALUES list (which have no column to take
// a type from).
var pgRepricedTypes = func() []string {
	var types []string
	for _, c := range append(slices.Clone(repricedColumns), "ts_ms", "trace_id", "span_id") {
		switch {
		case c == "trace_id" || c == "span_id":
			types = append(types, "bytea")
		case strings.HasSuffix(c, "_nanos") || strings.HasPrefix(c, "cost_") && c != "cost_source" || c == "ts_ms":
			types = append(types, "bigint")
		default:
			types = append(types, "text")
		}
	}
	return types
}()

// pgUpdateRepricedSQL updates n records from a VALUES list, returning the
// keys of those it found.
func pgUpdateRepricedSQL(n int) string {
	cols := append(slices.Clone(repricedColumns), "ts_ms", "trace_id", "span_id")
	var sb strings.Builder
	sb.WriteString("UPDATE usage_records AS r SET ")
	for i, c := range repricedColumns {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(c + " = v." + c)
	}
	sb.WriteString(" FROM (VALUES ")
	p := 1
	for row := range n {
		if row > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for j, typ := range pgRepricedTypes {
			if j > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("$" + strconv.Itoa(p) + "::" + typ)
			p++
		}
		sb.WriteByte(')')
	}
	sb.WriteString(") AS v(" + strings.Join(cols, ", ") + ") WHERE r.ts_ms = v.ts_ms AND r.trace_id = v.trace_id AND r.span_id = v.span_id RETURNING r.ts_ms, r.trace_id, r.span_id")
	return sb.String()
}

// addRollups adds rows to the rollups, many rows a statement, in one
// order for every writer, so that two transactions never wait on each
// other's rows in opposite orders.
func (r *Reader) addRollups(ctx context.Context, tx *sql.Tx, rows map[RollupKey]*RollupValues) error {
	keys := make([]RollupKey, 0, len(rows))
	for k, v := range rows {
		if *v != (RollupValues{}) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b RollupKey) int {
		return cmp.Or(cmp.Compare(a.Grain, b.Grain), cmp.Compare(a.Dim, b.Dim), cmp.Compare(a.BucketMs, b.BucketMs), cmp.Compare(a.Value, b.Value),
			cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.Model, b.Model), cmp.Compare(a.Service, b.Service),
			cmp.Compare(a.Environment, b.Environment), cmp.Compare(a.Currency, b.Currency))
	})
	width := len(RollupKeyColumns) + len(RollupValueColumns)
	const perStatement = 500 // 500 rows of 30-odd values: under SQLite's 32,766 parameters
	for lo := 0; lo < len(keys); lo += perStatement {
		part := keys[lo:min(lo+perStatement, len(keys))]
		args := make([]any, 0, len(part)*width)
		for _, k := range part {
			args = RollupArgs(args, k, rows[k])
		}
		if _, err := tx.ExecContext(ctx, r.Rebind(addRollupsSQL(len(part))), args...); err != nil {
			return r.errorf("reprice: update rollups: %w", err)
		}
	}
	return nil
}

// addRollupsSQL adds n rows to the rollups, as addRollupSQL adds one.
func addRollupsSQL(n int) string {
	one := "(" + Placeholders(len(RollupKeyColumns)+len(RollupValueColumns)) + ")"
	values := strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
	i := strings.Index(addRollupSQL, "VALUES (")
	j := strings.Index(addRollupSQL, ") ON CONFLICT")
	return addRollupSQL[:i] + "VALUES " + values + addRollupSQL[j+1:]
}
