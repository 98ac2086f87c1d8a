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
// chosen roles before now, as the console's "Revoke active sessions" does.
type RevokeSessions struct{}

// Spec describes iam.revoke-sessions.
func (RevokeSessions) Spec() Spec {
	return Spec{
		Name:    "iam.revoke-sessions",
		Summary: "Deny everything to role sessions issued before now (aws:TokenIssueTime)",
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
	t := &Table{Selectable: true, Columns: []Column{{Title: "Role"}, {Title: "Created", Width: 17}, {Title: "Sessions revoked before", Width: 22}, {Title: "Why"}}}
	for _, r := range roles {
		row := Row{ID: r.Name, Cells: []string{r.Name, when(r.Created), revokedCell(r.RevokedBefore), ""}}
		switch {
		case r.ServiceLinked():
			row.Tone, row.Reasons = ToneProtected, []string{"service-linked: only its AWS service can change it"}
		case after(r.Created, env.Since):
			row.Tone, row.Reasons = ToneRogue, []string{"created after T0"}
			row.Selected = len(named) == 0 || contains(named, r.Name)
		default:
			row.Selected = contains(named, r.Name)
		}
		if len(r.ExternalTrust) > 0 {
			// Revoking sessions does not stop the trusted account assuming the role again: the
			// operator must check the trust policy, so it is said loudly.
			row.Reasons = append(row.Reasons, "can be assumed from outside this account by "+strings.Join(r.ExternalTrust, ", ")+
				": if nobody expects that, it is a backdoor — fix the trust policy, then revoke")
			if row.Tone == ToneNone {
				row.Tone = ToneSuspicious
			}
		}
		row.Details = []string{"ARN: " + r.ARN, "Created: " + when(r.Created), "Sessions revoked before: " + revokedCell(r.RevokedBefore)}
		if len(row.Reasons) > 0 {
			row.Cells[3] = row.Reasons[0]
		}
		t.Rows = append(t.Rows, row)
	}
	return &Inspection{Summary: plural(len(roles), "role"), Table: t, Data: roles}, nil
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
}

// Plan notes when it was made: applying the plan again after a revocation at or after that moment
// changes nothing more. The cutoff itself is the moment of Apply, so sessions minted while the
// operator read the plan are revoked too.
func (RevokeSessions) Plan(_ context.Context, env *Env, found *Inspection, selected []string) (*Plan, error) {
	roles, ok := found.Data.([]aws.Role)
	if !ok {
		return nil, errors.New("iam.revoke-sessions: inspect first")
	}
	data := &revokePlan{Cutoff: env.Clock().UTC().Truncate(time.Second)}
	p := &Plan{Data: data}
	for _, name := range selected {
		if i := roleIndex(roles, name); i >= 0 && roles[i].ServiceLinked() {
			p.Warnings = append(p.Warnings, fmt.Sprintf("skipping %s: it is service-linked, and IAM refuses policies on it", name))
			continue
		}
		data.Roles = append(data.Roles, name)
		p.Changes = append(p.Changes, Change{ID: "revoke/" + name, Op: "iam:PutRolePolicy", Target: name,
			Summary: fmt.Sprintf("deny sessions of %s issued before the moment this is applied (%s)", name, aws.RevokeSessionsPolicy)})
	}
	p.Notes = []string{"Workloads using these roles must assume them again; anything holding older credentials is cut off."}
	p.Confirm = Confirm{Prompt: fmt.Sprintf("Revoke the active sessions of %d roles?", len(data.Roles))}
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
