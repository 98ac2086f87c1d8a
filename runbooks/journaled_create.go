package runbooks

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"lockdown/aws"
	"lockdown/steps"
)

// CreateKey journals the keys the user has before the call with the intent, so a later run can
// tell the key this call made from any other; it keeps the new secret before it journals the key
// as made, so a key journaled as lockdown's always has its secret kept.
func (j *journaledChanges) CreateKey(ctx context.Context, user string, dryRunFreed int) (aws.NewKey, aws.Effect, error) {
	c := steps.Change{ID: steps.KeyCreationID(user), Op: "iam:CreateAccessKey", Target: user, Summary: "create a new access key for " + user}
	keys, err := aws.ListAccessKeys(ctx, j.account.IAM(), user, false)
	if err != nil {
		return aws.NewKey{}, "", fmt.Errorf("iam CreateAccessKey %s: reading the keys it has first: %w", user, err)
	}
	before := make([]string, 0, len(keys))
	for _, k := range keys {
		before = append(before, k.ID)
	}
	if err := j.ledger.intend(c, before, j.account.Confirmed().ARN); err != nil {
		return aws.NewKey{}, "", fmt.Errorf("not sent, because the journal could not record it first: %w", err)
	}
	key, eff, err := j.inner.CreateKey(ctx, user, dryRunFreed)
	s := Settlement{ChangeID: c.ID, Orphans: key.Orphans}
	var unknown *aws.UnknownOutcomeError
	switch {
	case errors.As(err, &unknown):
		s.Outcome, s.Code, s.Message = CallUnknown, aws.ErrorCode(err), err.Error()
	case err != nil:
		s.Outcome, s.Code, s.Message = CallFailed, aws.ErrorCode(err), err.Error()
	default:
		s.Outcome, s.Ref, s.Message = CallDone, key.ID, "created "+key.ID
		if len(key.Orphans) > 0 {
			s.Message += "; keys made by lost answers, whose secrets nobody held, were deleted first: " + strings.Join(key.Orphans, ", ")
		}
		if j.keep != nil {
			secret := steps.NewSecret("Secret access key of "+user, key.ID, key.Secret())
			if kerr := j.keep(secret); kerr != nil {
				s.Code, s.Message = codeSecretNotKept, s.Message+"; its secret could not be kept: "+kerr.Error()
			} else {
				s.Message += "; its secret is kept"
				if rerr := j.ledger.run.SecretKept(j.ledger.step, key.ID, SecretSavedToFile, ""); rerr != nil {
					j.ledger.run.cfg.Env.Logger().Error("the journal could not record a kept secret", "user", user, "key", key.ID, "error", rerr)
				}
			}
			secret.Wipe()
		}
	}
	if serr := j.ledger.Settle(s); serr != nil && err == nil {
		// The key exists and its secret is kept (or goes to the operator); the step goes on, and
		// the record's gap is the run's to report.
		j.ledger.run.cfg.Env.Logger().Error("the journal could not record a created key", "user", user, "key", key.ID, "error", serr)
	}
	return key, eff, err
}

// codeSecretNotKept marks a created key whose secret could not be kept: it is not lockdown's to
// keep, and the step deletes it again.
const codeSecretNotKept = "SecretNotKept"

// TerminateInstances journals every instance and spot request as intended before any of the
// batch's calls, and each one's fate after them.
func (j *journaledChanges) TerminateInstances(ctx context.Context, targets []aws.Target, opts aws.TerminateOptions, report func(aws.TerminateProgress)) (*aws.Termination, error) {
	changes := make([]steps.Change, len(targets))
	for i, t := range targets {
		changes[i] = targetChange(t)
		if err := j.ledger.Intend(changes[i]); err != nil {
			return nil, fmt.Errorf("nothing was terminated, because the journal could not record it first: %w", err)
		}
	}
	term, err := j.inner.TerminateInstances(ctx, targets, opts, report)
	fates := map[string]aws.TargetResult{}
	if term != nil {
		for _, r := range append(append([]aws.TargetResult(nil), term.Instances...), term.SpotRequests...) {
			fates[r.Region+"/"+r.ID] = r
		}
	}
	for i, t := range targets {
		id := t.InstanceID
		if id == "" {
			id = t.SpotRequestID
		}
		s := settlementOf(changes[i].ID, "", err)
		if r, ok := fates[t.Region+"/"+id]; ok && err == nil {
			s = fateSettlement(changes[i].ID, r)
		} else if err == nil {
			s = Settlement{ChangeID: changes[i].ID, Outcome: CallUnknown, Message: "no result came back for it"}
		}
		if serr := j.ledger.Settle(s); serr != nil {
			return term, fmt.Errorf("the journal could not record what the termination did: %w", serr)
		}
	}
	return term, err
}

// targetChange describes a target as the termination step's plan names it.
func targetChange(t aws.Target) steps.Change {
	if t.InstanceID == "" {
		return steps.Change{ID: steps.InstanceChangeID(steps.OpCancelSpot, t.Region, t.SpotRequestID), Op: steps.OpCancelSpot,
			Region: t.Region, Target: t.SpotRequestID, Summary: "cancel spot request " + t.SpotRequestID + " in " + t.Region}
	}
	summary := "terminate " + t.InstanceID + " in " + t.Region
	if t.Unprotect {
		summary = "turn termination protection off and " + summary
	}
	return steps.Change{ID: steps.InstanceChangeID(steps.OpTerminate, t.Region, t.InstanceID), Op: steps.OpTerminate, Region: t.Region,
		Target: t.InstanceID, Summary: summary}
}

// fateSettlement turns the read-back fate of one target into its settlement.
func fateSettlement(id string, r aws.TargetResult) Settlement {
	s := Settlement{ChangeID: id, Code: r.Code, Message: strings.TrimSpace(string(r.Fate) + " " + r.Message)}
	if r.FinalState != "" {
		s.Message += "; state now: " + r.FinalState
	}
	switch {
	case r.OutcomeUnknown():
		s.Outcome = CallUnknown
	case r.Fate == aws.Terminated, r.Fate == aws.AlreadyTerminated, r.Fate == aws.Gone, r.Fate == aws.Cancelled, r.Fate == aws.WouldSucceed:
		s.Outcome = CallDone
	default:
		s.Outcome = CallFailed
	}
	return s
}
