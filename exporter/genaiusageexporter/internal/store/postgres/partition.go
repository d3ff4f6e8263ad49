package postgres

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// usage_records is range-partitioned by ts_ms into UTC months, one table
// each, named usage_records_pYYYYMM. Partitions are created on demand, and
// retention drops whole months instead of deleting their rows.

// month is the first millisecond of a UTC month.
type month int64

func monthOf(ms int64) month {
	t := time.UnixMilli(ms).UTC()
	return month(time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).UnixMilli())
}

func (m month) time() time.Time { return time.UnixMilli(int64(m)).UTC() }

// end is the first millisecond of the next month: the partition's
// exclusive upper bound.
func (m month) end() month { return month(m.time().AddDate(0, 1, 0).UnixMilli()) }

func (m month) table() string {
	t := m.time()
	return fmt.Sprintf("usage_records_p%04d%02d", t.Year(), int(t.Month()))
}

var partitionName = regexp.MustCompile(`^usage_records_p(\d{4})(\d{2})$`)

// parseTable is the inverse of month.table, for partitions we created.
func parseTable(name string) (month, bool) {
	p := partitionName.FindStringSubmatch(name)
	if p == nil {
		return 0, false
	}
	y, _ := strconv.Atoi(p[1])
	mo, _ := strconv.Atoi(p[2])
	if mo < 1 || mo > 12 {
		return 0, false
	}
	m := month(time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	if m.table() != name {
		return 0, false
	}
	return m, true
}

// partitions remembers the months known to exist, so that a steady stream
// of batches costs no catalog lookups.
type partitions struct {
	mu    sync.Mutex
	known map[month]bool
}

func (p *partitions) missing(months map[month]bool) []month {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []month
	for m := range months {
		if !p.known[m] {
			out = append(out, m)
		}
	}
	return out
}

func (p *partitions) mark(months []month, exists bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.known == nil {
		p.known = map[month]bool{}
	}
	for _, m := range months {
		if exists {
			p.known[m] = true
		} else {
			delete(p.known, m)
		}
	}
}

// ensurePartitions creates the partitions of months that do not exist yet,
// plus next month's, so that the month rollover does not wait on DDL.
// It runs in its own transaction, before the write transaction: creating a
// partition locks the parent table exclusively, and a write transaction
// that did it would hold that lock until it commits.
func (s *Store) ensurePartitions(ctx context.Context, months map[month]bool) error {
	months[monthOf(time.Now().UnixMilli()).end()] = true
	missing := s.parts.missing(months)
	if len(missing) == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Two writers creating one partition at once would collide in the
		// catalog; the lock makes the second one find it created.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", partitionLockKey); err != nil {
			return err
		}
		for _, m := range missing {
			q := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s PARTITION OF usage_records FOR VALUES FROM (%d) TO (%d)",
				pgx.Identifier{m.table()}.Sanitize(), int64(m), int64(m.end()))
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", m.table(), err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: create partition: %w", err)
	}
	s.parts.mark(missing, true)
	return nil
}

// dropPartitionsBefore drops the partitions that end at or before cut and
// returns how many records they held.
func (s *Store) dropPartitionsBefore(ctx context.Context, cut int64) (int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'usage_records'::regclass`)
	if err != nil {
		return 0, fmt.Errorf("postgres: retention: list partitions: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("postgres: retention: list partitions: %w", err)
	}
	var old []month
	for _, n := range names {
		// Partitions someone else created are left to the DELETE.
		if m, ok := parseTable(n); ok && int64(m.end()) <= cut {
			old = append(old, m)
		}
	}
	if len(old) == 0 {
		return 0, nil
	}
	var dropped int64
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		dropped = 0
		// Same lock order as ensurePartitions (advisory, then the parent),
		// and the parent locked before counting so that no writer adds a
		// row between the count and the drop.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", partitionLockKey); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "LOCK TABLE usage_records IN ACCESS EXCLUSIVE MODE"); err != nil {
			return err
		}
		for _, m := range old {
			table := pgx.Identifier{m.table()}.Sanitize()
			var n int64
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
				return fmt.Errorf("%s: %w", m.table(), err)
			}
			if _, err := tx.Exec(ctx, "DROP TABLE "+table); err != nil {
				return fmt.Errorf("%s: %w", m.table(), err)
			}
			dropped += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: retention: drop partition: %w", err)
	}
	s.parts.mark(old, false)
	return dropped, nil
}
