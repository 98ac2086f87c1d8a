package ui

import (
	"strconv"
	"testing"

	"lockdown/aws/sim"
	"lockdown/runbooks"
	"lockdown/steps"
)

// attackers reports whether the attacker launched an instance: after T0, and not by the shop's
// Auto Scaling group, which scaled out after T0 too.
func attackers(srv *sim.Server, in sim.EC2Instance) bool {
	return in.Launched.After(srv.IncidentStart()) && in.Tags["aws:autoscaling:groupName"] == ""
}

// rogueInstances are the instances the attacker launched after T0, by id.
func rogueInstances(srv *sim.Server) map[string]sim.EC2Instance {
	out := map[string]sim.EC2Instance{}
	for _, in := range srv.EC2Instances("") {
		if attackers(srv, in) {
			out[in.ID] = in
		}
	}
	return out
}

// baseline is the account's own estate: every instance in its usual regions, with its state.
func baseline(srv *sim.Server) map[string]string {
	out := map[string]string{}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		for _, in := range srv.EC2Instances(region) {
			out[in.ID] = in.State
		}
	}
	return out
}

func TestDrillTerminationNeedsTheExactInstanceCountTyped(t *testing.T) {
	d := startDrillSession(t, drillOptions{mode: steps.Drill})
	rogue := rogueInstances(d.srv)
	before := baseline(d.srv)
	if len(rogue) == 0 || len(before) == 0 {
		t.Fatalf("the scenario has %d rogue and %d baseline instances", len(rogue), len(before))
	}

	// CloudTrail first: the Auto Scaling scale-out after T0 is not the attacker's, and is not
	// proposed for termination.
	d.goTo("trace-attacker")
	d.typeText(leakedKeyID)
	d.press("enter")
	d.idle("the trace")
	mustContain(t, "the trace", d.screen(), "Attacker credentials", "AuthorizeSecurityGr")
	d.goTo("find-rogue-instances")
	d.inspect()
	d.goTo("terminate-instances")
	d.inspect()
	d.plan()
	want := strconv.Itoa(len(rogue))
	mustContain(t, "the plan", d.screen(), "Plan: ", "TerminateInstances")
	d.openConfirm()
	mustContain(t, "the dialog", d.screen(), "DESTRUCTIVE", drillAccount, "Terminate "+want+" instances")

	d.press("enter")
	d.idle("enter alone settles")
	if got := d.mutationsOf("TerminateInstances"); len(got) != 0 || d.m.confirm == nil {
		t.Fatalf("enter alone terminated instances (%d calls) or closed the dialog", len(got))
	}
	mustContain(t, "the dialog after enter alone", d.screen(), `type exactly "`+want+`"`)

	wrong := strconv.Itoa(len(rogue) - 1)
	d.typeText(wrong)
	d.press("enter")
	d.idle("a wrong count settles")
	if got := d.mutations(); len(got) != 0 || d.m.confirm == nil {
		t.Fatalf("typing %s instead of %s changed the account: %+v", wrong, want, got)
	}
	for _, in := range d.srv.EC2Instances("") {
		if in.State == "terminated" || in.State == "shutting-down" {
			t.Fatalf("%s is %s before the operator confirmed", in.ID, in.State)
		}
	}

	d.clearTyped()
	d.typeText(want)
	d.press("enter")
	if d.m.confirm != nil {
		t.Fatalf("the exact count did not confirm:\n%s", d.screen())
	}
	d.idle("the termination finishes")

	got := d.screen()
	// The plan read the instances' termination protection, so the protected one was disabled and
	// terminated with the rest: one confirmation covered what the plan showed.
	mustContain(t, "the results", got, "Results: ", "TerminateInstances", "ModifyInstanceAttribute", "applied")
	if len(d.mutationsOf("TerminateInstances")) == 0 {
		t.Fatal("no TerminateInstances call reached the account")
	}
	for _, r := range d.mutationsOf("TerminateInstances") {
		if r.Region == "us-east-1" || r.Region == "eu-west-1" {
			t.Errorf("a termination was sent to the account's own region %s", r.Region)
		}
	}

	for _, in := range d.srv.EC2Instances("") {
		if _, isRogue := rogue[in.ID]; isRogue && in.State != "terminated" && in.State != "shutting-down" {
			t.Errorf("rogue %s in %s is still %s", in.ID, in.Region, in.State)
		}
	}
	for id, state := range baseline(d.srv) {
		if before[id] != state {
			t.Errorf("baseline instance %s went from %s to %s", id, before[id], state)
		}
	}
	if st := d.run.Status("terminate-instances"); st.State != runbooks.StateDone {
		t.Errorf("terminate-instances is %s (%s) after the confirmation", st.State, st.Err)
	}
}

// drillUsers are the scenario's users that hold access keys.
var drillUsers = []string{"alice", "billing-reports", "ci-deploy", "oncall-responder", "support-sync"}

func TestDrillContainAsksForTheKeysLastFourCharactersAndDeactivatesExactlyIt(t *testing.T) {
	d := startDrillSession(t, drillOptions{mode: steps.Drill})
	before := d.keyStatuses(drillUsers...)
	if before[leakedKeyID] != "Active" || len(before) < 5 {
		t.Fatalf("unexpected keys before containment: %v", before)
	}

	d.goTo("contain-key")
	if !d.m.current().capturing() {
		t.Fatalf("the key field does not have the keyboard:\n%s", d.screen())
	}
	d.typeText(leakedKeyID)
	d.press("enter")
	d.idle("the key is inspected")
	mustContain(t, "the inspection", d.screen(), leakedKeyID+" belongs to ci-deploy and is Active")
	d.plan()
	d.openConfirm()
	last4 := leakedKeyID[len(leakedKeyID)-4:]
	mustContain(t, "the dialog", d.screen(), "Type "+last4+", the last four characters of "+leakedKeyID)

	d.press("enter")
	if len(d.mutations()) != 0 || d.m.confirm == nil {
		t.Fatal("enter alone contained the key")
	}
	d.typeText(leakedKeyID) // the whole id is not what was asked
	d.press("enter")
	if len(d.mutations()) != 0 || d.m.confirm == nil {
		t.Fatal("the whole key id typed in place of its last four characters contained the key")
	}
	d.clearTyped()
	d.typeText(last4)
	d.press("enter")
	d.idle("the containment finishes")

	got := d.screen()
	mustContain(t, "the results", got, "Results: ", "0 failed", "UpdateAccessKey", "Verified: ", leakedKeyID+" reads back Inactive")
	if n := len(d.mutationsOf("UpdateAccessKey")); n != 1 {
		t.Errorf("%d UpdateAccessKey calls, want exactly 1", n)
	}
	if ok, err := d.keyAuthenticates(leakedKeyID); ok || err != nil {
		t.Errorf("the leaked key still authenticates (ok=%v, err=%v)", ok, err)
	}
	after := d.keyStatuses(drillUsers...)
	for id, status := range after {
		if id != leakedKeyID && status == "Active" {
			if ok, err := d.keyAuthenticates(id); !ok {
				t.Errorf("the untouched key %s no longer authenticates: %v", id, err)
			}
			break
		}
	}
	for id, status := range before {
		want := status
		if id == leakedKeyID {
			want = "Inactive"
		}
		if after[id] != want {
			t.Errorf("key %s is %s, want %s", id, after[id], want)
		}
	}
	if st := d.run.Status("contain-key"); st.State != runbooks.StateDone {
		t.Errorf("contain-key is %s (%s)", st.State, st.Err)
	}
}
