// Package ui is lockdown's terminal interface: it walks the on-call engineer through a runbook one
// step at a time, showing what each action found and applying changes only after confirmation.
package ui

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"

	"lockdown/aws"
	"lockdown/steps"
)

// Minimum terminal size below which the layout would be unreadable.
const (
	MinWidth  = 60
	MinHeight = 16
)

// DefaultGrace is how long a freshly opened dialog ignores keys, so keystrokes the operator was
// already typing do not answer a question they have not read.
const DefaultGrace = 300 * time.Millisecond

// Context is what every part of the interface shares: size, styles, keys, the run's mode, the
// confirmed account and the incident start. It is passed by pointer and owned by the root model.
type Context struct {
	Width, Height int

	Styles Styles
	Keys   KeyMap

	Mode steps.Mode
	// Identity is nil until the identity step has run.
	Identity *aws.Identity
	// ExpectedAccount is the account named with --account; the header flags a mismatch.
	ExpectedAccount string
	// Since is the incident start (T0); the zero time means not known.
	Since time.Time

	NoColor bool
	// Activity, when set, feeds what happens in the account meanwhile (a drill's attacker); the
	// header shows the latest.
	Activity <-chan Activity
	// Briefing, in a drill, is shown before anything else: the alert and the goals.
	Briefing *Briefing
	// Debrief, in a drill, draws the scored debrief as the drill stands, one line each: quitting
	// shows it before lockdown exits.
	Debrief func() []string
	// BreakGlass, when set, is an identity the responder can hand over to (I).
	BreakGlass *BreakGlass
	// Known are inputs the run already knows, by input name (a drill's alert names the leaked
	// key): steps asking for them start filled in.
	Known map[string]string
	// Grace is how long dialogs swallow keys after opening.
	Grace time.Duration
	// Now is the clock; tests replace it to step through grace periods.
	Now func() time.Time
	// AccountNow, in a drill, is the simulated account's clock, which a faster pace runs ahead of
	// Now: the incident's times (T0, the alert, the attacker's calls) are on it. Now when unset.
	AccountNow func() time.Time
	Log        *slog.Logger
	// Leave, when set, is where quitting goes instead of ending lockdown: an account's runbook
	// opened from the organization goes back to it.
	Leave tea.Cmd
}

// NewContext builds the shared context for a run, honouring NO_COLOR from the environment.
func NewContext(mode steps.Mode, since time.Time) *Context {
	noColor := os.Getenv("NO_COLOR") != ""
	return &Context{
		Styles:  NewStyles(noColor),
		Keys:    DefaultKeyMap(),
		Mode:    mode,
		Since:   since,
		NoColor: noColor,
		Grace:   DefaultGrace,
		Now:     time.Now,
		Log:     slog.New(slog.DiscardHandler),
	}
}

func (c *Context) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *Context) accountNow() time.Time {
	if c.AccountNow == nil {
		return c.now()
	}
	return c.AccountNow()
}

func (c *Context) logger() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Log
}

// unfit is what the screen says instead of itself before its size is known or when the terminal
// is smaller than the layout needs; ok when the layout fits.
func (c *Context) unfit() (string, bool) {
	switch w, h := c.Width, c.Height; {
	case w == 0 && h == 0:
		return "starting…", false
	case w < MinWidth || h < MinHeight:
		return fmt.Sprintf("terminal too small: need at least %d×%d, have %d×%d", MinWidth, MinHeight, w, h), false
	}
	return "", true
}

// screenView is a whole screen of the interface, drawn in the terminal's alternate screen.
func screenView(content string) tea.View {
	v := tea.NewView(content)
	v.AltScreen = true
	return v
}
