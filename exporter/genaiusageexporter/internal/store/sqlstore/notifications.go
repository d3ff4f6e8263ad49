package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
)

// NotificationsSchema is the budget_notifications table
// (store.NotificationStore), in the SQL both dialects speak. Its primary
// key is the notification's key: the INSERT that claims one succeeds for
// one collector only.
func NotificationsSchema() string {
	return `
CREATE TABLE budget_notifications (
  webhook TEXT NOT NULL,
  budget_id TEXT NOT NULL,
  value TEXT NOT NULL,          -- '' but for an each budget
  window_start_ms BIGINT NOT NULL,
  kind TEXT NOT NULL,           -- threshold:N or forecast
  body TEXT NOT NULL,           -- the JSON payload, fixed when claimed
  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
  attempts BIGINT NOT NULL,
  last_error TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL,
  lease_until_ms BIGINT NOT NULL, -- a pending one is being delivered until then
  PRIMARY KEY (webhook, budget_id, value, window_start_ms, kind)
);
CREATE INDEX budget_notifications_pending ON budget_notifications (state, lease_until_ms);
`
}

const notificationColumns = `webhook, budget_id, value, window_start_ms, kind, body, state, attempts, last_error, created_ms, updated_ms, lease_until_ms`

const notificationKeyWhere = `webhook = ? AND budget_id = ? AND value = ? AND window_start_ms = ? AND kind = ?`

func keyArgs(k *store.NotificationKey) []any {
	return []any{k.Webhook, k.BudgetID, k.Value, k.WindowStart.UnixMilli(), k.Kind}
}

// ClaimNotification inserts n as pending; false if its key is taken.
func (r *Reader) ClaimNotification(ctx context.Context, n *store.Notification) (bool, error) {
	res, err := r.Writer.ExecContext(ctx, r.Rebind(`INSERT INTO budget_notifications (`+notificationColumns+`)
VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, '', ?, ?, ?) ON CONFLICT DO NOTHING`),
		append(keyArgs(&n.NotificationKey), string(n.Body), n.Created.UnixMilli(), n.Created.UnixMilli(), n.LeaseUntil.UnixMilli())...)
	if err != nil {
		return false, r.errorf("claim notification: %w", err)
	}
	k, err := res.RowsAffected()
	if err != nil {
		return false, r.errorf("claim notification: %w", err)
	}
	return k == 1, nil
}

func scanNotification(row interface{ Scan(...any) error }) (store.Notification, error) {
	var n store.Notification
	var start, created, updated, lease int64
	var body string
	err := row.Scan(&n.Webhook, &n.BudgetID, &n.Value, &start, &n.Kind, &body, &n.State, &n.Attempts, &n.LastError, &created, &updated, &lease)
	if err != nil {
		return n, err
	}
	n.Body = []byte(body)
	n.WindowStart = time.UnixMilli(start).UTC()
	n.Created, n.Updated, n.LeaseUntil = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC(), time.UnixMilli(lease).UTC()
	return n, nil
}

// PendingNotifications lists the pending notifications whose lease has
// run out at now, oldest first.
func (r *Reader) PendingNotifications(ctx context.Context, now time.Time, limit int) ([]store.Notification, error) {
	rows, err := r.DB.QueryContext(ctx, r.Rebind(`SELECT `+notificationColumns+` FROM budget_notifications
WHERE state = 'pending' AND lease_until_ms <= ? ORDER BY created_ms, webhook, budget_id, value, window_start_ms, kind LIMIT ?`), now.UnixMilli(), limit)
	if err != nil {
		return nil, r.errorf("pending notifications: %w", err)
	}
	defer rows.Close()
	var out []store.Notification
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, r.errorf("pending notifications: %w", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, r.errorf("pending notifications: %w", err)
	}
	return out, nil
}

// LeaseNotification takes the lease of a pending notification whose
// lease has run out: one UPDATE, which one collector wins.
func (r *Reader) LeaseNotification(ctx context.Context, k store.NotificationKey, now, until time.Time) (bool, error) {
	res, err := r.Writer.ExecContext(ctx, r.Rebind(`UPDATE budget_notifications SET lease_until_ms = ?
WHERE `+notificationKeyWhere+` AND state = 'pending' AND lease_until_ms <= ?`),
		append(append([]any{until.UnixMilli()}, keyArgs(&k)...), now.UnixMilli())...)
	if err != nil {
		return false, r.errorf("lease notification: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, r.errorf("lease notification: %w", err)
	}
	return n == 1, nil
}

// UpdateNotification records an attempt's outcome.
func (r *Reader) UpdateNotification(ctx context.Context, k store.NotificationKey, u store.NotificationUpdate) error {
	res, err := r.Writer.ExecContext(ctx, r.Rebind(`UPDATE budget_notifications SET state = ?, attempts = ?, last_error = ?, updated_ms = ?, lease_until_ms = ?
WHERE `+notificationKeyWhere),
		append([]any{u.State, u.Attempts, u.LastError, u.Time.UnixMilli(), u.LeaseUntil.UnixMilli()}, keyArgs(&k)...)...)
	if err != nil {
		return r.errorf("update notification: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return store.ErrNotificationNotFound
	}
	return nil
}

// Notification returns one notification.
func (r *Reader) Notification(ctx context.Context, k store.NotificationKey) (store.Notification, error) {
	n, err := scanNotification(r.DB.QueryRowContext(ctx, r.Rebind(`SELECT `+notificationColumns+` FROM budget_notifications WHERE `+notificationKeyWhere), keyArgs(&k)...))
	if errors.Is(err, sql.ErrNoRows) {
		return n, store.ErrNotificationNotFound
	}
	if err != nil {
		return n, r.errorf("read notification: %w", err)
	}
	return n, nil
}
