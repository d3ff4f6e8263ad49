package store

import "time"

// Grains of the rollups. Weeks start on Monday 00:00 UTC (ISO weeks);
// only dimensions with many values have week rows (WeeklyDimension).
const (
	GrainHour = "h"
	GrainDay  = "d"
	GrainWeek = "w"
)

// GrainDuration is the length of a grain's buckets.
func GrainDuration(grain string) time.Duration {
	switch grain {
	case GrainWeek:
		return 7 * 24 * time.Hour
	case GrainDay:
		return 24 * time.Hour
	}
	return time.Hour
}

// BucketStart is the start of the bucket of grain that t falls in. Time's
// zero, 1 January of year 1, was a Monday, so truncating to whole weeks
// gives ISO weeks.
func BucketStart(t time.Time, grain string) time.Time {
	return t.UTC().Truncate(GrainDuration(grain))
}
