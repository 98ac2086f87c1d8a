package steps

import (
	"context"

	"lockdown/aws"
)

// ledgerCheck re-reads the account for one change the attacker made that no step of the runbook
// undoes, and says whether it is still in effect: pass when it was undone (by hand, or because
// lockdown deleted the resource it was made on), fail while it stands, unknown when the read
// failed; the evidence says what the read saw. event is the CloudTrail event that made the change.
type ledgerCheck func(ctx context.Context, env *Env, change AttackerChange, event aws.TrailEvent) (VerifyResult, string)

// ledgerCheckFor returns the read that re-checks a change made by a CloudTrail event of that name,
// or nil when lockdown has no read for it yet: such an item stays "not checked" until the
// operator records that it was undone by hand.
func ledgerCheckFor(eventName string) ledgerCheck {
	switch eventName {
	case "AttachUserPolicy", "PutUserPolicy", "AddUserToGroup", "AttachGroupPolicy", "AttachRolePolicy", "PutRolePolicy", "PutGroupPolicy":
		return recheckGrant
	case "CreateRole":
		return recheckRole
	case "CreatePolicy":
		return recheckPolicy
	case "AuthorizeSecurityGroupIngress":
		return recheckIngress
	case "ModifySnapshotAttribute", "ModifyImageAttribute":
		return recheckShares
	case "ModifyInstanceAttribute":
		return checkUserDataUndone
	case "DeleteTrail", "StopLogging", "PutEventSelectors", "PutAdvancedEventSelectors":
		return recheckTrail
	case "DeleteDetector", "UpdateDetector":
		return recheckDetector
	case "PutBucketLifecycle", "DeleteBucketLifecycle", "DeleteBucket":
		return recheckBucket
	}
	return nil
}

// ledgerSubject is what the re-check of a change reads, when a state check reads it too.
func ledgerSubject(c AttackerChange) string {
	switch c.Event {
	case "PutBucketLifecycle", "DeleteBucketLifecycle", "DeleteBucket":
		return bucketFilesSubject(c.Resource.ID)
	}
	return ""
}

// traceEvent finds the event an attacker change came from in the trace's timeline.
func traceEvent(f *aws.Footprint, eventID string) (aws.TrailEvent, bool) {
	for _, e := range f.Timeline {
		if e.EventID == eventID {
			return e, true
		}
	}
	return aws.TrailEvent{}, false
}
