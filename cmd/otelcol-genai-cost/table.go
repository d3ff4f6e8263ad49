package main

import (
	"strings"
	"unicode/utf8"
)

// table writes rows in columns two spaces apart: text columns aligned
// left, the columns marked in right aligned (numbers). As with
// text/tabwriter, the last cell of a row aligned left does not widen its
// column: a long value after a label leaves the columns below alone.
type table struct {
	rows  [][]string
	right []bool
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// String returns the table's text.
func (t *table) String() string {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			if i < len(r)-1 || t.isRight(i) {
				widths[i] = max(widths[i], utf8.RuneCountInString(c))
			}
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		var line strings.Builder
		for i, c := range r {
			if i > 0 {
				line.WriteString("  ")
			}
			pad := strings.Repeat(" ", max(widths[i]-utf8.RuneCountInString(c), 0))
			if t.isRight(i) {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

func (t *table) isRight(i int) bool { return i < len(t.right) && t.right[i] }
