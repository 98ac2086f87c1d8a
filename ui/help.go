package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
)

// keysNow is every key that does something on the screen as it is, for whatever has the keyboard,
// most useful first. The footer, the ? overlay and (through the same bindings) the handlers agree.
func (m *Model) keysNow() paneKeys {
	if m.showHelp {
		return paneKeys{"keys", []key.Binding{m.ctx.Keys.esc("close this list"), m.ctx.Keys.Help}}
	}
	return m.keysBelow()
}

// keysBelow is what keysNow would be without the ? overlay: what the overlay lists.
func (m *Model) keysBelow() paneKeys {
	k := m.ctx.Keys
	switch {
	case m.debrief != nil && !m.askQuit:
		return m.debriefKeys()
	case m.briefing && !m.askQuit:
		return m.briefingKeys()
	case m.askQuit:
		return paneKeys{"quit?", []key.Binding{named(k.Yes, "quit, stopping the action"), m.ctx.Keys.esc("stay")}}
	case m.secret != nil:
		return m.secret.keys()
	case m.confirm != nil:
		return m.confirm.keys()
	case m.reason != nil:
		return paneKeys{m.reason.title, []key.Binding{named(k.Enter, m.reason.verb), k.esc("cancel")}}
	case m.task != nil:
		return paneKeys{"running action", m.withGlobal(k.esc("cancel the "+m.task.verb), k.NextStep, k.PrevStep)}
	}
	p := m.current()
	switch {
	case p.capturing() && (m.focus == panePanel || p.filtering()):
		return paneKeys{"action panel", p.keys()} // typed text: only the keys the field leaves alone
	case m.focus == paneSteps:
		own := append(p.stepKeys(), named(k.Up, "previous step"), named(k.Down, "next step"), named(k.Enter, "go to the step"))
		return paneKeys{"steps", m.withGlobal(own...)}
	case m.focus == paneGuide:
		return paneKeys{"guide", m.withGlobal(named(k.Up, "scroll up"), named(k.Down, "scroll down"), k.PageUp, k.PageDown,
			k.esc("back to the action"))}
	}
	return paneKeys{"action panel", m.withGlobal(p.keys()...)}
}

// withGlobal adds the keys that work from every pane.
func (m *Model) withGlobal(own ...key.Binding) []key.Binding {
	k := m.ctx.Keys
	return append(own, k.NextStep, k.PrevStep, k.Focus, k.Note, k.Help, m.quitBinding())
}

// named is a binding with the description it has here.
func named(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// footerView is the status line and one line of keys that always ends with how to see the rest
// and how to quit, however narrow the terminal.
func (m *Model) footerView() string {
	w := m.ctx.Width
	all := m.keysNow().keys
	var tail, rest []key.Binding
	for _, b := range all {
		if key.Matches(keyOf(b), m.ctx.Keys.Help, m.ctx.Keys.Quit) {
			tail = append(tail, b)
		} else {
			rest = append(rest, b)
		}
	}
	end := m.help.ShortHelpView(tail)
	room := w
	if end != "" {
		room -= ansi.StringWidth(end) + ansi.StringWidth(m.help.ShortSeparator)
	}
	line := fitBindings(m, rest, room)
	if end != "" {
		if line != "" {
			line += m.help.Styles.ShortSeparator.Render(m.help.ShortSeparator)
		}
		line += end
	}
	status := ansi.Truncate(m.status.View(m.ctx.Styles), w, "…")
	return status + "\n" + ansi.Truncate(line, w, "…")
}

// fitBindings renders as many bindings as fit in width, whole ones only.
func fitBindings(m *Model, bindings []key.Binding, width int) string {
	for n := len(bindings); n > 0; n-- {
		if v := m.help.ShortHelpView(bindings[:n]); ansi.StringWidth(v) <= width {
			return v
		}
	}
	return ""
}

// keyOf is a key press of the binding's first key, to compare bindings by what they answer to.
func keyOf(b key.Binding) keyPress {
	if len(b.Keys()) == 0 {
		return keyPress("")
	}
	return keyPress(b.Keys()[0])
}

// keyPress satisfies fmt.Stringer the way key.Matches needs.
type keyPress string

func (k keyPress) String() string { return string(k) }

// helpView is the ? overlay: every key of the focused pane with what it does here.
func (m *Model) helpView() string {
	s := m.ctx.Styles
	pk := m.keysBelow()
	width := 0
	for _, b := range pk.keys {
		width = max(width, ansi.StringWidth(b.Help().Key))
	}
	lines := []string{s.Title.Render("Keys — " + pk.title), ""}
	for _, b := range pk.keys {
		if !b.Enabled() {
			continue
		}
		lines = append(lines, s.Title.Render(padRight(b.Help().Key, width))+"  "+b.Help().Desc)
	}
	lines = append(lines, "", s.Subtle.Render("? or esc closes this list"))
	return s.Dialog.Render(strings.Join(lines, "\n"))
}

func padRight(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-ansi.StringWidth(s)))
}

// count says "1 change", "3 changes": the operator reads numbers, not "(s)".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
