package ui

// How the findings table draws: the columns that fit, each row, the count line under them.

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"lockdown/steps"
)

// render draws the lines above the rows that are in view, the column titles, the visible window of
// rows, the count and the reasons for the row under the cursor; an open row takes all the room.
func (f *findingsTable) render(head []string, sticky int) string {
	if f.open && f.rows() > 0 {
		return f.detailView()
	}
	f.head, f.sticky = head, min(sticky, len(head))
	f.place()
	f.follow()
	s := f.ctx.Styles
	h, m := f.scrolled()
	out := append([]string(nil), head[:f.sticky]...)
	for i := f.top; i < h && len(out) < f.sticky+m-2; i++ { // the titles and a row always show
		out = append(out, head[f.sticky+i])
	}
	cols := f.fitted()
	titles := make([]string, len(f.table.Columns))
	for i, c := range f.table.Columns {
		titles[i] = c.Title
	}
	out = append(out, s.Title.Render(f.line("    ", titles, cols)))
	n := f.rows()
	first, end := f.firstRow(), min(n, f.firstRow()+f.shownRows())
	for i := first; i < end; i++ {
		out = append(out, f.row(i, cols))
	}
	out = append(out, s.Subtle.Render(ansi.Truncate(f.countLine(first, end, cols), f.width, "…")))
	if n > 0 {
		r := f.table.Rows[f.rowAt(f.cursor)]
		for i, reason := range r.Reasons {
			if i == f.reasonRows {
				break
			}
			out = append(out, s.Tone(r.Tone).Render(ansi.Truncate("  • "+reason, f.width, "…")))
		}
	}
	return strings.Join(out, "\n")
}

// countLine says which rows are shown, what lies above them and which columns only the opened row
// shows.
func (f *findingsTable) countLine(first, end int, cols []int) string {
	n := f.rows()
	count := fmt.Sprintf("rows %d–%d of %d", min(first+1, end), end, n)
	if f.table.Selectable {
		count = fmt.Sprintf("%d of %d selected · ", f.count(), len(f.table.Rows)) + count
	}
	if h, _ := f.scrolled(); f.top > 0 && first == 0 {
		count += " · " + plural(min(f.top, h), "line", "lines") + " above: ↑"
	} else if f.top > 0 && h > 0 {
		count += " · more above"
	}
	if hidden := f.hiddenColumns(cols); hidden != "" {
		count += " · enter shows " + hidden
	}
	return count + f.filterLine()
}

// row draws the i-th shown row.
func (f *findingsTable) row(i int, cols []int) string {
	at := f.rowAt(i)
	r := f.table.Rows[at]
	mark := "    "
	if f.table.Selectable {
		mark = "[ ] "
		if f.selected[at] {
			mark = "[x] "
		}
	}
	text := f.line(mark, r.Cells, cols)
	if i == f.cursor {
		return f.ctx.Styles.Selected.Render(text)
	}
	return f.ctx.Styles.Tone(r.Tone).Render(text)
}

// fitted are the widths the columns get in the table's width: each its own while it fits, the
// first that does not fit what is left (when that is enough to read a few characters), and the
// rest none — those the opened row shows, and the count line says so.
func (f *findingsTable) fitted() []int {
	cols := make([]int, len(f.widths))
	room := f.width - 4
	for c, w := range f.widths {
		switch {
		case w+1 <= room:
			cols[c] = w
			room -= w + 1
		case room >= 8:
			cols[c] = room - 1
			room = 0
		default:
			room = 0
		}
	}
	return cols
}

// hiddenColumns names the columns the table has no room for.
func (f *findingsTable) hiddenColumns(cols []int) string {
	var names []string
	for c, w := range cols {
		if w == 0 && f.widths[c] > 0 {
			names = append(names, f.table.Columns[c].Title)
		}
	}
	return strings.Join(names, ", ")
}

// line lays cells out in the column widths given, leaving out the columns without room.
func (f *findingsTable) line(prefix string, cells []string, cols []int) string {
	var b strings.Builder
	b.WriteString(prefix)
	for c, w := range cols {
		if w == 0 {
			continue
		}
		cell := ""
		if c < len(cells) {
			cell = cells[c]
		}
		cell = ansi.Truncate(cell, w, "…")
		b.WriteString(cell)
		b.WriteString(strings.Repeat(" ", w-ansi.StringWidth(cell)+1))
	}
	return ansi.Truncate(strings.TrimRight(b.String(), " "), f.width, "…")
}

// withSeverity puts each row's severity (rogue, flagged, ok…) in a first column, unless the
// action already gives a verdict column (a verification's result): a colour alone does not survive NO_COLOR, a narrow
// terminal or a colour-blind operator, and a "Status: ok" beside a backdoor key would read as safe.
func withSeverity(t *steps.Table) *steps.Table {
	for _, c := range t.Columns {
		if strings.EqualFold(c.Title, "verdict") || strings.EqualFold(c.Title, "severity") || strings.EqualFold(c.Title, "result") {
			return t
		}
	}
	out := *t
	out.Columns = append([]steps.Column{{Title: "Severity", Width: 9}}, t.Columns...)
	out.Rows = make([]steps.Row, len(t.Rows))
	for i, r := range t.Rows {
		r.Cells = append([]string{severity(r.Tone)}, r.Cells...)
		out.Rows[i] = r
	}
	return &out
}

// severity names a row's tone in the operator's words.
func severity(t steps.Tone) string {
	switch t {
	case steps.ToneRogue:
		return "rogue"
	case steps.ToneSuspicious, steps.ToneWarning:
		return "flagged"
	case steps.ToneFailed:
		return "unread"
	case steps.ToneProtected:
		return "protected"
	}
	return "ok"
}
