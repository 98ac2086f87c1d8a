package ui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"lockdown/steps"
)

func TestADrillOpensOnItsBriefingAndTheAlertsKeyFillsTheContainmentStep(t *testing.T) {
	contain := terminateAction()
	contain.spec.Inputs = []steps.Input{{Name: "access_key_id", Prompt: "Leaked access key id"}}
	r := newFakeRunner(testBook(), map[string]steps.Action{"confirm": identityAction(), "terminate": contain})
	clock := &testClock{t: time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)}
	ctx := NewContext(steps.Drill, clock.t.Add(-3*time.Hour))
	ctx.Now = clock.now
	ctx.Briefing = &Briefing{Scenario: "crypto-miner", Subject: "Your AWS Access Key is Exposed", KeyID: leakedKeyID,
		Seen: clock.t.Add(-25 * time.Minute), Cost: "about $1,900 so far", Goals: []string{"Deactivate the leaked key"}}
	ctx.Known = map[string]string{"access_key_id": leakedKeyID}
	m := New(ctx, r)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drain(m, m.Init())
	mustContain(t, "the briefing", screen(m), "Your AWS Access Key is Exposed", leakedKeyID, "25m ago", "about $1,900 so far",
		"Goals", "Deactivate the leaked key", "? keys • q quit")

	press(m, "enter")
	if m.Focused() != "terminate" || m.focus != panePanel || !m.current().capturing() {
		t.Fatalf("enter on the briefing went to %q (pane %d), not into the step that takes the key:\n%s", m.Focused(), m.focus, screen(m))
	}
	if got := m.current().inputs[0].Value(); got != leakedKeyID {
		t.Errorf("the key field holds %q, want the alert's %s", got, leakedKeyID)
	}
}
