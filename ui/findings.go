package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"lockdown/steps"
)

// findingsTable is the operator's selection over what an action found. It renders only the rows
// that fit, so a scan with tens of thousands of instances stays as quick to draw as one with ten.
type findingsTable struct {
	ctx      *Context
	table    *steps.Table
	selected []bool
	widths   []int
	cursor   int
	offset   int
	width    int
	height   int // rows of the table body, excluding header and reasons
	// reasonRows is how many reasons of the row under the cursor are shown.
	reasonRows int

	// filter narrows the rows shown to those containing it (any cell, verdict or reason);
	// visible holds their indices, nil meaning every row. typing is true while it is edited.
	filter  string
	typing  bool
	visible []int
	// open shows every reason and detail of the row under the cursor instead of the rows;
	// detailScroll is how far that view is scrolled.
	open         bool
	detailScroll int
}

// widthSample bounds how many rows are measured to fit columns without a preferred width.
const widthSample = 200

func newFindingsTable(ctx *Context, t *steps.Table) *findingsTable {
	t = withSeverity(t)
	f := &findingsTable{ctx: ctx, table: t, selected: make([]bool, len(t.Rows))}
	for i, r := range t.Rows {
		f.selected[i] = r.Selected
	}
	f.widths = make([]int, len(t.Columns))
	for c, col := range t.Columns {
		w := col.Width
		if w <= 0 {
			w = ansi.StringWidth(col.Title)
			for i := 0; i < len(t.Rows) && i < widthSample; i++ {
				if c < len(t.Rows[i].Cells) {
					w = max(w, ansi.StringWidth(t.Rows[i].Cells[c]))
				}
			}
		}
		f.widths[c] = min(w, 40)
	}
	return f
}

// SetSize gives the table its width and the number of lines it may use in total.
func (f *findingsTable) SetSize(width, height int) {
	f.width = width
	// The header line, the count line, and the reasons for the row under the cursor below the
	// rows: three lines of them when there is room, one on a small terminal.
	f.reasonRows = 3
	if height < 14 {
		f.reasonRows = 1
	}
	f.height = max(1, height-2-f.reasonRows)
	f.clamp()
}

// cursorID is the id of the row under the cursor, "" when no row is shown.
func (f *findingsTable) cursorID() string {
	if f == nil || f.rows() == 0 {
		return ""
	}
	return f.table.Rows[f.rowAt(f.cursor)].ID
}

// SelectedIDs are the rows the operator chose, in table order.
func (f *findingsTable) SelectedIDs() []string {
	var ids []string
	for i, on := range f.selected {
		if on {
			ids = append(ids, f.table.Rows[i].ID)
		}
	}
	return ids
}

func (f *findingsTable) count() int {
	n := 0
	for _, on := range f.selected {
		if on {
			n++
		}
	}
	return n
}

// Update moves the cursor and changes the selection.
func (f *findingsTable) Update(msg tea.KeyPressMsg) bool {
	k := f.ctx.Keys
	if f.typing {
		f.editFilter(msg)
		return true
	}
	if f.open {
		if key.Matches(msg, k.Enter, k.Back) {
			f.open, f.detailScroll = false, 0
		}
		f.detailScroll = max(0, f.detailScroll+k.moveBy(msg, f.height))
		return true
	}
	if d := k.moveBy(msg, f.height); d != 0 {
		f.cursor += d
		f.clamp()
		return true
	}
	switch {
	case key.Matches(msg, k.Enter) && f.rows() > 0:
		f.open = true
		return true
	case key.Matches(msg, k.Filter):
		f.typing = true
		return true
	case key.Matches(msg, k.Back) && f.filter != "":
		f.setFilter("")
	case key.Matches(msg, k.Toggle) && f.table.Selectable && f.rows() > 0:
		i := f.rowAt(f.cursor)
		f.selected[i] = !f.selected[i]
	case key.Matches(msg, k.All) && f.table.Selectable:
		f.setAll(true)
	case key.Matches(msg, k.None) && f.table.Selectable:
		f.setAll(false)
	default:
		return false
	}
	f.clamp()
	return true
}

// setAll selects or clears every row shown: with a filter, only the rows that match it.
func (f *findingsTable) setAll(on bool) {
	for i := range f.rows() {
		f.selected[f.rowAt(i)] = on
	}
}

func (f *findingsTable) clamp() {
	n := f.rows()
	f.cursor = max(0, min(f.cursor, n-1))
	if f.cursor < f.offset {
		f.offset = f.cursor
	}
	if f.cursor >= f.offset+f.height {
		f.offset = f.cursor - f.height + 1
	}
	f.offset = max(0, min(f.offset, n-f.height))
}

// View draws the header, the visible window of rows, a count and the reasons for the row under
// the cursor.
func (f *findingsTable) View() string {
	if f.open && f.rows() > 0 {
		return f.detailView()
	}
	s := f.ctx.Styles
	var b strings.Builder
	titles := make([]string, len(f.table.Columns))
	for i, c := range f.table.Columns {
		titles[i] = c.Title
	}
	b.WriteString(s.Title.Render(f.line("    ", titles)))
	n := f.rows()
	end := min(n, f.offset+f.height)
	for i := f.offset; i < end; i++ {
		b.WriteByte('\n')
		b.WriteString(f.row(i))
	}
	b.WriteByte('\n')
	count := fmt.Sprintf("rows %d–%d of %d", min(f.offset+1, end), end, n)
	if f.table.Selectable {
		count = fmt.Sprintf("%d of %d selected · ", f.count(), len(f.table.Rows)) + count
	}
	b.WriteString(s.Subtle.Render(ansi.Truncate(count+f.filterLine(), f.width, "…")))
	if n > 0 {
		r := f.table.Rows[f.rowAt(f.cursor)]
		for i, reason := range r.Reasons {
			if i == f.reasonRows {
				break
			}
			b.WriteString("\n" + s.Tone(r.Tone).Render(ansi.Truncate("  • "+reason, f.width, "…")))
		}
	}
	return b.String()
}

// row draws the i-th shown row.
func (f *findingsTable) row(i int) string {
	at := f.rowAt(i)
	r := f.table.Rows[at]
	mark := "    "
	if f.table.Selectable {
		mark = "[ ] "
		if f.selected[at] {
			mark = "[x] "
		}
	}
	text := f.line(mark, r.Cells)
	if i == f.cursor {
		return f.ctx.Styles.Selected.Render(text)
	}
	return f.ctx.Styles.Tone(r.Tone).Render(text)
}

// line lays cells out in the column widths and cuts the result to the table width.
func (f *findingsTable) line(prefix string, cells []string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for c, w := range f.widths {
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
// action already gives a verdict column: a colour alone does not survive NO_COLOR, a narrow
// terminal or a colour-blind operator, and a "Status: ok" beside a backdoor key would read as safe.
func withSeverity(t *steps.Table) *steps.Table {
	for _, c := range t.Columns {
		if strings.EqualFold(c.Title, "verdict") || strings.EqualFold(c.Title, "severity") {
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
