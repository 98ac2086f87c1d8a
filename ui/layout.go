package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"lockdown/steps"
)

// footerRows is the status line and the line of keys.
const footerRows = 2

// bodyRows is the height between the header and the footer.
func (m *Model) bodyRows() int { return max(1, m.ctx.Height-len(m.headerLines())-footerRows) }

func (m *Model) leftWidth() int { return min(32, m.ctx.Width/3) }

// layout hands every child its size after a resize or a change of what is shown.
func (m *Model) layout() {
	w := m.ctx.Width
	body := m.bodyRows()
	right := max(10, w-m.leftWidth()-1)
	m.list.SetSize(m.leftWidth(), body)
	guideRows := 0
	if !m.guideCollapsed(body) {
		guideRows = max(3, body-2-m.panelRows(body))
	}
	m.guide.SetSize(right, max(1, guideRows))
	if st := m.currentStatus(); st.Step != nil {
		m.guide.Show(st.Step.ID, st.Step.Guide)
	}
	for _, p := range m.panels {
		p.SetSize(right, body-guideRows-2)
	}
	dw := min(w-4, 90)
	if m.confirm != nil {
		m.confirm.SetSize(dw, body)
	}
	if m.secret != nil {
		m.secret.SetSize(dw, body)
	}
	if m.reason != nil {
		m.reason.SetSize(min(dw, 70), body)
	}
}

func (m *Model) headerView() string { return strings.Join(m.headerLines(), "\n") }

// headerLines are the mode and account, who lockdown acts as, what happens in the account
// meanwhile (a drill's attacker) and a rule. The latest activity shares the second line when it
// fits there whole, and takes a line of its own when it does not: it is news the operator must
// read, not decoration to cut.
func (m *Model) headerLines() []string {
	s := m.ctx.Styles
	w := m.ctx.Width
	line := s.Badge(m.ctx.Mode) + " " + s.Title.Render("lockdown") + "  "
	principal := ""
	if id := m.ctx.Identity; id != nil {
		line += "account " + s.Title.Render(id.Account) + " · " + aliasOf(id.Alias)
		switch exp := m.ctx.ExpectedAccount; {
		case exp != "" && exp != id.Account:
			line += "  " + s.Destructive.Render("≠ --account "+exp+": changes refused")
		case exp == "" && m.ctx.Mode == steps.Live:
			// Live without --account: nothing stops a change in whatever account the credentials
			// reach, so the operator is reminded of the safeguard they did not use.
			line += "  " + s.Warning.Render("no --account guard")
		}
		principal = s.Subtle.Render("acting as " + id.ARN)
	} else {
		line += s.Warning.Render("account not confirmed")
		principal = s.Subtle.Render("run step 1 to confirm the account")
	}
	if t0 := m.sinceT0(); t0 != "" {
		gap := w - ansi.StringWidth(line) - ansi.StringWidth(t0)
		line += strings.Repeat(" ", max(2, gap)) + t0
	}
	lines := []string{ansi.Truncate(line, w, "…")}
	act := m.activityView()
	switch {
	case act == "":
		lines = append(lines, ansi.Truncate(principal, w, "…"))
	case ansi.StringWidth(principal)+2+ansi.StringWidth(m.activity.Text)+len(" · 59m59s ago") <= w:
		// Judged on the text alone, so the layout does not change as the time ago grows.
		gap := w - ansi.StringWidth(principal) - ansi.StringWidth(act)
		lines = append(lines, ansi.Truncate(principal+strings.Repeat(" ", max(2, gap))+act, w, "…"))
	default:
		lines = append(lines, ansi.Truncate(principal, w, "…"), ansi.Truncate(act, w, "…"))
	}
	return append(lines, s.Border.Render(strings.Repeat("─", w)))
}

func aliasOf(alias string) string {
	if alias == "" {
		return "(no alias)"
	}
	return alias
}

