package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/runbooks"
	"lockdown/steps"
)

// applyStep inspects a step, plans its preselection, confirms with what the dialog asks for,
// and confirms the follow-up plan too when there is one (deleting what was deactivated).
func (d *drillSession) applyStep(stepID string, followUp bool) {
	d.t.Helper()
	d.goTo(stepID)
	d.inspect()
	d.plan()
	d.confirmTyped(d.run.Status(stepID).Plan.Confirm.Typed)
	d.idle(stepID + " is applied")
	if fu := d.run.Status(stepID).Outcome.FollowUp; followUp && fu != nil {
		d.openConfirm()
		d.confirmTyped(fu.Confirm.Typed)
		d.idle(stepID + "'s follow-up is applied")
	}
	if st := d.run.Status(stepID); st.State != runbooks.StateDone {
		d.t.Fatalf("%s is %s (%s) after the confirmation:\n%s", stepID, st.State, st.Err, d.screen())
	}
}

// confirmTyped answers the open confirmation the way the operator does.
func (d *drillSession) confirmTyped(typed string) {
	d.t.Helper()
	if d.m.confirm == nil {
		d.openConfirm()
	}
	if typed == "" {
		d.press("y")
		return
	}
	d.typeText(typed)
	d.press("enter")
}

// followTheRunbookButTheAttackerKeys contains the leaked key, removes the backdoor user and
// terminates the rogue instances, through the interface, as the runbook orders them.
func (d *drillSession) followTheRunbookButTheAttackerKeys() {
	d.t.Helper()
	d.containLeakedKey()
	d.confirmTyped(leakedKeyID[len(leakedKeyID)-4:])
	d.idle("the key is contained")
	d.goTo("credential-inventory")
	d.inspect()
	d.applyStep("remove-rogue-users", false)
	d.applyStep("require-password-reset", false)
	d.goTo("find-rogue-instances")
	d.inspect()
	d.applyStep("terminate-instances", true)
	d.applyStep("delete-key-pairs", false)
	// Without the trace no rule is proposed: the operator selects the SSH rule open to the world.
	d.goTo("close-exposure")
	d.inspect()
	d.selectOnly("revoke-ingress/us-west-2/sgr-0a9b8c7d6e5f40312")
	d.plan()
	d.confirmTyped(d.run.Status("close-exposure").Plan.Confirm.Typed)
	d.idle("close-exposure is applied")
}

// verifyNow runs the verification step, typing the leaked key the first time.
func (d *drillSession) verifyNow() *steps.Verification {
	d.t.Helper()
	d.goTo("verify-contained")
	// What runs on its own at the start (the account's confirmation) holds the keys until done.
	d.idle("the work before the verification")
	if d.m.current().capturing() {
		// The containment's key is carried over; typed only when the containment was skipped.
		if d.m.current().inputs[0].Value() == "" {
			d.typeText(leakedKeyID)
		}
		d.press("enter")
		d.idle("the verification runs")
	} else {
		d.inspect()
	}
	st := d.run.Status("verify-contained")
	if st.Inspection == nil {
		d.t.Fatalf("the verification did not run (%s: %s):\n%s", st.State, st.Err, d.screen())
	}
	return st.Inspection.Data.(*steps.Verification)
}

// keepRow records, through the K dialog, the operator's decision to keep the row matching filter.
func (d *drillSession) keepRow(filter, reason string) {
	d.t.Helper()
	d.press("/")
	d.typeText(filter)
	d.press("enter", "K")
	if d.m.reason == nil {
		d.t.Fatalf("K on %q opened no dialog:\n%s", filter, d.screen())
	}
	mustContain(d.t, "the keep dialog", d.screen(), "Keep ", "Reason (required)")
	d.typeText(reason)
	d.press("enter")
	d.until("the decision is recorded", func() bool { return strings.Contains(d.screen(), "kept — i verifies again") })
	d.press("esc") // leave the filter
}

// containment is what the debrief and the report say, read from the drill's journal.
func (d *drillSession) containment() runbooks.Containment {
	d.t.Helper()
	entries, err := runbooks.ReadJournal(d.journal)
	if err != nil {
		d.t.Fatal(err)
	}
	titles := map[string]string{}
	for _, st := range d.run.Statuses() {
		titles[st.Step.ID] = st.Step.Title
	}
	return runbooks.ContainmentOf(entries, titles)
}

