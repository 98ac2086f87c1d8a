package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// KeyMap is every key lockdown answers to. Handlers match against it with key.Matches, and the
// footer and the ? overlay are built from the same bindings, so help cannot drift from behaviour.
type KeyMap struct {
	Up, Down, PageUp, PageDown key.Binding
	NextStep, PrevStep, Focus  key.Binding
	Enter, Open, Inspect       key.Binding
	Retry                      key.Binding
	Toggle, All, None, Filter  key.Binding
	Plan, Apply, Skip          key.Binding
	Complete, Verify, Back     key.Binding
	// Keep records the operator's decision to keep an item the verification counts against
	// containment, with a reason.
	Keep          key.Binding
	Yes, No       key.Binding
	Reveal, Write key.Binding
	// StoredElsewhere records the operator's word that a new secret is kept outside lockdown.
	StoredElsewhere key.Binding
	// Erase deletes the last character of a filter being typed.
	Erase key.Binding
	// FieldUp and FieldDown move between the text fields of a step.
	FieldUp, FieldDown key.Binding
	Note, Help, Quit   key.Binding
	// Identity hands over to the break-glass identity, where there is one.
	Identity key.Binding
	// Interrupt is ctrl+c: it quits from anywhere but a secret nobody has seen.
	Interrupt key.Binding
}

// DefaultKeyMap returns lockdown's keys.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:              b("↑/k", "up", "up", "k"),
		Down:            b("↓/j", "down", "down", "j"),
		PageUp:          b("pgup", "page up", "pgup"),
		PageDown:        b("pgdn", "page down", "pgdown"),
		NextStep:        b("]", "next step", "]"),
		PrevStep:        b("[", "previous step", "["),
		Focus:           b("tab", "next pane", "tab"),
		Enter:           b("enter", "choose", "enter"),
		Open:            b("enter", "open row", "enter"),
		Inspect:         b("i", "inspect (read-only)", "i"),
		Retry:           b("r", "retry", "r"),
		Toggle:          b("space", "select row", "space"),
		All:             b("a", "select all", "a"),
		None:            b("n", "select none", "n"),
		Filter:          b("/", "filter rows", "/"),
		Plan:            b("p", "plan changes", "p"),
		Apply:           b("A", "apply… (asks first)", "A"),
		Skip:            b("s", "skip step…", "s"),
		Complete:        b("c", "complete step", "c"),
		Verify:          b("v", "verify through IAM", "v"),
		Keep:            b("K", "keep… (with a reason)", "K"),
		Back:            b("esc", "back", "esc"),
		Yes:             b("y", "yes", "y"),
		No:              b("n", "no", "n", "N"),
		Reveal:          b("r", "reveal/hide", "r"),
		Write:           b("w", "write all to a file", "w"),
		StoredElsewhere: b("e", "stored elsewhere", "e"),
		Erase:           b("backspace", "erase", "backspace"),
		FieldUp:         b("↑", "previous field", "up"),
		FieldDown:       b("↓", "next field", "down"),
		Note:            b("N", "note…", "N"),
		Identity:        b("I", "act as the break-glass identity…", "I"),
		Help:            b("?", "keys", "?"),
		Quit:            b("q", "quit", "q"),
		Interrupt:       b("ctrl+c", "quit", "ctrl+c"),
	}
}

// esc is the Back binding described by what it does here: esc always backs out one level, and
// the hint says which.
func (k KeyMap) esc(what string) key.Binding {
	b := k.Back
	b.SetHelp("esc", what)
	return b
}

// paneKeys is every key of what has the keyboard now, first the ones that matter most; the
// footer shows as many as fit, the ? overlay shows them all.
type paneKeys struct {
	title string
	keys  []key.Binding
}

// ShortHelp and FullHelp make paneKeys a help.KeyMap.
func (p paneKeys) ShortHelp() []key.Binding  { return p.keys }
func (p paneKeys) FullHelp() [][]key.Binding { return [][]key.Binding{p.keys} }

// moveBy is how far a movement key moves a cursor or a scroll position over a page of page lines;
// 0 for any other key.
func (k KeyMap) moveBy(msg tea.KeyPressMsg, page int) int {
	switch {
	case key.Matches(msg, k.Up):
		return -1
	case key.Matches(msg, k.Down):
		return 1
	case key.Matches(msg, k.PageUp):
		return -page
	case key.Matches(msg, k.PageDown):
		return page
	}
	return 0
}

// scrollKeys are the keys that scroll every panel, list, dialog and overlay alike.
func (k KeyMap) scrollKeys() []key.Binding {
	return []key.Binding{named(k.Up, "scroll up"), named(k.Down, "scroll down"), k.PageUp, k.PageDown}
}

// arrowScrollKeys scroll where letters are typed text: the arrows and page keys only.
func (k KeyMap) arrowScrollKeys() []key.Binding {
	return []key.Binding{named(k.FieldUp, "scroll up"), named(k.FieldDown, "scroll down"), k.PageUp, k.PageDown}
}
