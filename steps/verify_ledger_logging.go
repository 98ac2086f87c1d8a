package steps

import (
	"context"
	"slices"

	"lockdown/aws"
)

// The ledger's reads for logging: whether a trail the attacker deleted exists again, records every
// management event or logs, whether a detector is back and on, and whether a bucket they gave a
// short lifecycle still deletes its files within days.

// recheckTrail reads a trail's state now, for DeleteTrail, StopLogging and its selectors.
func recheckTrail(ctx context.Context, env *Env, c AttackerChange, e aws.TrailEvent) (VerifyResult, string) {
	s, err := env.Account.SurveyTrails(ctx, aws.RegionReadOptions{Regions: []string{e.Region}}, noEvidence)
	if s == nil || len(aws.FailedRegions(s.Regions)) > 0 {
		return VerifyUnknown, "the trails of " + e.Region + " could not be read: " + unanswered(err)
	}
	i := slices.IndexFunc(s.Trails, func(t aws.Trail) bool { return t.Name == c.Resource.ID && t.HomeRegion == e.Region })
	if i < 0 {
		if e.EventName == "DeleteTrail" {
			return VerifyFail, "no trail " + c.Resource.ID + " exists in " + e.Region + " (DescribeTrails)"
		}
		return VerifyPass, "trail " + c.Resource.ID + " no longer exists: what was done to it went with it"
	}
	t := s.Trails[i]
	switch {
	case e.EventName == "DeleteTrail":
		return VerifyPass, "trail " + t.Name + " exists again (DescribeTrails)"
	case e.EventName == "StopLogging" && t.StatusErr != "":
		return VerifyUnknown, "its status could not be read: " + t.StatusErr
	case e.EventName == "StopLogging" && !t.Logging:
		return VerifyFail, "trail " + t.Name + " still does not log (GetTrailStatus)"
	case e.EventName == "StopLogging":
		return VerifyPass, "trail " + t.Name + " logs again (GetTrailStatus)"
	case t.SelectorsErr != "":
		return VerifyUnknown, "its selectors could not be read: " + t.SelectorsErr
	case !t.AllManagement():
		return VerifyFail, "trail " + t.Name + " still " + coverageWords(t) + " (GetEventSelectors)"
	}
	return VerifyPass, "trail " + t.Name + " " + coverageWords(t) + " again (GetEventSelectors)"
}

// recheckDetector: a detector the attacker deleted or disabled passes once its region has an
// enabled one.
func recheckDetector(ctx context.Context, env *Env, _ AttackerChange, e aws.TrailEvent) (VerifyResult, string) {
	ds, err := env.Account.RegionDetectors(ctx, e.Region)
	switch {
	case err != nil:
		return VerifyUnknown, "GuardDuty in " + e.Region + " could not be read: " + aws.ErrorMessage(err)
	case slices.ContainsFunc(ds, aws.Detector.Enabled):
		return VerifyPass, e.Region + " has an enabled detector (ListDetectors, GetDetector)"
	case len(ds) > 0:
		return VerifyFail, "the detector of " + e.Region + " is " + ds[0].Status
	}
	return VerifyFail, e.Region + " has no detector (ListDetectors)"
}

// bucketFilesSubject is what a check of whether a bucket keeps its files reads.
func bucketFilesSubject(bucket string) string { return "bucket files/" + bucket }

// recheckBucket: a bucket the attacker deleted passes once it exists again; one they gave lifecycle
// rules passes once no rule expires its files within days.
func recheckBucket(ctx context.Context, env *Env, c AttackerChange, e aws.TrailEvent) (VerifyResult, string) {
	b := env.Account.ReadBucket(ctx, c.Resource.ID, e.Region, "")
	switch problem := bucketProblem(b); {
	case b.Err != "":
		return VerifyUnknown, "bucket " + b.Name + " could not be read: " + b.Err
	case e.EventName == "DeleteBucket" && b.Exists:
		return VerifyPass, "bucket " + b.Name + " exists again (HeadBucket)"
	case !b.Exists && e.EventName != "DeleteBucket":
		return VerifyPass, "bucket " + b.Name + " no longer exists (HeadBucket): its rules went with it"
	case problem != "":
		return VerifyFail, problem
	}
	return VerifyPass, "no lifecycle rule of bucket " + b.Name + " expires its files within " + plural(aws.ShortRetention, "day") + " (GetBucketLifecycleConfiguration)"
}
