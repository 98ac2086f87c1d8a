package steps

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"lockdown/aws"
)

func TestRemovingAFullyLoadedBackdoorUserSucceedsAndASecondRunIsAlreadyDone(t *testing.T) {
	d := startDrill(t, Drill)
	insp, plan, out := d.run(t, RemoveBackdoorUsers{})
	if got := insp.Table.SelectedIDs(); len(got) != 1 || got[0] != "support-sync" {
		t.Fatalf("want only the backdoor user preselected, got %v", got)
	}
	if plan.Confirm.Typed != "111122223333" {
		t.Fatalf("want the account id typed, got %q", plan.Confirm.Typed)
	}
	// key, password, MFA, certificate, SSH key, service credential, inline policy, attached
	// policy, group, then the user.
	if len(plan.Changes) != 10 {
		t.Fatalf("plan: %+v", plan.Changes)
	}
	if got := statuses(out); got[StatusApplied] != 10 || out.Failed() != 0 {
		t.Fatalf("results: %+v", out.Results)
	}
	if _, _, err := aws.UserParts(context.Background(), d.env.Account.IAM(), "support-sync"); !aws.IsNoSuchEntity(err) {
		t.Fatalf("support-sync still exists: %v", err)
	}
	again, err := RemoveBackdoorUsers{}.Apply(context.Background(), d.env, changesOf(d.env), plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(again); got[StatusAlreadyDone] != 10 {
		t.Fatalf("second run: %+v", again.Results)
	}
}

func TestRemovalNeverOffersLockdownsOwnUser(t *testing.T) {
	d := startDrill(t, Drill)
	insp, err := RemoveBackdoorUsers{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := RemoveBackdoorUsers{}.Plan(context.Background(), d.env, insp, []string{"oncall-responder"})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 0 || len(plan.Warnings) != 1 {
		t.Fatalf("plan: %+v", plan)
	}
}

func TestRotationRespectsTheTwoKeyLimitAndShowsTheSecretOnlyAsASecret(t *testing.T) {
	d := startDrill(t, Drill)
	_, plan, out := d.run(t, RotateKeys{}, "billing-reports")
	if plan.Changes[0].ID != "delete/"+firstKeyOf(t, plan) || !plan.Changes[0].Destructive {
		t.Fatalf("a user with two keys must lose one first: %+v", plan.Changes)
	}
	if out.Failed() != 0 || len(out.Secrets) != 1 {
		t.Fatalf("results %+v, %d secrets", out.Results, len(out.Secrets))
	}
	secret := out.Secrets[0]
	if len(secret.Reveal()) != 40 {
		t.Fatalf("secret of %d characters", len(secret.Reveal()))
	}
	keys, err := aws.ListAccessKeys(context.Background(), d.env.Account.IAM(), "billing-reports", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 {
		t.Fatalf("want the new key and the old one, got %+v", keys)
	}
	for _, k := range keys {
		if k.Status != aws.KeyActive {
			t.Fatalf("the old key must stay active until the operator says the new secret is kept: %+v", keys)
		}
	}
	if out.FollowUp == nil || len(out.FollowUp.Changes) != 1 || out.FollowUp.Changes[0].Op != "iam:UpdateAccessKey" {
		t.Fatalf("deactivating the old key must wait for its own confirmation: %+v", out.FollowUp)
	}
	keysJSON, err := BuildKeysReport(context.Background(), d.env.Account, d.env.Since, 2)
	if err != nil {
		t.Fatal(err)
	}
	assertSecretAbsent(t, secret.Reveal(), mustJSON(t, out), mustJSON(t, out.Results), mustJSON(t, out.Facts),
		d.log.String(), mustJSON(t, keysJSON), fmt.Sprintf("%v %+v %#v", out, out.Secrets, secret))

	again, err := RotateKeys{}.Apply(context.Background(), d.env, changesOf(d.env), plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Secrets) != 0 || statuses(again)[StatusFailed] != 0 {
		t.Fatalf("applying the same plan again must not create another key: %+v", again.Results)
	}
	// The operator saved the new secret in the dialog, which the run journals.
	d.env.SecretsKept = func() map[string]bool { return map[string]bool{secret.AccessKeyID: true} }
	off, err := RotateKeys{}.Apply(context.Background(), d.env, changesOf(d.env), out.FollowUp, nil)
	if err != nil || statuses(off)[StatusApplied] != 1 {
		t.Fatalf("deactivation follow-up: %+v %v", off, err)
	}
	keys, _ = aws.ListAccessKeys(context.Background(), d.env.Account.IAM(), "billing-reports", false)
	for _, k := range keys {
		if (k.ID == secret.AccessKeyID) != (k.Status == aws.KeyActive) {
			t.Fatalf("only the new key may be active once the follow-up is confirmed: %+v", keys)
		}
	}
	if off.FollowUp == nil || len(off.FollowUp.Changes) != 1 || off.FollowUp.Confirm.Typed == "" {
		t.Fatalf("deleting the old key must be a separate typed confirmation: %+v", off.FollowUp)
	}
	del, err := RotateKeys{}.Apply(context.Background(), d.env, changesOf(d.env), off.FollowUp, nil)
	if err != nil || statuses(del)[StatusApplied] != 1 {
		t.Fatalf("deletion follow-up: %+v %v", del, err)
	}
	secret.Wipe()
	if strings.Trim(secret.Reveal(), "\x00") != "" {
		t.Fatal("Wipe left the secret in memory")
	}
}

func firstKeyOf(t *testing.T, plan *Plan) string {
	t.Helper()
	return plan.Data.(*rotatePlan).Users[0].DeleteFirst
}

func assertSecretAbsent(t *testing.T, secret string, outputs ...string) {
	t.Helper()
	for i, o := range outputs {
		if strings.Contains(o, secret) {
			t.Fatalf("output %d contains the secret access key", i)
		}
	}
}

func TestRevokingSessionsSkipsServiceLinkedRolesAndIsIdempotentPerPlan(t *testing.T) {
	d := startDrill(t, Drill)
	insp, err := RevokeSessions{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := RevokeSessions{}.Plan(context.Background(), d.env, insp, []string{"deploy-role", "AWSServiceRoleForSupport"})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 1 || !slices.ContainsFunc(plan.Warnings, func(w string) bool { return strings.Contains(w, "skipping AWSServiceRoleForSupport") }) {
		t.Fatalf("plan: %+v", plan)
	}
	out, _ := RevokeSessions{}.Apply(context.Background(), d.env, changesOf(d.env), plan, nil)
	again, _ := RevokeSessions{}.Apply(context.Background(), d.env, changesOf(d.env), plan, nil)
	if statuses(out)[StatusApplied] != 1 || statuses(again)[StatusAlreadyDone] != 1 {
		t.Fatalf("first %+v, second %+v", out.Results, again.Results)
	}
	// The simulator refuses service-linked roles as IAM does, should a plan ever include one.
	forced := &Plan{Data: &revokePlan{Cutoff: d.clock.Now(), Roles: []string{"AWSServiceRoleForSupport"}}}
	res, _ := RevokeSessions{}.Apply(context.Background(), d.env, changesOf(d.env), forced, nil)
	if res.Results[0].Code != "UnmodifiableEntity" {
		t.Fatalf("want UnmodifiableEntity, got %+v", res.Results)
	}
}

func TestTheWholeIAMPartInADryRunSendsNoMutatingRequest(t *testing.T) {
	d := startDrill(t, DryRun)
	d.env.Inputs["access_key_id"] = leakedKey
	d.run(t, ContainKey{})
	d.run(t, CredentialInventory{}.asPlannable())
	d.run(t, RotateKeys{}, "billing-reports", "alice")
	d.run(t, RemoveBackdoorUsers{})
	d.run(t, RevokeSessions{}, "deploy-role")
	if m := d.wire.Changes(); len(m) != 0 {
		t.Fatalf("dry run sent mutating requests: %+v", m)
	}
}
