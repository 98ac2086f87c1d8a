package aws

import (
	"context"
	"errors"
	"slices"
	"testing"

	"lockdown/aws/sim"
)

// rogueTargets are the attacker's instances of the ec2Incident scenario; gpu4 is protected.
var rogueTargets = []Target{
	{Region: "us-east-1", InstanceID: "i-0000000000000gpu1"},
	{Region: "sa-east-1", InstanceID: "i-0000000000000gpu3"},
	{Region: "eu-central-1", InstanceID: "i-0000000000000gpu4"},
}

func withSpotMiner(t *testing.T, srv *sim.Server) []Target {
	t.Helper()
	for _, in := range srv.EC2Instances("ap-southeast-1") {
		if in.ID == "i-0000000000000gpu2" {
			return append(slices.Clone(rogueTargets), Target{Region: in.Region, InstanceID: in.ID, SpotRequestID: in.SpotRequest})
		}
	}
	t.Fatal("the spot miner is missing from the scenario")
	return nil
}

func ec2FateOf(term *Termination, id string) TargetResult {
	for _, r := range term.Instances {
		if r.ID == id {
			return r
		}
	}
	return TargetResult{}
}

func TestTerminationTakesOutTheProtectedInstanceAndTerminatesTheRest(t *testing.T) {
	acct, srv := openEC2Sim(t, ec2Incident, true)
	before := ec2States(srv)
	targets := withSpotMiner(t, srv)
	term, err := changesOf(t, acct).TerminateInstances(context.Background(), targets, TerminateOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		r := ec2FateOf(term, tg.InstanceID)
		want, final := Terminated, "terminated"
		if tg.InstanceID == "i-0000000000000gpu4" {
			want, final = Protected, "running"
		}
		if r.Fate != want || r.FinalState != final {
			t.Errorf("%s: fate %s, final state %s; want %s, %s", tg.InstanceID, r.Fate, r.FinalState, want, final)
		}
	}
	if len(term.SpotRequests) != 1 || term.SpotRequests[0].Fate != Cancelled || srv.SpotRequestState("ap-southeast-1", targets[3].SpotRequestID) != "cancelled" {
		t.Fatalf("the spot request behind the miner must be cancelled: %+v", term.SpotRequests)
	}
	after := ec2States(srv)
	if len(after) != len(before) {
		t.Fatalf("%d instances appeared: a spot request respawned its instance", len(after)-len(before))
	}
	for id, state := range before {
		if !slices.ContainsFunc(targets, func(tg Target) bool { return tg.InstanceID == id }) && after[id] != state {
			t.Errorf("baseline instance %s went from %s to %s", id, state, after[id])
		}
	}
}

