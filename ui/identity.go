package ui

import (
	"context"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"lockdown/aws"
)

// BreakGlass is a second identity the responder can hand over to, as a real one takes the team's
// break-glass credentials out of the vault once their own key is off (the own-key trap: containing
// the leaked key locks lockdown out). In a drill the scenario holds them.
type BreakGlass struct {
	// Who names the identity as the question shows it: "break-glass (AKIA…GL05, from the vault)".
	Who string
	// Switch opens the identity, confirms it in the incident's account and hands the run over;
	// it returns who lockdown acts as from then on.
	Switch func(context.Context) (*aws.Identity, error)
}

// switchDoneMsg reports the hand-over to the break-glass identity.
type switchDoneMsg struct {
	identity *aws.Identity
	err      error
}

// onSwitchKey asks before handing over: the operator takes the credentials out of the vault on
// purpose, not by a stray key.
func (m *Model) onSwitchKey() tea.Cmd {
	if m.task != nil {
		m.status.fail(errBusy())
		return nil
	}
	m.askSwitch = true
	return nil
}

// onAskSwitchKey answers the question: y hands over, n or esc stays; anything else is explained.
func (m *Model) onAskSwitchKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	switch {
	case key.Matches(msg, k.Yes):
		m.askSwitch = false
		bg := m.ctx.BreakGlass
		return tea.Batch(m.status.notice("fetching the break-glass credentials…"), func() tea.Msg {
			id, err := bg.Switch(m.base)
			return switchDoneMsg{identity: id, err: err}
		})
	case key.Matches(msg, k.No, k.Back, k.Enter):
		m.askSwitch = false
		return nil
	}
	return m.status.notice("y acts as " + m.ctx.BreakGlass.Who + " from now on; n or esc stays")
}

// switched adopts the new identity: the header names it, and the key that did it is not offered
// again.
func (m *Model) switched(msg switchDoneMsg) tea.Cmd {
	if msg.err != nil {
		m.status.fail(msg.err)
		return nil
	}
	m.ctx.Identity, m.ctx.BreakGlass = msg.identity, nil
	notice := m.status.notice("now acting as " + msg.identity.ARN + ": every step from here signs with it")
	// The account is confirmed again, as the new identity: step 1 names who lockdown acts as.
	for _, st := range m.statuses {
		if st.Step.Action == "identity.confirm" {
			return tea.Batch(notice, m.startInspect(st.Step.ID, nil))
		}
	}
	return notice
}

// switchQuestion is the question the hand-over asks.
func (m *Model) switchQuestion() string {
	return "Take the break-glass credentials out of the vault — " + m.ctx.BreakGlass.Who +
		" — and act as them from now on? y/N"
}

// lockedOut reports whether a step just contained the key lockdown itself signs with, so the
// responder needs the break-glass identity to go on.
func (m *Model) lockedOut(stepID string) bool {
	p, ok := m.panels[stepID]
	return ok && m.ctx.BreakGlass != nil && m.ctx.Briefing != nil && m.ctx.Briefing.OwnKey &&
		p.step.Action == "iam.contain-key" && p.status.State.Finished()
}
