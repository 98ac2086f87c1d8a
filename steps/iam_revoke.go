package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"lockdown/aws"
)

// RevokeSessions is the action iam.revoke-sessions: cut every temporary credential issued for the
// chosen roles before now, as the console's "Revoke active sessions" does, after closing the ways
// back in a role gives: a role created after T0 is deleted, and an outside account is removed from
// an older role's trust policy (see iam_role_backdoors.go).
type RevokeSessions struct{}

// Spec describes iam.revoke-sessions.
func (RevokeSessions) Spec() Spec {
	return Spec{
		Name:    "iam.revoke-sessions",
		Summary: "Delete roles created after T0, remove outside accounts from trust policies, and deny older role sessions (aws:TokenIssueTime)",
		Params:  []Param{{Name: "roles", Type: TypeStrings, Doc: "roles to preselect"}},
	}
}

// Inspect lists the roles; service-linked ones are shown but cannot be chosen.
func (RevokeSessions) Inspect(ctx context.Context, env *Env, report func(Progress)) (*Inspection, error) {
	roles, err := aws.ListRoles(ctx, env.Account.IAM())
	if err != nil {
		return nil, err
	}
	named := env.Params.Strings("roles")
	held := attackerRoleSessions(env.Trace, env.Account.Guard().Account())
	t := &Table{Selectable: true, Columns: []Column{{Title: "Role"}, {Title: "Created", Width: 17}, {Title: "Sessions revoked before", Width: 22}, {Title: "Why"}}}
	found := &roleFindings{Roles: roles, Why: map[string]string{}}
	for _, r := range roles {
		row := Row{ID: r.Name, Cells: []string{r.Name, when(r.Created), revokedCell(r.RevokedBefore), ""}}
		switch {
		case r.ServiceLinked():
			row.Tone, row.Reasons = ToneProtected, []string{"service-linked: only its AWS service can change it"}
		case after(r.Created, env.Since):
			// Deleted whatever its trust: a role made after T0 is a way back in for whoever made it.
			v := judgeNewRole(env.Trace, r)
			found.Why[r.Name] = v.Why
			row.Tone, row.Reasons = ToneSuspicious, []string{v.Why}
			if v.Attacker {
				row.Tone = ToneRogue
				row.Selected = len(named) == 0 || contains(named, r.Name)
			} else {
				row.Selected = contains(named, r.Name)
			}
		default:
			row.Selected = contains(named, r.Name)
		}
		if outside := env.outsideOrg(r.ExternalTrust); len(outside) > 0 {
			// Revoking sessions does not stop the trusted account assuming the role again: the
			// operator must check the trust policy, so it is said loudly.
			row.Reasons = append(row.Reasons, "can be assumed from outside this account by "+strings.Join(outside, ", ")+
				": if nobody expects that, it is a backdoor — the plan removes it from the trust policy, then revokes")
			if row.Tone == ToneNone {
				row.Tone = ToneSuspicious
				row.Selected = len(named) == 0 || contains(named, r.Name)
			}
		}
		noteAttackerSessions(&row, r, held[r.Name], len(named) == 0 || contains(named, r.Name))
		if !row.Selected {
			row.AlreadyDone = alreadyRevoked(env, r, held[r.Name])
		}
		row.Details = []string{"ARN: " + r.ARN, "Created: " + when(r.Created), "Sessions revoked before: " + revokedCell(r.RevokedBefore)}
		if len(row.Reasons) > 0 {
			row.Cells[3] = row.Reasons[0]
		}
		t.Rows = append(t.Rows, row)
	}
	return &Inspection{Summary: plural(len(roles), "role"), Table: t, Data: found}, nil
}

// roleFindings is what Inspect read: every role, and why each role made after T0 is judged as it is.
type roleFindings struct {
	Roles []aws.Role
	Why   map[string]string
}

// alreadyRevoked says how a role shows its older sessions denied since the reviewed plan was made,
// or since the last of the attacker's sessions was issued; "" when it does not.
func alreadyRevoked(env *Env, r aws.Role, held []heldSession) string {
	if r.RevokedBefore.IsZero() {
		return ""
	}
	covered := len(held) > 0
	for _, s := range held {
		covered = covered && s.cutOffBy(r.RevokedBefore)
	}
	if covered || (!env.Reviewed.IsZero() && !r.RevokedBefore.Before(env.Reviewed.Truncate(time.Second))) {
		return "sessions issued before " + when(r.RevokedBefore) + " are revoked"
	}
	return ""
}

func revokedCell(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return when(t)
}

