package steps

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"lockdown/aws"
)

// Plan closes each selected way in: revoke the rule by its id, take the account or the public off
// the snapshot or AMI. A revoked rule may cut off a service, so the plan needs the typed account id.
func (CloseExposure) Plan(_ context.Context, env *Env, found *Inspection, selected []string) (*Plan, error) {
	var f *exposureFindings
	if found != nil {
		f, _ = found.Data.(*exposureFindings)
	}
	if f == nil {
		return nil, errors.New("ec2.close-exposure: inspect first")
	}
	p := &Plan{}
	chosen := map[string]exposure{}
	// What lockdown proposed says why; only what the operator added is their choice.
	proposed := map[string]string{}
	if found.Table != nil {
		for _, r := range found.Table.Rows {
			if r.Selected && len(r.Reasons) > 0 {
				proposed[r.ID] = r.Reasons[0]
			}
		}
	}
	for _, id := range selected {
		x, ok := f.ByRow[id]
		if !ok {
			p.Warnings = append(p.Warnings, "skipping "+id+": no such rule or share was found")
			continue
		}
		why := "chosen by the operator"
		switch {
		case x.Origin != nil:
			why = "opened by the attacker: " + originOf(*x.Origin)
		case proposed[id] != "":
			why = "proposed: " + proposed[id]
		}
		chosen[x.ID] = x
		p.Changes = append(p.Changes, Change{ID: x.ID, Row: x.ID, Op: closeOp(x.Kind), Region: x.Region, Target: closeTarget(x), Summary: closeSummary(x) + ": " + why, Destructive: true})
	}
	slices.SortStableFunc(p.Changes, func(a, b Change) int { return cmp.Compare(a.Region+a.ID, b.Region+b.ID) })
	p.Data = chosen
	p.Notes = []string{
		"A rule is revoked by its id, read first, and read back gone; a service that needed it loses the access: open it again narrowly (your office's address, a load balancer's group) if so.",
		"A snapshot or AMI is unshared one account (or the public) at a time; the others keep their access. Whoever copied it already keeps the copy: treat its data as exposed.",
		"EC2 checks each change with DryRun=true in a dry run.",
	}
	p.Confirm = Confirm{Prompt: fmt.Sprintf("Close %s into account %s? Revoked rules and removed shares must be recreated by hand if they were needed.",
		plural(len(p.Changes), "way"), env.Account.Guard().Account()), Typed: typedConfirmation(env)}
	return p, nil
}

func closeOp(kind string) string {
	switch kind {
	case aws.KindSnapshot:
		return OpUnshareSnapshot
	case aws.KindImage:
		return OpUnshareImage
	}
	return OpRevokeIngress
}

func closeTarget(x exposure) string {
	if x.Kind == kindRule {
		return x.Rule.RuleID
	}
	return x.Shared.ID
}

func closeSummary(x exposure) string {
	if x.Kind == kindRule {
		return fmt.Sprintf("revoke %s from %s into %s in %s (rule %s of %s)", x.Rule.Ports(), x.Rule.Source(),
			firstNonEmpty(x.Rule.GroupName, x.Rule.GroupID), x.Region, x.Rule.RuleID, x.Rule.GroupID)
	}
	if x.Who == aws.Public {
		return fmt.Sprintf("make the %s %s private in %s (it is public)", x.Kind, resourceName(x.Shared), x.Region)
	}
	return fmt.Sprintf("stop sharing the %s %s with the account %s in %s", x.Kind, resourceName(x.Shared), x.Who, x.Region)
}

// Apply closes each way in the plan names, then reads it back: "done" only once EC2 no longer has
// the rule, or no longer lists the account (or the public) on the snapshot or AMI.
func (CloseExposure) Apply(ctx context.Context, env *Env, changes aws.Changes, plan *Plan, report func(Progress)) (*Outcome, error) {
	chosen, ok := plan.Data.(map[string]exposure)
	if !ok {
		return nil, errors.New("ec2.close-exposure: not a plan of this step")
	}
	out := &Outcome{}
	for _, c := range plan.Changes {
		x, ok := chosen[c.ID]
		if !ok {
			return nil, fmt.Errorf("ec2.close-exposure: the plan's change %s is not one of its rules or shares", c.ID)
		}
		eff, err := closeExposure(ctx, changes, x)
		if err == nil && eff == aws.Changed {
			err = readBackClosed(ctx, env, x)
		}
		res := resultOf(c.ID, eff, err, closeSummary(x))
		out.Results = append(out.Results, confirmedBy(res, closeSummary(x)+" (read back: "+closedReadBack(x)+")"))
		env.Logger().Info("ec2.close-exposure", "change", c.ID, "effect", eff, "error", errText(err))
		if report != nil {
			report(Progress{Key: c.ID, State: progressOf(out.Results[len(out.Results)-1:])})
		}
	}
	return out, nil
}

func closeExposure(ctx context.Context, changes aws.Changes, x exposure) (aws.Effect, error) {
	switch x.Kind {
	case aws.KindSnapshot:
		return changes.UnshareSnapshot(ctx, x.Region, x.Shared.ID, x.Who)
	case aws.KindImage:
		return changes.UnshareImage(ctx, x.Region, x.Shared.ID, x.Who)
	}
	return changes.RevokeIngressRule(ctx, x.Region, x.Rule.GroupID, x.Rule.RuleID)
}

func readBackClosed(ctx context.Context, env *Env, x exposure) error {
	if x.Kind == kindRule {
		_, found, err := env.Account.FindIngressRule(ctx, x.Region, x.Rule.RuleID)
		switch {
		case err != nil:
			return fmt.Errorf("the rule was revoked, but reading it back failed: %w", err)
		case found:
			return fmt.Errorf("RevokeSecurityGroupIngress answered, but %s is still in %s on a fresh read", x.Rule.RuleID, x.Rule.GroupID)
		}
		return nil
	}
	read := env.Account.SnapshotShares
	if x.Kind == aws.KindImage {
		read = env.Account.ImageShares
	}
	shares, _, err := read(ctx, x.Region, x.Shared.ID)
	switch {
	case err != nil:
		return fmt.Errorf("the share was removed, but reading it back failed: %w", err)
	case slices.Contains(shares, x.Who):
		return fmt.Errorf("EC2 answered, but the %s %s is still %s on a fresh read", x.Kind, x.Shared.ID, shareState(x.Who))
	}
	return nil
}

func closedReadBack(x exposure) string {
	if x.Kind == kindRule {
		return "EC2 no longer has the rule"
	}
	return "no longer " + shareState(x.Who)
}
