package aws

import (
	"context"
	"fmt"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// InstanceStopChanges stop an instance without terminating it: the answer to one the team ran
// before T0 whose user data the attacker replaced. Stopped, it runs nothing; the team restores
// its user data and starts it again.
type InstanceStopChanges interface {
	// StopInstance stops one instance and reads its state back; one already stopped, stopping or
	// gone is AlreadyDone.
	StopInstance(ctx context.Context, region, id string) (Effect, error)
}

// instanceRunning reads an instance's state: AlreadyDone when it runs nothing any more.
func instanceRunning(ctx context.Context, api ec2.DescribeInstancesAPIClient, region, id string) (Effect, error) {
	states, err := describeStates(ctx, api, []string{id})
	if err != nil {
		return "", fmt.Errorf("ec2 DescribeInstances %s in %s: %w", id, region, err)
	}
	switch state, known := states[id]; {
	case !known, state == "stopped", state == "stopping", state == "terminated", state == "shutting-down":
		return AlreadyDone, nil
	}
	return WouldChange, nil
}

func (c *liveChanges) StopInstance(ctx context.Context, region, id string) (Effect, error) {
	api := c.a.ec2Client(region)
	if eff, err := instanceRunning(ctx, api, region, id); eff != WouldChange {
		return eff, err
	}
	if err := (liveEC2{c: api, g: c.a.guard}).stopInstance(ctx, id); err != nil {
		return "", fmt.Errorf("ec2 StopInstances %s in %s: %w", id, region, err)
	}
	states, err := describeStates(ctx, api, []string{id})
	if err != nil {
		return "", fmt.Errorf("StopInstances answered, but %s in %s could not be read back: %w", id, region, err)
	}
	if s := states[id]; s != "stopping" && s != "stopped" {
		return "", fmt.Errorf("StopInstances answered, but %s in %s reads %q on a fresh read", id, region, s)
	}
	return Changed, nil
}

func (l liveEC2) stopInstance(ctx context.Context, id string) error {
	if err := l.g.AllowChange(); err != nil {
		return err
	}
	_, err := l.c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}, DryRun: sdk.Bool(false)})
	return err
}

// StopInstance is proven by EC2 itself, with DryRun=true.
func (d *dryRunChanges) StopInstance(ctx context.Context, region, id string) (Effect, error) {
	api := d.a.ec2Client(region)
	if eff, err := instanceRunning(ctx, api, region, id); eff != WouldChange {
		return eff, err
	}
	return provenByEC2(dryRunProver{c: api}.stopInstance(ctx, id), "ec2 StopInstances "+id+" in "+region)
}

func (p dryRunProver) stopInstance(ctx context.Context, id string) error {
	_, err := p.c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}, DryRun: sdk.Bool(true)})
	return err
}

func (r refusal) StopInstance(context.Context, string, string) (Effect, error) { return "", r.err }
