package ui

import (
	"fmt"

	"github.com/charmbracelet/x/ansi"
)

// scrolled shows lines, already wrapped to width, in height rows from *offset (clamped to the
// content). When they do not all fit, the last row says which lines are shown and how to see the
// rest, so text is never cut without a word and never out of reach; when they fit, nothing is said.
func scrolled(s Styles, lines []string, offset *int, height, width int) []string {
	height = max(1, height)
	if len(lines) <= height {
		*offset = 0
		return lines
	}
	room := max(1, height-1)
	shown := window(lines, offset, room)
	where := fmt.Sprintf("lines %d–%d of %d · ↑/↓ pgup/pgdn scroll", *offset+1, *offset+len(shown), len(lines))
	return append(shown, s.Subtle.Render(ansi.Truncate(where, width, "…")))
}

// window returns the lines visible at *offset, clamping the offset to the content.
func window(lines []string, offset *int, height int) []string {
	height = max(1, height)
	*offset = max(0, min(*offset, len(lines)-height))
	return lines[*offset:min(len(lines), *offset+height)]
}

// clipWidth cuts lines to width, for lines that are laid out already (wrapping would break them).
func clipWidth(lines []string, width int) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = ansi.Truncate(l, width, "…")
	}
	return out
}
