package runbooks

import (
	"context"

	"lockdown/aws"
	"lockdown/steps"
)

// The exposure changes, journaled like every other: each reads the rule or the share first, so
// running one again after an interruption is safe.

func (j *journaledChanges) RevokeIngressRule(ctx context.Context, region, groupID, ruleID string) (aws.Effect, error) {
	c := steps.Change{ID: steps.RevokeRuleChangeID(region, ruleID), Op: steps.OpRevokeIngress, Region: region, Target: ruleID,
		Summary: "revoke the inbound rule " + ruleID + " of " + groupID + " in " + region}
	return j.around(c, func() (aws.Effect, error) { return j.inner.RevokeIngressRule(ctx, region, groupID, ruleID) })
}

func (j *journaledChanges) UnshareSnapshot(ctx context.Context, region, id, who string) (aws.Effect, error) {
	c := steps.Change{ID: steps.UnshareChangeID(aws.KindSnapshot, region, id, who), Op: steps.OpUnshareSnapshot, Region: region, Target: id,
		Summary: "stop sharing the snapshot " + id + " in " + region + " with " + who}
	return j.around(c, func() (aws.Effect, error) { return j.inner.UnshareSnapshot(ctx, region, id, who) })
}

func (j *journaledChanges) UnshareImage(ctx context.Context, region, id, who string) (aws.Effect, error) {
	c := steps.Change{ID: steps.UnshareChangeID(aws.KindImage, region, id, who), Op: steps.OpUnshareImage, Region: region, Target: id,
		Summary: "stop sharing the AMI " + id + " in " + region + " with " + who}
	return j.around(c, func() (aws.Effect, error) { return j.inner.UnshareImage(ctx, region, id, who) })
}
