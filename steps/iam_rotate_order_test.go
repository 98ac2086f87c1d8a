package steps

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"lockdown/aws"
)

func keyStatuses(t *testing.T, d *drill, user string) map[string]string {
	t.Helper()
	keys, err := aws.ListAccessKeys(context.Background(), d.env.Account.IAM(), user, false)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, k := range keys {
		out[k.ID] = k.Status
	}
	return out
}

func TestRotationHasTheNewSecretKeptBeforeTheOldKeyIsSwitchedOff(t *testing.T) {
	d := startDrill(t, Drill)
	before := keyStatuses(t, d, "alice")
	var kept []string
	d.env.KeepSecret = func(s Secret) error {
		for id, status := range keyStatuses(t, d, "alice") {
			if before[id] != "" && status != aws.KeyActive {
				t.Errorf("the old key %s was %s before the new secret was kept", id, status)
			}
		}
		kept = append(kept, s.AccessKeyID)
		return nil
	}
	_, _, out := d.run(t, RotateKeys{}, "alice")
	if out.Failed() != 0 || len(kept) != 1 {
		t.Fatalf("results %+v, kept %v", out.Results, kept)
	}
	if len(out.Secrets) != 0 {
		t.Error("a secret that was kept must not travel on in the outcome")
	}
	after := keyStatuses(t, d, "alice")
	if after[kept[0]] != aws.KeyActive {
		t.Errorf("the new key is %q", after[kept[0]])
	}
	for id := range before {
		if after[id] != aws.KeyInactive {
			t.Errorf("the old key %s is %q after a kept rotation, want Inactive", id, after[id])
		}
	}
}

func TestRotationWhoseSecretCannotBeKeptLeavesTheOldKeyActiveAndDeletesTheNewOne(t *testing.T) {
	d := startDrill(t, Drill)
	before := keyStatuses(t, d, "alice")
	d.env.KeepSecret = func(Secret) error { return errors.New("no space left on device") }
	_, _, out := d.run(t, RotateKeys{}, "alice")
	if out.Failed() == 0 || !slices.ContainsFunc(out.Results, func(r Result) bool { return r.Code == "SecretNotKept" }) {
		t.Fatalf("the rotation must fail saying the secret was not kept: %+v", out.Results)
	}
	after := keyStatuses(t, d, "alice")
	for id := range before {
		if after[id] != aws.KeyActive {
			t.Errorf("the old key %s is %q although the new secret was lost, want Active", id, after[id])
		}
	}
	if len(after) != len(before) {
		t.Errorf("the new key whose secret nobody holds was left behind: %v", after)
	}
	if len(out.Secrets) != 0 || out.FollowUp != nil {
		t.Errorf("nothing may follow a rotation that did not happen: %d secrets, follow-up %+v", len(out.Secrets), out.FollowUp)
	}
}

func TestRotationNeverDeletesTheContainedLeakedKeyToMakeRoom(t *testing.T) {
	d := startDrill(t, Drill)
	ctx := context.Background()
	id, secret := d.srv.ResponderCredentials()
	raw := sdkIAM(d.env.Account.Endpoint(), id, secret)
	if _, err := raw.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: sdk.String("ci-deploy"), AccessKeyId: sdk.String(leakedKey), Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: sdk.String("ci-deploy")}); err != nil {
		t.Fatal(err)
	}
	insp, err := RotateKeys{}.Inspect(ctx, d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := RotateKeys{}.Plan(ctx, d.env, insp, []string{"ci-deploy"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range plan.Changes {
		if c.Op == "iam:DeleteAccessKey" && strings.Contains(c.ID, leakedKey) {
			t.Fatalf("the rotation deletes the contained leaked key: %+v", plan.Changes)
		}
	}
}

func TestRotationOffersNoDeletionOfAnOldKeyUsedAfterT0(t *testing.T) {
	d := startDrill(t, Drill)
	d.env.KeepSecret = func(Secret) error { return nil }
	_, _, out := d.run(t, RotateKeys{}, "ci-deploy") // the leaked key, still active, used 20 minutes ago
	if out.Failed() != 0 {
		t.Fatalf("%+v", out.Results)
	}
	if out.FollowUp != nil {
		for _, c := range out.FollowUp.Changes {
			if strings.Contains(c.ID, leakedKey) {
				t.Fatalf("the leaked key is offered for deletion: %+v", out.FollowUp.Changes)
			}
		}
	}
	if keyStatuses(t, d, "ci-deploy")[leakedKey] != aws.KeyInactive {
		t.Error("the leaked key should be deactivated by the rotation")
	}
}

func TestARotationAnEarlierRunBeganIsContinuedNotRedoneAndItsNewKeyIsNeverRotatedAway(t *testing.T) {
	d := startDrill(t, Drill)
	ctx := context.Background()
	old, err := aws.ListAccessKeys(ctx, d.env.Account.IAM(), "alice", false)
	if err != nil || len(old) != 1 {
		t.Fatalf("%v %+v", err, old)
	}
	// An earlier run created alice's new key, kept its secret, and was killed before it
	// deactivated the old one.
	made, _, err := changesOf(d.env).CreateKey(ctx, "alice", 0)
	if err != nil {
		t.Fatal(err)
	}
	d.clock.Advance(time.Minute)
	d.env.OwnKeys = func() map[string]bool { return map[string]bool{made.ID: true} }
	d.env.SecretsKept = func() map[string]bool { return map[string]bool{made.ID: true} }
	d.env.KeepSecret = func(Secret) error { return nil }
	plan := d.planRotation(t, "alice")
	var ids []string
	for _, c := range plan.Changes {
		ids = append(ids, c.ID)
	}
	if want := []string{"deactivate/" + old[0].ID}; !slices.Equal(ids, want) {
		t.Fatalf("the rotation left to do is the old key's deactivation only: %v, want %v", ids, want)
	}
	out, err := RotateKeys{}.Apply(ctx, d.env, changesOf(d.env), plan, nil)
	if err != nil || out.Failed() > 0 || len(out.Secrets) != 0 {
		t.Fatalf("%v %+v", err, out)
	}
	keys, _ := aws.ListAccessKeys(ctx, d.env.Account.IAM(), "alice", false)
	for _, k := range keys {
		if want := map[string]string{made.ID: aws.KeyActive, old[0].ID: aws.KeyInactive}[k.ID]; k.Status != want {
			t.Errorf("%s is %s, want %s (keys %+v)", k.ID, k.Status, want, keys)
		}
	}
	if len(keys) != 2 {
		t.Errorf("no key made twice or lost: %+v", keys)
	}
}
