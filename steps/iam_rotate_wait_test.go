package steps

import (
	"context"
	"slices"
	"strings"
	"testing"

	"lockdown/aws"
)

// In the interface nothing keeps a new secret while the step runs: the old keys wait for a
// follow-up, and that follow-up switches a user's old key off only once the secret of its
// replacement is recorded as kept.
func TestTheOldKeyWaitsUntilItsReplacementsSecretIsRecordedKept(t *testing.T) {
	d := startDrill(t, Drill)
	ctx := context.Background()
	old := map[string]map[string]string{}
	for _, u := range []string{"alice", "ci-deploy"} {
		old[u] = keyStatuses(t, d, u)
	}
	_, _, out := d.run(t, RotateKeys{}, "alice", "ci-deploy")
	if out.Failed() != 0 || len(out.Secrets) != 2 || out.FollowUp == nil {
		t.Fatalf("the rotation should make two keys whose secrets go to the operator and wait: %+v", out)
	}
	newKeys := map[string]string{}
	for _, s := range out.Secrets {
		user := strings.TrimPrefix(s.Label, "Secret access key of ")
		newKeys[user] = s.AccessKeyID
	}
	for u, keys := range old {
		for id := range keys {
			if keyStatuses(t, d, u)[id] != aws.KeyActive {
				t.Fatalf("%s of %s was switched off before anyone kept the new secret", id, u)
			}
		}
	}
	// Only alice's new secret was saved.
	d.env.SecretsKept = func() map[string]bool { return map[string]bool{newKeys["alice"]: true} }
	again, err := RotateKeys{}.Apply(ctx, d.env, changesOf(d.env), out.FollowUp, nil)
	if err != nil {
		t.Fatal(err)
	}
	for id := range old["alice"] {
		if keyStatuses(t, d, "alice")[id] != aws.KeyInactive {
			t.Errorf("alice's old key %s is still active although her new secret is kept", id)
		}
	}
	for id, status := range old["ci-deploy"] {
		if status == aws.KeyActive && keyStatuses(t, d, "ci-deploy")[id] != aws.KeyActive {
			t.Errorf("ci-deploy's old key %s was switched off although the secret of %s is kept nowhere", id, newKeys["ci-deploy"])
		}
	}
	skipped := slices.IndexFunc(again.Results, func(r Result) bool { return r.Status == StatusSkipped && r.Code == "SecretNotSaved" })
	if skipped < 0 || !strings.Contains(again.Results[skipped].Message, newKeys["ci-deploy"]) {
		t.Errorf("the result does not say which secret is missing: %+v", again.Results)
	}
	if again.FollowUp == nil || !again.FollowUp.Data.(*rotatePlan).DeactivateOnly {
		t.Fatalf("ci-deploy's deactivation should wait in a further follow-up: %+v", again.FollowUp)
	}
}

// A key an earlier run made whose secret was never recorded as kept (the run died with the
// secret on screen) is no rotation to continue: nobody is known to hold its secret, so it is
// deleted, a new one is made, and the old key stays active until that secret is kept.
func TestAKeyWhoseSecretWasNeverKeptIsDeletedNotTakenForTheRotation(t *testing.T) {
	d := startDrill(t, Drill)
	ctx := context.Background()
	old, err := aws.ListAccessKeys(ctx, d.env.Account.IAM(), "alice", false)
	if err != nil || len(old) != 1 {
		t.Fatalf("%v %+v", err, old)
	}
	lost, _, err := changesOf(d.env).CreateKey(ctx, "alice", 0)
	if err != nil {
		t.Fatal(err)
	}
	d.env.OwnKeys = func() map[string]bool { return map[string]bool{lost.ID: true} }
	d.env.SecretsKept = func() map[string]bool { return map[string]bool{} }
	plan := d.planRotation(t, "alice")
	var ids []string
	for _, c := range plan.Changes {
		ids = append(ids, c.ID)
	}
	if want := []string{"delete/" + lost.ID, "create/alice", "deactivate/" + old[0].ID}; !slices.Equal(ids, want) {
		t.Fatalf("changes %v, want %v", ids, want)
	}
	out, err := RotateKeys{}.Apply(ctx, d.env, changesOf(d.env), plan, nil)
	if err != nil || out.Failed() > 0 || len(out.Secrets) != 1 {
		t.Fatalf("%v %+v", err, out)
	}
	now := keyStatuses(t, d, "alice")
	if _, still := now[lost.ID]; still {
		t.Errorf("the key whose secret nobody holds is still there: %v", now)
	}
	if now[old[0].ID] != aws.KeyActive {
		t.Errorf("the old key was switched off before the new secret was kept: %v", now)
	}
}
