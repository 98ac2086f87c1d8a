package ui

import (
	"context"
	"errors"
	"fmt"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"lockdown/steps"
)

// Update routes a message: results of work first, then keys to whichever dialog is open, then the
// global keys, then the focused pane.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.ctx.Width, m.ctx.Height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	case tea.PasteMsg:
		return m, m.onPaste(msg)
	case spinner.TickMsg:
		if m.task == nil {
			return m, nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	case clockMsg:
		return m, clockTick(m.stop)
	case noticeExpiredMsg:
		m.status.expire(msg.id)
		return m, nil
	case activityMsg:
		a := Activity(msg)
		m.activity = &a
		m.layout() // the header may take a line more, or less
		return m, listenActivity(m.ctx.Activity, m.stop)
	}
	cmd := m.onResult(msg)
	if m.quitting && m.task == nil && m.secret == nil {
		return m, m.quit() // the action stopped and its results are recorded and shown
	}
	return m, cmd
}

// onResult handles the end of work started by a command.
func (m *Model) onResult(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case progressMsg:
		if m.task != nil && m.task.stepID == msg.stepID {
			m.panels[msg.stepID].grid.add(msg.p)
			return m.task.listen()
		}
	case callMsg:
		if m.task != nil && m.task.stepID == msg.stepID {
			m.panels[msg.stepID].grid.called(msg.e)
			return m.task.listen()
		}
	case inspectDoneMsg:
		m.task = nil
		if p := m.panels[msg.stepID]; msg.err != nil && p.found != nil {
			p.regrid() // the earlier findings stand, with their regions
		}
		return m.afterWork(msg.err, func() {
			m.panels[msg.stepID].setFound(msg.found)
			if m.panels[msg.stepID].step.Action == "identity.confirm" {
				m.adoptIdentity(msg.found.Data)
			}
		})
	case planDoneMsg:
		m.status.expire(m.status.id)
		return m.afterWork(msg.err, func() { m.panels[msg.stepID].setPlan(msg.plan) })
	case applyDoneMsg:
		m.task = nil
		m.markStale(msg.stepID, msg.outcome)
		cmd := m.afterWork(msg.err, func() {})
		m.showOutcome(msg.stepID, msg.outcome)
		if m.lockedOut(msg.stepID) {
			return m.status.notice("lockdown's own key is off now: I hands over to the break-glass identity")
		}
		return cmd
	case runnerDoneMsg:
		m.afterWork(msg.err, func() {})
		if msg.err != nil {
			return nil
		}
		if next := m.completeWhenTicked(msg.stepID); next != nil {
			return next
		}
		if msg.notice != "" {
			return m.status.notice(msg.notice)
		}
	case verifyDoneMsg:
		m.afterWork(msg.err, func() { m.panels[msg.stepID].setEvidence(msg.found) })
		if msg.err == nil {
			return m.completeWhenTicked(msg.stepID)
		}
		return nil
	case switchDoneMsg:
		return m.switched(msg)
	case secretWrittenMsg:
		if m.secret != nil {
			m.secret.written(msg)
		}
	case secretAckMsg:
		if m.secret != nil {
			m.secret.acknowledged(msg)
		}
	}
	return m.forwardToDialog(msg)
}

// showOutcome shows what Apply did even when it also failed: results that did change the account,
// and above all a new secret, must reach the operator whatever went wrong after them.
func (m *Model) showOutcome(stepID string, out *steps.Outcome) {
	p := m.panels[stepID]
	if out == nil {
		out = p.status.Outcome
	}
	if out == nil {
		return
	}
	p.setOutcome(out)
	if len(out.Secrets) > 0 {
		m.secret = newSecretDialog(m.ctx, out.Secrets, m.secretRecorder(stepID))
		// The dialog now holds the only reference; the run's copy of the outcome drops it too.
		out.Secrets = nil
	}
	m.layout()
}

// afterWork refreshes the run snapshot and reports an error, or applies a success.
func (m *Model) afterWork(err error, onSuccess func()) tea.Cmd {
	m.refresh()
	if errors.Is(err, context.Canceled) {
		// The operator asked for it: a notice, not an error.
		return m.status.notice(err.Error())
	}
	if err != nil {
		m.ctx.logger().Warn("step call failed", "err", err)
		m.status.fail(err)
		return nil
	}
	onSuccess()
	m.layout()
	return nil
}

