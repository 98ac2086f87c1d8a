package steps

import (
	"context"
	"strings"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
)

// startIAMPersistence serves the persistence scenario with CloudTrail lookups unpaced (the hunt
// reads one event name per lookup), traced from the leaked key when traced is set.
func startIAMPersistence(t *testing.T, mode Mode, traced bool) *drill {
	t.Helper()
	s := simtest.Start(t, "persistence", drillStart)
	wire := s.Watch(t)
	acct := s.Account(t, aws.Options{Mode: mode, LookupInterval: time.Millisecond})
	env := envOf(acct)
	env.Since, env.Now = s.Server.IncidentStart(), s.Clock.Now
	d := &drill{srv: s.Server, clock: s.Clock, wire: wire, env: env}
	if traced {
		env.Inputs["access_key_id"] = "AKIAEXAMPLELEAKED002"
		_, found := traceNow(t, env)
		env.Trace = found.Evidence
	}
	return d
}

// plantedIAM are the rows of the items the persistence scenario plants, by the step's row ids.
var plantedIAM = []string{
	"policy-version/arn:aws:iam::444455556666:policy/ci-deploy/v2",
	"identity-provider/arn:aws:iam::444455556666:oidc-provider/tokens.build-cache.example.net",
	"remove/dev-kim/MFA-device/arn:aws:iam::444455556666:mfa/dev-kim-backup",
	"remove/svc-reports/console-password/svc-reports",
	"remove-role/app-deployer/inline-policy/ops-debug",
}

func TestEveryPlantedIAMItemIsUndoneAsTheAttackersThenNothingIsLeft(t *testing.T) {
	t.Parallel()
	d := startIAMPersistence(t, Drill, true)
	insp, plan, out := d.run(t, RemoveIAMPersistence{})
	if got := insp.Table.SelectedIDs(); strings.Join(got, "\n") != strings.Join(plantedIAM, "\n") {
		t.Fatalf("preselected:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(plantedIAM, "\n"))
	}
	for _, c := range plan.Changes {
		if !c.Destructive || !strings.Contains(c.Summary, "after T0 — by the attacker: ") || !strings.Contains(c.Summary, "AKIAEXAMPLELEAKED002") {
			t.Errorf("change %s does not say the attacker did it: %s", c.ID, c.Summary)
		}
	}
	if plan.Confirm.Typed != "444455556666" {
		t.Errorf("deleting IAM items must ask for the account id: %+v", plan.Confirm)
	}
	if _, shown := rowByID(insp, "shown/group/developers/read-billing"); !shown {
		t.Errorf("the group's own inline policy is not shown")
	}
	for _, r := range out.Results {
		if r.Status != StatusApplied || !strings.Contains(r.Message, "read back") {
			t.Errorf("result %+v", r)
		}
	}
	again, err := RemoveIAMPersistence{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sel := again.Table.SelectedIDs(); len(sel) != 0 {
		t.Errorf("a second inspection still proposes %v", sel)
	}
	_, v := verifyNow(t, d.env)
	if result(v, "IAM persistence", "IAM") != VerifyPass {
		t.Errorf("the verification after the step: %+v", v.Checks)
	}
}

func TestWithoutATraceTheItemsAreJudgedByTheirTimesAndTheVerificationCountsThem(t *testing.T) {
	t.Parallel()
	d := startIAMPersistence(t, DryRun, false)
	insp, err := RemoveIAMPersistence{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := insp.Table.SelectedIDs(); len(got) != len(plantedIAM) {
		t.Fatalf("preselected %v", got)
	}
	version, _ := rowByID(insp, plantedIAM[0])
	if !strings.Contains(version.Reasons[0], "CloudTrail was not traced") {
		t.Errorf("without a trace the reason does not say so: %q", version.Reasons[0])
	}
	_, v := verifyNow(t, d.env)
	for _, item := range []string{"policy version ci-deploy v2", "identity provider OIDC tokens.build-cache.example.net",
		"console password svc-reports", "MFA device dev-kim arn:aws:iam::444455556666:mfa/dev-kim-backup", "role inline policy role app-deployer: ops-debug"} {
		if result(v, "IAM persistence", item) != VerifyFail {
			t.Errorf("the verification does not count %q: %+v", item, v.Checks)
		}
	}
	if result(v, "password reset", "dev-kim") != VerifyFail {
		t.Errorf("a console user without a reset pending passes: %+v", v.Checks)
	}
}

func TestIAMPersistenceAndPasswordResetsInADryRunSendNoChange(t *testing.T) {
	t.Parallel()
	d := startIAMPersistence(t, DryRun, false)
	_, plan, out := d.run(t, RemoveIAMPersistence{})
	_, pwPlan, pwOut := d.run(t, RequirePasswordReset{})
	if len(plan.Changes) != len(plantedIAM) || len(pwPlan.Changes) != 1 {
		t.Fatalf("plans: %+v %+v", plan.Changes, pwPlan.Changes)
	}
	for _, r := range append(out.Results, pwOut.Results...) {
		if r.Status != StatusWouldApply {
			t.Errorf("dry run result %+v", r)
		}
	}
	if changes := d.wire.Changes(); len(changes) != 0 {
		t.Errorf("the dry run sent changes: %+v", changes)
	}
}

func TestPasswordResetsGoToTheRemainingConsoleUsersOnly(t *testing.T) {
	t.Parallel()
	d := startIAMPersistence(t, Drill, false)
	insp, plan, out := d.run(t, RequirePasswordReset{})
	if sel := insp.Table.SelectedIDs(); len(sel) != 1 || sel[0] != "password-reset/dev-kim" {
		t.Fatalf("selected %v", sel)
	}
	attackers, _ := rowByID(insp, "password-reset/svc-reports")
	if attackers.Selected || !strings.Contains(attackers.Cells[2], "Remove IAM persistence proposes removing it") {
		t.Errorf("the attacker's password row: %+v", attackers)
	}
	if plan.Confirm.Typed != "" || !strings.Contains(strings.Join(plan.Notes, " "), "dev-kim") {
		t.Errorf("plan: confirm %+v notes %q", plan.Confirm, plan.Notes)
	}
	if len(out.Results) != 1 || out.Results[0].Status != StatusApplied || !strings.Contains(out.Results[0].Message, "read back") {
		t.Fatalf("results %+v", out.Results)
	}
	again, err := RequirePasswordReset{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sel := again.Table.SelectedIDs(); len(sel) != 0 {
		t.Errorf("a second inspection proposes %v", sel)
	}
}
