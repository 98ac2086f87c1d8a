package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Briefing is how a drill starts: the alert as the on-call receives it, and what the drill is for.
// A resumed incident starts on one too, when reading back what the stopped run left unsettled
// found something the operator must decide (a key whose secrets file is gone): Title then names
// it, and Text says what was found.
type Briefing struct {
	Title    string
	Scenario string
	From     string
	Subject  string
	Text     string
	// KeyID is the leaked access key the alert names; it is filled into the containment step.
	KeyID string
	Seen  time.Time
	Cost  string
	Goals []string
	// OwnKey is true when the leaked key is the one lockdown signs with: containing it first would
	// lock the responder out, so the drill does not start there.
	OwnKey bool
}

// onBriefingKey starts the drill with enter: straight to the step that takes the leaked key, its
// field already filled in, because containing the key comes first.
func (m *Model) onBriefingKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	switch {
	case key.Matches(msg, k.Enter):
		m.briefing = false
		for i, st := range m.statuses {
			if m.ctx.Briefing.OwnKey && st.Step.Action == "iam.contain-key" {
				continue // contained last: the first step after it that takes the key
			}
			if p := m.panelFor(st.Step); p.wantsInput() && p.hasKnownInput() {
				m.selectStep(i)
				m.focus = panePanel
				m.layout()
				return p.focusInputs()
			}
		}
		m.layout()
	case key.Matches(msg, k.Help):
		m.openHelp()
	case key.Matches(msg, k.Quit):
		return m.onQuitKey()
	case key.Matches(msg, k.Interrupt):
		return m.requestQuit()
	default:
		m.briefingScroll = max(0, m.briefingScroll+k.moveBy(msg, max(1, m.bodyRows()-1)))
	}
	return nil
}

// briefingKeys are the keys of the briefing screen.
func (m *Model) briefingKeys() paneKeys {
	k := m.ctx.Keys
	start := "start: contain the leaked key"
	if m.ctx.Briefing.Title != "" {
		start = "go on to the incident"
	}
	if m.ctx.Briefing.OwnKey {
		start = "start: trace the attacker"
	}
	return paneKeys{"briefing", append(append([]key.Binding{named(k.Enter, start)}, k.scrollKeys()...), k.Help, m.quitBinding())}
}

// startLine says where enter starts the drill, as the goals order it: containment first, or,
// when the leaked key is the one lockdown signs with, last.
func (m *Model) startLine() string {
	if m.ctx.Briefing.Title != "" {
		return "enter goes on to the incident"
	}
	if m.ctx.Briefing.OwnKey {
		hint := "enter starts at the trace, the key filled in: the leaked key is the one lockdown signs with — " +
			"clean up while it works and contain it last (step 2 warns before it locks you out)"
		if m.ctx.BreakGlass != nil {
			hint += "; then I hands over to the break-glass identity in the team's vault"
		}
		return hint
	}
	return "enter starts: containing the leaked key comes first, its id already filled in"
}

// briefingView is the alert and the goals, full width: the first thing the on-call reads.
func (m *Model) briefingView(width, height int) string {
	s := m.ctx.Styles
	b := m.ctx.Briefing
	w := min(width-2, 100)
	title := "Drill " + b.Scenario + ": the alert as it reached the on-call"
	if b.Title != "" {
		title = b.Title
	}
	lines := []string{s.Title.Render(title)}
	if b.From != "" {
		lines = append(lines, s.Subtle.Render("From:    ")+b.From)
	}
	if b.Subject != "" {
		lines = append(lines, s.Subtle.Render("Subject: ")+s.Warning.Render(b.Subject))
	}
	if !b.Seen.IsZero() {
		ago := m.ctx.accountNow().Sub(b.Seen)
		lines = append(lines, s.Subtle.Render("Seen:    ")+b.Seen.UTC().Format("15:04 UTC")+s.Subtle.Render(" ("+minutes(ago)+" ago)"))
	}
	if b.KeyID != "" {
		lines = append(lines, s.Subtle.Render("Key:     ")+s.Destructive.Render(b.KeyID))
	}
	if b.Cost != "" {
		lines = append(lines, s.Subtle.Render("Cost:    ")+b.Cost)
	}
	if text := strings.TrimSpace(b.Text); text != "" {
		lines = append(lines, "")
		for _, l := range strings.Split(unwrapParagraphs(text), "\n") {
			lines = append(lines, indent(l, "  ", "  ", w)...)
		}
	}
	if len(b.Goals) > 0 {
		lines = append(lines, "", s.Title.Render("Goals"))
		for _, g := range b.Goals {
			lines = append(lines, indent(g, "  • ", "    ", w)...)
		}
	}
	lines = append(lines, s.OK.Render(m.startLine()))
	return strings.Join(scrolled(s, wrapLines(lines, w), &m.briefingScroll, height, w), "\n")
}

// indent wraps text to width with every line indented, so a wrapped line stays in its block: each
// line, the first or the rest, leaves room for the wider of the two indents, so none of them is
// cut again where the text is shown.
func indent(text, first, rest string, width int) []string {
	wrapped := strings.Split(ansi.Wrap(text, max(10, width-max(ansi.StringWidth(first), ansi.StringWidth(rest))), " "), "\n")
	for i, l := range wrapped {
		if i == 0 {
			wrapped[i] = first + l
		} else {
			wrapped[i] = rest + l
		}
	}
	return wrapped
}

// minutes is a duration as an operator says it: "25m", "2h05m".
func minutes(d time.Duration) string {
	d = d.Truncate(time.Minute)
	if d < time.Hour {
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
