package ui

// How the organization view draws: the verdict, the accounts, the account under the cursor in
// full, and the keys.

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"lockdown/steps"
)

// verdict is the organization's: contained only when every affected account's own verification
// passed and every account was swept or skipped with a reason.
func (m *OrgModel) verdict() (string, steps.Tone) {
	if m.sweeping {
		done := 0
		for _, a := range m.accounts {
			if a.State != OrgNotSwept && a.State != OrgSweeping {
				done++
			}
		}
		return fmt.Sprintf("sweeping: %d of %d accounts done", done, len(m.accounts)), steps.ToneWarning
	}
	var open, unknown []string
	for _, a := range m.accounts {
		switch a.State {
		case OrgFailed, OrgNotSwept, OrgSweeping:
			unknown = append(unknown, a.ID)
		case OrgAffected:
			if v := m.verification(a.ID); v != "contained" {
				open = append(open, a.ID)
			}
		}
	}
	switch {
	case len(open) > 0:
		return fmt.Sprintf("NOT contained: %s not verified contained (%s)", count(len(open), "affected account", "affected accounts"), strings.Join(open, ", ")), steps.ToneRogue
	case len(unknown) > 0:
		return fmt.Sprintf("UNKNOWN: %s could not be swept (%s): s skips one with a reason once checked by other means", count(len(unknown), "account", "accounts"), strings.Join(unknown, ", ")), steps.ToneWarning
	}
	return "CONTAINED: every affected account's verification passed", steps.ToneOK
}

// verification is what an account's own verification step said when its runbook was last left:
// "contained", "not contained", or "" when it has not run.
func (m *OrgModel) verification(account string) string { return m.verdicts[account] }

// verificationOf is what a run's verification step last said.
func verificationOf(run Runner) string {
	said := ""
	for _, st := range run.Statuses() {
		if st.Step.Action != "verify.contained" || st.Inspection == nil {
			continue
		}
		if v, ok := st.Inspection.Data.(*steps.Verification); ok && v != nil {
			said = "not contained"
			if v.Contained {
				said = "contained"
			}
		}
	}
	return said
}

// tableRows is how many accounts fit on screen, as last drawn.
func (m *OrgModel) tableRows() int { return max(1, m.rows) }

// View draws the organization, or the open account's runbook.
func (m *OrgModel) View() tea.View {
	if m.child != nil {
		return m.child.View()
	}
	return screenView(m.render())
}

// render draws the header and the verdict, wrapped, the cursor's account in full at the bottom,
// and as many accounts as fit between them: nothing the operator must read is cut at the edge.
func (m *OrgModel) render() string {
	w, h := m.ctx.Width, m.ctx.Height
	if text, ok := m.ctx.unfit(); !ok {
		return text
	}
	s := m.ctx.Styles
	top := []string{ansi.Truncate(s.Badge(m.ctx.Mode)+" "+s.Title.Render("lockdown")+"  organization "+s.Title.Render(m.org.ID)+" · management "+m.org.Management, w, "…")}
	top = append(top, wrapped(s.Subtle, "enter opens an account's runbook; every change there is held to that account", w)...)
	top = append(top, s.Border.Render(strings.Repeat("─", w)))
	text, tone := m.verdict()
	top = append(top, wrapped(s.Tone(tone), text, w)...)
	top = append(top, "")
	bottom := m.cursorLines(w)
	room := max(2, h-2-len(top)-len(bottom))
	var middle []string
	if m.showHelp {
		middle = m.helpLines()
	} else {
		m.rows = room - 1 // the column names take a line
		middle = m.tableLines(w)
	}
	for len(middle) < room {
		middle = append(middle, "")
	}
	lines := append(append(top, middle[:room]...), bottom...)
	return strings.Join(lines[:min(len(lines), h-2)], "\n") + "\n" + m.footer(w)
}

// wrapped is text in style, wrapped to width.
func wrapped(style lipgloss.Style, text string, width int) []string {
	var out []string
	for _, l := range strings.Split(ansi.Wordwrap(text, width, " "), "\n") {
		out = append(out, style.Render(ansi.Truncate(l, width, "…")))
	}
	return out
}

