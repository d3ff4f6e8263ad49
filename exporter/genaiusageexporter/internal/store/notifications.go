package store

import (
	"context"
	"time"
)

// NotificationStore keeps the budget notifications of webhooks: each is
// claimed once, by the INSERT of its key (webhook, budget, value, window
// start, kind) that only one collector sharing the database wins, then
// delivered; its state (pending, sent, failed), attempts and last error
// are kept, so that a restart resumes the pending ones.
//
// A pending notification is leased by the collector delivering it until
// LeaseUntil: another collector, or the same one after a restart, takes
// over a pending notification only once its lease has run out.
type NotificationStore interface {
	// ClaimNotification inserts n as pending, leased until n.LeaseUntil;
	// false if a notification with its key is stored already.
	ClaimNotification(ctx context.Context, n *Notification) (bool, error)
	// PendingNotifications lists the pending notifications whose lease
	// has run out at now, oldest first, at most limit.
	PendingNotifications(ctx context.Context, now time.Time, limit int) ([]Notification, error)
	// LeaseNotification takes the lease of a pending notification whose
	// lease has run out at now, until until; false if another took it
	// first or it is no longer pending.
	LeaseNotification(ctx context.Context, k NotificationKey, now, until time.Time) (bool, error)
	// UpdateNotification records an attempt's outcome: the state, the
	// attempts so far, the last error ("" if none) and the lease.
	UpdateNotification(ctx context.Context, k NotificationKey, u NotificationUpdate) error
	// Notification returns one; ErrNotificationNotFound if none has the key.
	Notification(ctx context.Context, k NotificationKey) (Notification, error)
}

// NotificationKey names one notification of one webhook.
type NotificationKey struct {
	Webhook, BudgetID, Value string
	WindowStart              time.Time
	// Kind is "threshold:N" or "forecast".
	Kind string
}

// Notification states.
const (
	NotificationPending = "pending"
	NotificationSent    = "sent"
	NotificationFailed  = "failed"
)

// Notification is a claimed notification and its delivery.
type Notification struct {
	NotificationKey
	// Body is the JSON payload, fixed when claimed so that every attempt
	// and every collector sends the same.
	Body             []byte
	State            string
	Attempts         int
	LastError        string
	Created, Updated time.Time
	LeaseUntil       time.Time
}

// NotificationUpdate is the outcome of a delivery attempt.
type NotificationUpdate struct {
	State      string
	Attempts   int
	LastError  string
	Time       time.Time
	LeaseUntil time.Time
}
