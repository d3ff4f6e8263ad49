package genaiusageexporter // import "github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter"

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// lazyStore opens the store on first use when it could not be opened at
// start: a PostgreSQL server that is down when the collector starts must
// not stop the collector, and nothing is lost meanwhile (writes fail, are
// retried and queued; queries answer 503).
type lazyStore struct {
	open func(context.Context) (store.Store, error)

	mu     sync.Mutex
	s      store.Store
	last   error
	lastAt time.Time
	closed bool
}

// retryOpenAfter spaces attempts to reach a store that is down.
const retryOpenAfter = 2 * time.Second

var errClosed = store.Unavailable(errors.New("usage store: closed"))

func (l *lazyStore) get(ctx context.Context) (store.Store, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, errClosed
	}
	if l.s != nil {
		return l.s, nil
	}
	if l.last != nil && time.Since(l.lastAt) < retryOpenAfter {
		return nil, store.Unavailable(fmt.Errorf("usage store unavailable: %w", l.last))
	}
	s, err := l.open(ctx)
	if err != nil {
		l.last, l.lastAt = err, time.Now()
		return nil, store.Unavailable(fmt.Errorf("usage store unavailable: %w", err))
	}
	l.s, l.last = s, nil
	return s, nil
}

func (l *lazyStore) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.s == nil {
		return nil
	}
	err := l.s.Close()
	l.s = nil
	return err
}

func (l *lazyStore) Write(ctx context.Context, recs []usage.Record, inserted []bool) (int, error) {
	s, err := l.get(ctx)
	if err != nil {
		return 0, err
	}
	return s.Write(ctx, recs, inserted)
}

func (l *lazyStore) DeleteRecordsBefore(ctx context.Context, t time.Time) (int64, error) {
	s, err := l.get(ctx)
	if err != nil {
		return 0, err
	}
	return s.DeleteRecordsBefore(ctx, t)
}

func (l *lazyStore) Summary(ctx context.Context, f store.Filter) (store.Aggregate, error) {
	s, err := l.get(ctx)
	if err != nil {
		return store.Aggregate{}, err
	}
	return s.Summary(ctx, f)
}

func (l *lazyStore) Series(ctx context.Context, f store.Filter, grain, by string) ([]store.Point, error) {
	s, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return s.Series(ctx, f, grain, by)
}

func (l *lazyStore) Breakdown(ctx context.Context, f store.Filter, by string, limit int) ([]store.Group, error) {
	s, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return s.Breakdown(ctx, f, by, limit)
}

func (l *lazyStore) Values(ctx context.Context, f store.Filter, by string, values []string) ([]store.Group, error) {
	s, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return s.Values(ctx, f, by, values)
}

func (l *lazyStore) Records(ctx context.Context, f store.Filter, p store.Page) ([]usage.Record, int64, error) {
	s, err := l.get(ctx)
	if err != nil {
		return nil, 0, err
	}
	return s.Records(ctx, f, p)
}

func (l *lazyStore) Record(ctx context.Context, id string) (usage.Record, error) {
	s, err := l.get(ctx)
	if err != nil {
		return usage.Record{}, err
	}
	return s.Record(ctx, id)
}

func (l *lazyStore) Export(ctx context.Context, f store.Filter, fn func(*usage.Record) error) error {
	s, err := l.get(ctx)
	if err != nil {
		return err
	}
	return s.Export(ctx, f, fn)
}

func (l *lazyStore) Intervals(ctx context.Context, f store.Filter, by string) (store.IntervalStats, error) {
	s, err := l.get(ctx)
	if err != nil {
		return store.IntervalStats{}, err
	}
	return s.Intervals(ctx, f, by)
}

func (l *lazyStore) Budgets(ctx context.Context) ([]store.StoredBudget, error) {
	s, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return s.Budgets(ctx)
}

func (l *lazyStore) Budget(ctx context.Context, id string) (store.StoredBudget, error) {
	s, err := l.get(ctx)
	if err != nil {
		return store.StoredBudget{}, err
	}
	return s.Budget(ctx, id)
}

