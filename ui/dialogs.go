package ui

import (
	"lockdown/steps"

	tea "charm.land/bubbletea/v2"
)

// onConfirmKey passes a key to the confirmation dialog and applies the plan only when the dialog
// itself says the operator confirmed.
func (m *Model) onConfirmKey(msg tea.KeyPressMsg) tea.Cmd {
	d := m.confirm
	v, cmd := d.Update(msg)
	switch v {
	case cancelled:
		m.confirm = nil
		return m.status.notice("cancelled — nothing was applied")
	case confirmed:
		m.confirm = nil
		if m.task != nil {
			m.status.fail(errBusy())
			return nil
		}
		return m.startApply(d.stepID, d.plan, d.Typed())
	}
	return cmd
}

// startApply runs the step's Apply in the background and streams its progress.
func (m *Model) startApply(stepID string, plan *steps.Plan, typed string) tea.Cmd {
	t, ctx := newTask(m.base, stepID, "apply", m.ctx.now())
	m.task = t
	p := m.panels[stepID]
	p.grid.reset()
	p.plan = plan
	return tea.Batch(applyCmd(ctx, m.run, t, plan, typed), t.listen(), m.spinner.Tick)
}

// onSecretKey closes the secret dialog by wiping every secret it holds; nothing of them is kept.
func (m *Model) onSecretKey(msg tea.KeyPressMsg) tea.Cmd {
	v, cmd := m.secret.Update(msg)
	if v == cancelled {
		m.secret.Wipe()
		m.secret = nil
		return m.status.notice("secret closed and wiped from memory")
	}
	return cmd
}

func (m *Model) onReasonKey(msg tea.KeyPressMsg) tea.Cmd {
	d := m.reason
	v, cmd := d.Update(msg)
	switch v {
	case cancelled:
		m.reason = nil
	case confirmed:
		m.reason = nil
		id, why := d.stepID, d.Reason()
		return runnerCmd(id, "step skipped", func() error { return m.run.Skip(id, why) })
	}
	return cmd
}

// selectedOrNil is the operator's selection, or nil when the action found no table.
func (f *findingsTable) selectedOrNil() []string {
	if f == nil {
		return nil
	}
	return f.SelectedIDs()
}
