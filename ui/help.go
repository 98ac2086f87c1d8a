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
		k := m.ctx.Keys
		return paneKeys{"keys", append(append([]key.Binding{k.esc("close this list")}, k.scrollKeys()...),
			k.Help, m.quitBinding())}
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
	case m.askSwitch:
		return paneKeys{"hand over?", []key.Binding{named(k.Yes, "act as the break-glass identity"), k.esc("stay"), k.Help, k.Quit}}
	case m.askQuit:
		return paneKeys{"quit?", []key.Binding{named(k.Yes, "quit, stopping the action"), m.ctx.Keys.esc("stay"), k.Help,
			named(k.Quit, "quit, stopping the action")}}
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
	own = append(own, k.NextStep, k.PrevStep, k.Focus, k.Note)
	if m.ctx.BreakGlass != nil {
		own = append(own, k.Identity)
	}
	return append(own, k.Help, m.quitBinding())
}

// named is a binding with the description it has here.
func named(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// footerView is the status line and one line of keys that always ends with how to see the rest
// and how to quit, however narrow the terminal: "? keys • q quit" wherever those keys work (a field
// being typed into takes them as text; ctrl+c is then how to quit). A key named twice for the same
// thing (] and ↓ both "next step" in the step list) is shown once; ? lists both.
func (m *Model) footerView() string {
	w := m.ctx.Width
	all := m.keysNow().keys
	var help, quit, rest []key.Binding
	seen := map[string]bool{}
	for _, b := range all {
		switch {
		case key.Matches(keyOf(b), m.ctx.Keys.Help):
			help = append(help[:0], b) // once, whoever named it
		case key.Matches(keyOf(b), m.ctx.Keys.Quit, m.ctx.Keys.Interrupt):
			quit = append(quit[:0], b)
		case !seen[b.Help().Desc]:
			seen[b.Help().Desc] = true
			rest = append(rest, b)
		}
	}
	end := m.help.ShortHelpView(append(help, quit...))
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

// helpView is the ? overlay: every key of the focused pane with what it does here, scrolled with
// the same keys as every panel when it is taller than the screen.
func (m *Model) helpView() string {
	s := m.ctx.Styles
	pk := m.keysBelow()
	width := 0
	for _, b := range pk.keys {
		width = max(width, ansi.StringWidth(b.Help().Key))
	}
	w := max(20, min(m.ctx.Width-8, 76))
	var lines []string
	for _, b := range pk.keys {
		if !b.Enabled() {
			continue
		}
		desc := b.Help().Desc
		if key.Matches(keyOf(b), m.ctx.Keys.Quit) && m.ctx.Debrief != nil {
			desc += " (a drill ends on its debrief first; q there leaves)"
		}
		lines = append(lines, indent(desc, s.Title.Render(padRight(b.Help().Key, width))+"  ", strings.Repeat(" ", width+2), w)...)
	}
	lines = append(lines, "", s.Subtle.Render("? or esc closes this list"))
	// Two lines of border and the title stay; the keys scroll.
	room := max(3, m.bodyRows()-3)
	shown := scrolled(s, lines, &m.helpScroll, room, w)
	return s.Dialog.Render(strings.Join(append([]string{s.Title.Render("Keys — " + pk.title)}, shown...), "\n"))
}

func padRight(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-ansi.StringWidth(s)))
}

// plural says "1 change", "3 changes": the operator reads numbers, not "(s)".
func plural(n int, one, many string) string { return count(n, one, many) }

// count says "1 change", "3 changes": the operator reads numbers, not "(s)".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
