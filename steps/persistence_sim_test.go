package steps

import (
	"context"
	"strings"
	"testing"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
)

const persistenceTrail = "arn:aws:cloudtrail:us-east-1:444455556666:trail/management-events"

// startPersistence serves the persistence scenario with a stopped clock, acting as the responder.
func startPersistence(t *testing.T, mode Mode) *drill {
	t.Helper()
	s := simtest.Start(t, "persistence", drillStart)
	wire := s.Watch(t)
	acct := s.Account(t, aws.Options{Mode: mode})
	env := envOf(acct)
	env.Since, env.Now = s.Server.IncidentStart(), s.Clock.Now
	return &drill{srv: s.Server, clock: s.Clock, wire: wire, env: env}
}

func rowByID(insp *Inspection, id string) (Row, bool) {
	for _, r := range insp.Table.Rows {
		if r.ID == id {
			return r, true
		}
	}
	return Row{}, false
}

func TestRestoreLoggingStartsTheStoppedTrailAndEnablesTheDetectorThenFindsNothing(t *testing.T) {
	d := startPersistence(t, Drill)
	insp, plan, out := d.run(t, RestoreLogging{})
	trail, ok := rowByID(insp, "trail/"+persistenceTrail)
	if !ok || !trail.Selected || trail.Tone != ToneRogue || !strings.Contains(trail.Reasons[0], "after T0") ||
		!strings.Contains(trail.Reasons[0], "StopLogging by AKIAEXAMPLELEAKED002") {
		t.Errorf("the stopped trail reads %+v", trail)
	}
	org, _ := rowByID(insp, "trail/arn:aws:cloudtrail:us-east-1:999900001111:trail/org-trail")
	if org.Selected || org.Tone != ToneOK {
		t.Errorf("the organization trail, logging, reads %+v", org)
	}
	if len(plan.Changes) != 2 || plan.Changes[0].Op != "cloudtrail:StartLogging" || plan.Changes[0].Region != "us-east-1" ||
		plan.Changes[1].Op != "guardduty:UpdateDetector" || plan.Changes[1].Region != "us-east-1" {
		t.Fatalf("plan: %+v", plan.Changes)
	}
	if notes := strings.Join(plan.Warnings, " "); !strings.Contains(notes, "cannot be restored") || !strings.Contains(notes, "GuardDuty did not analyse") {
		t.Errorf("the plan does not say what is lost: %q", notes)
	}
	for _, r := range out.Results {
		if r.Status != StatusApplied || !strings.Contains(r.Message, "read back") {
			t.Errorf("result %+v", r)
		}
	}
	again, err := RestoreLogging{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sel := again.Table.SelectedIDs(); len(sel) != 0 {
		t.Errorf("a second inspection still proposes %v", sel)
	}
}

func TestRestoreLoggingInADryRunSendsNoChange(t *testing.T) {
	d := startPersistence(t, DryRun)
	_, plan, out := d.run(t, RestoreLogging{})
	if len(plan.Changes) != 2 {
		t.Fatalf("plan: %+v", plan.Changes)
	}
	for _, r := range out.Results {
		if r.Status != StatusWouldApply {
			t.Errorf("dry run result %+v", r)
		}
	}
	if changes := d.wire.Changes(); len(changes) != 0 {
		t.Errorf("the dry run sent changes: %+v", changes)
	}
}

func TestAttackerKeyPairIsDeletedWithTheAccountTypedAndReadBack(t *testing.T) {
	d := startPersistence(t, Drill)
	insp, plan, out := d.run(t, DeleteKeyPairs{})
	sel := insp.Table.SelectedIDs()
	if len(sel) != 1 || !strings.HasPrefix(sel[0], "us-west-2/") {
		t.Fatalf("selected %v", sel)
	}
	if len(plan.Changes) != 1 || !plan.Changes[0].Destructive || plan.Confirm.Typed != "444455556666" ||
		!strings.Contains(plan.Confirm.Prompt, "444455556666") {
		t.Fatalf("plan: %+v confirm %+v", plan.Changes, plan.Confirm)
	}
	if len(out.Results) != 1 || out.Results[0].Status != StatusApplied || !strings.Contains(out.Results[0].Message, "read back") {
		t.Fatalf("results %+v", out.Results)
	}
	again, err := DeleteKeyPairs{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sel := again.Table.SelectedIDs(); len(sel) != 0 || len(again.Table.Rows) != 1 {
		t.Errorf("a second inspection proposes %v of %d key pairs", sel, len(again.Table.Rows))
	}
}

func TestAKeyPairDeletionInADryRunIsProvenByEC2AndChangesNothing(t *testing.T) {
	d := startPersistence(t, DryRun)
	_, _, out := d.run(t, DeleteKeyPairs{})
	if len(out.Results) != 1 || out.Results[0].Status != StatusWouldApply {
		t.Fatalf("results %+v", out.Results)
	}
	if d.wire.DryRuns() == 0 || len(d.wire.Changes()) != 0 {
		t.Errorf("want a DryRun=true DeleteKeyPair and no change: %d dry runs, changes %+v", d.wire.DryRuns(), d.wire.Changes())
	}
}

func TestVerifySeesLoggingOffAndTheNewKeyPairUntilTheyAreHandled(t *testing.T) {
	d := startPersistence(t, Drill)
	_, before := verifyNow(t, d.env)
	if result(before, "logging on", "management-events") != VerifyFail || result(before, "logging on", "GuardDuty us-east-1") != VerifyFail ||
		result(before, "new key pairs", "us-west-2/ops-recovery") != VerifyFail {
		t.Fatalf("before: %+v", before.Checks)
	}
	d.run(t, RestoreLogging{})
	d.run(t, DeleteKeyPairs{})
	insp, after := verifyNow(t, d.env)
	if result(after, "logging on", "trails and GuardDuty") != VerifyPass || result(after, "new key pairs", "all regions") != VerifyPass {
		t.Errorf("after: %s", remainingRows(insp))
	}
}