// backdoorOnBillingReports is the key the attacker added to the existing user billing-reports.
func (d *drillSession) backdoorOnBillingReports() string {
	d.t.Helper()
	keys, err := aws.ListAccessKeys(context.Background(), d.acct.IAM(), "billing-reports", false)
	if err != nil {
		d.t.Fatal(err)
	}
	for _, k := range keys {
		if k.Created.After(d.srv.IncidentStart()) {
			return k.ID
		}
	}
	d.t.Fatal("the scenario put no backdoor key on billing-reports")
	return ""
}

func TestDrillVerificationTurnsGreenOnlyOnceTheBackdoorKeyOnBillingReportsIsGone(t *testing.T) {
	d := startDrillSession(t, drillOptions{mode: steps.Drill})
	backdoor := d.backdoorOnBillingReports()
	d.followTheRunbookButTheAttackerKeys()

	v := d.verifyNow()
	if v.Contained {
		t.Fatalf("verified contained while the backdoor key %s is active:\n%s", backdoor, d.screen())
	}
	// The outside account is the team's backup vendor: the operator keeps that trust, with why.
	d.keepRow("sync-automation", "the backup vendor's account, ticket SEC-12")
	d.press("i")
	d.idle("the verification runs again")
	v = d.run.Status("verify-contained").Inspection.Data.(*steps.Verification)
	if v.Contained || v.Remaining != 1 || !strings.Contains(remainingItems(v), "billing-reports/"+backdoor) {
		t.Fatalf("with only the backdoor key left, the verification says %+v:\n%s", v, d.screen())
	}
	if st := d.run.Status("verify-contained"); st.State.Finished() {
		t.Fatalf("the verification step is %s (green) while the backdoor key is active", st.State)
	}

	d.applyStep("disable-attacker-keys", true)
	if got := d.keyStatuses("billing-reports")[backdoor]; got != "" {
		t.Fatalf("the backdoor key is %s after the step and its follow-up, want deleted", got)
	}
	v = d.verifyNow()
	if !v.Contained || v.Kept != 1 {
		t.Fatalf("after the backdoor key is gone the verification says %+v:\n%s", v, d.screen())
	}
	if st := d.run.Status("verify-contained"); !st.State.Finished() {
		t.Errorf("the verification step is %s, not green, once contained", st.State)
	}
	mustContain(t, "the verification", d.screen(), "contained, with 1 kept by the operator")
	if c := d.containment(); c.Verdict != runbooks.Contained {
		t.Errorf("the debrief would say %q, want contained: %+v", c.Verdict, c)
	}
}

func TestDrillSkippingTheAttackerKeysLeavesTheVerificationRedAndTheDebriefNamesTheKey(t *testing.T) {
	d := startDrillSession(t, drillOptions{mode: steps.Drill})
	backdoor := d.backdoorOnBillingReports()
	d.followTheRunbookButTheAttackerKeys()
	d.goTo("disable-attacker-keys")
	d.press("s")
	d.typeText("no time tonight")
	d.press("enter")
	d.until("the step is skipped", func() bool { return d.run.Status("disable-attacker-keys").State == runbooks.StateSkipped })
	d.verifyNow()
	d.keepRow("sync-automation", "the backup vendor's account, ticket SEC-12")
	d.press("i")
	d.idle("the verification runs again")
	if st := d.run.Status("verify-contained"); st.State.Finished() {
		t.Errorf("the verification step is %s (green) with the backdoor key active", st.State)
	}
	mustContain(t, "the verification", d.screen(), "not contained: 1 remaining")

	c := d.containment()
	verdict, remaining, _ := c.Lines(func(t time.Time) string { return t.String() })
	if c.Verdict != runbooks.NotContained || !strings.HasPrefix(verdict, "not contained") {
		t.Fatalf("the debrief says %q", verdict)
	}
	want := "new access keys billing-reports/" + backdoor + ": fail"
	if len(remaining) != 1 || !strings.Contains(remaining[0], want) || !strings.Contains(remaining[0], "handled by: Deactivate keys the attacker added") {
		t.Errorf("the debrief lists %q, want the key (%s) with the step that handles it", remaining, want)
	}
}

func remainingItems(v *steps.Verification) string {
	var out []string
	for _, c := range v.Checks {
		if c.Open() {
			out = append(out, c.Check+" "+c.Item)
		}
	}
	return strings.Join(out, "; ")
}

// remainingEvidence is remainingItems with each item's evidence, for a failure to say why.
func remainingEvidence(v *steps.Verification) string {
	var out []string
	for _, c := range v.Checks {
		if c.Open() {
			out = append(out, c.Check+" "+c.Item+" ("+c.Evidence+")")
		}
	}
	return strings.Join(out, "; ")
}
