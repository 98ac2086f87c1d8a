package sim_test

import (
	"context"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
)

const estate = `
name: estate
seed: 7
account: {id: "111122223333"}
incident_start: -3h
ec2:
  key_pairs:
    - {region: us-east-1, name: ops, created: -400d}
  instances:
    - {region: us-east-1, id: i-0000000000000web1, type: m5.large, launched: -90d, key_name: ops, tags: {Name: web-1}}
    - {region: us-east-1, id: i-000000000000guard, type: m5.large, launched: -90d, protected: true}
    - {region: us-east-1, id: i-0000000000000spot, type: p3.16xlarge, launched: -1h, spot: {type: persistent, created: -1h}}
  generate:
    - {region: us-east-1, count: 23, type: t3.micro, launched: -10d, name: batch}
    - {region: us-east-1, count: 4, type: t3.micro, launched: -10d, state: stopped}
`

func startScenario(t *testing.T, text string) (*sim.Server, string) {
	t.Helper()
	s := simtest.Start(t, text, testStart)
	return s.Server, s.URL
}

func ec2Client(t *testing.T, srv *sim.Server, url, region string) *ec2.Client {
	id, secret := srv.ResponderCredentials()
	return ec2.NewFromConfig(sdkConfig(url, region, id, secret))
}

func TestDescribeInstancesPagesByInstancesToTheLastOne(t *testing.T) {
	srv, url := startScenario(t, estate)
	client := ec2Client(t, srv, url, "us-east-1")
	pages, seen := 0, map[string]bool{}
	p := ec2.NewDescribeInstancesPaginator(client, &ec2.DescribeInstancesInput{MaxResults: sdk.Int32(5)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		n := 0
		for _, r := range out.Reservations {
			for _, in := range r.Instances {
				seen[*in.InstanceId] = true
				n++
			}
		}
		if n > 5 {
			t.Fatalf("page %d has %d instances, more than MaxResults", pages, n)
		}
	}
	if len(seen) != 30 || pages != 6 {
		t.Fatalf("want 30 instances over 6 pages, got %d over %d", len(seen), pages)
	}
}

func TestDescribeInstancesRefusesAPageSizeEC2WouldRefuse(t *testing.T) {
	srv, url := startScenario(t, estate)
	client := ec2Client(t, srv, url, "us-east-1")
	for _, n := range []int32{4, 1001} {
		_, err := client.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{MaxResults: sdk.Int32(n)})
		if apiCode(err) != "InvalidParameterValue" {
			t.Errorf("MaxResults %d: want InvalidParameterValue, got %v", n, err)
		}
	}
}

func TestDescribeInstancesFilters(t *testing.T) {
	tests := []struct {
		name    string
		filters []types.Filter
		want    int
	}{
		{"stopped instances are found by state", []types.Filter{{Name: sdk.String("instance-state-name"), Values: []string{"stopped"}}}, 4},
		{"a tag value with a wildcard matches the fleet", []types.Filter{{Name: sdk.String("tag:Name"), Values: []string{"batch-*"}}}, 23},
		{"tag-key finds every tagged instance", []types.Filter{{Name: sdk.String("tag-key"), Values: []string{"Name"}}}, 24},
		{"key-name finds the instance launched with it", []types.Filter{{Name: sdk.String("key-name"), Values: []string{"ops"}}}, 1},
		{"instance-id finds exactly that instance", []types.Filter{{Name: sdk.String("instance-id"), Values: []string{"i-000000000000guard"}}}, 1},
	}
	srv, url := startScenario(t, estate)
	client := ec2Client(t, srv, url, "us-east-1")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := client.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{Filters: tt.filters})
			if err != nil {
				t.Fatal(err)
			}
			if got := countInstances(out); got != tt.want {
				t.Fatalf("want %d, got %d", tt.want, got)
			}
		})
	}
}

func countInstances(out *ec2.DescribeInstancesOutput) int {
	n := 0
	for _, r := range out.Reservations {
		n += len(r.Instances)
	}
	return n
}

