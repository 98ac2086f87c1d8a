package aws

import (
	"context"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TerminateInstances terminates targets for real (see terminateWith), after the guard allowed it;
// each call asks the guard again.
func (c *liveChanges) TerminateInstances(ctx context.Context, targets []Target, opts TerminateOptions, report func(TerminateProgress)) (*Termination, error) {
	if err := c.a.guard.AllowChange(); err != nil {
		return nil, err
	}
	client := func(r string) regionChanges { return liveEC2{c: c.a.ec2Client(r), g: c.a.guard} }
	return terminateWith(ctx, client, false, targets, opts, report), nil
}

// liveEC2 sends a region's instance changes for real, each only when the guard still allows it.
type liveEC2 struct {
	c *ec2.Client
	g *Guard
}

func (l liveEC2) DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	return l.c.DescribeInstances(ctx, in, optFns...)
}

func (l liveEC2) terminate(ctx context.Context, ids []string) (*ec2.TerminateInstancesOutput, error) {
	if err := l.g.AllowChange(); err != nil {
		return nil, err
	}
	return l.c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids, DryRun: sdk.Bool(false)})
}

func (l liveEC2) cancelSpot(ctx context.Context, ids []string) (*ec2.CancelSpotInstanceRequestsOutput, error) {
	if err := l.g.AllowChange(); err != nil {
		return nil, err
	}
	return l.c.CancelSpotInstanceRequests(ctx, &ec2.CancelSpotInstanceRequestsInput{SpotInstanceRequestIds: ids, DryRun: sdk.Bool(false)})
}

func (l liveEC2) unprotect(ctx context.Context, id string) error {
	if err := l.g.AllowChange(); err != nil {
		return err
	}
	_, err := l.c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: sdk.String(id),
		DisableApiTermination: &types.AttributeBooleanValue{Value: sdk.Bool(false)}, DryRun: sdk.Bool(false)})
	return err
}

// dryRunProver proves a region's instance changes with requests that carry DryRun=true, and can
// send nothing else: EC2 answers DryRunOperation when the call would have succeeded, and the
// permission or state error otherwise, without changing anything.
type dryRunProver struct{ c *ec2.Client }

func (p dryRunProver) DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	return p.c.DescribeInstances(ctx, in, optFns...)
}

func (p dryRunProver) terminate(ctx context.Context, ids []string) (*ec2.TerminateInstancesOutput, error) {
	return p.c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids, DryRun: sdk.Bool(true)})
}

func (p dryRunProver) cancelSpot(ctx context.Context, ids []string) (*ec2.CancelSpotInstanceRequestsOutput, error) {
	return p.c.CancelSpotInstanceRequests(ctx, &ec2.CancelSpotInstanceRequestsInput{SpotInstanceRequestIds: ids, DryRun: sdk.Bool(true)})
}

func (p dryRunProver) unprotect(ctx context.Context, id string) error {
	_, err := p.c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: sdk.String(id),
		DisableApiTermination: &types.AttributeBooleanValue{Value: sdk.Bool(false)}, DryRun: sdk.Bool(true)})
	return err
}
