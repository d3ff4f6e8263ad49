package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
)

// dbClosed is the error database/sql returns from a closed *sql.DB; it is
// not exported.
const dbClosed = "sql: database is closed"

// Classify marks err as store.ErrUnavailable when it says the database
// cannot answer now (closed, a connection refused or lost, out of time, or
// what the dialect's Unavailable reports), so that the API answers 503 and
// not 500. Other errors are returned as they are.
func (d Dialect) Classify(err error) error {
	if err == nil {
		return nil
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.As(err, &ne), strings.Contains(err.Error(), dbClosed),
		d.Unavailable != nil && d.Unavailable(err):
		return store.Unavailable(err)
	}
	return err
}
