package ui

// The keyboard: which of the dialogs, the step list, the panel or the help list a key goes to.

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	switch {
	case m.showHelp && m.secret == nil:
		return m.onHelpKey(msg)
	case m.askSwitch:
		return m.onAskSwitchKey(msg)
	case m.askQuit:
		switch {
		case key.Matches(msg, k.Yes, k.Quit):
			m.askQuit = false
			return m.quit()
		case key.Matches(msg, k.Help):
			m.openHelp()
			return nil
		case key.Matches(msg, k.No, k.Back, k.Enter):
			m.askQuit = false
			return nil
		}
		// Anything else was meant for something else: the question stays, and says what it wants.
		return m.status.notice("an action is running: y quits (stopping it first), n or esc stays")
	case m.secret != nil:
		// Even ctrl+c goes to the dialog first: a secret nobody has seen is lost for good.
		return m.onSecretKey(msg)
	case key.Matches(msg, k.Interrupt):
		return m.requestQuit()
	case m.confirm != nil && !m.confirm.destructive() && key.Matches(msg, k.Help):
		m.openHelp()
		return nil
	case m.confirm != nil && !m.confirm.destructive() && key.Matches(msg, k.Quit):
		// No field takes text here, so q quits as everywhere: the question goes unanswered.
		m.confirm = nil
		return tea.Batch(m.status.notice("cancelled — nothing was applied"), m.onQuitKey())
	case m.confirm != nil:
		return m.onConfirmKey(msg)
	case m.reason != nil:
		return m.onReasonKey(msg)
	case m.debrief != nil:
		return m.onDebriefKey(msg)
	case m.briefing:
		return m.onBriefingKey(msg)
	case key.Matches(msg, k.Back) && m.task != nil:
		m.task.cancel()
		return m.status.notice("cancelling…")
	}
	p := m.current()
	if p.capturing() && (m.focus == panePanel || p.filtering()) {
		switch {
		case key.Matches(msg, k.Back) && !p.filtering():
			p.blurInputs()
			m.focus = paneSteps
			return nil
		case key.Matches(msg, k.Focus) && !p.filtering():
			return m.onGlobalKey(msg) // a key id has no tabs: tab still moves between panes
		}
		return m.onPanelKey(msg)
	}
	return m.onGlobalKey(msg)
}

func (m *Model) onGlobalKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	switch {
	case key.Matches(msg, k.Quit):
		return m.onQuitKey()
	case key.Matches(msg, k.Help):
		m.openHelp()
	case key.Matches(msg, k.Note):
		return m.openNote()
	case key.Matches(msg, k.Identity) && m.ctx.BreakGlass != nil:
		return m.onSwitchKey()
	case key.Matches(msg, k.NextStep):
		return m.selectStep(m.list.cursor + 1)
	case key.Matches(msg, k.PrevStep):
		return m.selectStep(m.list.cursor - 1)
	case key.Matches(msg, k.Focus):
		m.focus = (m.focus + 2) % 3 // panel, guide, steps: the folded guide is one tab away
		m.layout()                  // the guide opens up while it has the focus
		if m.focus == panePanel {
			return m.current().focusInputs()
		}
		m.current().blurInputs()
	case m.focus == paneSteps:
		return m.onStepsKey(msg)
	case m.focus == paneGuide && key.Matches(msg, k.Back):
		m.focus = panePanel
		m.layout()
		return m.current().focusInputs()
	case m.focus == paneGuide:
		var cmd tea.Cmd
		m.guide.view, cmd = m.guide.view.Update(msg)
		return cmd
	default:
		return m.onPanelKey(msg)
	}
	return nil
}

func (m *Model) onStepsKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	switch {
	case key.Matches(msg, k.Up):
		return m.selectStep(m.list.cursor - 1)
	case key.Matches(msg, k.Down):
		return m.selectStep(m.list.cursor + 1)
	case key.Matches(msg, k.Enter):
		m.focus = panePanel
		return m.current().focusInputs()
	}
	// The step's own keys (inspect, plan, apply, skip, tick, the rows' keys) work from the list
	// too: the footer offers them whatever pane has the focus. The keyboard then belongs to the
	// panel, and the ▶ marker moves there with it, so the next ↓ moves a row, not the step.
	m.focus = panePanel
	return m.onPanelKey(msg)
}

// onPanelKey lets the panel interpret a key and starts whatever work it asks for.
func (m *Model) onPanelKey(msg tea.KeyPressMsg) tea.Cmd {
	p := m.current()
	want, cmd := p.Update(msg)
	if want.kind == wantNothing {
		return cmd
	}
	if m.task != nil && want.kind != wantSkip {
		m.status.fail(errBusy())
		return cmd
	}
	id := p.step.ID
	switch want.kind {
	case wantInspect:
		values, _ := p.inputValues()
		return tea.Batch(cmd, m.startInspect(id, values))
	case wantPlan:
		return tea.Batch(m.status.notice("planning…"), planCmd(m.base, m.run, id, p.table.selectedOrNil()))
	case wantConfirm:
		m.confirm = newConfirmDialog(m.ctx, id, want.plan)
		m.layout()
		return nil
	case wantTick:
		return runnerCmd(id, "", func() error { return m.run.Tick(id, want.item, want.checked) })
	case wantComplete:
		return runnerCmd(id, "step complete", func() error { return m.run.Complete(id) })
	case wantVerify:
		return tea.Batch(m.status.notice("verifying through IAM…"), verifyCmd(m.base, m.run, id))
	case wantKeep:
		return m.openKeep(id, want.keep)
	case wantSkipRegion:
		return m.openSkipRegion(id, want.region)
	case wantSkip:
		var focus tea.Cmd
		m.reason, focus = newReasonDialog(m.ctx, id, fmt.Sprintf("Skip step %q", p.step.Title), "Reason", "skips the step",
			"why is this step skipped?", "step skipped", func(why string) error { return m.run.Skip(id, why) })
		m.layout()
		return focus
	}
	return cmd
}

// openHelp shows the ? list of every key of what has the keyboard, from its top.
func (m *Model) openHelp() {
	m.showHelp, m.helpScroll = true, 0
}

// onHelpKey scrolls or closes the ? list. It only explains: nothing under it acts, but q quits as
// it does everywhere.
func (m *Model) onHelpKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	switch {
	case key.Matches(msg, k.Help, k.Back, k.Enter):
		m.showHelp = false
	case key.Matches(msg, k.Quit):
		m.showHelp = false
		if m.askQuit {
			m.askQuit = false
			return m.quit()
		}
		if m.confirm != nil {
			m.confirm = nil
		}
		return m.onQuitKey()
	default:
		m.helpScroll = max(0, m.helpScroll+k.moveBy(msg, max(1, m.bodyRows()-4)))
	}
	return nil
}
