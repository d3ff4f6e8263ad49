package sqlstore

import (
	"context"
	"fmt"

	"github.com/otelcol-genai/otelcol-genai/internal/normalize"
)

// MigrationTx is the transaction of a schema migration, on either
// backend. Statements take "?" placeholders.
type MigrationTx interface {
	// Exec runs a statement.
	Exec(ctx context.Context, query string, args ...any) error
	// Strings runs a query of one text column and returns its values.
	Strings(ctx context.Context, query string) ([]string, error)
}

// NewColumnsV4 are the text columns schema v4 adds to usage_records.
var NewColumnsV4 = []string{"reason", "raw_operation"}

// DescribeCalls is the migration (the same on both backends) that adds
// the reason and raw_operation columns of usage_records. The reason is the
// processor's (genai_cost.reason: why a call is unpriced, invalid or
// partial); records stored before have none. Until then operation held
// the instrumentation library's own name of the operation: it moves to
// raw_operation, and operation becomes the canonical operation that
// normalize.CanonicalOperation maps it to, as the exporter writes them
// from then on. The mapping is computed here, in Go, once per distinct
// value, so that it has one definition. No index or rollup keys on the
// operation.
func DescribeCalls(ctx context.Context, tx MigrationTx) error {
	for _, col := range NewColumnsV4 {
		if err := tx.Exec(ctx, "ALTER TABLE usage_records ADD COLUMN "+col+" TEXT NOT NULL DEFAULT ''"); err != nil {
			return fmt.Errorf("add %s: %w", col, err)
		}
	}
	raws, err := tx.Strings(ctx, "SELECT DISTINCT operation FROM usage_records")
	if err != nil {
		return fmt.Errorf("operations: %w", err)
	}
	for _, raw := range raws {
		if raw == "" {
			continue // no operation: nothing to split
		}
		// Only the rows not split yet (raw_operation still ''): once "LLM"
		// is split into "chat", a raw "chat" must not take those rows for
		// its own.
		err := tx.Exec(ctx, "UPDATE usage_records SET raw_operation = operation, operation = ? WHERE operation = ? AND raw_operation = ''",
			normalize.CanonicalOperation(raw), raw)
		if err != nil {
			return fmt.Errorf("operation %q: %w", raw, err)
		}
	}
	return nil
}
