package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"lockdown/runbooks"
)

// stepList is the left column: every step with a glyph for its state, and overall progress.
type stepList struct {
	ctx    *Context
	cursor int
	offset int
	width  int
	height int
}

func (l *stepList) SetSize(width, height int) {
	l.width, l.height = width, height
}

// move selects the step delta places away, staying within n steps.
func (l *stepList) move(delta, n int) {
	l.cursor = max(0, min(n-1, l.cursor+delta))
	rows := max(1, l.height-2)
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+rows {
		l.offset = l.cursor - rows + 1
	}
}

// glyph is the state marker; a running step shows the spinner frame instead.
func glyph(st runbooks.StepState) string {
	switch st {
	case runbooks.StateRunning:
		return "…"
	case runbooks.StateWaiting:
		return "◆"
	case runbooks.StateDone, runbooks.StateChecked:
		return "✓"
	case runbooks.StatePlanned:
		return "◇"
	case runbooks.StateCancelled:
		return "⊘"
	case runbooks.StateSkipped:
		return "↷"
	case runbooks.StateFailed:
		return "✗"
	}
	return "○"
}

func (l *stepList) View(statuses []runbooks.StepStatus, running string, spin string, focused bool) string {
	s := l.ctx.Styles
	finished := 0
	for _, st := range statuses {
		if st.State.Settled() {
			finished++
		}
	}
	title := s.Title.Render(fmt.Sprintf("Steps %d/%d", finished, len(statuses)))
	if focused {
		title = s.Focus.Render(fmt.Sprintf("▶ Steps %d/%d", finished, len(statuses)))
	}
	lines := []string{title, ""}
	rows := max(1, l.height-2)
	for i := l.offset; i < len(statuses) && i < l.offset+rows; i++ {
		lines = append(lines, l.row(i, statuses[i], running, spin, focused))
	}
	return strings.Join(lines, "\n")
}

func (l *stepList) row(i int, st runbooks.StepStatus, running, spin string, focused bool) string {
	s := l.ctx.Styles
	g := glyph(st.State)
	if st.Step.ID == running {
		g = spin
	}
	text := ansi.Truncate(fmt.Sprintf("%s %d. %s", g, i+1, st.Step.Title), l.width, "…")
	text += strings.Repeat(" ", max(0, l.width-ansi.StringWidth(text)))
	switch {
	case i == l.cursor && focused:
		return s.Selected.Render(text)
	case i == l.cursor:
		return s.Title.Render(text)
	case st.State == runbooks.StateFailed:
		return s.Failed.Render(text)
	case st.State.Finished():
		return s.OK.Render(text)
	case st.State == runbooks.StateSkipped:
		return s.Subtle.Render(text)
	}
	return text
}
