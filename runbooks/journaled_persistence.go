package runbooks

import (
	"context"

	"lockdown/aws"
	"lockdown/steps"
)

// The persistence hunt's changes, journaled like every other: each is idempotent, and the step
// reads the account afresh when it runs again.

func (j *journaledChanges) StartLogging(ctx context.Context, homeRegion, trailARN string) (aws.Effect, error) {
	c := steps.Change{ID: steps.StartLoggingID(trailARN), Op: "cloudtrail:StartLogging", Region: homeRegion, Target: trailARN, Summary: "start logging on " + trailARN}
	return j.around(c, func() (aws.Effect, error) { return j.inner.StartLogging(ctx, homeRegion, trailARN) })
}

func (j *journaledChanges) EnableDetector(ctx context.Context, region, detectorID string) (aws.Effect, error) {
	c := steps.Change{ID: steps.EnableDetectorID(region, detectorID), Op: "guardduty:UpdateDetector", Region: region, Target: detectorID,
		Summary: "enable the GuardDuty detector " + detectorID + " in " + region}
	return j.around(c, func() (aws.Effect, error) { return j.inner.EnableDetector(ctx, region, detectorID) })
}

func (j *journaledChanges) CreateDetector(ctx context.Context, region string) (aws.Effect, error) {
	c := steps.Change{ID: steps.CreateDetectorID(region), Op: "guardduty:CreateDetector", Region: region, Target: region,
		Summary: "create an enabled GuardDuty detector in " + region}
	return j.around(c, func() (aws.Effect, error) { return j.inner.CreateDetector(ctx, region) })
}

func (j *journaledChanges) DeleteKeyPair(ctx context.Context, region, keyPairID string) (aws.Effect, error) {
	c := steps.Change{ID: steps.KeyPairDeletionID(region, keyPairID), Op: "ec2:DeleteKeyPair", Region: region, Target: keyPairID,
		Summary: "delete the key pair " + keyPairID + " in " + region}
	return j.around(c, func() (aws.Effect, error) { return j.inner.DeleteKeyPair(ctx, region, keyPairID) })
}

func (j *journaledChanges) RestoreSelectors(ctx context.Context, homeRegion, trailARN string) (aws.Effect, error) {
	c := steps.Change{ID: steps.RestoreSelectorsID(trailARN), Op: "cloudtrail:PutEventSelectors", Region: homeRegion, Target: trailARN,
		Summary: "record every management event on " + trailARN}
	return j.around(c, func() (aws.Effect, error) { return j.inner.RestoreSelectors(ctx, homeRegion, trailARN) })
}