// cursorLines are the account under the cursor in full, wrapped (the counts a narrow table
// leaves out among them), or the skip's reason field while it is typed.
func (m *OrgModel) cursorLines(w int) []string {
	if m.skipping != "" {
		return append([]string{""}, append(wrapped(lipgloss.NewStyle(), "Skip "+m.skipping+" from the organization's verdict — reason (enter records it, esc cancels):", w), m.reason.View())...)
	}
	if len(m.accounts) == 0 {
		return nil
	}
	a := m.accounts[m.cursor]
	detail := a.ID + " (" + a.Name + "): " + string(a.State)
	if a.State == OrgAffected || a.State == OrgClean {
		detail += fmt.Sprintf(" · %s, %s, %s and %s made by the attacker", count(a.Events, "attacker event", "attacker events"),
			count(a.Instances, "instance", "instances"), count(a.Keys, "key", "keys"), count(a.Roles, "role", "roles"))
		if a.Unknown > 0 {
			detail += " · " + count(a.Unknown, "region", "regions") + " whose history could not be read"
		}
	}
	if word := m.lastWord(a); word != "" {
		detail += " — " + word
	}
	return append([]string{""}, wrapped(lipgloss.NewStyle(), detail, w)...)
}

// tableLines are the column names and the accounts that fit, the cursor's row marked; a narrow
// terminal leaves the counts to the cursor's lines below the table.
func (m *OrgModel) tableLines(w int) []string {
	s := m.ctx.Styles
	wide := w >= 110
	head := fmt.Sprintf("  %-12s %-22s %-14s", "ACCOUNT", "NAME", "STATE")
	if wide {
		head += fmt.Sprintf(" %6s %9s %4s %5s %7s", "EVENTS", "INSTANCES", "KEYS", "ROLES", "UNKNOWN")
	}
	head += "  VERIFIED / CAUSE"
	out := []string{s.Subtle.Render(ansi.Truncate(head, w, "…"))}
	rows := m.tableRows()
	m.offset = min(m.offset, m.cursor)
	if m.cursor >= m.offset+rows {
		m.offset = m.cursor - rows + 1
	}
	for i := m.offset; i < len(m.accounts) && i < m.offset+rows; i++ {
		a := m.accounts[i]
		name := a.Name
		if a.Management {
			name = "★ " + name
		}
		mark := "  "
		if i == m.cursor {
			mark = "▶ "
		}
		line := fmt.Sprintf("%s%-12s %-22s %-14s", mark, a.ID, ansi.Truncate(name, 22, "…"), a.State)
		if wide {
			line += fmt.Sprintf(" %6s %9s %4s %5s %7s", orgCount(a, a.Events), orgCount(a, a.Instances), orgCount(a, a.Keys), orgCount(a, a.Roles), orgCount(a, a.Unknown))
		}
		line += "  " + m.lastWord(a)
		line = ansi.Truncate(line, w, "…")
		switch a.State {
		case OrgAffected:
			line = s.Tone(steps.ToneRogue).Render(line)
		case OrgFailed:
			line = s.Tone(steps.ToneWarning).Render(line)
		case OrgNotSwept, OrgSweeping, OrgSkipped:
			line = s.Subtle.Render(line)
		}
		out = append(out, line)
	}
	return out
}

// lastWord is the account's verification, or why it could not be swept.
func (m *OrgModel) lastWord(a OrgAccount) string {
	switch a.State {
	case OrgFailed, OrgSkipped:
		return a.Cause
	case OrgAffected:
		if v := m.verification(a.ID); v != "" {
			return v
		}
		return "runbook not verified yet"
	}
	return ""
}

// orgCount is a count, or "-" where the sweep did not read the account.
func orgCount(a OrgAccount, n int) string {
	if a.State != OrgAffected && a.State != OrgClean {
		return "-"
	}
	return fmt.Sprint(n)
}

func (m *OrgModel) keys() []key.Binding {
	k := m.ctx.Keys
	return []key.Binding{named(k.Down, "next account"), named(k.Up, "previous"), named(k.Enter, "open its runbook"),
		named(k.Skip, "skip unswept…"), named(k.Retry, "sweep again"), k.Help, k.Quit}
}

func (m *OrgModel) helpLines() []string {
	out := []string{m.ctx.Styles.Title.Render("Keys (any key closes this list)")}
	for _, b := range m.keys() {
		out = append(out, fmt.Sprintf("  %-8s %s", b.Help().Key, b.Help().Desc))
	}
	return out
}

// footer is the status line and the keys; ? and q always end it, the others as many as fit.
func (m *OrgModel) footer(w int) string {
	status := ansi.Truncate(m.status.View(m.ctx.Styles), w, "…")
	all := m.keys()
	rest, end := all[:len(all)-2], m.help.ShortHelpView(all[len(all)-2:])
	room := w - ansi.StringWidth(end) - ansi.StringWidth(m.help.ShortSeparator)
	line := end
	for n := len(rest); n > 0; n-- {
		if v := m.help.ShortHelpView(rest[:n]); ansi.StringWidth(v) <= room {
			line = v + m.help.Styles.ShortSeparator.Render(m.help.ShortSeparator) + end
			break
		}
	}
	return status + "\n" + line
}
