package aws_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"lockdown/aws"
	"lockdown/steps"
)

var motoRegions = []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"}

// launch starts n instances in moto and returns their ids. The instances are found again by a tag
// of their own rather than taken from RunInstances' answer: on a loaded machine a call can time out
// after moto launched, and the retry launches again (moto ignores ClientToken), so every instance
// the batch made is counted.
func launch(t *testing.T, acct *aws.Account, region, kind string, n int32, protected bool) []string {
	t.Helper()
	ctx := context.Background()
	batch := fmt.Sprintf("%s-%d", t.Name(), seedBatches.Add(1))
	api := aws.SeedEC2(acct, region)
	_, err := api.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: sdk.String("ami-12c6146b"),
		InstanceType: types.InstanceType(kind), MinCount: sdk.Int32(n), MaxCount: sdk.Int32(n), DisableApiTermination: sdk.Bool(protected),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeInstance, Tags: []types.Tag{{Key: sdk.String("seed-batch"), Value: sdk.String(batch)}}}}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := api.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []types.Filter{{Name: sdk.String("tag:seed-batch"), Values: []string{batch}}}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range out.Reservations {
		for _, in := range r.Instances {
			ids = append(ids, *in.InstanceId)
		}
	}
	return ids
}

// seedBatches numbers launch's batches, so each finds only its own instances.
var seedBatches atomic.Int64

// TestScanVerdictsAndTerminationAgainstMoto seeds five regions before and after T0 (moto cannot
// back-date a launch, so T0 is taken between two rounds of launches). moto fulfils spot requests
// without linking the instance and filters launch-time with an error, so spot respawning and the
// paging of thousands of instances are tested on the simulator only.
func TestScanVerdictsAndTerminationAgainstMoto(t *testing.T) {
	acct, _ := aws.StartMoto(t, true)
	ctx := context.Background()
	if _, err := acct.WhoAmI(ctx); err != nil {
		t.Fatal(err)
	}
	baseline := map[string]bool{}
	for _, r := range motoRegions {
		for _, id := range launch(t, acct, r, "t3.micro", 2, false) {
			baseline[id] = true
		}
	}
	stopped := launch(t, acct, "us-east-1", "t3.micro", 1, false)[0]
	baseline[stopped] = true
	if _, err := aws.SeedEC2(acct, "us-east-1").StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{stopped}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // launch times have whole seconds
	since := time.Now().UTC()
	time.Sleep(1100 * time.Millisecond)
	rogue := map[string]bool{}
	var targets []aws.Target
	for _, r := range motoRegions {
		for _, id := range launch(t, acct, r, "g4dn.xlarge", 1, false) {
			rogue[id] = true
			targets = append(targets, aws.Target{Region: r, InstanceID: id})
		}
	}
	guarded := launch(t, acct, "eu-west-1", "p3.2xlarge", 1, true)[0]
	// moto ignores DisableApiTermination on RunInstances; it honours the attribute once modified.
	if _, err := aws.SeedEC2(acct, "eu-west-1").ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: sdk.String(guarded),
		DisableApiTermination: &types.AttributeBooleanValue{Value: sdk.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	rogue[guarded] = true
	targets = append(targets, aws.Target{Region: "eu-west-1", InstanceID: guarded})

	found, err := steps.ScanForRogueInstances(ctx, acct.ReadOnly(), since, steps.Params{"regions": motoRegions}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(found.Instances) != len(baseline)+len(rogue) || found.Scan.Failed() != 0 {
		t.Fatalf("found %d instances, seeded %d", len(found.Instances), len(baseline)+len(rogue))
	}
	for _, in := range found.Instances {
		want := steps.VerdictOK
		if rogue[in.ID] {
			want = steps.VerdictRogue
		}
		if in.Verdict != want || (in.ID == stopped && in.State != "stopped") {
			t.Errorf("%s in %s (%s, %s): verdict %s, want %s; %v", in.ID, in.Region, in.Type, in.State, in.Verdict, want, in.Reasons)
		}
	}

	assertTermination(t, acct, targets, guarded, baseline)
}

func assertTermination(t *testing.T, acct *aws.Account, targets []aws.Target, guarded string, baseline map[string]bool) {
	ctx := context.Background()
	dry, err := aws.DryRunChangesOf(acct).TerminateInstances(ctx, targets, aws.TerminateOptions{}, nil)
	if err != nil || dry.Count(aws.WouldSucceed) != len(targets) {
		t.Fatalf("dry run: %v %+v", err, dry)
	}
	live, err := acct.Changes()
	if err != nil {
		t.Fatal(err)
	}
	term, err := live.TerminateInstances(ctx, targets, aws.TerminateOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range term.Instances {
		want := aws.Terminated
		if r.ID == guarded {
			want = aws.Protected
		}
		// moto terminates the instances listed before a protected one and then fails the call
		// (AWS terminates none), so the retry finds them already terminated. The exact fate is
		// asserted on the simulator, which is as strict as AWS.
		if r.Fate == aws.AlreadyTerminated && r.FinalState == "terminated" {
			continue
		}
		if r.Fate != want {
			t.Errorf("%s: %s (%s %s), want %s", r.ID, r.Fate, r.Code, r.Message, want)
		}
	}
	found, err := acct.ScanInstances(ctx, aws.ScanOptions{Regions: motoRegions}, nil)
	if err != nil {
		t.Fatal(err)
	}
	left := map[string]bool{}
	for _, in := range found.Instances() {
		left[in.ID] = true
	}
	for id := range baseline {
		if !left[id] {
			t.Errorf("baseline instance %s was touched", id)
		}
	}
	if len(left) != len(baseline)+1 {
		t.Errorf("%d instances left, want the baseline and the protected one", len(left))
	}
	again, err := live.TerminateInstances(ctx, targets[:1], aws.TerminateOptions{}, nil)
	if err != nil || again.Count(aws.AlreadyTerminated) != 1 {
		t.Fatalf("a second run must report already terminated: %v %+v", err, again)
	}
}