type revokePlan struct {
	Cutoff time.Time
	Roles  []string
	// Trust and Deletions run before the revocations: a role's way in is closed first.
	Trust     []trustFix
	Deletions []roleDeletion
}

// Plan notes when it was made: applying the plan again after a revocation at or after that moment
// changes nothing more. The cutoff itself is the moment of Apply, so sessions minted while the
// operator read the plan are revoked too.
func (RevokeSessions) Plan(ctx context.Context, env *Env, found *Inspection, selected []string) (*Plan, error) {
	rf, ok := found.Data.(*roleFindings)
	if !ok {
		return nil, errors.New("iam.revoke-sessions: inspect first")
	}
	roles := rf.Roles
	data := &revokePlan{Cutoff: env.Clock().UTC().Truncate(time.Second)}
	p := &Plan{Data: data}
	for _, name := range selected {
		if i := roleIndex(roles, name); i >= 0 && roles[i].ServiceLinked() {
			p.Warnings = append(p.Warnings, fmt.Sprintf("skipping %s: it is service-linked, and IAM refuses policies on it", name))
			continue
		}
		if i := roleIndex(roles, name); i >= 0 && after(roles[i].Created, env.Since) {
			d, err := planRoleDeletion(ctx, env, p, roles[i], rf.Why[name])
			if err != nil {
				return nil, err
			}
			data.Deletions = append(data.Deletions, *d)
			continue
		}
		if i := roleIndex(roles, name); i >= 0 {
			if fix, _ := planTrustFix(env, p, roles[i]); fix != nil {
				data.Trust = append(data.Trust, *fix)
			}
		}
		data.Roles = append(data.Roles, name)
		p.Changes = append(p.Changes, Change{ID: RoleSessionsID(name), Row: name, Op: "iam:PutRolePolicy", Target: name,
			Summary: fmt.Sprintf("deny sessions of %s issued before the moment this is applied (%s)", name, aws.RevokeSessionsPolicy)})
	}
	for _, role := range data.Roles {
		p.Warnings = append(p.Warnings, fmt.Sprintf("Revoking the older sessions of %s also cuts the team's own sessions of %s: "+
			"whatever assumed it before now (instances, CI jobs, people, other accounts' automation) loses access until it assumes %s again.", role, role, role))
	}
	p.Notes = append(p.Notes, "Workloads using these roles must assume them again; anything holding older credentials is cut off.")
	if len(data.Deletions) > 0 {
		p.Notes = append(p.Notes, "A deleted role's sessions lose every permission with its policies, so it is not revoked first.")
	}
	p.Confirm = Confirm{Prompt: "Revoke the active sessions of " + plural(len(data.Roles), "role") + "?"}
	if len(data.Trust)+len(data.Deletions) > 0 {
		typed := typedConfirmation(env)
		what := fmt.Sprintf("delete %s, change the trust policy of %s and revoke the sessions of %s",
			plural(len(data.Deletions), "role"), plural(len(data.Trust), "role"), plural(len(data.Roles), "role"))
		p.Confirm = Confirm{Prompt: "Confirm: " + what + "?", Typed: typed}
		if typed != "" {
			p.Confirm.Prompt = fmt.Sprintf("Type the account id %s to %s", typed, what)
		}
	}
	return p, nil
}

func roleIndex(roles []aws.Role, name string) int {
	for i, r := range roles {
		if r.Name == name {
			return i
		}
	}
	return -1
}

// Apply puts the revocation policy on each role.
func (RevokeSessions) Apply(ctx context.Context, env *Env, changes aws.Changes, plan *Plan, report func(Progress)) (*Outcome, error) {
	data, ok := plan.Data.(*revokePlan)
	if !ok {
		return nil, errors.New("iam.revoke-sessions: not a revocation plan")
	}
	out := &Outcome{}
	for _, d := range data.Deletions {
		out.Results = append(out.Results, applyRoleDeletion(ctx, env, changes, d)...)
	}
	for _, fix := range data.Trust {
		out.Results = append(out.Results, applyTrustFix(ctx, env, changes, fix))
	}
	cutoff := env.Clock().UTC()
	notBefore := data.Cutoff
	if !env.Reviewed.IsZero() && env.Reviewed.Before(notBefore) {
		notBefore = env.Reviewed.UTC().Truncate(time.Second)
	}
	for _, role := range data.Roles {
		eff, err := changes.RevokeRoleSessions(ctx, role, cutoff, notBefore)
		out.Results = append(out.Results, resultOf("revoke/"+role, eff, err, "revoked sessions of "+role+" issued before "+when(cutoff)))
		env.Logger().Info("iam.revoke-sessions", "role", role, "effect", eff, "error", errText(err))
	}
	return out, nil
}
