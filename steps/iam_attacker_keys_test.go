package steps

import (
	"context"
	"strings"
	"testing"

	"lockdown/aws"
)

// backdoorKeyOf returns the one key of billing-reports that is not the old one: the key the
// attacker added two hours ago.
func backdoorKeyOf(t *testing.T, insp *Inspection) string {
	t.Helper()
	if len(insp.Table.Rows) != 1 {
		t.Fatalf("want exactly the backdoor key on billing-reports, got %+v", insp.Table.Rows)
	}
	user, key, _ := strings.Cut(insp.Table.Rows[0].ID, "/")
	if user != "billing-reports" {
		t.Fatalf("want the key on billing-reports, got %s", insp.Table.Rows[0].ID)
	}
	return key
}

func TestTheBackdoorKeyOnAnExistingUserIsDeactivatedReadBackAndOfferedForDeletion(t *testing.T) {
	d := startDrill(t, Drill)
	insp, plan, out := d.run(t, DisableAttackerKeys{})
	key := backdoorKeyOf(t, insp)
	// Only the new key: the old billing-reports key, alice's and the leaked key (all made before
	// T0) are not proposed, nor support-sync's, which goes with its user.
	if got := insp.Table.SelectedIDs(); len(got) != 1 || got[0] != "billing-reports/"+key {
		t.Fatalf("want the backdoor key preselected, got %v", got)
	}
	if plan.Confirm.Typed != "1" || len(plan.Changes) != 1 || plan.Changes[0].Op != "iam:UpdateAccessKey" {
		t.Fatalf("want one deactivation confirmed by typing the count, got %+v", plan)
	}
	if got := statuses(out); got[StatusApplied] != 1 || out.Failed() != 0 || !strings.Contains(out.Results[0].Message, "reads back Inactive") {
		t.Fatalf("results: %+v", out.Results)
	}
	if got := keyStatuses(t, d, "billing-reports"); got[key] != aws.KeyInactive || len(got) != 2 {
		t.Fatalf("billing-reports keys after the step: %v", got)
	}
	follow := out.FollowUp
	if follow == nil || len(follow.Changes) != 1 || follow.Changes[0].Op != "iam:DeleteAccessKey" || !follow.Changes[0].Destructive || follow.Confirm.Typed != "111122223333" {
		t.Fatalf("want a follow-up deleting the inactive key, confirmed with the account id: %+v", follow)
	}
	deleted, err := DisableAttackerKeys{}.Apply(context.Background(), d.env, changesOf(d.env), follow, nil)
	if err != nil || statuses(deleted)[StatusApplied] != 1 {
		t.Fatalf("deletion: %v %+v", err, deleted)
	}
	if got := keyStatuses(t, d, "billing-reports"); got[key] != "" || len(got) != 1 {
		t.Fatalf("billing-reports keys after the deletion: %v", got)
	}
}

