package steps

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"lockdown/aws"
)

// A role the attacker can assume from outside the account is a way back in once every key is gone.
// The revoke step closes it: a role created after T0 is deleted (its sessions die with its
// policies), and an older role that trusts an outside account has those principals removed from
// its trust policy, then its sessions revoked. Service principals, federated providers and this
// account's own principals are never touched.

// trustFix is one trust policy to rewrite: Before as the plan read it, After without Removed.
type trustFix struct {
	Role    string   `json:"role"`
	Before  string   `json:"before"`
	After   string   `json:"after"`
	Removed []string `json:"removed"`
}

// roleDeletion is a role to delete, with the policies and instance profiles the plan listed.
type roleDeletion struct {
	Role  string         `json:"role"`
	Parts []aws.RolePart `json:"parts"`
}

// planRoleDeletion lists what IAM requires gone before DeleteRole and plans each removal.
func planRoleDeletion(ctx context.Context, env *Env, p *Plan, role aws.Role, why string) (*roleDeletion, error) {
	parts, err := aws.ListRoleParts(ctx, env.Account.IAM(), role.Name)
	if err != nil {
		return nil, err
	}
	d := &roleDeletion{Role: role.Name, Parts: parts}
	for _, part := range parts {
		p.Changes = append(p.Changes, Change{ID: RolePartID(role.Name, part), Row: role.Name, Op: part.Kind.Operation(), Target: role.Name,
			Summary: fmt.Sprintf("remove the %s %s of %s", part.Kind, part.ID, role.Name), Destructive: true})
	}
	if why == "" {
		why = "created " + when(role.Created) + ", after T0"
	}
	p.Changes = append(p.Changes, Change{ID: RoleDeletionID(role.Name), Row: role.Name, Op: "iam:DeleteRole", Target: role.Name, Destructive: true,
		Summary: "delete role " + role.Name + ": " + why})
	return d, nil
}

// planTrustFix plans removing the outside principals of an older role's trust policy, showing the
// policy before and after. ok is false when nothing would be left: IAM refuses a trust policy
// without a statement, so the operator decides between deleting the role and keeping it.
func planTrustFix(env *Env, p *Plan, role aws.Role) (*trustFix, bool) {
	after, removed, readable := aws.TrustWithoutOutside(role.Trust, roleAccount(role), env.orgAccounts()...)
	switch {
	case !readable:
		p.Warnings = append(p.Warnings, fmt.Sprintf("%s: its trust policy could not be read, so it is left as it is: fix it by hand", role.Name))
		return nil, false
	case len(removed) == 0:
		return nil, true
	case after == "":
		p.Warnings = append(p.Warnings, fmt.Sprintf("%s: only %s may assume it; removing that leaves no trust policy, which IAM refuses: delete the role by hand or keep it with a reason",
			role.Name, strings.Join(removed, ", ")))
		return nil, false
	}
	p.Changes = append(p.Changes, Change{ID: RoleTrustID(role.Name), Row: role.Name, Op: "iam:UpdateAssumeRolePolicy", Target: role.Name, Destructive: true,
		Summary: fmt.Sprintf("remove %s from the trust policy of %s", strings.Join(removed, ", "), role.Name)})
	p.Notes = append(p.Notes, "Trust policy of "+role.Name+" before: "+compactTrust(role.Trust), "Trust policy of "+role.Name+" after:  "+after)
	return &trustFix{Role: role.Name, Before: role.Trust, After: after, Removed: removed}, true
}

// roleAccount is the account in the role's ARN: principals of any other account are outside.
func roleAccount(r aws.Role) string {
	if fields := strings.Split(r.ARN, ":"); len(fields) >= 5 {
		return fields[4]
	}
	return ""
}

func compactTrust(doc string) string { return strings.Join(strings.Fields(doc), " ") }

// applyTrustFix rewrites one trust policy; done only when GetRole reads the new one back.
func applyTrustFix(ctx context.Context, env *Env, changes aws.Changes, fix trustFix) Result {
	eff, err := changes.UpdateRoleTrust(ctx, fix.Role, fix.Before, fix.After)
	env.Logger().Info("iam.revoke-sessions", "role", fix.Role, "change", "trust", "effect", eff, "error", errText(err))
	return resultOf("trust/"+fix.Role, eff, err, "removed "+strings.Join(fix.Removed, ", ")+" from the trust policy of "+fix.Role)
}

// applyRoleDeletion removes the planned parts, then deletes the role. A part that appeared after
// the plan was not reviewed: it is not removed, and the role is not deleted.
func applyRoleDeletion(ctx context.Context, env *Env, changes aws.Changes, d roleDeletion) []Result {
	current, err := aws.ListRoleParts(ctx, env.Account.IAM(), d.Role)
	if aws.IsNoSuchEntity(err) {
		current = nil
	} else if err != nil {
		return []Result{resultOf("role/"+d.Role, "", err, "")}
	}
	var results []Result
	blocked := ""
	for _, part := range current {
		if !slices.Contains(d.Parts, part) {
			blocked = "not deleted: " + part.String() + " appeared after the plan and was not reviewed; plan again"
		}
	}
	for _, part := range d.Parts {
		id := RolePartID(d.Role, part)
		if !slices.Contains(current, part) {
			results = append(results, Result{ChangeID: id, Status: StatusAlreadyDone, Message: part.String() + " is already gone"})
			continue
		}
		eff, err := changes.RemoveRolePart(ctx, d.Role, part)
		r := resultOf(id, eff, err, "removed "+part.String()+" of "+d.Role)
		if r.Status == StatusFailed && blocked == "" {
			blocked = "not deleted: something attached to it could not be removed"
		}
		results = append(results, r)
		env.Logger().Info("iam.revoke-sessions", "role", d.Role, "part", part.String(), "effect", eff, "error", errText(err))
	}
	if blocked != "" {
		return append(results, Result{ChangeID: "role/" + d.Role, Status: StatusSkipped, Message: blocked})
	}
	eff, err := changes.DeleteRole(ctx, d.Role)
	env.Logger().Info("iam.revoke-sessions", "role", d.Role, "part", "role", "effect", eff, "error", errText(err))
	return append(results, resultOf("role/"+d.Role, eff, err, "deleted role "+d.Role))
}
