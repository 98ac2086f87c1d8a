package runbooks

import (
	"context"

	"lockdown/aws"
	"lockdown/steps"
)

// The respawners' changes, journaled like every other: each reads the respawner first, so running
// one again after an interruption is safe.

func (j *journaledChanges) StopScalingGroup(ctx context.Context, region, name string) (aws.Effect, error) {
	c := steps.Change{ID: steps.RespawnerChangeID(aws.KindScalingGroup, region, name), Op: "autoscaling:DeleteAutoScalingGroup", Region: region, Target: name,
		Summary: "set the Auto Scaling group " + name + " in " + region + " to 0 instances and delete it"}
	return j.around(c, func() (aws.Effect, error) { return j.inner.StopScalingGroup(ctx, region, name) })
}

func (j *journaledChanges) CancelSpotRequest(ctx context.Context, region, id string) (aws.Effect, error) {
	c := steps.Change{ID: steps.RespawnerChangeID(aws.KindSpotRequest, region, id), Op: "ec2:CancelSpotInstanceRequests", Region: region, Target: id,
		Summary: "cancel the spot request " + id + " in " + region}
	return j.around(c, func() (aws.Effect, error) { return j.inner.CancelSpotRequest(ctx, region, id) })
}

func (j *journaledChanges) CancelFleet(ctx context.Context, region string, kind aws.RespawnerKind, id string) (aws.Effect, error) {
	op := "ec2:CancelSpotFleetRequests"
	if kind == aws.KindEC2Fleet {
		op = "ec2:DeleteFleets"
	}
	c := steps.Change{ID: steps.RespawnerChangeID(kind, region, id), Op: op, Region: region, Target: id,
		Summary: "cancel the fleet " + id + " in " + region + " and terminate its instances"}
	return j.around(c, func() (aws.Effect, error) { return j.inner.CancelFleet(ctx, region, kind, id) })
}

func (j *journaledChanges) DeleteLaunchTemplate(ctx context.Context, region, id string) (aws.Effect, error) {
	c := steps.Change{ID: steps.RespawnerChangeID(aws.KindLaunchTemplate, region, id), Op: "ec2:DeleteLaunchTemplate", Region: region, Target: id,
		Summary: "delete the launch template " + id + " in " + region}
	return j.around(c, func() (aws.Effect, error) { return j.inner.DeleteLaunchTemplate(ctx, region, id) })
}
