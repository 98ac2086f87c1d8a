package aws

import (
	"context"
	"fmt"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// RespawnerChanges stop what brings terminated instances back. Each reads the respawner first, so
// one already stopped or gone is AlreadyDone.
type RespawnerChanges interface {
	// StopScalingGroup sets an Auto Scaling group's min, max and desired sizes to 0, reads them
	// back, then deletes the group (with ForceDelete only while its instances are terminating).
	StopScalingGroup(ctx context.Context, region, name string) (Effect, error)
	// CancelSpotRequest cancels a spot instance request; its instance is the terminate step's.
	CancelSpotRequest(ctx context.Context, region, id string) (Effect, error)
	// CancelFleet cancels a spot fleet request or deletes an EC2 fleet, with its instances.
	CancelFleet(ctx context.Context, region string, kind RespawnerKind, id string) (Effect, error)
	// DeleteLaunchTemplate deletes a launch template, by id.
	DeleteLaunchTemplate(ctx context.Context, region, id string) (Effect, error)
}

// readRespawner reads one respawner; a respawner AWS no longer lists, or one cancelled, closed
// or deleted, is AlreadyDone.
func readRespawner(ctx context.Context, a *Account, region string, kind RespawnerKind, id string) (Respawner, Effect, error) {
	r, found, err := a.FindRespawner(ctx, region, kind, id)
	switch {
	case err != nil:
		return r, "", err
	case !found || r.Stopped():
		return r, AlreadyDone, nil
	}
	return r, WouldChange, nil
}

func (c *liveChanges) StopScalingGroup(ctx context.Context, region, name string) (Effect, error) {
	g, eff, err := readRespawner(ctx, c.a, region, KindScalingGroup, name)
	if eff != WouldChange {
		return eff, err
	}
	if g.Min != 0 || g.Max != 0 || g.Desired != 0 {
		if err := c.scaleToZero(ctx, region, name); err != nil {
			return "", fmt.Errorf("autoscaling UpdateAutoScalingGroup %s in %s: %w", name, region, err)
		}
		var found bool
		if g, found, err = c.a.FindRespawner(ctx, region, KindScalingGroup, name); err != nil || !found {
			return Changed, err
		}
		if g.Min != 0 || g.Max != 0 || g.Desired != 0 {
			return "", fmt.Errorf("the group %s in %s still reads min %d, max %d, desired %d after UpdateAutoScalingGroup to 0", name, region, g.Min, g.Max, g.Desired)
		}
	}
	if inService := len(g.Instances) - g.Terminating; inService > 0 {
		return "", fmt.Errorf("the group %s in %s wants no instance now, but %d of its instances are still in service (protected from scale-in?): "+
			"terminate them, then apply again to delete the group", name, region, inService)
	}
	if err := c.deleteGroup(ctx, region, name, g.Terminating > 0); err != nil {
		if Denied(err) {
			// Scaled to 0 and read back, the group launches nothing while its sizes stay so:
			// containment holds though the group stays.
			return "", &GroupKeptError{Region: region, Name: name, Err: err}
		}
		return "", fmt.Errorf("autoscaling DeleteAutoScalingGroup %s in %s: %w", name, region, err)
	}
	return Changed, nil
}

func (c *liveChanges) scaleToZero(ctx context.Context, region, name string) error {
	if err := c.a.guard.AllowChange(); err != nil {
		return err
	}
	_, err := c.a.scalingClient(region).UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{
		AutoScalingGroupName: sdk.String(name), MinSize: sdk.Int32(0), MaxSize: sdk.Int32(0), DesiredCapacity: sdk.Int32(0)})
	return err
}

// deleteGroup deletes the group; force, only when the read-back showed instances terminating,
// lets AWS delete it without waiting for the scale-in to end.
func (c *liveChanges) deleteGroup(ctx context.Context, region, name string, force bool) error {
	if err := c.a.guard.AllowChange(); err != nil {
		return err
	}
	_, err := c.a.scalingClient(region).DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{
		AutoScalingGroupName: sdk.String(name), ForceDelete: sdk.Bool(force)})
	return err
}

