package ui

import (
	"testing"

	"lockdown/steps"
)

func TestTheVerificationTakesTheLeakedKeyTheContainmentWasGiven(t *testing.T) {
	d := startDrillSession(t, drillOptions{mode: steps.Live})
	d.goTo("contain-key")
	d.typeText(leakedKeyID)
	d.press("enter")
	d.idle("the key is inspected")
	d.goTo("verify-contained")
	p := d.m.panels["verify-contained"]
	if got := p.inputs[0].Value(); got != leakedKeyID {
		t.Fatalf("the verification's key field holds %q, want the containment's %s", got, leakedKeyID)
	}
	d.press("enter")
	d.idle("the verification ran")
	if got := d.run.Status("verify-contained").Inputs["access_key_id"]; got != leakedKeyID {
		t.Errorf("the verification ran with key %q", got)
	}
}
