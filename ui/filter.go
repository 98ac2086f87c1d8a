package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// rows is how many rows the table shows: those matching the filter, or all of them.
func (f *findingsTable) rows() int {
	if f.visible == nil {
		return len(f.table.Rows)
	}
	return len(f.visible)
}

// rowAt maps the i-th shown row to its index in the table.
func (f *findingsTable) rowAt(i int) int {
	if f.visible == nil {
		return i
	}
	return f.visible[i]
}

// Capturing reports whether the table takes every key: a filter is being typed. An open row takes
// the keys that move and close it; the keys that work everywhere (?, q, ], [) still do.
func (f *findingsTable) Capturing() bool { return f.typing }

// detailView is the row under the cursor, opened: every column whole, why it got its verdict, and
// everything else the action knows about it. It takes all the room the table and the lines above
// it have.
func (f *findingsTable) detailView() string {
	s := f.ctx.Styles
	r := f.table.Rows[f.rowAt(f.cursor)]
	lines := []string{s.Tone(r.Tone).Render(r.ID), ""}
	width := 0
	for _, c := range f.table.Columns {
		width = max(width, ansi.StringWidth(c.Title))
	}
	if len(r.Reasons) > 0 {
		lines = append(lines, s.Title.Render("Why"))
		for _, reason := range r.Reasons {
			lines = append(lines, "  • "+reason)
		}
		lines = append(lines, "")
	}
	// The columns the table cut or had no room for, whole.
	cols := f.fitted()
	for c, col := range f.table.Columns {
		if c < len(r.Cells) && r.Cells[c] != "" && ansi.StringWidth(r.Cells[c]) > cols[c] {
			lines = append(lines, s.Subtle.Render(padRight(col.Title+":", width+1))+" "+r.Cells[c])
		}
	}
	if len(r.Details) > 0 {
		if lines[len(lines)-1] != "" {
			lines = append(lines, "")
		}
		lines = append(lines, s.Title.Render("Details"))
		for _, d := range r.Details {
			lines = append(lines, "  "+d)
		}
	}
	lines = wrapLines(lines, f.width)
	h := max(2, f.height)
	shown := window(lines, &f.detailScroll, h-1)
	hint := "enter or esc goes back to the rows"
	if len(lines) > h-1 {
		hint = fmt.Sprintf("lines %d–%d of %d · ↑/↓ pgup/pgdn scroll · ", f.detailScroll+1, f.detailScroll+len(shown), len(lines)) + hint
	}
	return strings.Join(append(shown, s.Subtle.Render(ansi.Truncate(hint, f.width, "…"))), "\n")
}

// editFilter takes one key while the filter is typed: enter keeps it, esc drops it.
func (f *findingsTable) editFilter(msg tea.KeyPressMsg) {
	k := f.ctx.Keys
	switch {
	case key.Matches(msg, k.Enter):
		f.typing = false
	case key.Matches(msg, k.Back):
		f.typing = false
		f.setFilter("")
	case key.Matches(msg, k.Erase):
		if r := []rune(f.filter); len(r) > 0 {
			f.setFilter(string(r[:len(r)-1]))
		}
	case msg.Text != "":
		f.setFilter(f.filter + msg.Text)
	}
}

// setFilter shows only the rows whose cells, verdict or reasons contain text (any case).
func (f *findingsTable) setFilter(text string) {
	f.filter = text
	f.cursor, f.placed = 0, false
	if text == "" {
		f.visible = nil
		f.follow()
		return
	}
	needle := strings.ToLower(text)
	f.visible = make([]int, 0, 64)
	for i, r := range f.table.Rows {
		if rowMatches(r.Cells, string(r.Tone), r.Reasons, needle) {
			f.visible = append(f.visible, i)
		}
	}
	f.follow()
}

func rowMatches(cells []string, tone string, reasons []string, needle string) bool {
	if strings.Contains(strings.ToLower(tone), needle) {
		return true
	}
	for _, c := range cells {
		if strings.Contains(strings.ToLower(c), needle) {
			return true
		}
	}
	for _, r := range reasons {
		if strings.Contains(strings.ToLower(r), needle) {
			return true
		}
	}
	return false
}

// filterLine is the filter as shown after the row count.
func (f *findingsTable) filterLine() string {
	switch {
	case f.typing:
		return fmt.Sprintf(" · filter: %s▏ (enter keeps, esc clears)", f.filter)
	case f.filter != "":
		return fmt.Sprintf(" · filter %q: %d match (/ edits, esc clears)", f.filter, len(f.visible))
	}
	return " · / filters"
}
