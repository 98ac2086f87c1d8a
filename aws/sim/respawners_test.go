package sim_test

import (
	"context"
	"slices"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"lockdown/aws/sim/simtest"
)

const respawnerEstate = `
name: respawners
seed: 11
account: {id: "111122223333"}
incident_start: -3h
ec2:
  instances:
    - {region: us-east-1, type: g4dn.xlarge, launched: -1h, spot: {type: persistent, created: -1h}}
  launch_templates:
    - {region: us-east-1, name: miners, type: g4dn.xlarge, created: -2h}
    - {region: us-east-1, name: web, type: t3.micro, created: -200d}
  spot_fleets:
    - {region: us-east-1, type: maintain, target: 1, instance_type: c5.large, created: -90m}
  fleets:
    - {region: us-east-1, type: maintain, target: 1, instance_type: c5.xlarge, created: -80m}
autoscaling:
  groups:
    - {region: us-east-1, name: miners, launch_template: miners, min: 2, max: 3, desired: 2, created: -2h}
    - {region: us-east-1, name: web, launch_template: web, min: 1, max: 1, desired: 1, created: -200d}
`

type respawnerClients struct {
	ec2   *ec2.Client
	scale *autoscaling.Client
	clock *simtest.Sim
}

func startRespawners(t *testing.T) respawnerClients {
	t.Helper()
	s := simtest.Start(t, respawnerEstate, testStart)
	id, secret := s.Server.ResponderCredentials()
	cfg := sdkConfig(s.URL, "us-east-1", id, secret)
	return respawnerClients{ec2: ec2.NewFromConfig(cfg), scale: autoscaling.NewFromConfig(cfg), clock: s}
}

// running lists the region's running instance ids.
func (c respawnerClients) running(t *testing.T) []string {
	t.Helper()
	out, err := c.ec2.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{
		Filters: []types.Filter{{Name: sdk.String("instance-state-name"), Values: []string{"running"}}}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range out.Reservations {
		for _, in := range r.Instances {
			ids = append(ids, *in.InstanceId)
		}
	}
	slices.Sort(ids)
	return ids
}

func (c respawnerClients) terminate(t *testing.T, ids []string) {
	t.Helper()
	if _, err := c.ec2.TerminateInstances(context.Background(), &ec2.TerminateInstancesInput{InstanceIds: ids}); err != nil {
		t.Fatal(err)
	}
}

func TestTerminatedInstancesOfGroupsFleetsAndPersistentRequestsComeBack(t *testing.T) {
	t.Parallel()
	c := startRespawners(t)
	// miners group 2, web group 1, persistent spot 1, spot fleet 1, EC2 fleet 1.
	before := c.running(t)
	if len(before) != 6 {
		t.Fatalf("the estate runs %d instances, want 6: %v", len(before), before)
	}
	c.terminate(t, before)
	after := c.running(t)
	if len(after) != 6 {
		t.Fatalf("after terminating all six, %d run again, want 6 replacements: %v", len(after), after)
	}
	for _, id := range after {
		if slices.Contains(before, id) {
			t.Errorf("%s still runs: it was terminated", id)
		}
	}
}

func TestAGroupScaledToZeroThenForceDeletedLaunchesNothingMore(t *testing.T) {
	t.Parallel()
	c := startRespawners(t)
	ctx := context.Background()
	name := sdk.String("miners")
	if _, err := c.scale.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: name}); apiCode(err) != "ResourceInUse" {
		t.Fatalf("deleting a group with instances in service: %v, want ResourceInUse", err)
	}
	_, err := c.scale.UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: name, DesiredCapacity: sdk.Int32(0)})
	if apiCode(err) != "ValidationError" {
		t.Fatalf("a desired capacity under the min size: %v, want ValidationError", err)
	}
	_, err = c.scale.UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: name,
		MinSize: sdk.Int32(0), MaxSize: sdk.Int32(0), DesiredCapacity: sdk.Int32(0)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.scale.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"miners"}})
	if err != nil || len(out.AutoScalingGroups) != 1 {
		t.Fatalf("describe: %v %+v", err, out)
	}
	g := out.AutoScalingGroups[0]
	if len(g.Instances) != 2 || g.Instances[0].LifecycleState != "Terminating" {
		t.Fatalf("right after the scale-in the group reads %+v, want two instances Terminating", g.Instances)
	}
	if _, err := c.scale.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: name}); apiCode(err) != "ScalingActivityInProgress" {
		t.Fatalf("deleting while the scale-in runs: %v, want ScalingActivityInProgress", err)
	}
	if _, err := c.scale.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: name, ForceDelete: sdk.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	out, err = c.scale.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"miners"}})
	if err != nil || len(out.AutoScalingGroups) != 0 {
		t.Fatalf("the deleted group is still described: %v %+v", err, out)
	}
	if _, err := c.scale.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: name}); apiCode(err) != "ValidationError" {
		t.Fatalf("deleting a group that is gone: %v, want ValidationError", err)
	}
	if n := len(c.running(t)); n != 4 {
		t.Errorf("%d instances run after the group's deletion, want the 4 of the other respawners", n)
	}
}

func TestAScaleInCompletesOnTheSimulatorsClock(t *testing.T) {
	t.Parallel()
	c := startRespawners(t)
	ctx := context.Background()
	name := sdk.String("web")
	if _, err := c.scale.UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: name,
		MinSize: sdk.Int32(0), DesiredCapacity: sdk.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	c.clock.Clock.Advance(3 * time.Minute)
	if _, err := c.scale.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: name}); err != nil {
		t.Fatalf("deleting an empty group after its scale-in completed: %v", err)
	}
}

