package budget

import "time"

// Window returns the period of b that contains now: [start, end).
//
// A day, week or month starts at midnight of its first day in the budget's
// time zone, as time.Date gives it, and ends at midnight of the next
// period's first day; it is as long as the clock says, so a day in which
// DST begins is 23 hours long and one in which it ends 25. A week is an
// ISO 8601 week, from Monday 00:00. A rolling window is the Days × 24 hours
// that end at now, and start and end are in UTC.
func (b *Budget) Window(now time.Time) (start, end time.Time) {
	if b.spec.Period.Kind == Rolling {
		now = now.UTC()
		return now.Add(-b.rolling()), now
	}
	t := now.In(b.loc)
	y, m, d := t.Date()
	switch b.spec.Period.Kind {
	case Week:
		d -= (int(t.Weekday()) + 6) % 7 // days since Monday
		return b.midnight(y, m, d), b.midnight(y, m, d+7)
	case Month:
		return b.midnight(y, m, 1), b.midnight(y, m+1, 1)
	default: // Day
		return b.midnight(y, m, d), b.midnight(y, m, d+1)
	}
}

// Previous returns the period before the one containing now: for a
// calendar period the one that ends where Window(now) starts, for a
// rolling window the Days × 24 hours before Window(now).
func (b *Budget) Previous(now time.Time) (start, end time.Time) {
	start, _ = b.Window(now)
	if b.spec.Period.Kind == Rolling {
		return start.Add(-b.rolling()), start
	}
	return b.Window(start.Add(-time.Nanosecond))
}

// Length returns the length of the period containing now.
func (b *Budget) Length(now time.Time) time.Duration {
	start, end := b.Window(now)
	return end.Sub(start)
}

func (b *Budget) rolling() time.Duration {
	return time.Duration(b.spec.Period.Days) * 24 * time.Hour
}

// midnight is 00:00 of the day in the budget's zone; time.Date normalises
// an out-of-range day or month (March 0 is the last day of February).
func (b *Budget) midnight(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, b.loc)
}
