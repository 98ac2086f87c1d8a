package steps

import (
	"context"
	"errors"

	"lockdown/aws"
)

// FindRogueInstances is the action ec2.find-rogue-instances: scan every enabled region in parallel
// and explain, instance by instance, what looks like the attacker's. It changes nothing.
type FindRogueInstances struct{}

// Spec describes ec2.find-rogue-instances.
func (FindRogueInstances) Spec() Spec {
	return Spec{
		Name:     "ec2.find-rogue-instances",
		Summary:  "Find rogue EC2 instances in every region, in parallel, with the reasons for each verdict",
		Params:   ec2Params(),
		ReadOnly: true,
	}
}

// Inspect scans and judges; progress arrives region by region.
func (FindRogueInstances) Inspect(ctx context.Context, env *Env, report func(Progress)) (*Inspection, error) {
	return inspectInstances(ctx, env, report, false)
}

// Plan has nothing to plan: the terminate step acts on what this one found.
func (FindRogueInstances) Plan(context.Context, *Env, *Inspection, []string) (*Plan, error) {
	return nil, errors.New("ec2.find-rogue-instances is read-only: terminate instances in the ec2.terminate step")
}

// Apply has nothing to apply.
func (FindRogueInstances) Apply(context.Context, *Env, aws.Changes, *Plan, func(Progress)) (*Outcome, error) {
	return nil, errors.New("ec2.find-rogue-instances is read-only: there is nothing to apply")
}
