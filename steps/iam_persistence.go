package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"lockdown/aws"
)

// RemoveIAMPersistence is the action iam.remove-persistence: undo what an attacker leaves in IAM
// to come back without a key — a new default version of a customer-managed policy, an OIDC or
// SAML identity provider, a console password or MFA device on a user that existed before T0, an
// inline policy put on a role or group, a trust policy replaced.
type RemoveIAMPersistence struct{}

// Spec describes iam.remove-persistence.
func (RemoveIAMPersistence) Spec() Spec {
	return Spec{Name: "iam.remove-persistence", Summary: "Undo IAM changes made after T0: policy versions, identity providers, console passwords, MFA devices, inline and managed policies, group memberships, trust policies"}
}

// Inspect hunts, and preselects what the hunt flags.
func (RemoveIAMPersistence) Inspect(ctx context.Context, env *Env, report func(Progress)) (*Inspection, error) {
	if report == nil {
		report = func(Progress) {}
	}
	report(Progress{Key: "IAM", State: Running})
	hunt, err := huntIAMPersistence(ctx, env)
	if err != nil {
		report(Progress{Key: "IAM", State: Failed, Code: aws.ErrorCode(err), Err: aws.ErrorMessage(err)})
		return nil, fmt.Errorf("reading IAM: %w", err)
	}
	t := &Table{Selectable: true, Columns: []Column{{Title: "Kind", Width: 20}, {Title: "Item", Width: 44}, {Title: "When", Width: 17}, {Title: "Why"}}}
	flagged := 0
	for _, f := range hunt.Findings {
		row := Row{ID: f.RowID, Cells: []string{f.Kind, f.Item, when(f.When), f.Reason}, Reasons: []string{f.Reason}, Group: f.Kind,
			Details: findingDetails(f)}
		if f.Flagged {
			flagged++
			row.Tone, row.Selected = ToneRogue, true
		} else {
			row.Tone = ToneSuspicious
		}
		t.Rows = append(t.Rows, row)
	}
	for _, f := range hunt.Undone {
		t.Rows = append(t.Rows, Row{ID: "undone/" + f.RowID, Group: "already undone", Tone: ToneOK,
			Cells: []string{f.Kind, f.Item, when(f.When), f.Reason}, Reasons: []string{f.Reason}})
	}
	for _, p := range hunt.Shown {
		t.Rows = append(t.Rows, Row{ID: "shown/" + p.OwnerKind + "/" + p.Owner + "/" + p.Name, Group: "inline policies",
			Cells:   []string{p.OwnerKind + " inline policy", p.OwnerKind + " " + p.Owner + ": " + p.Name, "unknown", "not put after T0, as far as CloudTrail shows"},
			Details: []string{"Document: " + compactTrust(p.Document)}})
	}
	insp := &Inspection{Table: t, Data: hunt, Warnings: hunt.Warnings,
		Summary: fmt.Sprintf("%s after T0, %d proposed; %s of roles and groups shown", plural(len(hunt.Findings), "IAM change"), flagged, plural(len(hunt.Shown), "other inline policy"))}
	insp.Facts = append(insp.Facts, Fact{Label: "Judged by", Value: judgedBy(env)})
	report(Progress{Key: "IAM", State: Done, Count: len(hunt.Findings)})
	return insp, nil
}

func judgedBy(env *Env) string {
	if env.Trace != nil && env.Trace.Footprint != nil {
		return "CloudTrail: the trace's attacker credentials, and each item's event"
	}
	return "timestamps and CloudTrail events (no trace: whose credential made them is not judged)"
}

func findingDetails(f iamFinding) []string {
	d := []string{"Reason: " + f.Reason}
	switch f.Kind {
	case kindPolicyVersion:
		d = append(d, "Policy: "+f.PolicyARN, "Version to restore as default: "+f.Previous)
	case kindProvider:
		d = append(d, "Provider: "+f.ProviderARN)
	case kindTrust:
		d = append(d, "Trust policy now: "+compactTrust(f.TrustBefore), "Trust policy before: "+compactTrust(f.TrustAfter))
	}
	return d
}

