package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every key lockdown answers to. Children match against it with key.Matches; the footer
// shows the subset that makes sense right now.
type KeyMap struct {
	Up, Down, PageUp, PageDown key.Binding
	NextStep, PrevStep, Focus  key.Binding
	Enter, Inspect, Retry      key.Binding
	Toggle, All, None, Filter  key.Binding
	Plan, Apply, Skip          key.Binding
	Complete, Verify, Back     key.Binding
	Yes                        key.Binding
	Reveal, Write              key.Binding
	Note, Help, Quit           key.Binding
}

// DefaultKeyMap returns lockdown's keys.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		PageUp:   b("pgup", "page up", "pgup"),
		PageDown: b("pgdn", "page down", "pgdown"),
		NextStep: b("]", "next step", "]"),
		PrevStep: b("[", "previous step", "["),
		Focus:    b("tab", "switch pane", "tab"),
		Enter:    b("enter", "choose", "enter"),
		Inspect:  b("i", "inspect", "i"),
		Retry:    b("r", "retry", "r"),
		Toggle:   b("space", "toggle", "space"),
		All:      b("a", "select all", "a"),
		None:     b("n", "select none", "n"),
		Filter:   b("/", "filter rows", "/"),
		Plan:     b("p", "plan", "p"),
		Apply:    b("A", "apply…", "A"),
		Skip:     b("s", "skip…", "s"),
		Complete: b("c", "complete", "c"),
		Verify:   b("v", "verify", "v"),
		Back:     b("esc", "back/cancel", "esc"),
		Yes:      b("y", "yes", "y"),
		Reveal:   b("r", "reveal/hide", "r"),
		Write:    b("w", "write to file", "w"),
		Note:     b("N", "note", "N"),
		Help:     b("?", "more keys", "?"),
		Quit:     b("q", "quit", "q", "ctrl+c"),
	}
}

// ShortHelp is the footer line when nothing more specific applies.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.NextStep, k.PrevStep, k.Focus, k.Inspect, k.Plan, k.Apply, k.Skip, k.Help, k.Quit}
}

// FullHelp is every key, grouped by what it acts on.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.NextStep, k.PrevStep, k.Focus},
		{k.Enter, k.Inspect, k.Retry, k.Plan, k.Apply, k.Skip, k.Complete, k.Verify},
		{k.Toggle, k.All, k.None, k.Filter, k.Back},
		{k.Note, k.Help, k.Quit},
	}
}

// helpKeys is a key.Map for the footer built from the bindings relevant to the current screen.
type helpKeys struct {
	short []key.Binding
	full  [][]key.Binding
}

func (h helpKeys) ShortHelp() []key.Binding  { return h.short }
func (h helpKeys) FullHelp() [][]key.Binding { return h.full }
