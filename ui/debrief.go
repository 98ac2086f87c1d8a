package ui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// debriefScreen is the end of a drill: the scored debrief, drawn when the operator quits, so the
// team reads it together before lockdown exits. esc goes back to the drill; q leaves.
type debriefScreen struct {
	lines []string
	top   int
}

// onQuitKey ends the interface or, in a drill with nothing running, first shows the debrief.
func (m *Model) onQuitKey() tea.Cmd {
	if m.ctx.Debrief == nil || m.task != nil {
		return m.requestQuit()
	}
	m.openDebrief()
	return nil
}

// quitBinding is q, named the same everywhere; in a drill it ends on the debrief first, which
// the ? list says.
func (m *Model) quitBinding() key.Binding { return m.ctx.Keys.Quit }

// openDebrief draws the debrief as the drill stands now.
func (m *Model) openDebrief() {
	m.debrief = &debriefScreen{lines: m.ctx.Debrief()}
}

func (m *Model) onDebriefKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	switch {
	case key.Matches(msg, k.Quit):
		return m.requestQuit()
	case key.Matches(msg, k.Back):
		m.debrief = nil
		return m.current().focusInputs()
	case key.Matches(msg, k.Help):
		m.openHelp()
	default:
		page := max(1, m.bodyRows()-1)
		m.debrief.top = max(0, m.debrief.top+k.moveBy(msg, page)) // the view stops it at the end
	}
	return nil
}

// debriefKeys are the keys of the debrief screen.
func (m *Model) debriefKeys() paneKeys {
	k := m.ctx.Keys
	return paneKeys{"debrief", append(append([]key.Binding{k.esc("back to the drill")}, k.scrollKeys()...), k.Help, named(k.Quit, "quit"))}
}

// debriefView is the debrief, full width, from the line scrolled to; a last line says how much
// more there is below.
func (m *Model) debriefView(width, height int) string {
	s := m.ctx.Styles
	d := m.debrief
	lines := wrapLines(d.lines, width)
	d.top = min(d.top, max(0, len(lines)-height+1))
	shown := lines[d.top:]
	more := 0
	if len(shown) > height {
		more = len(shown) - (height - 1)
		shown = shown[:height-1]
	}
	out := make([]string, 0, height)
	for i, l := range shown {
		switch {
		case i+d.top == 0:
			l = s.Title.Render(l)
		case strings.HasPrefix(l, "Score:"):
			l = s.OK.Render(l)
		}
		out = append(out, l)
	}
	if more > 0 {
		out = append(out, s.Subtle.Render(ansi.Truncate("… "+strconv.Itoa(more)+" more lines: ↓ or pgdn", width, "…")))
	}
	return strings.Join(out, "\n")
}
