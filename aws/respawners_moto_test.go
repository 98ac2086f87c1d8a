package aws_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	scaling "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"lockdown/aws"
	"lockdown/steps"
)

// seedTemplateInMoto makes a launch template in us-east-1: the team's, before T0, or the
// attacker's, after.
func seedTemplateInMoto(t *testing.T, acct *aws.Account, name string) {
	t.Helper()
	_, err := aws.SeedEC2(acct, "us-east-1").CreateLaunchTemplate(context.Background(), &ec2.CreateLaunchTemplateInput{LaunchTemplateName: sdk.String(name),
		LaunchTemplateData: &types.RequestLaunchTemplateData{ImageId: sdk.String("ami-12c6146b"), InstanceType: types.InstanceTypeT3Micro}})
	if err != nil {
		t.Fatal(err)
	}
}

// seedRespawnersInMoto makes, after T0, what an attacker leaves so that terminated miners come
// back: a launch template, an Auto Scaling group launching from it, and a maintain spot fleet.
func seedRespawnersInMoto(t *testing.T, acct *aws.Account) {
	t.Helper()
	ctx := context.Background()
	seedTemplateInMoto(t, acct, "miners")
	_, err := aws.SeedScaling(acct, "us-east-1").CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: sdk.String("miners"), MinSize: sdk.Int32(1), MaxSize: sdk.Int32(3), DesiredCapacity: sdk.Int32(2),
		AvailabilityZones: []string{"us-east-1a"},
		LaunchTemplate:    &scaling.LaunchTemplateSpecification{LaunchTemplateName: sdk.String("miners"), Version: sdk.String("$Latest")}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = aws.SeedEC2(acct, "us-east-1").RequestSpotFleet(ctx, &ec2.RequestSpotFleetInput{SpotFleetRequestConfig: &types.SpotFleetRequestConfigData{
		// moto answers HTTP 500 without an AllocationStrategy, which AWS does not require.
		IamFleetRole: sdk.String("arn:aws:iam::123456789012:role/fleet"), TargetCapacity: sdk.Int32(1), Type: types.FleetTypeMaintain,
		AllocationStrategy:   types.AllocationStrategyLowestPrice,
		LaunchSpecifications: []types.SpotFleetLaunchSpecification{{ImageId: sdk.String("ami-12c6146b"), InstanceType: types.InstanceTypeC5Large}}}})
	if err != nil {
		t.Fatal(err)
	}
}

// respawnersAgainstMoto, on the account TestStoppedTrailAndNewKeyPairAgainstMoto seeded: the
// step finds the group and the template created after T0 (and not the team's older template), a
// dry run changes neither, and a live apply removes each, read back through the SDK. moto (5.2)
// lists a spot fleet without its creation time, so the step shows the fleet as of unknown age and
// leaves it to the operator, who selects it here; and moto ignores DryRun on
// CancelSpotFleetRequests (it cancels), so the fleet is left out of the dry run, whose
// DryRun=true is proven on the wire against the simulator instead.
func respawnersAgainstMoto(t *testing.T, acct *aws.Account, env *steps.Env) {
	ctx := context.Background()
	a := steps.StopRespawners{}

	insp, err := a.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	var fleet string
	for _, r := range insp.Table.Rows {
		if strings.HasPrefix(r.ID, "cancel-fleet/") {
			fleet = r.ID
			if r.Selected || !strings.Contains(r.Reasons[0], "creation time unknown") {
				t.Errorf("moto's spot fleet, of unknown age, reads %+v", r)
			}
		}
	}
	if fleet == "" {
		t.Fatalf("the spot fleet is not listed: %+v", insp.Table.Rows)
	}
	chosen := insp.Table.SelectedIDs()
	if len(chosen) != 2 {
		t.Fatalf("selected %v, want the group and the template made after T0", chosen)
	}
	dryPlan, err := a.Plan(ctx, env, insp, chosen)
	if err != nil {
		t.Fatal(err)
	}
	dry, err := a.Apply(ctx, env, aws.DryRunChangesOf(acct), dryPlan, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range dry.Results {
		// moto has no iam:SimulatePrincipalPolicy: the group's calls are "not checked".
		if r.Status != steps.StatusWouldApply && r.Status != steps.StatusNotChecked {
			t.Errorf("dry run result %+v", r)
		}
	}
	groups, err := aws.SeedScaling(acct, "us-east-1").DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{})
	if err != nil || len(groups.AutoScalingGroups) != 1 || sdk.ToInt32(groups.AutoScalingGroups[0].DesiredCapacity) != 2 {
		t.Fatalf("the dry run changed the group: %v %+v", err, groups)
	}

	live, err := acct.Changes()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := a.Plan(ctx, env, insp, append(chosen, fleet))
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, c := range plan.Changes {
		ops = append(ops, c.Op)
	}
	want := []string{"autoscaling:DeleteAutoScalingGroup", "ec2:CancelSpotFleetRequests", "ec2:DeleteLaunchTemplate"}
	if !slices.Equal(ops, want) {
		t.Fatalf("plan %v, want %v", ops, want)
	}
	out, err := a.Apply(ctx, env, live, plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.Results {
		if r.Status != steps.StatusApplied || !strings.Contains(r.Message, "read back") {
			t.Errorf("live result %+v", r)
		}
	}
	groups, err = aws.SeedScaling(acct, "us-east-1").DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{})
	if err != nil || len(groups.AutoScalingGroups) != 0 {
		t.Errorf("the group is still listed: %v %+v", err, groups)
	}
	fleets, err := aws.SeedEC2(acct, "us-east-1").DescribeSpotFleetRequests(ctx, &ec2.DescribeSpotFleetRequestsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fleets.SpotFleetRequestConfigs {
		if !strings.HasPrefix(string(f.SpotFleetRequestState), "cancelled") {
			t.Errorf("the spot fleet %s reads %s", sdk.ToString(f.SpotFleetRequestId), f.SpotFleetRequestState)
		}
	}
	templates, err := aws.SeedEC2(acct, "us-east-1").DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{})
	if err != nil || len(templates.LaunchTemplates) != 1 || sdk.ToString(templates.LaunchTemplates[0].LaunchTemplateName) != "team-web" {
		t.Errorf("launch templates left: %v %+v", err, templates)
	}
	again, err := a.Inspect(ctx, env, nil)
	if err != nil || len(again.Table.SelectedIDs()) != 0 {
		t.Errorf("a second inspection proposes %v (%v)", again.Table.SelectedIDs(), err)
	}
}
