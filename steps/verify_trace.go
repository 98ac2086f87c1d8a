package steps

import (
	"context"
	"fmt"
	"strings"

	"lockdown/aws"
)

// checkByHand is the verification's check for the attacker's changes lockdown has no action for;
// checkTraceGap names a region whose CloudTrail history could not be read.
const (
	checkByHand   = "by hand"
	checkTraceGap = "attacker changes"
)

// checkAttackerChanges lists, from the run's CloudTrail trace, what the attacker changed that
// lockdown has no action for: each stays remaining, "not checked", until the operator records that
// it was undone by hand, unless a read re-checks its kind (ledgerCheckFor). A region whose
// CloudTrail could not be read is unknown.
func checkAttackerChanges(ctx context.Context, env *Env) []VerifyCheck {
	trace := env.Trace
	if trace == nil || trace.Footprint == nil {
		return nil
	}
	kept := keptItems(env)
	var out []VerifyCheck
	for _, r := range trace.Footprint.Failed() {
		c := VerifyCheck{Check: checkTraceGap, Item: r.Region, Result: VerifyUnknown,
			Evidence: strings.TrimSpace("CloudTrail could not be read: " + r.Code + " " + r.Message), HandledBy: "by hand: read CloudTrail in " + r.Region}
		c.keptBy(kept, c.RowID(), r.Region)
		out = append(out, c)
	}
	for _, c := range attackerChanges(trace.Footprint) {
		if c.Manual == "" {
			continue
		}
		check := recheckChange(ctx, env, trace.Footprint, c)
		// The operator's recorded word that it was undone or is wanted (K, with the reason)
		// settles it.
		for _, name := range []string{check.Item, c.EventID, c.Resource.ID, c.Resource.ARN} {
			if reason, ok := kept[name]; ok && name != "" && check.Result != VerifyPass {
				check.Result, check.Kept, check.HandledBy = VerifyPass, reason, ""
				break
			}
		}
		out = append(out, check)
	}
	return out
}

// byHandItem is a by-hand change's item: its region and resource, then the event that made it,
// so two runs name it alike and two events on one resource are two items.
func byHandItem(c AttackerChange) string {
	return c.Region + "/" + c.Resource.ID + "/" + c.EventID
}

// recheckChange reads the account for one by-hand change: the read for its kind when there is
// one, else whether the resource it was made on still exists. The evidence always names the
// event, so the text is the same from run to run.
func recheckChange(ctx context.Context, env *Env, f *aws.Footprint, c AttackerChange) VerifyCheck {
	where := c.Resource.ARN
	if where == "" {
		where = c.Region
	}
	check := VerifyCheck{Check: checkByHand, Item: byHandItem(c), Result: VerifyNotChecked,
		Evidence: c.Manual, HandledBy: fmt.Sprintf("by hand: undo %s on %s", c.Event, where), Subject: ledgerSubject(c)}
	what := fmt.Sprintf("%s on %s %s (CloudTrail event %s)", c.Event, c.Resource.Kind, c.Resource.ID, c.EventID)
	var result VerifyResult
	var evidence string
	if recheck := ledgerCheckFor(c.Event); recheck != nil {
		if ev, ok := traceEvent(f, c.EventID); ok {
			result, evidence = recheck(ctx, env, c, ev)
		}
	}
	if result == "" || result == VerifyNotChecked {
		if gone, why := resourceGone(ctx, env, c.Resource); gone {
			result, evidence = VerifyPass, why
		}
	}
	switch result {
	case "", VerifyNotChecked:
		return check
	case VerifyPass:
		check.HandledBy = ""
	}
	check.Result, check.Evidence = result, what+": "+evidence
	return check
}

// traceWarning says what the verification cannot see without a trace.
func traceWarning(trace *TraceEvidence) string {
	why := "CloudTrail was not traced"
	if trace != nil && trace.Footprint == nil {
		why = "CloudTrail could not be traced (" + trace.Why + ")"
	}
	if trace == nil || trace.Footprint == nil {
		return why + ": what the attacker changed that lockdown has no action for (security group rules, Lambda functions, bucket policies) is not listed, nor are the role sessions the attacker holds, and instance verdicts rest on launch times. Run the step \"Trace the attacker\" first."
	}
	return ""
}
