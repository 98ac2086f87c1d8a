package steps

import (
	"context"
	"strings"
	"testing"
	"time"

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

func TestTerminateFlowSelectsRogueConfirmsByCountAndOffersToUnprotect(t *testing.T) {
	env, srv := openEC2Env(t, Drill)
	ctx := context.Background()
	action := TerminateInstances{}
	insp, err := action.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	selected := insp.Table.SelectedIDs()
	if len(selected) != 3 || insp.Failed != 0 {
		t.Fatalf("want the 3 rogue instances selected by default, got %v (%s)", selected, insp.Summary)
	}
	plan, err := action.Plan(ctx, env, insp, selected)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Confirm.Typed != "3" || !containsAll(plan.Confirm.Prompt, "111122223333", "us-east-1: 1", "sa-east-1: 1") {
		t.Fatalf("confirmation %+v", plan.Confirm)
	}
	out, err := action.Apply(ctx, env, changesOf(env), plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out.FollowUp == nil || len(out.FollowUp.Changes) != 2 || out.FollowUp.Confirm.Typed != "1" {
		t.Fatalf("want a follow-up to unprotect and terminate the guarded instance, got %+v", out.FollowUp)
	}
	again, err := action.Apply(ctx, env, changesOf(env), out.FollowUp, nil)
	if err != nil || again.Failed() != 0 {
		t.Fatalf("%v %+v", err, again)
	}
	for _, in := range srv.EC2Instances("") {
		rogue := in.Launched.After(srv.IncidentStart())
		if rogue != (in.State == "terminated") {
			t.Errorf("%s (launched %s) is %s", in.ID, in.Launched, in.State)
		}
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
