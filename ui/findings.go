package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"lockdown/steps"
)

// findingsTable is the operator's selection over what an action found. It renders only the rows
// that fit, so a scan with tens of thousands of instances stays as quick to draw as one with ten.
//
// The panel hands it the lines that go above the rows (the summary, warnings, facts): with the
// column titles and the rows they form one document the operator scrolls with the row keys. The
// first of those lines and, under the rows, the row count and the reasons for the row under the
// cursor stay in place; ↑ on the first row scrolls the lines above the rows back into view, so
// nothing is ever out of reach, and nothing is hidden while the panel has room for it.
type findingsTable struct {
	ctx      *Context
	table    *steps.Table
	selected []bool
	widths   []int
	cursor   int
	// top is the first line of the document shown, below the line that stays: lines above the
	// rows count first, then the column titles, then the rows.
	top    int
	width  int
	height int // every line the table and the lines above it may use
	// head are the lines above the rows, as last drawn, of which the first sticky stay in view;
	// placed is false until top has been set for them, so the rows come into view first.
	head   []string
	sticky int
	placed bool
	// reasonRows is how many reasons of the row under the cursor are shown.
	reasonRows int

	// filter narrows the rows shown to those containing it (any cell, verdict or reason);
	// visible holds their indices, nil meaning every row. typing is true while it is edited.
	filter  string
	typing  bool
	visible []int
	// open shows every column, reason and detail of the row under the cursor instead of the rows;
	// detailScroll is how far that view is scrolled.
	open         bool
	detailScroll int
}

// widthSample bounds how many rows are measured to fit columns without a preferred width.
const widthSample = 200

// firstRows is how many rows the table shows when it opens, when it has room for them: the lines
// above the rows beyond the first scroll out of view to make that room.
const firstRows = 10

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

// SetSize gives the table its width and the number of lines it and the lines above it may use.
func (f *findingsTable) SetSize(width, height int) {
	if width != f.width || height != f.height {
		f.placed = false // the rows come first again at the new size
	}
	f.width, f.height = width, height
	// Under the rows, the count line and the reasons for the row under the cursor: as many as the
	// rows have, up to three when there is room, one on a small terminal.
	f.reasonRows = min(3, f.mostReasons())
	if height < 20 {
		f.reasonRows = min(1, f.reasonRows)
	}
	f.follow()
}

// mostReasons is the most reasons a row has, among the rows measured for the column widths: the
// lines kept for reasons stay the same as the cursor moves, and none stay blank for every row.
func (f *findingsTable) mostReasons() int {
	most := 0
	for i := 0; i < len(f.table.Rows) && i < widthSample; i++ {
		most = max(most, len(f.table.Rows[i].Reasons))
	}
	return most
}

// scrolled is the document the operator scrolls: the lines above the rows but those that stay,
// then the column titles and the rows. middle is how many of its lines are shown.
func (f *findingsTable) scrolled() (headLines, middle int) {
	headLines = max(0, len(f.head)-f.sticky)
	middle = f.height - 1 - f.reasonRows - f.sticky
	return headLines, max(2, middle)
}

// firstRow is the index of the first row shown, and shownRows how many rows are shown.
func (f *findingsTable) firstRow() int {
	h, _ := f.scrolled()
	return max(0, f.top-h)
}

func (f *findingsTable) shownRows() int {
	h, m := f.scrolled()
	return max(1, m-1-max(0, h-f.top))
}

// follow keeps the cursor's row in view and the document within its bounds.
func (f *findingsTable) follow() {
	n := f.rows()
	f.cursor = max(0, min(f.cursor, n-1))
	h, m := f.scrolled()
	if f.cursor < f.firstRow() {
		f.top = h + f.cursor
	}
	if last := f.firstRow() + f.shownRows() - 1; f.cursor > last {
		f.top = f.cursor + h + 2 - m
	}
	f.top = max(0, min(f.top, h+1+n-m))
}

// scrollHead moves the document by delta lines without moving the cursor: how ↑ on the first row
// brings the lines above the rows back, and ↓ takes them away again.
func (f *findingsTable) scrollHead(delta int) {
	h, m := f.scrolled()
	f.top = max(0, min(f.top+delta, h+1+f.rows()-m))
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

// place puts the document where it stands when the table opens or its size changes: the rows
// come first, as many as firstRows whenever the lines above them can give way.
func (f *findingsTable) place() {
	if !f.placed {
		f.top, f.placed = f.homeTop(), true
	}
}

// Update moves the cursor and changes the selection.
func (f *findingsTable) Update(msg tea.KeyPressMsg) bool {
	k := f.ctx.Keys
	f.place()
	if f.typing {
		f.editFilter(msg)
		return true
	}
	if f.open {
		if key.Matches(msg, k.Enter, k.Back) {
			f.open, f.detailScroll = false, 0
		}
		f.detailScroll = max(0, f.detailScroll+k.moveBy(msg, f.height-1))
		return true
	}
	if d := k.moveBy(msg, f.shownRows()); d != 0 {
		_, m := f.scrolled()
		switch {
		case key.Matches(msg, k.PageUp) && f.cursor == 0:
			d = -max(1, m-2) // a page of the lines above the rows
		case key.Matches(msg, k.PageDown) && f.cursor == 0 && f.top < f.homeTop():
			d = max(1, m-2)
		}
		f.move(d)
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
	f.follow()
	return true
}

// move moves the cursor by delta rows. Upwards from the first row it scrolls the lines above the
// rows into view instead; downwards it first takes back what that showed.
func (f *findingsTable) move(delta int) {
	switch {
	case delta < 0 && f.cursor == 0:
		f.scrollHead(delta)
	case delta > 0 && f.cursor == 0 && f.top < f.homeTop():
		f.scrollHead(min(delta, f.homeTop()-f.top))
	default:
		f.cursor += delta
		f.follow()
	}
}

// homeTop is where the document stands when the table opens: the rows first.
func (f *findingsTable) homeTop() int {
	h, m := f.scrolled()
	return max(0, min(h, h+1+min(f.rows(), firstRows)-m))
}

// setAll selects or clears every row shown: with a filter, only the rows that match it.
func (f *findingsTable) setAll(on bool) {
	for i := range f.rows() {
		f.selected[f.rowAt(i)] = on
	}
}

// View draws the table alone, with no lines above it.
func (f *findingsTable) View() string { return f.render(nil, 0) }
