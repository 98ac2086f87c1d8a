package steps

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
)

// startTracedPersistence serves the persistence scenario live (a drill) and traces the leaked key,
// so the steps judge by CloudTrail.
func startTracedPersistence(t *testing.T) (*drill, *TraceFindings) {
	t.Helper()
	s := simtest.Start(t, "persistence", drillStart)
	env := envOf(s.Account(t, aws.Options{Mode: Drill, LookupInterval: time.Millisecond}))
	env.Since, env.Now = s.Server.IncidentStart(), s.Clock.Now
	env.Inputs["access_key_id"] = "AKIAEXAMPLELEAKED002"
	_, found := traceNow(t, env)
	env.Trace = found.Evidence
	return &drill{srv: s.Server, clock: s.Clock, env: env}, found
}

// minersRunning lists the instances running in the persistence scenario's miner regions.
func minersRunning(t *testing.T, d *drill) []string {
	t.Helper()
	scan, err := d.env.Account.ScanInstances(context.Background(), aws.ScanOptions{Regions: []string{"us-west-2", "ap-southeast-2"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, in := range scan.Instances() {
		if in.State == "running" || in.State == "pending" {
			ids = append(ids, in.Region+"/"+in.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// terminateOnly terminates instances and nothing else, as a responder without lockdown's steps would.
func terminateOnly(t *testing.T, d *drill, ids []string) {
	t.Helper()
	var targets []aws.Target
	for _, id := range ids {
		region, inst, _ := strings.Cut(id, "/")
		targets = append(targets, aws.Target{Region: region, InstanceID: inst})
	}
	if _, err := changesOf(d.env).TerminateInstances(context.Background(), targets, aws.TerminateOptions{}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestMinersComeBackWhenOnlyTheInstancesAreTerminatedAndStayGoneAfterTheSteps(t *testing.T) {
	t.Parallel()
	d, found := startTracedPersistence(t)
	for event, step := range map[string]string{"CreateAutoScalingGroup": byRespawners, "CreateLaunchTemplate": byRespawners,
		"StopLogging": byLogging, "UpdateDetector": byLogging} {
		if by := handledBy(found, event, ""); by != step {
			t.Errorf("the trace hands the attacker's %s to %q, want %q", event, by, step)
		}
	}
	miners := minersRunning(t, d)
	if len(miners) != 3 {
		t.Fatalf("the scenario runs %d miners in us-west-2 and ap-southeast-2, want 3: %v", len(miners), miners)
	}
	terminateOnly(t, d, miners)
	back := minersRunning(t, d)
	if len(back) != 3 || slices.ContainsFunc(back, func(id string) bool { return slices.Contains(miners, id) }) {
		t.Fatalf("after terminating only the instances, running: %v; want 3 replacements of %v", back, miners)
	}
	before := checkRespawners(context.Background(), d.env)
	if len(before) != 2 || before[0].Result != VerifyFail || before[1].Result != VerifyFail {
		t.Errorf("the verification before the step reads %+v, want the group and the template (the spot request behind an instance is the instance check's)", before)
	}

	insp, plan, out := d.run(t, StopRespawners{})
	group, _ := rowByID(insp, "stop-scaling-group/us-west-2/gpu-workers")
	if !group.Selected || !strings.Contains(group.Reasons[0], "done by the attacker: CreateAutoScalingGroup by AKIAEXAMPLELEAKED002") {
		t.Errorf("the attacker's group reads %+v", group)
	}
	ops := []string{}
	for _, c := range plan.Changes {
		ops = append(ops, c.Op+" "+c.Region)
		if !c.Destructive {
			t.Errorf("%s is not marked destructive", c.ID)
		}
	}
	want := []string{"autoscaling:DeleteAutoScalingGroup us-west-2", "ec2:CancelSpotInstanceRequests ap-southeast-2", "ec2:DeleteLaunchTemplate us-west-2"}
	if !slices.Equal(ops, want) {
		t.Fatalf("plan %v, want %v (the team's template of us-east-1, older than T0, left alone)", ops, want)
	}
	if plan.Confirm.Typed != "444455556666" {
		t.Errorf("typed confirmation %q, want the account id", plan.Confirm.Typed)
	}
	for _, r := range out.Results {
		if r.Status != StatusApplied || !strings.Contains(r.Message, "read back") {
			t.Errorf("result %+v", r)
		}
	}

	_, _, term := d.run(t, TerminateInstances{})
	for _, r := range term.Results {
		if r.Status != StatusApplied {
			t.Errorf("terminate result %+v", r)
		}
	}
	if left := minersRunning(t, d); len(left) != 0 {
		t.Errorf("after lockdown's steps, running again: %v", left)
	}
	again, err := StopRespawners{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sel := again.Table.SelectedIDs(); len(sel) != 0 {
		t.Errorf("a second inspection still proposes %v", sel)
	}
	if after := checkRespawners(context.Background(), d.env); len(after) != 1 || after[0].Result != VerifyPass {
		t.Errorf("the verification after the steps reads %+v", after)
	}
}

func TestTheTerminateStepStopsTheGroupBehindItsInstancesAndSaysWhenOneStillStands(t *testing.T) {
	t.Parallel()
	d := startPersistence(t, Drill)
	ctx := context.Background()
	a := TerminateInstances{}
	insp, err := a.Inspect(ctx, d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := a.Plan(ctx, d.env, insp, insp.Table.SelectedIDs())
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) == 0 || plan.Changes[0].Op != OpStopScalingGroup || plan.Changes[0].Target != "gpu-workers" ||
		!strings.Contains(plan.Confirm.Prompt, "stops 1 Auto Scaling group or fleet") {
		t.Fatalf("the plan does not stop the group first: %+v / %q", plan.Changes, plan.Confirm.Prompt)
	}
	// An older plan without the group's stop: the instances are terminated, and come back.
	old := *plan
	old.Changes = plan.Changes[1:]
	out, err := a.Apply(ctx, d.env, changesOf(d.env), &old, nil)
	if err != nil {
		t.Fatal(err)
	}
	flagged := 0
	for _, r := range out.Results {
		if r.Code == "RespawnerStands" {
			flagged++
			if r.Status != StatusFailed || !strings.Contains(r.Message, "the Auto Scaling group gpu-workers in us-west-2 still stands") {
				t.Errorf("result %+v", r)
			}
		}
	}
	if flagged != 2 {
		t.Errorf("%d results name the standing group, want the 2 instances of us-west-2: %+v", flagged, out.Results)
	}
	if n := len(minersRunning(t, d)); n != 2 {
		t.Errorf("%d miners run again, want the group's 2 replacements", n)
	}
}

func TestStoppingRespawnersInADryRunSendsNoAutoScalingRequestThatChanges(t *testing.T) {
	t.Parallel()
	d := startPersistence(t, DryRun)
	_, plan, out := d.run(t, StopRespawners{})
	if len(plan.Changes) != 3 {
		t.Fatalf("plan: %+v", plan.Changes)
	}
	for _, r := range out.Results {
		if r.Status != StatusWouldApply && r.Status != StatusNotChecked {
			t.Errorf("dry run result %+v", r)
		}
	}
	if changes := d.wire.Changes(); len(changes) != 0 {
		t.Errorf("the dry run sent changes: %+v", changes)
	}
	dryRuns := 0
	for _, r := range d.wire.Requests() {
		if r.Service == "autoscaling" && r.Mutating {
			t.Errorf("the dry run sent %s to Auto Scaling, which has no DryRun", r.Action)
		}
		if r.Mutating && r.DryRun {
			dryRuns++
		}
	}
	if dryRuns != 2 {
		t.Errorf("%d DryRun requests, want the spot request's cancel and the template's deletion", dryRuns)
	}
}

// An older group: the team's, scaled out after T0, whose new instance the operator selects anyway.
const teamGroup = `
name: team-group
seed: 5
account: {id: "111122223333"}
incident_start: -3h
ec2:
  instances:
    - {region: us-east-1, type: m5.large, launched: -1h, tags: {"aws:autoscaling:groupName": web}}
  launch_templates:
    - {region: us-east-1, name: web, type: m5.large, created: -300d}
autoscaling:
  groups:
    - {region: us-east-1, name: web, launch_template: web, min: 1, max: 2, desired: 1, created: -300d}
`

func TestTheTerminateStepNeverDeletesAGroupOlderThanT0AndSaysItStillStands(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, teamGroup, drillStart)
	env := envOf(s.Account(t, aws.Options{Mode: Drill}))
	env.Since, env.Now = s.Server.IncidentStart(), s.Clock.Now
	d := &drill{srv: s.Server, clock: s.Clock, env: env}
	_, plan, out := d.run(t, TerminateInstances{})
	for _, c := range plan.Changes {
		if isRespawnerStop(c.Op) {
			t.Errorf("the plan stops the team's group: %+v", c)
		}
	}
	if w := strings.Join(plan.Warnings, " "); !strings.Contains(w, "Auto Scaling group web in us-east-1, created") || !strings.Contains(w, "left alone") {
		t.Errorf("the plan does not warn that the group stays: %q", plan.Warnings)
	}
	if len(out.Results) != 1 || out.Results[0].Code != "RespawnerStands" || !strings.Contains(out.Results[0].Message, "Auto Scaling group web in us-east-1 still stands") {
		t.Errorf("results %+v", out.Results)
	}
}

// The team's older group, whose desired capacity the attacker raised with the leaked key.
const changedGroup = `
name: changed-group
seed: 9
account: {id: "111122223333"}
incident_start: -3h
iam:
  users:
    - name: ci
      created: -400d
      access_keys: [{id: AKIAEXAMPLELEAKEDASG, created: -300d}]
ec2:
  launch_templates:
    - {region: us-east-1, name: web, type: m5.large, created: -300d}
autoscaling:
  groups:
    - {region: us-east-1, name: web, launch_template: web, min: 1, max: 2, desired: 1, created: -300d}
attacker:
  access_key_id: AKIAEXAMPLELEAKEDASG
  source_ip: 203.0.113.9
  events:
    - {at: +1m, service: autoscaling, region: us-east-1, action: UpdateAutoScalingGroup, params: {AutoScalingGroupName: web, MaxSize: 9, DesiredCapacity: 9}}
`

func TestAGroupOlderThanT0ThatTheAttackerChangedIsFlaggedButNotPreselected(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, changedGroup, drillStart)
	env := envOf(s.Account(t, aws.Options{Mode: DryRun, LookupInterval: time.Millisecond}))
	env.Since, env.Now = s.Server.IncidentStart(), s.Clock.Now
	env.Inputs["access_key_id"] = "AKIAEXAMPLELEAKEDASG"
	s.Clock.Advance(2 * time.Minute)
	_, found := traceNow(t, env)
	env.Trace = found.Evidence
	if by := handledBy(found, "UpdateAutoScalingGroup", "web"); by != byRespawners {
		t.Errorf("the trace hands the change of the group to %q", by)
	}
	insp, err := StopRespawners{}.Inspect(context.Background(), env, nil)
	if err != nil {
		t.Fatal(err)
	}
	row, ok := rowByID(insp, "stop-scaling-group/us-east-1/web")
	if !ok || row.Selected || row.Tone != ToneRogue || !strings.Contains(row.Reasons[0], "changed by the attacker: UpdateAutoScalingGroup by AKIAEXAMPLELEAKEDASG") {
		t.Errorf("the changed group reads %+v", row)
	}
}