// Plan proposes one change per selected finding; each deletes something, so the account id is typed.
func (RemoveIAMPersistence) Plan(_ context.Context, env *Env, found *Inspection, selected []string) (*Plan, error) {
	hunt, ok := found.Data.(*iamHunt)
	if !ok {
		return nil, errors.New("iam.remove-persistence: inspect first")
	}
	byRow := map[string]iamFinding{}
	for _, f := range hunt.Findings {
		byRow[f.RowID] = f
	}
	p := &Plan{}
	var chosen []iamFinding
	for _, id := range selected {
		f, ok := byRow[id]
		if !ok {
			p.Warnings = append(p.Warnings, "skipping "+id+": nothing to change for it")
			continue
		}
		chosen = append(chosen, f)
		p.Changes = append(p.Changes, findingChange(f))
		if f.Kind == kindTrust {
			p.Notes = append(p.Notes, "Trust policy of "+f.Item+" now:    "+compactTrust(f.TrustBefore), "Trust policy of "+f.Item+" restored: "+compactTrust(f.TrustAfter))
		}
	}
	p.Data = chosen
	p.Confirm = Confirm{Prompt: fmt.Sprintf("Undo %s in account %s? Deleted versions, providers, passwords and devices cannot be restored.",
		plural(len(chosen), "IAM change"), env.Account.Guard().Account()), Typed: typedConfirmation(env)}
	return p, nil
}

func findingChange(f iamFinding) Change {
	c := Change{ID: f.RowID, Row: f.RowID, Destructive: true}
	switch f.Kind {
	case kindPolicyVersion:
		c.Op, c.Target = "iam:SetDefaultPolicyVersion+DeletePolicyVersion", f.PolicyARN
		c.Summary = fmt.Sprintf("delete version %s of %s (%s as default): %s", f.Version, f.PolicyARN, f.Previous, f.Reason)
	case kindProvider:
		c.Op, c.Target = "iam:DeleteOpenIDConnectProvider", f.ProviderARN
		if aws.IsSAMLProvider(f.ProviderARN) {
			c.Op = "iam:DeleteSAMLProvider"
		}
		c.Summary = "delete the identity provider " + f.ProviderARN + ": " + f.Reason
	case kindLoginProfile:
		c.Op, c.Target, c.Summary = aws.PartLoginProfile.Operation(), f.User, "delete the console password of "+f.User+": "+f.Reason
	case kindMFADevice:
		c.Op, c.Target = aws.PartMFADevice.Operation(), f.User
		c.Summary = "deactivate and delete the MFA device " + f.Serial + " of " + f.User + ": " + f.Reason
	case kindRolePolicy:
		c.Op, c.Target, c.Summary = "iam:DeleteRolePolicy", f.Owner, "delete the inline policy "+f.PolicyName+" of role "+f.Owner+": "+f.Reason
	case kindGroupPolicy:
		c.Op, c.Target, c.Summary = "iam:DeleteGroupPolicy", f.Owner, "delete the inline policy "+f.PolicyName+" of group "+f.Owner+": "+f.Reason
	case kindTrust:
		c.Op, c.Target, c.Summary = "iam:UpdateAssumeRolePolicy", f.Item, "restore the trust policy of "+f.Item+" from before the change: "+f.Reason
	}
	if f.Grant != nil {
		c.Op, c.Target, c.Summary = f.Grant.Operation(), f.Grant.Owner, "remove the "+f.Grant.String()+": "+f.Reason
	}
	return c
}

// Apply makes each change and reads it back: "done" only when IAM no longer shows the item.
func (RemoveIAMPersistence) Apply(ctx context.Context, env *Env, changes aws.Changes, plan *Plan, _ func(Progress)) (*Outcome, error) {
	chosen, ok := plan.Data.([]iamFinding)
	if !ok {
		return nil, errors.New("iam.remove-persistence: not an IAM persistence plan")
	}
	out := &Outcome{}
	for _, f := range chosen {
		eff, err := applyFinding(ctx, env, changes, f)
		done := findingDone(f)
		res := resultOf(f.RowID, eff, err, done)
		out.Results = append(out.Results, confirmedBy(res, done+" (read back)"))
		env.Logger().Info("iam.remove-persistence", "item", f.RowID, "effect", eff, "error", errText(err))
	}
	return out, nil
}

