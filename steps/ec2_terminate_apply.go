package steps

import (
	"context"
	"fmt"
	"maps"

	"lockdown/aws"
)

// Apply carries out exactly the plan's changes (it reads only plan.Changes, so a plan read back from
// a file applies the same way). The account guard decides whether the calls are real or DryRun.
// Instances refused for termination protection come back as a FollowUp plan that needs its own
// typed confirmation.
func (TerminateInstances) Apply(ctx context.Context, env *Env, changes aws.Changes, plan *Plan, report func(Progress)) (*Outcome, error) {
	if plan == nil || len(plan.Changes) == 0 {
		return nil, fmt.Errorf("ec2.terminate: the plan has no changes")
	}
	targets, err := targetsOf(plan.Changes)
	if err != nil {
		return nil, err
	}
	progress := func(p aws.TerminateProgress) {
		if report == nil {
			return
		}
		pr := Progress{Key: p.Region, State: Done, Count: p.Total, Code: p.Code}
		if p.Failed > 0 {
			pr.State, pr.Err = Failed, fmt.Sprintf("%d of %d instances failed", p.Failed, p.Total)
		}
		report(pr)
	}
	stopped := applyRespawnerStops(ctx, env, changes, plan)
	maps.Copy(stopped, applyInstanceStops(ctx, changes, plan))
	term, err := changes.TerminateInstances(ctx, targets, aws.TerminateOptions{Concurrency: env.Params.Int("concurrency", 0)}, progress)
	if refused(err) {
		return refusedOutcome(plan, err), nil
	}
	if err != nil {
		return nil, err
	}
	out := &Outcome{Facts: terminationFacts(term)}
	byID := map[string]aws.TargetResult{}
	for _, r := range append(append([]aws.TargetResult(nil), term.Instances...), term.SpotRequests...) {
		byID[r.Region+"/"+r.ID] = r
	}
	var protected []plannedInstance
	for _, c := range plan.Changes {
		if res, ok := stopped[c.ID]; ok {
			out.Results = append(out.Results, res)
			continue
		}
		r := byID[c.Region+"/"+c.Target]
		out.Results = append(out.Results, instanceResult(c, r))
		if c.Op == OpTerminate && r.Fate == aws.Protected {
			protected = append(protected, plannedInstance{Region: c.Region, ID: c.Target, Summary: c.Summary})
		}
	}
	if !term.DryRun {
		flagStanding(ctx, env, plan, out)
	}
	if len(protected) > 0 {
		out.FollowUp = terminationPlan(env, protected, true)
		what := fmt.Sprintf("%d instances have termination protection and were", len(protected))
		if len(protected) == 1 {
			what = "1 instance has termination protection and was"
		}
		out.FollowUp.Warnings = append(out.FollowUp.Warnings,
			what+" left running. Someone may have set it on purpose; check before disabling it.")
	}
	return out, nil
}

// targetsOf rebuilds the engine's targets from a plan's changes.
func targetsOf(changes []Change) ([]aws.Target, error) {
	var targets []aws.Target
	unprotect := map[string]bool{}
	for _, c := range changes {
		if c.Op == OpUnprotectEC {
			unprotect[c.Region+"/"+c.Target] = true
		}
	}
	for _, c := range changes {
		switch c.Op {
		case OpTerminate:
			targets = append(targets, aws.Target{Region: c.Region, InstanceID: c.Target, Unprotect: unprotect[c.Region+"/"+c.Target]})
		case OpCancelSpot:
			targets = append(targets, aws.Target{Region: c.Region, SpotRequestID: c.Target})
		case OpUnprotectEC:
		case OpStopScalingGroup, OpCancelSpotFleet, OpDeleteEC2Fleet, OpStop:
			// Stopped before the termination, by applyRespawnerStops and applyInstanceStops.
		default:
			return nil, fmt.Errorf("ec2.terminate cannot apply a change of kind %q (%s)", c.Op, c.ID)
		}
	}
	return targets, nil
}

// refusedOutcome reports a refusal against every change, as the IAM actions do, so the operator
// reads the whole reason (both account ids) in the results rather than in a one-line error.
func refusedOutcome(plan *Plan, err error) *Outcome {
	out := &Outcome{}
	for _, c := range plan.Changes {
		out.Results = append(out.Results, refusedResult(c.ID, err))
	}
	return out
}

// instanceResult turns what happened to a target into the change's result.
func instanceResult(c Change, r aws.TargetResult) Result {
	res := Result{ChangeID: c.ID, Code: r.Code, Message: r.Message}
	switch r.Fate {
	case aws.Terminated, aws.Cancelled:
		res.Status = StatusApplied
	case aws.AlreadyTerminated, aws.Gone:
		res.Status = StatusAlreadyDone
	case aws.WouldSucceed:
		res.Status = StatusWouldApply
	case aws.Protected:
		res.Status = StatusSkipped
		if c.Op == OpUnprotectEC {
			res.Status = StatusFailed
		}
	case aws.FailedFate:
		res.Status = StatusFailed
	default:
		res.Status, res.Message = StatusFailed, "no result came back for this change"
	}
	if c.Op == OpUnprotectEC && r.Fate != aws.FailedFate {
		res.Code, res.Message = "", "" // the termination's own result tells the rest
	}
	if r.FinalState != "" && c.Op != OpUnprotectEC {
		if res.Message != "" {
			res.Message += "; "
		}
		res.Message += "state now: " + r.FinalState
	}
	return res
}

func terminationFacts(term *aws.Termination) []Fact {
	var facts []Fact
	if term.DryRun {
		for _, r := range term.Regions {
			f := Fact{Label: r.Region, Value: "would succeed (DryRunOperation)", Tone: ToneOK}
			if r.Code != "DryRunOperation" {
				f.Value, f.Tone = r.Code+": "+r.Message, ToneFailed
			}
			facts = append(facts, f)
		}
		return facts
	}
	cancelled := 0
	for _, s := range term.SpotRequests {
		if s.Fate == aws.Cancelled {
			cancelled++
		}
	}
	return append(facts,
		Fact{Label: "Terminated", Value: fmt.Sprint(term.Count(aws.Terminated)), Tone: ToneOK},
		Fact{Label: "Already terminated or gone", Value: fmt.Sprint(term.Count(aws.AlreadyTerminated) + term.Count(aws.Gone))},
		Fact{Label: "Protected, left running", Value: fmt.Sprint(term.Count(aws.Protected)), Tone: ToneWarning},
		Fact{Label: "Failed", Value: fmt.Sprint(term.Count(aws.FailedFate)), Tone: ToneFailed},
		Fact{Label: "Spot requests cancelled", Value: fmt.Sprint(cancelled)},
	)
}
