package steps

import (
	"context"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"lockdown/aws"
	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
)

func TestRotationDeletesTheKeyCreatedAfterT0NotTheOneProductionUses(t *testing.T) {
	d := startDrill(t, Drill)
	before, err := aws.ListAccessKeys(context.Background(), d.env.Account.IAM(), "billing-reports", false)
	if err != nil || len(before) != 2 {
		t.Fatalf("%v %+v", err, before)
	}
	insp, err := RotateKeys{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := RotateKeys{}.Plan(context.Background(), d.env, insp, []string{"billing-reports"})
	if err != nil {
		t.Fatal(err)
	}
	deleted := firstKeyOf(t, plan)
	for _, k := range before {
		if k.ID == deleted && !k.Created.After(d.env.Since) {
			t.Fatalf("the plan deletes %s, created %s before T0, while a key created after T0 exists", k.ID, k.Created)
		}
	}
}

func TestRotationStopsWhenAKeyAppearedThatLockdownDidNotCreate(t *testing.T) {
	d := startDrill(t, Drill)
	ctx := context.Background()
	insp, err := RotateKeys{}.Inspect(ctx, d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := RotateKeys{}.Plan(ctx, d.env, insp, []string{"alice"})
	if err != nil {
		t.Fatal(err)
	}
	// Between the plan and the confirmation, the attacker adds a key to alice.
	id, secret := d.srv.ResponderCredentials()
	foreign, err := sdkIAM(d.env.Account.Endpoint(), id, secret).CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: sdk.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	d.clock.Advance(time.Minute)
	out, err := RotateKeys{}.Apply(ctx, d.env, changesOf(d.env), plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Secrets) != 0 || out.Failed() == 0 {
		t.Fatalf("the rotation must fail without a new secret: %+v", out.Results)
	}
	if !strings.Contains(out.Results[len(out.Results)-1].Message, *foreign.AccessKey.AccessKeyId) {
		t.Errorf("the failure must name the unexpected key: %+v", out.Results)
	}
	keys, err := aws.ListAccessKeys(ctx, d.env.Account.IAM(), "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.ID != *foreign.AccessKey.AccessKeyId && k.Status != aws.KeyActive {
			t.Fatalf("alice's own key %s was deactivated, leaving the unexpected key: %+v", k.ID, keys)
		}
	}
}

func TestADryRunRotationOfAUserWithTwoKeysWouldSucceed(t *testing.T) {
	d := startDrill(t, DryRun)
	_, _, out := d.run(t, RotateKeys{}, "billing-reports")
	if out.Failed() != 0 {
		t.Fatalf("the key deleted first makes room, also in a dry run: %+v", out.Results)
	}
}

func TestUsersThatCouldNotBeReadAreShownFailedNotDropped(t *testing.T) {
	for _, action := range []Action{RotateKeys{}, RemoveBackdoorUsers{}} {
		t.Run(action.Spec().Name, func(t *testing.T) {
			d := startDrill(t, DryRun)
			if err := d.srv.AddFault(sim.Fault{Service: "iam", Action: "GetAccessKeyLastUsed", Deny: true}); err != nil {
				t.Fatal(err)
			}
			insp, err := action.Inspect(context.Background(), d.env, nil)
			if err != nil {
				t.Fatal(err)
			}
			if insp.Failed == 0 {
				t.Fatalf("users whose keys could not be read must count as failed: %+v", insp.Table.Rows)
			}
			shown := 0
			for _, r := range insp.Table.Rows {
				if strings.Contains(strings.Join(r.Reasons, " "), "could not be read") {
					shown++
				}
			}
			if shown != insp.Failed {
				t.Fatalf("%d failed users, %d shown as failed", insp.Failed, shown)
			}
		})
	}
}

func TestRevocationCutsSessionsUpToTheMomentOfApplyNotOfPlanning(t *testing.T) {
	d := startDrill(t, Drill)
	ctx := context.Background()
	insp, err := RevokeSessions{}.Inspect(ctx, d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := RevokeSessions{}.Plan(ctx, d.env, insp, []string{"deploy-role"})
	if err != nil {
		t.Fatal(err)
	}
	d.clock.Advance(5 * time.Minute) // the operator reads the plan; the attacker assumes the role
	applied := d.clock.Now()
	if _, err := (RevokeSessions{}).Apply(ctx, d.env, changesOf(d.env), plan, nil); err != nil {
		t.Fatal(err)
	}
	cutoff, err := aws.RoleRevocation(ctx, d.env.Account.IAM(), "deploy-role")
	if err != nil {
		t.Fatal(err)
	}
	if cutoff.Before(applied) {
		t.Fatalf("sessions are revoked up to %s, before the apply at %s", cutoff, applied)
	}
}

const groupInlineAdmin = `name: group-inline-admin
seed: 7
account: {id: "111122223333"}
incident_start: -3h
iam:
  groups:
    - name: ops
      inline_policies:
        everything: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
  users:
    - name: carol
      created: -300d
      groups: [ops]
`

func TestAnAllowEverythingInlinePolicyOnAGroupMakesItsMembersAdminLike(t *testing.T) {
	s := simtest.Start(t, groupInlineAdmin, drillStart)
	env := envOf(s.Account(t, aws.Options{}))
	env.Since = s.Server.IncidentStart()
	rep, err := BuildKeysReport(context.Background(), env.Account, env.Since, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range rep.Users {
		if u.Name == "carol" {
			if !contains(u.Flags, FlagAdminPolicy) {
				t.Fatalf("carol's group allows everything inline, but her flags are %v", u.Flags)
			}
			return
		}
	}
	t.Fatal("carol is not in the inventory")
}

func TestARoleTrustingAnotherAccountIsShownAsABackdoorAndPreselectedWhenNew(t *testing.T) {
	d := startDrill(t, DryRun)
	insp, err := RevokeSessions{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range insp.Table.Rows {
		trusts := strings.Contains(strings.Join(r.Reasons, " "), "999988887777")
		switch r.ID {
		case "sync-automation":
			if !trusts || !r.Selected || r.Tone != ToneRogue {
				t.Errorf("the new role trusting another account must be rogue, preselected and explained: %+v", r)
			}
		default:
			if trusts {
				t.Errorf("%s does not trust another account: %+v", r.ID, r)
			}
		}
	}
}

// orphaningChanges reports, with each new key, a key an earlier lost answer made and careful
// creation deleted.
type orphaningChanges struct{ aws.Changes }

func (c orphaningChanges) CreateKey(ctx context.Context, user string, freed int) (aws.NewKey, aws.Effect, error) {
	key, eff, err := c.Changes.CreateKey(ctx, user, freed)
	key.Orphans = []string{"AKIAEXAMPLEORPHAN001"}
	return key, eff, err
}

func TestARotationSaysWhichKeyALostAnswerMadeAndWasDeleted(t *testing.T) {
	d := startDrill(t, Drill)
	plan := d.planRotation(t, "alice")
	d.env.KeepSecret = func(Secret) error { return nil }
	out, err := RotateKeys{}.Apply(context.Background(), d.env, orphaningChanges{changesOf(d.env)}, plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.Results {
		if r.ChangeID == "create/alice" {
			if !strings.Contains(r.Message, "AKIAEXAMPLEORPHAN001") || !strings.Contains(r.Message, "kept in the secrets file") {
				t.Errorf("the create's result: %s", r.Message)
			}
			return
		}
	}
	t.Errorf("no create result: %+v", out.Results)
}

// planRotation inspects the keys and plans the rotation of users.
func (d *drill) planRotation(t *testing.T, users ...string) *Plan {
	t.Helper()
	insp, err := RotateKeys{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := RotateKeys{}.Plan(context.Background(), d.env, insp, users)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}
