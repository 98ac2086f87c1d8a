package ui

import (
	"errors"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"lockdown/steps"
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
	m.layout() // the guide folds while the step runs: its progress takes the room
	return tea.Batch(applyCmd(ctx, m.run, t, plan, typed), t.listen(), m.spinner.Tick)
}

// onSecretKey closes the secret dialog, once it lets itself be closed, by wiping every secret it
// holds; nothing of them stays in memory.
func (m *Model) onSecretKey(msg tea.KeyPressMsg) tea.Cmd {
	v, cmd := m.secret.Update(msg)
	if v == cancelled {
		m.secret.Wipe()
		m.secret = nil
		if m.quitting && m.task == nil {
			return m.quit()
		}
		return m.status.notice("secrets kept, closed and wiped from memory")
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
		text := d.Reason()
		return runnerCmd(d.stepID, d.done, func() error { return d.record(text) })
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

// openNote asks for a note on the current step: what the operator learned or decided, for the
// incident record.
func (m *Model) openNote() tea.Cmd {
	st := m.currentStatus()
	if st.Step == nil {
		return nil
	}
	id := st.Step.ID
	var focus tea.Cmd
	m.reason, focus = newReasonDialog(m.ctx, id, fmt.Sprintf("Note on step %q", st.Step.Title), "Note", "records the note",
		"what happened, what was decided, who was told", "note recorded", func(text string) error { return m.run.Note(id, text) })
	m.layout()
	return focus
}

// openKeep asks why an item the verification counts against containment is kept: the decision
// and its reason go into the journal, and the next verification shows the item as kept.
func (m *Model) openKeep(stepID, item string) tea.Cmd {
	var focus tea.Cmd
	m.reason, focus = newReasonDialog(m.ctx, stepID, fmt.Sprintf("Keep %s", item), "Reason", "records the decision",
		"why it stays: who decided, the ticket", "kept — i verifies again", func(why string) error { return m.run.Keep(stepID, item, why) })
	m.layout()
	return focus
}

// openSkipRegion asks why a region the responder may not touch is left out: the decision goes
// into the journal, every step that reads regions leaves it out from now on, and the next
// verification shows it as the operator's decision with the reason, not as unknown.
func (m *Model) openSkipRegion(stepID, region string) tea.Cmd {
	var focus tea.Cmd
	m.reason, focus = newReasonDialog(m.ctx, stepID, fmt.Sprintf("Skip region %s in every step", region), "Reason",
		"records the decision", "who denied it, what was checked instead, the ticket", region+" left out — i verifies again",
		func(why string) error { return m.run.SkipRegion(stepID, region, why) })
	m.layout()
	return focus
}

// errBusy explains why a second action cannot start while one runs.
func errBusy() error {
	return errors.New("an action is running — wait for it, or press esc to cancel it")
}

// keys are the confirmation dialog's keys as it stands: refused, typed or yes/no.
func (d *confirmDialog) keys() paneKeys {
	k := d.ctx.Keys
	scroll := k.arrowScrollKeys()
	switch {
	case d.refused() != "":
		return paneKeys{"confirmation", append(append([]key.Binding{named(k.Enter, "close"), k.esc("close, nothing applied")},
			scroll...), k.Help, k.Quit)}
	case d.destructive():
		// The field takes every letter, ? and q too: ctrl+c is how to quit from here.
		return paneKeys{"confirmation", append(append([]key.Binding{named(k.Enter, "apply once the typed text matches"),
			k.esc("cancel, nothing applied")}, scroll...), k.Interrupt)}
	}
	return paneKeys{"confirmation", append(append([]key.Binding{named(k.Yes, "apply"), named(k.No, "cancel"),
		k.esc("cancel, nothing applied")}, scroll...), k.Help, k.Quit)}
}

// keys are the secret dialog's keys: saving to a file, or looking at the secret.
func (d *secretDialog) keys() paneKeys {
	k := d.ctx.Keys
	if d.asking {
		return paneKeys{"new credentials", []key.Binding{named(k.Enter, "save to the file"), k.esc("back to the secret")}}
	}
	if len(d.unkept()) > 0 {
		return paneKeys{"new credentials", []key.Binding{k.Reveal, k.Write, k.StoredElsewhere, k.Up, k.Down, k.esc("close, once every secret is kept")}}
	}
	return paneKeys{"new credentials", []key.Binding{k.Reveal, k.Write, k.Up, k.Down, k.esc("close (wipes the secrets)")}}
}

// secretRecorder journals, through the run, that the secrets of keys a step made are kept.
func (m *Model) secretRecorder(stepID string) secretRecorder {
	run := m.run
	return func(keys []string, how, path string) error {
		var errs []error
		for _, k := range keys {
			errs = append(errs, run.SecretKept(stepID, k, how, path))
		}
		return errors.Join(errs...)
	}
}