// sinceT0 is the time since the incident started, "T0 +2h05m", when T0 is known.
func (m *Model) sinceT0() string {
	if m.ctx.Since.IsZero() {
		return ""
	}
	d := m.ctx.accountNow().Sub(m.ctx.Since).Truncate(time.Minute)
	return fmt.Sprintf("T0 +%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

func (m *Model) bodyView() string {
	body := m.bodyRows()
	if m.debrief != nil && !m.showHelp && !m.askQuit {
		return lipgloss.NewStyle().Padding(0, 1).Height(body).MaxHeight(body).Render(m.debriefView(m.ctx.Width-2, body))
	}
	if m.briefing && !m.showHelp && !m.askQuit {
		return lipgloss.NewStyle().Padding(0, 1).Height(body).MaxHeight(body).Render(m.briefingView(m.ctx.Width-2, body))
	}
	if d := m.dialogView(); d != "" {
		return lipgloss.Place(m.ctx.Width, body, lipgloss.Center, lipgloss.Center, d)
	}
	s := m.ctx.Styles
	left := m.list.View(m.statuses, m.running(), m.spinner.View(), m.focus == paneSteps)
	right := m.rightView()
	sep := s.Border.Render(strings.TrimSuffix(strings.Repeat("│\n", body), "\n"))
	leftBox := lipgloss.NewStyle().Width(m.leftWidth()).Height(body).MaxHeight(body).Render(left)
	rightBox := lipgloss.NewStyle().Height(body).MaxHeight(body).Render(right)
	return lipgloss.JoinHorizontal(lipgloss.Top, leftBox, sep, rightBox)
}

func (m *Model) dialogView() string {
	switch {
	case m.showHelp:
		return m.helpView()
	case m.askQuit:
		return m.ctx.Styles.Dialog.Render(m.ctx.Styles.Warning.Render("An action is running — quit anyway? y/N"))
	case m.askSwitch:
		return m.ctx.Styles.Dialog.Width(min(m.ctx.Width-4, 76)).Render(m.ctx.Styles.Warning.Render(m.switchQuestion()))
	case m.secret != nil:
		return m.secret.View()
	case m.confirm != nil:
		return m.confirm.View()
	case m.reason != nil:
		return m.reason.View()
	}
	return ""
}

func (m *Model) rightView() string {
	s := m.ctx.Styles
	st := m.currentStatus()
	if st.Step == nil {
		return s.Subtle.Render("this runbook has no steps")
	}
	right := max(10, m.ctx.Width-m.leftWidth()-1)
	var elapsed time.Duration
	isRunning := m.running() == st.Step.ID
	if isRunning {
		elapsed = m.ctx.now().Sub(m.task.started)
	}
	p := m.current()
	parts := []string{ansi.Truncate(m.guideTitle(st.Step.Title), right, "…")}
	if !m.guideCollapsed(m.bodyRows()) {
		parts = append(parts, m.guide.View())
	}
	parts = append(parts, m.paneRule("action", m.focus == panePanel, right), p.View(elapsed, isRunning, m.spinner.View()))
	return strings.Join(parts, "\n")
}

// guideTitle is the step's title over its guide, marked when the guide has the keyboard and
// saying how to read it when it is folded away.
func (m *Model) guideTitle(title string) string {
	s := m.ctx.Styles
	text := fmt.Sprintf("%d. %s", m.list.cursor+1, title)
	switch {
	case m.focus == paneGuide:
		return s.Focus.Render("▶ "+text+" — guide") + s.Subtle.Render("  ↑/↓ scroll · esc back")
	case m.guideCollapsed(m.bodyRows()):
		return s.Title.Render(text) + s.Subtle.Render("  · guide folded: tab to read")
	}
	return s.Title.Render(text)
}

// paneRule is the line over a pane, naming it and marking it when it has the keyboard.
func (m *Model) paneRule(name string, focused bool, width int) string {
	s := m.ctx.Styles
	if !focused {
		return s.Border.Render(strings.Repeat("─", width))
	}
	label := "▶ " + name
	return s.Focus.Render(label) + s.Border.Render(" "+strings.Repeat("─", max(0, width-ansi.StringWidth(label)-1)))
}

// guideCollapsed folds the guide to its title line while the operator works on findings, a plan
// or results on a short terminal, so the rows get the room; giving the guide the focus unfolds it.
func (m *Model) guideCollapsed(body int) bool {
	if m.focus == paneGuide || body >= 30 {
		return false
	}
	p := m.current()
	return p.action && (p.found != nil || p.plan != nil || p.outcome != nil || m.running() == p.step.ID)
}

// View draws the whole screen, or a plain explanation when the terminal is too small for it.
func (m *Model) View() tea.View {
	return screenView(m.render())
}

func (m *Model) render() string {
	if text, ok := m.ctx.unfit(); !ok {
		return text
	}
	return m.headerView() + "\n" + m.bodyView() + "\n" + m.footerView()
}

// panelRows is the height of the action panel: a manual checklist needs only its items, so the
// guide gets the rest; an action's findings get two thirds of the body.
func (m *Model) panelRows(body int) int {
	if st := m.currentStatus(); st.Step != nil && st.Step.Manual {
		width := max(10, m.ctx.Width-m.leftWidth()-1)
		rows := 3 + len(m.current().evidence)
		for _, item := range st.Step.Checklist {
			rows += (ansi.StringWidth(item) + 4 + width - 1) / width
		}
		return min(rows, body*2/3)
	}
	if p := m.current(); p != nil && (p.found != nil || p.plan != nil || p.outcome != nil) {
		return body * 3 / 4 // findings, plans and results are what the operator reads now
	}
	return body * 2 / 3
}