// onPaste puts pasted text where the operator would type it: an open dialog's field, or the
// step's own field — a leaked key id is far more often pasted than typed.
func (m *Model) onPaste(msg tea.PasteMsg) tea.Cmd {
	switch {
	case m.secret != nil:
		return m.secret.paste(msg)
	case m.confirm != nil || m.reason != nil:
		return m.forwardToDialog(msg)
	}
	p := m.current()
	if !p.wantsInput() {
		return nil
	}
	m.focus = panePanel
	return tea.Batch(p.focusInputs(), p.editInput(msg))
}

// forwardToDialog gives non-key messages (cursor blinks, pastes) to an open text field.
func (m *Model) forwardToDialog(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case m.confirm != nil:
		_, cmd = m.confirm.Update(msg)
	case m.reason != nil:
		_, cmd = m.reason.Update(msg)
	}
	return cmd
}

// selectStep shows step i, rendering its guide for the current width.
func (m *Model) selectStep(i int) tea.Cmd {
	m.current().blurInputs()
	m.list.move(i-m.list.cursor, len(m.statuses))
	st := m.currentStatus()
	if st.Step == nil {
		return nil
	}
	m.status.clear() // an error about the step left behind would read as one about this step
	m.layout()       // a manual step's checklist and an action's findings need different room
	if p := m.current(); p.action && p.phase == phaseStart && len(p.inputs) > 0 {
		// Never put the keyboard into a text field by moving between steps: the next "]" or "i"
		// would be typed into it. Enter on the step list opens the field.
		m.focus = paneSteps
	}
	return nil
}

func (m *Model) requestQuit() tea.Cmd {
	if m.task != nil {
		m.askQuit = true
		return nil
	}
	return m.quit()
}

// release ends every background wait of the interface.
func (m *Model) release() {
	if m.task != nil {
		m.task.cancel()
	}
	m.stopOnce.Do(func() { close(m.stop) })
}

// quit ends the interface. With an action running it first cancels the action and waits for it
// to stop, so what it did is in the journal and any new secret is shown before lockdown exits.
func (m *Model) quit() tea.Cmd {
	if m.task != nil {
		m.task.cancel()
		m.quitting = true
		return m.status.notice("stopping the running action: lockdown quits once it has stopped and recorded what it did")
	}
	if m.secret != nil {
		m.secret.Wipe()
		m.secret = nil
	}
	m.release()
	if m.ctx.Leave != nil {
		return m.ctx.Leave
	}
	return tea.Quit
}

// completeWhenTicked completes a manual step once its last item is ticked.
func (m *Model) completeWhenTicked(stepID string) tea.Cmd {
	p, ok := m.panels[stepID]
	if !ok || p.action || len(p.step.Checklist) == 0 || p.status.State.Finished() {
		return nil
	}
	for i := range p.step.Checklist {
		if !p.ticked(i) {
			return nil
		}
	}
	return runnerCmd(stepID, "all items ticked — step complete", func() error { return m.run.Complete(stepID) })
}

// startInspect runs the step's Inspect in the background and streams its progress.
func (m *Model) startInspect(stepID string, inputs map[string]string) tea.Cmd {
	t, ctx := newTask(m.base, stepID, "inspect", m.ctx.now())
	m.task = t
	m.panels[stepID].grid.reset()
	m.layout() // the guide folds while the step runs: its progress takes the room
	return tea.Batch(inspectCmd(ctx, m.run, t, inputs), t.listen(), m.spinner.Tick)
}

// markStale flags every step's findings as out of date once an apply changed the account: a
// credential table that still shows the leaked key Active after containment would mislead.
func (m *Model) markStale(stepID string, out *steps.Outcome) {
	if !m.ctx.Mode.Changes() || out == nil || len(out.Results) == 0 {
		return
	}
	changed := false
	for _, r := range out.Results {
		changed = changed || r.Status == steps.StatusApplied
	}
	if !changed {
		return
	}
	by := m.panels[stepID].step.Title
	for _, p := range m.panels {
		if p.found != nil {
			p.stale = fmt.Sprintf("stale: %q changed the account at %s, after this was read — i reads it again", by, m.ctx.accountNow().UTC().Format("15:04:05"))
		}
	}
}