func (l *lazyStore) CreateBudget(ctx context.Context, c store.BudgetChange) (store.StoredBudget, error) {
	s, err := l.get(ctx)
	if err != nil {
		return store.StoredBudget{}, err
	}
	return s.CreateBudget(ctx, c)
}

func (l *lazyStore) UpdateBudget(ctx context.Context, c store.BudgetChange) (store.StoredBudget, error) {
	s, err := l.get(ctx)
	if err != nil {
		return store.StoredBudget{}, err
	}
	return s.UpdateBudget(ctx, c)
}

func (l *lazyStore) DeleteBudget(ctx context.Context, c store.BudgetChange) error {
	s, err := l.get(ctx)
	if err != nil {
		return err
	}
	return s.DeleteBudget(ctx, c)
}

func (l *lazyStore) BudgetAudit(ctx context.Context, p store.Page) ([]store.BudgetAuditEntry, int64, error) {
	s, err := l.get(ctx)
	if err != nil {
		return nil, 0, err
	}
	return s.BudgetAudit(ctx, p)
}

func (l *lazyStore) ClaimNotification(ctx context.Context, n *store.Notification) (bool, error) {
	s, err := l.get(ctx)
	if err != nil {
		return false, err
	}
	return s.ClaimNotification(ctx, n)
}

func (l *lazyStore) PendingNotifications(ctx context.Context, now time.Time, limit int) ([]store.Notification, error) {
	s, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return s.PendingNotifications(ctx, now, limit)
}

func (l *lazyStore) LeaseNotification(ctx context.Context, k store.NotificationKey, now, until time.Time) (bool, error) {
	s, err := l.get(ctx)
	if err != nil {
		return false, err
	}
	return s.LeaseNotification(ctx, k, now, until)
}

func (l *lazyStore) UpdateNotification(ctx context.Context, k store.NotificationKey, u store.NotificationUpdate) error {
	s, err := l.get(ctx)
	if err != nil {
		return err
	}
	return s.UpdateNotification(ctx, k, u)
}

func (l *lazyStore) Notification(ctx context.Context, k store.NotificationKey) (store.Notification, error) {
	s, err := l.get(ctx)
	if err != nil {
		return store.Notification{}, err
	}
	return s.Notification(ctx, k)
}

func (l *lazyStore) CreateRepriceRun(ctx context.Context, run *store.RepriceRun) error {
	s, err := l.get(ctx)
	if err != nil {
		return err
	}
	return s.CreateRepriceRun(ctx, run)
}

func (l *lazyStore) RepriceStep(ctx context.Context, id int64, batch int, fn func(*usage.Record) bool, now time.Time) (store.RepriceRun, error) {
	s, err := l.get(ctx)
	if err != nil {
		return store.RepriceRun{}, err
	}
	return s.RepriceStep(ctx, id, batch, fn, now)
}

func (l *lazyStore) FailRepriceRun(ctx context.Context, id int64, reason string, now time.Time) error {
	s, err := l.get(ctx)
	if err != nil {
		return err
	}
	return s.FailRepriceRun(ctx, id, reason, now)
}

func (l *lazyStore) RepriceRuns(ctx context.Context, p store.Page) ([]store.RepriceRun, int64, error) {
	s, err := l.get(ctx)
	if err != nil {
		return nil, 0, err
	}
	return s.RepriceRuns(ctx, p)
}

func (l *lazyStore) RepriceRunByID(ctx context.Context, id int64) (store.RepriceRun, error) {
	s, err := l.get(ctx)
	if err != nil {
		return store.RepriceRun{}, err
	}
	return s.RepriceRunByID(ctx, id)
}

func (l *lazyStore) Reconciliation(ctx context.Context, f store.Filter) ([]store.ReconciliationGroup, error) {
	s, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return s.Reconciliation(ctx, f)
}

var _ store.Store = (*lazyStore)(nil)
