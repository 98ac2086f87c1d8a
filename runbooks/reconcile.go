package runbooks

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"lockdown/aws"
	"lockdown/steps"
)

// Reconciled is what reading the account told about a change an earlier run intended and never
// settled.
type Reconciled struct {
	PendingChange
	// Outcome is CallDone or CallFailed once the account told, "" when it could not tell.
	Outcome CallOutcome
	Message string
}

// Line is what reading the account told about the change, for the operator: = done, x failed,
// ? not known.
func (rec Reconciled) Line() string {
	mark := "?"
	switch rec.Outcome {
	case CallDone:
		mark = "="
	case CallFailed:
		mark = "x"
	}
	return fmt.Sprintf("%s %s: %s — %s", mark, rec.Step, rec.Change.Summary, rec.Message)
}

// Reconcile reads the account for each change an earlier run of this incident or plan intended
// and never settled, and journals what it finds. A key a create made is lockdown's only when the
// journals name it or CloudTrail shows lockdown's own call made it; such a key whose secret was
// never kept is deleted (the rotation makes another, whose secret is kept), and one whose secret
// was kept is never deleted, wherever its file went. Any other key is left alone and reported. A
// change the account cannot settle here is left to the step's fresh inspection.
func (r *Run) Reconcile(ctx context.Context, pending []PendingChange, secrets SecretRecords) []Reconciled {
	if r.Mode() == steps.DryRun || r.cfg.Account == nil {
		return nil
	}
	var out []Reconciled
	for _, p := range pending {
		rec := Reconciled{PendingChange: p}
		ledger, err := r.Ledger(p.Step)
		if err != nil {
			rec.Message = "its step is not in this runbook: " + err.Error()
			out = append(out, rec)
			continue
		}
		s := r.readBack(ctx, p, secrets)
		rec.Outcome, rec.Message = s.Outcome, s.Message
		if s.Outcome != "" {
			if err := ledger.Settle(s); err != nil {
				rec.Message += "; the journal could not record it: " + err.Error()
			}
		}
		out = append(out, rec)
	}
	return out
}

// readBack settles one pending change from what the account holds now.
func (r *Run) readBack(ctx context.Context, p PendingChange, secrets SecretRecords) Settlement {
	s := Settlement{ChangeID: p.Change.ID}
	c := p.Change
	kind, subject, _ := strings.Cut(c.ID, "/")
	switch {
	case c.Op == "iam:CreateAccessKey":
		return r.readBackCreate(ctx, p, secrets)
	case c.Op == steps.OpTerminate:
		states, err := aws.InstanceStates(ctx, r.cfg.Account.ReadOnly().EC2(c.Region), []string{c.Target})
		state, known := states[c.Target]
		switch {
		case err != nil:
			s.Message = "its instance could not be read: " + err.Error()
		case !known || state == "terminated" || state == "shutting-down":
			s.Outcome, s.Message = CallDone, "read back: "+orGone(state, known)
		default:
			s.Outcome, s.Message = CallFailed, "read back: still "+state+"; terminated now if the plan still holds it"
		}
	case c.Op == steps.OpCancelSpot:
		requests, err := aws.SpotRequests(ctx, r.cfg.Account.ReadOnly().EC2(c.Region))
		i := slices.IndexFunc(requests, func(q aws.SpotRequest) bool { return q.ID == c.Target })
		switch {
		case err != nil:
			s.Message = "the region's spot requests could not be read: " + err.Error()
		case i < 0 || requests[i].State != "open" && requests[i].State != "active":
			s.Outcome, s.Message = CallDone, "read back: "+orGone(stateOf(requests, i), i >= 0)
		default:
			s.Outcome, s.Message = CallFailed, "read back: still "+requests[i].State+"; cancelled now if the plan still holds it"
		}
	case kind == "deactivate" || kind == "delete":
		keys, err := aws.ListAccessKeys(ctx, r.cfg.Account.ReadOnly().IAM(), c.Target, false)
		i := slices.IndexFunc(keys, func(k aws.AccessKey) bool { return k.ID == subject })
		switch {
		case err != nil:
			s.Message = "the user's keys could not be read: " + err.Error()
		case i < 0:
			s.Outcome, s.Message = CallDone, "read back: "+subject+" is gone"
		case kind == "deactivate" && keys[i].Status == aws.KeyInactive:
			s.Outcome, s.Message = CallDone, "read back: "+subject+" is inactive"
		default:
			s.Outcome, s.Message = CallFailed, fmt.Sprintf("read back: %s is still there, %s; made now if the plan still holds it", subject, keys[i].Status)
		}
	default:
		s.Message = "not read back here: the step inspects it afresh"
	}
	return s
}

func orGone(state string, known bool) string {
	if !known {
		return "EC2 no longer knows it"
	}
	return state
}

func stateOf(requests []aws.SpotRequest, i int) string {
	if i < 0 {
		return ""
	}
	return requests[i].State
}