func (c *liveChanges) CancelSpotRequest(ctx context.Context, region, id string) (Effect, error) {
	if _, eff, err := readRespawner(ctx, c.a, region, KindSpotRequest, id); eff != WouldChange {
		return eff, err
	}
	if _, err := (liveEC2{c: c.a.ec2Client(region), g: c.a.guard}).cancelSpot(ctx, []string{id}); err != nil {
		return "", fmt.Errorf("ec2 CancelSpotInstanceRequests %s in %s: %w", id, region, err)
	}
	return Changed, nil
}

func (c *liveChanges) CancelFleet(ctx context.Context, region string, kind RespawnerKind, id string) (Effect, error) {
	if _, eff, err := readRespawner(ctx, c.a, region, kind, id); eff != WouldChange {
		return eff, err
	}
	if err := (liveEC2{c: c.a.ec2Client(region), g: c.a.guard}).cancelFleet(ctx, kind, id); err != nil {
		return "", fmt.Errorf("ec2 %s %s in %s: %w", fleetCall(kind), id, region, err)
	}
	return Changed, nil
}

func (c *liveChanges) DeleteLaunchTemplate(ctx context.Context, region, id string) (Effect, error) {
	if _, eff, err := readRespawner(ctx, c.a, region, KindLaunchTemplate, id); eff != WouldChange {
		return eff, err
	}
	if err := (liveEC2{c: c.a.ec2Client(region), g: c.a.guard}).deleteTemplate(ctx, id); err != nil {
		return "", fmt.Errorf("ec2 DeleteLaunchTemplate %s in %s: %w", id, region, err)
	}
	return Changed, nil
}

// cancelFleet cancels a spot fleet request or deletes an EC2 fleet, terminating its instances. A
// fleet in the answer's unsuccessful set is an error.
func (l liveEC2) cancelFleet(ctx context.Context, kind RespawnerKind, id string) error {
	if err := l.g.AllowChange(); err != nil {
		return err
	}
	if kind == KindSpotFleet {
		out, err := l.c.CancelSpotFleetRequests(ctx, &ec2.CancelSpotFleetRequestsInput{SpotFleetRequestIds: []string{id},
			TerminateInstances: sdk.Bool(true), DryRun: sdk.Bool(false)})
		if err == nil && len(out.UnsuccessfulFleetRequests) > 0 && out.UnsuccessfulFleetRequests[0].Error != nil {
			e := out.UnsuccessfulFleetRequests[0].Error
			err = fmt.Errorf("%s: %s", e.Code, sdk.ToString(e.Message))
		}
		return err
	}
	out, err := l.c.DeleteFleets(ctx, &ec2.DeleteFleetsInput{FleetIds: []string{id}, TerminateInstances: sdk.Bool(true), DryRun: sdk.Bool(false)})
	if err == nil && len(out.UnsuccessfulFleetDeletions) > 0 && out.UnsuccessfulFleetDeletions[0].Error != nil {
		e := out.UnsuccessfulFleetDeletions[0].Error
		err = fmt.Errorf("%s: %s", e.Code, sdk.ToString(e.Message))
	}
	return err
}

func (l liveEC2) deleteTemplate(ctx context.Context, id string) error {
	if err := l.g.AllowChange(); err != nil {
		return err
	}
	_, err := l.c.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: sdk.String(id), DryRun: sdk.Bool(false)})
	return err
}

// StopScalingGroup in a dry run sends no Auto Scaling change at all, since Auto Scaling has no
// DryRun: the group is read, and the two calls are checked with iam:SimulatePrincipalPolicy.
func (d *dryRunChanges) StopScalingGroup(ctx context.Context, region, name string) (Effect, error) {
	g, eff, err := readRespawner(ctx, d.a, region, KindScalingGroup, name)
	arn := fixed(g.ARN)
	return d.prove(ctx, eff, err, on("autoscaling:UpdateAutoScalingGroup", arn), on("autoscaling:DeleteAutoScalingGroup", arn))
}

