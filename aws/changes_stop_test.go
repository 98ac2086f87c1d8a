package aws_test

import (
	"context"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
)

// Stopping an instance whose user data the attacker replaced: a dry run is proven by EC2 with
// DryRun=true and changes nothing on the wire; the live stop is read back; a second stop finds it
// done.
func TestAStopIsProvenWithDryRunThenMadeOnceAndReadBack(t *testing.T) {
	s := simtest.Start(t, `name: stop
seed: 5
account: {id: "111122223333"}
incident_start: -3h
ec2:
  instances:
    - {region: eu-west-1, id: i-00000000000worker, type: m5.large, launched: -1h, first_launched: -300d}
`, time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC))
	wire := s.Watch(t)
	ctx := context.Background()
	const id = "i-00000000000worker"
	acct := s.Account(t, aws.Options{Mode: aws.Live})
	if eff, err := aws.DryRunChangesOf(acct).StopInstance(ctx, "eu-west-1", id); err != nil || eff != aws.WouldChange {
		t.Fatalf("dry run: %v %v", eff, err)
	}
	if sent := wire.Changes(); len(sent) != 0 {
		t.Fatalf("the dry run sent a change: %+v", sent)
	}
	if wire.DryRuns() != 1 {
		t.Fatalf("the dry run sent %d StopInstances with DryRun=true, want 1: nothing else proves it", wire.DryRuns())
	}
	live, err := acct.Changes()
	if err != nil {
		t.Fatal(err)
	}
	if eff, err := live.StopInstance(ctx, "eu-west-1", id); err != nil || eff != aws.Changed {
		t.Fatalf("live: %v %v", eff, err)
	}
	if n := len(wire.ChangesOf("StopInstances")); n != 1 {
		t.Fatalf("%d StopInstances changes on the wire, want 1", n)
	}
	now, err := acct.ReadOnly().InstanceNow(ctx, "eu-west-1", id)
	if err != nil || now.State != "stopped" {
		t.Fatalf("read back: %+v %v", now, err)
	}
	if eff, err := live.StopInstance(ctx, "eu-west-1", id); err != nil || eff != aws.AlreadyDone {
		t.Fatalf("again: %v %v", eff, err)
	}
	if n := len(wire.ChangesOf("StopInstances")); n != 1 {
		t.Errorf("the second stop sent another StopInstances: %d in all", n)
	}
}