func TestTerminatingAgainReportsAlreadyTerminatedAndSucceeds(t *testing.T) {
	acct, _ := openEC2Sim(t, ec2Incident, true)
	ctx := context.Background()
	if _, err := changesOf(t, acct).TerminateInstances(ctx, rogueTargets[:2], TerminateOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	again, err := changesOf(t, acct).TerminateInstances(ctx, rogueTargets[:2], TerminateOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Count(AlreadyTerminated) != 2 || again.Regions[0].Code != "" {
		t.Fatalf("second run: %+v", again)
	}
}

func TestDisablingProtectionThenTerminatingTheProtectedInstance(t *testing.T) {
	acct, srv := openEC2Sim(t, ec2Incident, true)
	target := []Target{rogueTargets[2]}
	target[0].Unprotect = true
	term, err := changesOf(t, acct).TerminateInstances(context.Background(), target, TerminateOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := ec2FateOf(term, target[0].InstanceID); r.Fate != Terminated || ec2States(srv)[target[0].InstanceID] != "terminated" {
		t.Fatalf("got %+v", r)
	}
}

func TestADryRunChecksPermissionsPerRegionAndChangesNothing(t *testing.T) {
	acct, srv := openEC2Sim(t, ec2Incident, false)
	addEC2Fault(t, srv, sim.Fault{Region: "sa-east-1", Service: "ec2", Action: "TerminateInstances", Deny: true})
	before := ec2States(srv)
	targets := withSpotMiner(t, srv)
	targets[2].Unprotect = true
	term, err := changesOf(t, acct).TerminateInstances(context.Background(), targets, TerminateOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range term.Regions {
		want := "DryRunOperation"
		if r.Region == "sa-east-1" {
			want = "UnauthorizedOperation"
		}
		if r.Code != want {
			t.Errorf("%s: %s %s, want %s", r.Region, r.Code, r.Message, want)
		}
	}
	if !term.DryRun || term.Count(WouldSucceed) != 3 || ec2FateOf(term, "i-0000000000000gpu3").Fate != FailedFate {
		t.Fatalf("dry run results: %+v", term.Instances)
	}
	for _, req := range srv.Requests() {
		if req.Mutating {
			t.Fatalf("a dry run sent a real change: %+v", req)
		}
	}
	if after := ec2States(srv); len(after) != len(before) || after["i-0000000000000gpu1"] != "running" {
		t.Fatal("a dry run changed the account")
	}
}

func TestAChangeInTheWrongAccountIsRefusedWithoutSendingAnything(t *testing.T) {
	acct, srv := openEC2Sim(t, ec2Incident, true)
	acct.guard = newGuard(Live, "999999999999")
	acct.guard.confirm("111122223333")
	srv.ResetRequests()
	ch, err := acct.Changes()
	var wrong *WrongAccountError
	if !errors.As(err, &wrong) || ch != nil || len(srv.Requests()) != 0 {
		t.Fatalf("want a refusal and no requests, got %v, %v and %d requests", ch, err, len(srv.Requests()))
	}
}

func TestLiveChangesAskTheGuardAgainBeforeEachCall(t *testing.T) {
	acct, srv := openEC2Sim(t, ec2Incident, true)
	ch := changesOf(t, acct)
	// The account is confirmed again, and it is not the expected one any more: the changes handed
	// out earlier must stop at the next call.
	acct.guard.mu.Lock()
	acct.guard.expected = "999999999999"
	acct.guard.mu.Unlock()
	srv.ResetRequests()
	term, err := ch.TerminateInstances(context.Background(), rogueTargets, TerminateOptions{}, nil)
	var wrong *WrongAccountError
	if !errors.As(err, &wrong) || term != nil {
		t.Fatalf("want a refusal, got %v and %+v", err, term)
	}
	if _, _, err := ch.CreateKey(context.Background(), "responder", 0); !errors.As(err, &wrong) {
		t.Fatalf("want a refusal of the key change, got %v", err)
	}
	for _, r := range srv.Requests() {
		if r.Mutating {
			t.Errorf("a refused change was sent: %s", r.Action)
		}
	}
}

func TestThrottledTerminationTerminatesEverySelectedInstanceExactlyOnce(t *testing.T) {
	acct, srv := openEC2Sim(t, ec2Incident, true)
	addEC2Fault(t, srv, sim.Fault{Service: "ec2", Action: "TerminateInstances", Throttle: 0.3})
	var targets []Target
	for _, in := range srv.EC2Instances("") {
		if in.State != "terminated" && !in.Protected {
			targets = append(targets, Target{Region: in.Region, InstanceID: in.ID})
		}
	}
	srv.ResetRequests()
	term, err := changesOf(t, acct).TerminateInstances(context.Background(), targets, TerminateOptions{BatchSize: 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if term.Count(Terminated) != len(targets) {
		t.Fatalf("terminated %d of %d", term.Count(Terminated), len(targets))
	}
	batches := 0
	for _, r := range term.Regions {
		batches += r.Calls
	}
	succeeded := 0
	for _, req := range srv.Requests() {
		if req.Action == "TerminateInstances" && req.Mutating && req.Code == "" {
			succeeded++
		}
	}
	if succeeded != batches {
		t.Fatalf("%d TerminateInstances calls changed the account, want one per batch (%d)", succeeded, batches)
	}
}

func TestNamedIDsReadsTheInstancesAnEC2ErrorNames(t *testing.T) {
	pending := []string{"i-1", "i-2", "i-3"}
	tests := []struct {
		name, msg string
		want      []string
	}{
		{"termination protection names one instance", "The instance 'i-2' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.", []string{"i-2"}},
		{"not found names a list", "The instance IDs 'i-1, i-3' do not exist", []string{"i-1", "i-3"}},
		{"an id outside the batch is ignored", "The instance ID 'i-9' does not exist", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := namedIDs(tt.msg, pending); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestATerminationWhoseAnswerIsLostCountsAsTerminatedWhenTheReadBackSaysSo(t *testing.T) {
	acct, srv := openEC2Sim(t, ec2Incident, true)
	addEC2Fault(t, srv, sim.Fault{Region: "us-west-2", Service: "ec2", Action: "TerminateInstances", LoseAnswer: "error"})
	var targets []Target
	for _, in := range srv.EC2Instances("us-west-2") {
		if in.State != "terminated" && !in.Protected {
			targets = append(targets, Target{Region: in.Region, InstanceID: in.ID})
		}
	}
	term, err := changesOf(t, acct).TerminateInstances(context.Background(), targets, TerminateOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := term.Count(Terminated); got != len(targets) {
		t.Fatalf("terminated %d of %d: the read-back shows every one terminated; results %+v", got, len(targets), term.Instances)
	}
	if term.Count(FailedFate) != 0 {
		t.Fatalf("%d reported failed although terminated", term.Count(FailedFate))
	}
}
