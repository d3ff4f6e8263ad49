package metrics

import "github.com/prometheus/client_golang/prometheus"

// notificationMetrics count the budget notifications of webhooks, by
// webhook name (a configured, bounded set).
type notificationMetrics struct {
	sent, failed *prometheus.CounterVec
	pending      *prometheus.GaugeVec
}

func newNotificationMetrics(name func(string) string) *notificationMetrics {
	labels := []string{"webhook"}
	return &notificationMetrics{
		sent:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: name("budget_notifications_sent_total"), Help: "Budget notifications a webhook accepted (a 2xx answer)."}, labels),
		failed:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: name("budget_notifications_failed_total"), Help: "Budget notifications given up on after their retries."}, labels),
		pending: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name("budget_notifications_pending"), Help: "Budget notifications this collector is delivering (claimed or resumed, not yet sent or failed)."}, labels),
	}
}

// NotificationSent counts a notification the webhook accepted.
func (m *Metrics) NotificationSent(webhook string) {
	m.notifications.sent.WithLabelValues(webhook).Inc()
}

// NotificationFailed counts a notification given up on.
func (m *Metrics) NotificationFailed(webhook string) {
	m.notifications.failed.WithLabelValues(webhook).Inc()
}

// NotificationPending adds delta to the pending notifications of webhook.
func (m *Metrics) NotificationPending(webhook string, delta int) {
	m.notifications.pending.WithLabelValues(webhook).Add(float64(delta))
}

// InitNotifications makes the series of the webhooks exist at 0.
func (m *Metrics) InitNotifications(webhooks []string) {
	for _, w := range webhooks {
		m.notifications.sent.WithLabelValues(w)
		m.notifications.failed.WithLabelValues(w)
		m.notifications.pending.WithLabelValues(w)
	}
}