func TestTerminationProtectionFailsTheWholeCallAndTerminatesNothing(t *testing.T) {
	srv, url := startScenario(t, estate)
	client := ec2Client(t, srv, url, "us-east-1")
	_, err := client.TerminateInstances(context.Background(), &ec2.TerminateInstancesInput{
		InstanceIds: []string{"i-0000000000000web1", "i-000000000000guard"}})
	if apiCode(err) != "OperationNotPermitted" {
		t.Fatalf("want OperationNotPermitted, got %v", err)
	}
	for _, in := range srv.EC2Instances("us-east-1") {
		if in.State == "terminated" {
			t.Fatalf("%s was terminated by a refused call", in.ID)
		}
	}
	if _, err := client.ModifyInstanceAttribute(context.Background(), &ec2.ModifyInstanceAttributeInput{
		InstanceId: sdk.String("i-000000000000guard"), DisableApiTermination: &types.AttributeBooleanValue{Value: sdk.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	out, err := client.TerminateInstances(context.Background(), &ec2.TerminateInstancesInput{InstanceIds: []string{"i-000000000000guard"}})
	if err != nil || out.TerminatingInstances[0].CurrentState.Name != types.InstanceStateNameShuttingDown {
		t.Fatalf("after disabling protection: %v %+v", err, out)
	}
}

func TestDryRunChecksPermissionsAndChangesNothing(t *testing.T) {
	srv, url := startScenario(t, estate)
	client := ec2Client(t, srv, url, "us-east-1")
	_, err := client.TerminateInstances(context.Background(), &ec2.TerminateInstancesInput{
		DryRun: sdk.Bool(true), InstanceIds: []string{"i-0000000000000web1"}})
	if apiCode(err) != "DryRunOperation" {
		t.Fatalf("want DryRunOperation, got %v", err)
	}
	if got := srv.EC2Instances("us-east-1")[0].State; got != "running" {
		t.Fatalf("dry run changed the state to %s", got)
	}
	if reqs := srv.Requests(); reqs[len(reqs)-1].Mutating {
		t.Fatal("a dry run is logged as mutating")
	}
}

func TestAPersistentSpotRequestRelaunchesItsInstanceUntilCancelled(t *testing.T) {
	srv, url := startScenario(t, estate)
	client := ec2Client(t, srv, url, "us-east-1")
	ctx := context.Background()
	if _, err := client.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"i-0000000000000spot"}}); err != nil {
		t.Fatal(err)
	}
	spot, err := client.DescribeSpotInstanceRequests(ctx, &ec2.DescribeSpotInstanceRequestsInput{})
	if err != nil || len(spot.SpotInstanceRequests) != 1 {
		t.Fatalf("%v %+v", err, spot)
	}
	req := spot.SpotInstanceRequests[0]
	replacement := sdk.ToString(req.InstanceId)
	if replacement == "" || replacement == "i-0000000000000spot" || req.State != types.SpotInstanceStateActive {
		t.Fatalf("want a replacement instance, got %q in state %s", replacement, req.State)
	}
	if _, err := client.CancelSpotInstanceRequests(ctx, &ec2.CancelSpotInstanceRequestsInput{SpotInstanceRequestIds: []string{*req.SpotInstanceRequestId}}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{replacement}}); err != nil {
		t.Fatal(err)
	}
	running := 0
	for _, in := range srv.EC2Instances("us-east-1") {
		if in.Type == "p3.16xlarge" && in.State == "running" {
			running++
		}
	}
	if running != 0 {
		t.Fatalf("%d miners still running after cancelling the request", running)
	}
}

func TestRunInstancesLaunchesTaggedInstancesAndChecksTheKeyPair(t *testing.T) {
	srv, url := startScenario(t, estate)
	client := ec2Client(t, srv, url, "us-east-1")
	ctx := context.Background()
	_, err := client.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: sdk.String("ami-1"), MinCount: sdk.Int32(1), MaxCount: sdk.Int32(1), KeyName: sdk.String("nope")})
	if apiCode(err) != "InvalidKeyPair.NotFound" {
		t.Fatalf("want InvalidKeyPair.NotFound, got %v", err)
	}
	out, err := client.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: sdk.String("ami-1"), MinCount: sdk.Int32(3), MaxCount: sdk.Int32(3),
		InstanceType: types.InstanceTypeG4dnXlarge,
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeInstance,
			Tags: []types.Tag{{Key: sdk.String("team"), Value: sdk.String("ml")}}}}})
	if err != nil || len(out.Instances) != 3 {
		t.Fatalf("%v %+v", err, out)
	}
	if got := out.Instances[0].LaunchTime; !got.Equal(testStart) {
		t.Fatalf("launch time %v, want the simulated now %v", got, testStart)
	}
	keys, err := client.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{})
	if err != nil || len(keys.KeyPairs) != 1 || !keys.KeyPairs[0].CreateTime.Equal(testStart.Add(-400*24*time.Hour)) {
		t.Fatalf("%v %+v", err, keys)
	}
}

func TestTheDrillAttackerKeepsLaunchingMinersWithTheLeakedKey(t *testing.T) {
	srv, clock, _ := startSim(t, "crypto-miner")
	clock.Advance(16 * time.Minute)
	launched := 0
	for _, rec := range srv.AttackLog() {
		if rec.Action == "ec2:RunInstances" {
			if !rec.Succeeded() {
				t.Fatalf("the attacker's launch failed: %s %s", rec.Code, rec.Message)
			}
			launched++
		}
	}
	if launched != 2 || len(srv.EC2Instances("ap-northeast-1")) != 3 {
		t.Fatalf("%d launches, %d instances in ap-northeast-1", launched, len(srv.EC2Instances("ap-northeast-1")))
	}
}
