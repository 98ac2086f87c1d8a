package steps

import (
	"context"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"lockdown/aws"
	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
)

// ec2Estate: two usual regions with old instances, one protected by tag, one stopped, and the
// attacker's GPUs after T0 in three regions, one of them with termination protection and one behind
// a persistent spot request.
const ec2Estate = `
name: estate
seed: 3
account: {id: "111122223333"}
incident_start: -3h
ec2:
  instances:
    - {region: us-east-1, type: m5.large, launched: -200d, tags: {Name: web}}
    - {region: us-east-1, type: m5.large, launched: -200d, state: stopped}
    - {region: eu-west-1, type: r5.large, launched: -100d, tags: {Name: db, "lockdown:protect": "true"}}
    - {region: us-east-1, id: i-000000000000miner, type: p3.16xlarge, launched: -2h}
    - {region: sa-east-1, id: i-00000000000guarded, type: g5.48xlarge, launched: -1h, protected: true}
    - {region: ap-south-1, id: i-0000000000000spot, type: g4dn.12xlarge, launched: -1h, spot: {type: persistent, created: -1h}}
`

func openEC2Env(t *testing.T, mode Mode) (*Env, *sim.Server) {
	t.Helper()
	return openEC2EnvExpecting(t, mode, "")
}

// openEC2EnvExpecting is openEC2Env with --account expected.
func openEC2EnvExpecting(t *testing.T, mode Mode, expected string) (*Env, *sim.Server) {
	t.Helper()
	s := simtest.Start(t, ec2Estate, time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC))
	acct := s.Account(t, aws.Options{Mode: mode, ExpectedAccount: expected})
	env := envOf(acct)
	env.Since = s.Server.IncidentStart()
	return env, s.Server
}

// planRogue inspects and plans the termination of the instances selected by default.
func planRogue(t *testing.T, env *Env) *Plan {
	t.Helper()
	ctx := context.Background()
	insp, err := TerminateInstances{}.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	selected := insp.Table.SelectedIDs()
	if len(selected) != 3 || insp.Failed != 0 {
		t.Fatalf("want the 3 rogue instances selected by default, got %v (%s)", selected, insp.Summary)
	}
	plan, err := TerminateInstances{}.Plan(ctx, env, insp, selected)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

func TestTerminateFlowSelectsRogueConfirmsByCountAndDisablesTheProtectionItShowed(t *testing.T) {
	env, srv := openEC2Env(t, Drill)
	plan := planRogue(t, env)
	if plan.Confirm.Typed != "3" || !containsAll(plan.Confirm.Prompt, "111122223333", "us-east-1: 1", "sa-east-1: 1", "termination protection of 1") {
		t.Fatalf("confirmation %+v", plan.Confirm)
	}
	out, err := TerminateInstances{}.Apply(context.Background(), env, changesOf(env), plan, nil)
	if err != nil || out.Failed() != 0 || out.FollowUp != nil {
		t.Fatalf("the reviewed plan, protection included, must apply in one go: %v %+v %+v", err, out.Results, out.FollowUp)
	}
	for _, in := range srv.EC2Instances("") {
		rogue := in.Launched.After(srv.IncidentStart())
		if rogue != (in.State == "terminated") {
			t.Errorf("%s (launched %s) is %s", in.ID, in.Launched, in.State)
		}
	}
}

func TestThePlanShowsTheProtectedInstanceWithTheChangeItNeeds(t *testing.T) {
	env, _ := openEC2Env(t, DryRun)
	plan := planRogue(t, env)
	var unprotect []string
	for _, c := range plan.Changes {
		if c.Op == OpUnprotectEC {
			unprotect = append(unprotect, c.Target)
		}
	}
	if len(unprotect) != 1 || unprotect[0] != "i-00000000000guarded" {
		t.Fatalf("the plan must disable protection on exactly the protected instance, got %v", unprotect)
	}
	if !containsAll(strings.Join(plan.Warnings, "\n"), "i-00000000000guarded", "termination protection on") {
		t.Errorf("the plan does not warn about the protection it disables: %v", plan.Warnings)
	}
}

func TestProtectionSetAfterThePlanIsLeftRunningAndOfferedAsItsOwnPlan(t *testing.T) {
	env, srv := openEC2Env(t, Drill)
	plan := planRogue(t, env)
	// After the review, someone protects the miner in us-east-1.
	id, secret := srv.ResponderCredentials()
	raw := ec2.New(ec2.Options{Region: "us-east-1", BaseEndpoint: sdk.String(env.Account.Endpoint()),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
	if _, err := raw.ModifyInstanceAttribute(context.Background(), &ec2.ModifyInstanceAttributeInput{InstanceId: sdk.String("i-000000000000miner"),
		DisableApiTermination: &ec2types.AttributeBooleanValue{Value: sdk.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	out, err := TerminateInstances{}.Apply(context.Background(), env, changesOf(env), plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out.FollowUp == nil || len(out.FollowUp.Changes) != 2 || out.FollowUp.Confirm.Typed != "1" || out.FollowUp.Changes[1].Target != "i-000000000000miner" {
		t.Fatalf("want a follow-up to unprotect and terminate the miner, got %+v", out.FollowUp)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func TestADryRunPlanNeedsNoTypingAndApplyOnlyChecksPermissions(t *testing.T) {
	env, srv := openEC2Env(t, DryRun)
	ctx := context.Background()
	action := TerminateInstances{}
	insp, err := action.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := action.Plan(ctx, env, insp, insp.Table.SelectedIDs())
	if err != nil {
		t.Fatal(err)
	}
	if plan.Confirm.Typed != "" || !strings.Contains(plan.Confirm.Prompt, "DryRun=true") {
		t.Fatalf("confirmation %+v", plan.Confirm)
	}
	out, err := action.Apply(ctx, env, changesOf(env), plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.Results {
		if r.Status != StatusWouldApply {
			t.Errorf("%s: %s %s", r.ChangeID, r.Status, r.Message)
		}
	}
	for _, in := range srv.EC2Instances("") {
		if in.State == "terminated" {
			t.Fatalf("a dry run terminated %s", in.ID)
		}
	}
}

func TestTerminationInTheWrongAccountIsRefusedChangeByChange(t *testing.T) {
	env, srv := openEC2EnvExpecting(t, Drill, "000000000000")
	ctx := context.Background()
	action := TerminateInstances{}
	insp, err := action.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := action.Plan(ctx, env, insp, insp.Table.SelectedIDs())
	if err != nil {
		t.Fatal(err)
	}
	out, err := action.Apply(ctx, env, changesOf(env), plan, nil)
	if err != nil {
		t.Fatalf("a refusal should come back as results, got %v", err)
	}
	if len(out.Results) != len(plan.Changes) || out.Failed() != len(plan.Changes) {
		t.Fatalf("want every change refused, got %+v", out.Results)
	}
	for _, r := range out.Results {
		if r.Code != "Refused" || !containsAll(r.Message, "000000000000", "111122223333") {
			t.Errorf("%s: %s %q", r.ChangeID, r.Code, r.Message)
		}
	}
	for _, r := range srv.Requests() {
		if r.Mutating || r.DryRun {
			t.Errorf("a refused termination sent %s in %s", r.Action, r.Region)
		}
	}
}