func (d *dryRunChanges) CancelSpotRequest(ctx context.Context, region, id string) (Effect, error) {
	if _, eff, err := readRespawner(ctx, d.a, region, KindSpotRequest, id); eff != WouldChange {
		return eff, err
	}
	_, err := dryRunProver{c: d.a.ec2Client(region)}.cancelSpot(ctx, []string{id})
	return provenByEC2(err, "ec2 CancelSpotInstanceRequests "+id+" in "+region)
}

func (d *dryRunChanges) CancelFleet(ctx context.Context, region string, kind RespawnerKind, id string) (Effect, error) {
	if _, eff, err := readRespawner(ctx, d.a, region, kind, id); eff != WouldChange {
		return eff, err
	}
	err := dryRunProver{c: d.a.ec2Client(region)}.cancelFleet(ctx, kind, id)
	return provenByEC2(err, "ec2 "+fleetCall(kind)+" "+id+" in "+region)
}

func (d *dryRunChanges) DeleteLaunchTemplate(ctx context.Context, region, id string) (Effect, error) {
	if _, eff, err := readRespawner(ctx, d.a, region, KindLaunchTemplate, id); eff != WouldChange {
		return eff, err
	}
	err := dryRunProver{c: d.a.ec2Client(region)}.deleteTemplate(ctx, id)
	return provenByEC2(err, "ec2 DeleteLaunchTemplate "+id+" in "+region)
}

func (p dryRunProver) cancelFleet(ctx context.Context, kind RespawnerKind, id string) error {
	if kind == KindSpotFleet {
		_, err := p.c.CancelSpotFleetRequests(ctx, &ec2.CancelSpotFleetRequestsInput{SpotFleetRequestIds: []string{id},
			TerminateInstances: sdk.Bool(true), DryRun: sdk.Bool(true)})
		return err
	}
	_, err := p.c.DeleteFleets(ctx, &ec2.DeleteFleetsInput{FleetIds: []string{id}, TerminateInstances: sdk.Bool(true), DryRun: sdk.Bool(true)})
	return err
}

func (p dryRunProver) deleteTemplate(ctx context.Context, id string) error {
	_, err := p.c.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: sdk.String(id), DryRun: sdk.Bool(true)})
	return err
}

// provenByEC2 reads the answer to a DryRun=true request: only DryRunOperation proves the change.
func provenByEC2(err error, what string) (Effect, error) {
	switch ErrorCode(err) {
	case "DryRunOperation":
		return WouldChange, nil
	case "":
		return "", fmt.Errorf("%s with DryRun=true answered without DryRunOperation: not proven", what)
	}
	return "", fmt.Errorf("%s (DryRun): %w", what, err)
}

// fleetCall is the call that stops a fleet of kind.
func fleetCall(kind RespawnerKind) string {
	if kind == KindSpotFleet {
		return "CancelSpotFleetRequests"
	}
	return "DeleteFleets"
}

func (r refusal) StopScalingGroup(context.Context, string, string) (Effect, error) { return "", r.err }
func (r refusal) CancelSpotRequest(context.Context, string, string) (Effect, error) {
	return "", r.err
}
func (r refusal) CancelFleet(context.Context, string, RespawnerKind, string) (Effect, error) {
	return "", r.err
}
func (r refusal) DeleteLaunchTemplate(context.Context, string, string) (Effect, error) {
	return "", r.err
}

// GroupKeptError is a group scaled to 0 and read back, whose deletion was refused: it launches
// nothing, but it stays.
type GroupKeptError struct {
	Region, Name string
	Err          error
}

func (e *GroupKeptError) Error() string {
	return fmt.Sprintf("the group %s in %s is scaled to 0 (min, max and desired read back 0) and launches nothing, but deleting it was refused (%s): "+
		"it stays, and whoever can change it can scale it up again", e.Name, e.Region, ErrorMessage(e.Err))
}

func (e *GroupKeptError) Unwrap() error { return e.Err }