func TestAutoScalingGroupsPageAndRefuseAnInvalidPageSize(t *testing.T) {
	t.Parallel()
	c := startRespawners(t)
	ctx := context.Background()
	var names []string
	p := autoscaling.NewDescribeAutoScalingGroupsPaginator(c.scale, &autoscaling.DescribeAutoScalingGroupsInput{MaxRecords: sdk.Int32(1)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, g := range out.AutoScalingGroups {
			names = append(names, *g.AutoScalingGroupName)
		}
	}
	if pages != 2 || !slices.Equal(names, []string{"miners", "web"}) {
		t.Errorf("%d pages of %v", pages, names)
	}
	if _, err := c.scale.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{MaxRecords: sdk.Int32(101)}); apiCode(err) != "ValidationError" {
		t.Errorf("MaxRecords 101: %v, want ValidationError", err)
	}
}

func TestFleetsCancelWithTheirInstancesOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	c := startRespawners(t)
	ctx := context.Background()
	spot, err := c.ec2.DescribeSpotFleetRequests(ctx, &ec2.DescribeSpotFleetRequestsInput{})
	if err != nil || len(spot.SpotFleetRequestConfigs) != 1 {
		t.Fatalf("spot fleets: %v %+v", err, spot)
	}
	sfr := spot.SpotFleetRequestConfigs[0]
	if sfr.SpotFleetRequestState != types.BatchStateActive || sfr.SpotFleetRequestConfig.Type != types.FleetTypeMaintain || sfr.CreateTime == nil {
		t.Errorf("the spot fleet reads %+v", sfr)
	}
	id := *sfr.SpotFleetRequestId
	if _, err := c.ec2.CancelSpotFleetRequests(ctx, &ec2.CancelSpotFleetRequestsInput{SpotFleetRequestIds: []string{id}, TerminateInstances: sdk.Bool(true), DryRun: sdk.Bool(true)}); apiCode(err) != "DryRunOperation" {
		t.Errorf("a DryRun cancel: %v", err)
	}
	cancel, err := c.ec2.CancelSpotFleetRequests(ctx, &ec2.CancelSpotFleetRequestsInput{SpotFleetRequestIds: []string{id, "sfr-00000000-0000-4000-a000-000000000000"}, TerminateInstances: sdk.Bool(true)})
	if err != nil || len(cancel.SuccessfulFleetRequests) != 1 || len(cancel.UnsuccessfulFleetRequests) != 1 ||
		cancel.UnsuccessfulFleetRequests[0].Error.Code != types.CancelBatchErrorCodeFleetRequestIdDoesNotExist {
		t.Fatalf("cancel: %v %+v", err, cancel)
	}
	fleets, err := c.ec2.DescribeFleets(ctx, &ec2.DescribeFleetsInput{})
	if err != nil || len(fleets.Fleets) != 1 {
		t.Fatalf("fleets: %v %+v", err, fleets)
	}
	del, err := c.ec2.DeleteFleets(ctx, &ec2.DeleteFleetsInput{FleetIds: []string{*fleets.Fleets[0].FleetId}, TerminateInstances: sdk.Bool(false)})
	if err != nil || len(del.SuccessfulFleetDeletions) != 1 || del.SuccessfulFleetDeletions[0].CurrentFleetState != types.FleetStateCodeDeletedRunning {
		t.Fatalf("delete: %v %+v", err, del)
	}
	// The spot fleet's instance went with it; the EC2 fleet's, deleted without its instances, runs on.
	if n := len(c.running(t)); n != 5 {
		t.Errorf("%d instances run, want 5", n)
	}
	if _, err := c.ec2.DescribeFleets(ctx, &ec2.DescribeFleetsInput{FleetIds: []string{"fleet-00000000-0000-4000-a000-000000000000"}}); apiCode(err) != "InvalidFleetId.NotFound" {
		t.Errorf("describing an unknown fleet: %v", err)
	}
}

func TestLaunchTemplatesAreDeletedOnceByIDOrName(t *testing.T) {
	t.Parallel()
	c := startRespawners(t)
	ctx := context.Background()
	out, err := c.ec2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{"miners"}})
	if err != nil || len(out.LaunchTemplates) != 1 || out.LaunchTemplates[0].CreateTime == nil {
		t.Fatalf("describe: %v %+v", err, out)
	}
	id := out.LaunchTemplates[0].LaunchTemplateId
	if _, err := c.ec2.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: id, DryRun: sdk.Bool(true)}); apiCode(err) != "DryRunOperation" {
		t.Errorf("DryRun: %v", err)
	}
	if _, err := c.ec2.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ec2.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: id}); apiCode(err) != "InvalidLaunchTemplateId.NotFound" {
		t.Errorf("deleting it again: %v", err)
	}
	if _, err := c.ec2.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateName: sdk.String("miners")}); apiCode(err) != "InvalidLaunchTemplateName.NotFoundException" {
		t.Errorf("deleting it again by name: %v", err)
	}
	all, err := c.ec2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{})
	if err != nil || len(all.LaunchTemplates) != 1 || *all.LaunchTemplates[0].LaunchTemplateName != "web" {
		t.Errorf("after the deletion: %v %+v", err, all)
	}
}