func TestAKeyKeptAsEvidenceIsDeactivatedButNeverOfferedForDeletion(t *testing.T) {
	d := startDrill(t, Drill)
	insp, err := DisableAttackerKeys{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.env.Params = Params{"evidence": []string{backdoorKeyOf(t, insp)}}
	plan, err := DisableAttackerKeys{}.Plan(context.Background(), d.env, insp, insp.Table.SelectedIDs())
	if err != nil {
		t.Fatal(err)
	}
	out, err := DisableAttackerKeys{}.Apply(context.Background(), d.env, changesOf(d.env), plan, nil)
	if err != nil || statuses(out)[StatusApplied] != 1 {
		t.Fatalf("deactivation: %v %+v", err, out)
	}
	if out.FollowUp != nil {
		t.Fatalf("evidence must never be offered for deletion: %+v", out.FollowUp)
	}
}

func TestDeactivatingAttackerKeysInADryRunSendsNothingThatChanges(t *testing.T) {
	d := startDrill(t, DryRun)
	insp, plan, out := d.run(t, DisableAttackerKeys{})
	key := backdoorKeyOf(t, insp)
	if plan.Confirm.Typed != "" {
		t.Fatalf("a dry run needs no typed confirmation: %+v", plan.Confirm)
	}
	if got := statuses(out); got[StatusWouldApply] != 1 || got[StatusApplied] != 0 || out.FollowUp != nil {
		t.Fatalf("results: %+v follow-up %+v", out.Results, out.FollowUp)
	}
	if m := d.wire.Changes(); len(m) != 0 {
		t.Fatalf("dry run sent changes: %v", m)
	}
	if got := keyStatuses(t, d, "billing-reports"); got[key] != aws.KeyActive {
		t.Fatalf("dry run changed the key: %v", got)
	}
}

func TestAKeyOnTheRespondersOwnUserIsShownButNeverDeactivated(t *testing.T) {
	d := startDrill(t, Drill)
	ctx := context.Background()
	// A second key on the responder's user, made now: after T0, like an attacker's would be.
	made, _, err := changesOf(d.env).CreateKey(ctx, "oncall-responder", 0)
	if err != nil {
		t.Fatal(err)
	}
	insp, err := DisableAttackerKeys{}.Inspect(ctx, d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := "oncall-responder/" + made.ID
	var row *Row
	for i := range insp.Table.Rows {
		if insp.Table.Rows[i].ID == id {
			row = &insp.Table.Rows[i]
		}
	}
	if row == nil || row.Selected || row.Tone != ToneProtected {
		t.Fatalf("want the responder's new key listed, protected and unselected: %+v", insp.Table.Rows)
	}
	plan, err := DisableAttackerKeys{}.Plan(ctx, d.env, insp, []string{id})
	if err != nil || len(plan.Changes) != 0 || len(plan.Warnings) != 1 {
		t.Fatalf("plan: %v %+v", err, plan)
	}
}

func TestAKeyLockdownCreatedInThisRunIsNeverTakenForTheAttackers(t *testing.T) {
	d := startDrill(t, Drill)
	before := keyStatuses(t, d, "alice")
	d.run(t, RotateKeys{}, "alice")
	own := map[string]bool{}
	for id := range keyStatuses(t, d, "alice") {
		if before[id] == "" {
			own[id] = true
		}
	}
	if len(own) != 1 {
		t.Fatalf("want rotation to have made one new key on alice, got %v", own)
	}
	d.env.OwnKeys = func() map[string]bool { return own }
	insp, err := DisableAttackerKeys{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	backdoorKeyOf(t, insp) // only the backdoor key: alice's new key is not listed
}

// TestALaterInspectionProposesDeletingTheAttackerKeyAnEarlierApplyDeactivated: apply of a reviewed
// plan never applies a follow-up, so the next plan must carry the deletion itself.
func TestALaterInspectionProposesDeletingTheAttackerKeyAnEarlierApplyDeactivated(t *testing.T) {
	d := startDrill(t, Drill)
	first, _, _ := d.run(t, DisableAttackerKeys{})
	key := backdoorKeyOf(t, first)
	insp, plan, out := d.run(t, DisableAttackerKeys{})
	row := insp.Table.Rows[0]
	if !row.Selected || !strings.Contains(strings.Join(row.Reasons, " "), "already inactive: the plan deletes it") {
		t.Fatalf("the inactive attacker key reads %+v", row)
	}
	if len(plan.Changes) != 1 || plan.Changes[0].Op != "iam:DeleteAccessKey" || !plan.Changes[0].Destructive || plan.Confirm.Typed != "111122223333" {
		t.Fatalf("want the deletion behind the account id, got %+v, %+v", plan.Changes, plan.Confirm)
	}
	if got := statuses(out); got[StatusApplied] != 1 || !strings.Contains(out.Results[0].Message, "no longer listed") {
		t.Fatalf("results: %+v", out.Results)
	}
	if got := keyStatuses(t, d, "billing-reports"); got[key] != "" {
		t.Errorf("the attacker key is %q after the deletion", got[key])
	}
}