// findingDone says what a finding's change does, without the reason.
func findingDone(f iamFinding) string {
	if f.Grant != nil {
		return "remove the " + f.Grant.String()
	}
	switch f.Kind {
	case kindPolicyVersion:
		return "delete version " + f.Version + " of " + f.PolicyARN + ", with " + f.Previous + " as default"
	case kindProvider:
		return "delete the identity provider " + f.ProviderARN
	case kindLoginProfile:
		return "delete the console password of " + f.User
	case kindMFADevice:
		return "deactivate and delete the MFA device " + f.Serial + " of " + f.User
	case kindTrust:
		return "restore the trust policy of " + f.Item
	}
	return "delete the inline policy " + f.PolicyName + " of " + strings.TrimSuffix(f.Kind, " inline policy") + " " + f.Owner
}

func applyFinding(ctx context.Context, env *Env, changes aws.Changes, f iamFinding) (aws.Effect, error) {
	api := env.Account.IAM()
	if f.Grant != nil {
		return changes.RevokeGrant(ctx, *f.Grant)
	}
	switch f.Kind {
	case kindPolicyVersion:
		return changes.DeletePolicyVersion(ctx, f.PolicyARN, f.Version, f.Previous)
	case kindProvider:
		return changes.DeleteIdentityProvider(ctx, f.ProviderARN)
	case kindGroupPolicy:
		return changes.DeleteGroupPolicy(ctx, f.Owner, f.PolicyName)
	case kindTrust:
		return changes.UpdateRoleTrust(ctx, f.Item, f.TrustBefore, f.TrustAfter)
	case kindLoginProfile:
		p, err := aws.ReadConsolePassword(ctx, api, f.User)
		if err != nil || !p.Exists {
			return aws.AlreadyDone, err
		}
		return confirmGone(changes.RemovePart(ctx, f.User, aws.UserPart{Kind: aws.PartLoginProfile, ID: f.User}))(func() (bool, error) {
			p, err := aws.ReadConsolePassword(ctx, api, f.User)
			return !p.Exists, err
		})
	case kindMFADevice:
		hasDevice := func() (bool, error) {
			ds, err := aws.ListMFADevices(ctx, api, f.User)
			for _, d := range ds {
				if d.Serial == f.Serial {
					return true, err
				}
			}
			return false, err
		}
		if has, err := hasDevice(); err != nil || !has {
			return aws.AlreadyDone, err
		}
		return confirmGone(changes.RemovePart(ctx, f.User, aws.UserPart{Kind: aws.PartMFADevice, ID: f.Serial}))(func() (bool, error) {
			has, err := hasDevice()
			return !has, err
		})
	case kindRolePolicy:
		return confirmGone(changes.RemoveRolePart(ctx, f.Owner, aws.RolePart{Kind: aws.RolePartInlinePolicy, ID: f.PolicyName}))(func() (bool, error) {
			parts, err := aws.ListRoleParts(ctx, api, f.Owner)
			if aws.IsNoSuchEntity(err) {
				return true, nil
			}
			for _, p := range parts {
				if p.Kind == aws.RolePartInlinePolicy && p.ID == f.PolicyName {
					return false, err
				}
			}
			return true, err
		})
	}
	return "", fmt.Errorf("unknown kind of IAM change %q", f.Kind)
}

// confirmGone makes a change made live count only once gone() reads it gone.
func confirmGone(eff aws.Effect, err error) func(gone func() (bool, error)) (aws.Effect, error) {
	return func(gone func() (bool, error)) (aws.Effect, error) {
		if err != nil || eff != aws.Changed {
			return eff, err
		}
		ok, rerr := gone()
		switch {
		case rerr != nil:
			return "", fmt.Errorf("the change was made, but reading it back failed: %w", rerr)
		case !ok:
			return "", errors.New("the change was answered, but IAM still shows the item on a fresh read: run apply again to read it back")
		}
		return aws.Changed, nil
	}
}
