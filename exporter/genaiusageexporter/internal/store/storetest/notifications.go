package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// testNotifications: a notification is claimed once, by one of many
// concurrent claims; a pending one is leased by one collector at a time
// once its lease has run out; its delivery's outcome is kept.
func testNotifications(t *testing.T, s Store) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	k := store.NotificationKey{Webhook: "ops", BudgetID: "b1", Value: "u1", WindowStart: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Kind: "threshold:80"}
	_, err := s.Notification(ctx, k)
	require.ErrorIs(t, err, store.ErrNotificationNotFound)

	var won atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.ClaimNotification(ctx, &store.Notification{NotificationKey: k, Body: []byte(`{"a":1}`), Created: t0, LeaseUntil: t0.Add(time.Minute)})
			assert.NoError(t, err)
			if ok {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(1), won.Load(), "one claim wins")

	n, err := s.Notification(ctx, k)
	require.NoError(t, err)
	assert.Equal(t, store.NotificationPending, n.State)
	assert.Equal(t, `{"a":1}`, string(n.Body))
	assert.Equal(t, k.WindowStart, n.WindowStart)
	assert.Equal(t, 0, n.Attempts)

	// Leased: not pending for others until the lease runs out.
	list, err := s.PendingNotifications(ctx, t0, 10)
	require.NoError(t, err)
	assert.Empty(t, list)
	ok, err := s.LeaseNotification(ctx, k, t0, t0.Add(time.Minute))
	require.NoError(t, err)
	assert.False(t, ok, "the claimer holds the lease")
	list, err = s.PendingNotifications(ctx, t0.Add(time.Minute), 10)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, k.Kind, list[0].Kind)

	var leased atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.LeaseNotification(ctx, k, t0.Add(time.Minute), t0.Add(2*time.Minute))
			assert.NoError(t, err)
			if ok {
				leased.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(1), leased.Load(), "one lease wins")

	require.NoError(t, s.UpdateNotification(ctx, k, store.NotificationUpdate{State: store.NotificationPending, Attempts: 1, LastError: "503", Time: t0.Add(time.Minute)}))
	n, err = s.Notification(ctx, k)
	require.NoError(t, err)
	assert.Equal(t, 1, n.Attempts)
	assert.Equal(t, "503", n.LastError)
	require.NoError(t, s.UpdateNotification(ctx, k, store.NotificationUpdate{State: store.NotificationSent, Attempts: 2, Time: t0.Add(2 * time.Minute)}))
	list, err = s.PendingNotifications(ctx, t0.Add(time.Hour), 10)
	require.NoError(t, err)
	assert.Empty(t, list, "a sent one is not pending")
	ok, err = s.LeaseNotification(ctx, k, t0.Add(time.Hour), t0.Add(2*time.Hour))
	require.NoError(t, err)
	assert.False(t, ok, "a sent one is not leased")
	ok, err = s.ClaimNotification(ctx, &store.Notification{NotificationKey: k, Body: []byte(`{}`), Created: t0.Add(time.Hour)})
	require.NoError(t, err)
	assert.False(t, ok, "a sent one is not claimed again")

	other := k
	other.Kind = "forecast"
	require.ErrorIs(t, s.UpdateNotification(ctx, other, store.NotificationUpdate{State: store.NotificationSent}), store.ErrNotificationNotFound)
	ok, err = s.ClaimNotification(ctx, &store.Notification{NotificationKey: other, Body: []byte(`{}`), Created: t0})
	require.NoError(t, err)
	assert.True(t, ok, "another kind is another notification")
}

// CheckNotificationsUpgrade checks that s, upgraded from a schema without
// the notification table after recs were written to it, keeps recs and
// claims notifications.
func CheckNotificationsUpgrade(t *testing.T, s Store, recs []usage.Record) {
	t.Helper()
	sum, err := s.Summary(ctx, store.Filter{})
	require.NoError(t, err)
	assert.Equal(t, int64(len(recs)), sum.Calls, "the records are kept")
	ok, err := s.ClaimNotification(ctx, &store.Notification{NotificationKey: store.NotificationKey{Webhook: "w", BudgetID: "b", WindowStart: Base, Kind: "forecast"}, Body: []byte(`{}`), Created: Base})
	require.NoError(t, err)
	assert.True(t, ok)
}
