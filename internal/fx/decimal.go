package fx

import (
	"fmt"
	"time"
)

const (
	// maxScale is the most fractional digits a rate may have.
	maxScale = 12
	// maxDigits is the most significant digits a rate may have, so that
	// its digits fit an int64.
	maxDigits = 18
)

// pow10 holds 10^0 to 10^maxDigits.
var pow10 = func() [maxDigits + 1]uint64 {
	var p [maxDigits + 1]uint64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// parseDecimal reads a positive decimal such as "1.0823": digits, then
// optionally a point and more digits. It returns the value as digits times
// 10^-scale.
func parseDecimal(s string) (digits uint64, scale int, err error) {
	if s == "" {
		return 0, 0, fmt.Errorf("rate is empty; want a positive decimal such as 1.0823")
	}
	point := -1
	significant := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && point < 0 && i > 0 && i < len(s)-1:
			point = i
		case c >= '0' && c <= '9':
			if c != '0' || significant > 0 {
				significant++
			}
			if significant > maxDigits {
				return 0, 0, fmt.Errorf("rate %q has more than %d significant digits", s, maxDigits)
			}
			digits = digits*10 + uint64(c-'0')
		default:
			return 0, 0, fmt.Errorf("rate %q is not a positive decimal such as 1.0823", s)
		}
	}
	if point >= 0 {
		scale = len(s) - point - 1
	}
	if scale > maxScale {
		return 0, 0, fmt.Errorf("rate %q has more than %d decimal places", s, maxScale)
	}
	if digits == 0 {
		return 0, 0, fmt.Errorf("rate %q is not positive", s)
	}
	return digits, scale, nil
}

// normal strips trailing zeros from a decimal, so that equal values compare
// equal: 1.50 and 1.5 are both (15, 1).
func normal(digits uint64, scale int) (d uint64, sc int) {
	for scale > 0 && digits%10 == 0 {
		digits /= 10
		scale--
	}
	return digits, scale
}

// Dates are limited to years in which an instant fits int64 nanoseconds
// with room to spare.
const (
	minYear = 1900
	maxYear = 2200
)

// parseDate reads YYYY-MM-DD (00:00 UTC that day) or an RFC 3339 time.
func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t, err = time.Parse(time.RFC3339, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not a date (2006-01-02) or an RFC 3339 time", s)
		}
	}
	return checkYear(s, t)
}

func checkYear(s string, t time.Time) (time.Time, error) {
	t = t.UTC()
	if y := t.Year(); y < minYear || y > maxYear {
		return time.Time{}, fmt.Errorf("%q is outside the years %d to %d", s, minYear, maxYear)
	}
	return t, nil
}

// formatDate writes a plain date for midnight UTC, else an RFC 3339 time
// with as many fractional digits as it needs.
func formatDate(t time.Time) string {
	t = t.UTC()
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339Nano)
}

// isCode reports whether s has the shape of an ISO 4217 code: three
// upper-case ASCII letters.
func isCode(s string) bool {
	return len(s) == 3 && isUpper(s[0]) && isUpper(s[1]) && isUpper(s[2])
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func checkCode(s string) error {
	if !isCode(s) {
		return fmt.Errorf("%q is not a currency code (three upper-case letters, such as USD)", s)
	}
	return nil
}
