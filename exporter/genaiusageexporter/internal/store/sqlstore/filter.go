package sqlstore

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// clause is an AND-ed WHERE clause with its arguments, in text order.
type clause struct {
	conds []string
	args  []any
}

func (c *clause) add(cond string, args ...any) {
	c.conds = append(c.conds, cond)
	c.args = append(c.args, args...)
}

func (c *clause) where() string {
	if len(c.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.conds, " AND ")
}

// keyColumn maps a breakdown key to its record column; dim reports a
// dimension (whose rollup column is "value"). "" maps to "".
func keyColumn(by string) (col string, dim bool, err error) {
	switch by {
	case "":
		return "", false, nil
	case store.ByProvider, store.ByModel, store.ByService, store.ByEnvironment, store.ByStatus:
		return by, false, nil
	}
	if col, ok := DimensionColumn(by); ok {
		return col, true, nil
	}
	return "", false, fmt.Errorf("%w: %q", store.ErrUnknownKey, by)
}

// checkDims refuses dimension names the schema does not have, before any
// of them can reach the SQL text.
func checkDims(f *store.Filter) error {
	for name := range f.Dims {
		if _, ok := DimensionColumn(name); !ok {
			return fmt.Errorf("%w: %q", store.ErrUnknownDimension, name)
		}
	}
	return nil
}

// ceilMillis is the first whole millisecond at or after t: record starts
// are stored in milliseconds, so ts_ms >= ceilMillis(t) is start >= t.
func ceilMillis(t time.Time) int64 {
	ms := t.UnixMilli()
	if t.Nanosecond()%int(time.Millisecond) != 0 {
		ms++
	}
	return ms
}

// timeRange restricts col (Unix ms) to [f.From, f.To); a zero bound is
// open.
func timeRange(c *clause, col string, f *store.Filter) {
	if !f.From.IsZero() {
		c.add(col+" >= ?", ceilMillis(f.From))
	}
	if !f.To.IsZero() {
		c.add(col+" < ?", ceilMillis(f.To))
	}
}

// searchColumns are the text columns Filter.Search looks in.
var searchColumns = func() []string {
	cols := []string{"model", "request_model", "response_model", "provider", "service", "environment"}
	cols = append(cols, DimensionColumns[:]...)
	return append(cols, "error_type", "response_id")
}()

// likeEscaper escapes LIKE wildcards with '!', which, unlike a backslash,
// means the same in the string literals of both dialects.
var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

// recordClause is the WHERE clause of f over usage_records.
func recordClause(f *store.Filter) (*clause, error) {
	if err := checkDims(f); err != nil {
		return nil, err
	}
	c := &clause{}
	timeRange(c, "ts_ms", f)
	fixedColumns(c, f)
	currencyColumn(c, f)
	// In DimensionNames order, so that the SQL text is stable.
	for i, name := range usage.DimensionNames {
		if v, ok := f.Dims[name]; ok {
			c.add(DimensionColumns[i]+" = ?", v)
		}
	}
	if f.Status != "" {
		c.add("status = ?", f.Status)
	}
	if f.Search != "" {
		// The database lowers both sides, so the comparison folds case the
		// same way on both (SQLite folds ASCII letters only).
		pattern := "%" + likeEscaper.Replace(f.Search) + "%"
		ors := make([]string, 0, len(searchColumns)+1)
		for _, col := range searchColumns {
			ors = append(ors, "LOWER("+col+") LIKE LOWER(CAST(? AS TEXT)) ESCAPE '!'")
			c.args = append(c.args, pattern)
		}
		if len(f.Search) == 32 {
			if id, err := hex.DecodeString(f.Search); err == nil {
				ors = append(ors, "trace_id = ?")
				c.args = append(c.args, id)
			}
		}
		c.conds = append(c.conds, "("+strings.Join(ors, " OR ")+")")
	}
	return c, nil
}

func fixedColumns(c *clause, f *store.Filter) {
	for _, kv := range [...]struct{ col, v string }{{"provider", f.Provider}, {"model", f.Model}, {"service", f.Service}, {"environment", f.Environment}} {
		if kv.v != "" {
			c.add(kv.col+" = ?", kv.v)
		}
	}
}

// currencyColumn restricts to f.Currency, a column of the records and of
// every rollup row.
func currencyColumn(c *clause, f *store.Filter) {
	if f.Currency != "" {
		c.add("currency = ?", f.Currency)
	}
}

// rollupClause is the WHERE clause of f over usage_rollups of grain, for
// the breakdown key by; f must be Rollupable(by) and aligned to grain.
// Every record is in one row per dimension name and in the total row (an
// empty dim), so exactly one dim is chosen: the key's, else the filter's,
// else the total. Only total rows hold a provider, model, service and
// environment.
func rollupClause(f *store.Filter, grain, by string) *clause {
	c := &clause{}
	c.add("grain = ?", grain)
	dim := ""
	if _, ok := DimensionColumn(by); ok {
		dim = by
	}
	var value *string
	for name, v := range f.Dims { // at most one, and the key's if the key is a dimension
		dim, value = name, &v
	}
	c.add("dim = ?", dim)
	timeRange(c, "bucket_ms", f)
	if value != nil {
		c.add("value = ?", *value)
	}
	if dim == "" {
		fixedColumns(c, f)
	}
	currencyColumn(c, f)
	return c
}
