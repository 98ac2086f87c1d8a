package steps

import (
	"context"
	"fmt"
	"strings"

	"lockdown/aws"
)

// sessionFinding is a leaked temporary key (ASIA…) and the session CloudTrail says issued it.
// Such a key cannot be deactivated: what works is denying the role's (or user's) sessions issued
// before now.
type sessionFinding struct {
	KeyID  string
	Origin *aws.SessionOrigin
}

// inspectSession finds the session behind a temporary key through CloudTrail.
func inspectSession(ctx context.Context, env *Env, keyID string) (*Inspection, error) {
	o, err := env.Account.FindSession(ctx, keyID)
	if err != nil {
		return nil, fmt.Errorf("%s is a temporary key: finding the session that issued it needs CloudTrail, which failed: %w", keyID, err)
	}
	if o == nil || (o.Role == "" && o.User == "") {
		return nil, fmt.Errorf("%s is a temporary key, and CloudTrail shows neither the call that issued it nor a use of it: find its role with `aws sts get-access-key-info` and the role's CloudTrail events, then revoke the role's sessions (step %q)", keyID, byRevoke)
	}
	f := &sessionFinding{KeyID: keyID, Origin: o}
	issuer := "role " + o.Role
	if o.Role == "" {
		issuer = "user " + o.User + " (a session token)"
	}
	insp := &Inspection{
		Summary: fmt.Sprintf("%s is a temporary key of %s: it cannot be deactivated; revoke the sessions issued before now", keyID, issuer),
		Facts: []Fact{
			{Label: "Access key", Value: keyID + " (temporary)"},
			{Label: "Issued by", Value: issuer},
		},
		Data: f,
	}
	if o.SessionName != "" {
		insp.Facts = append(insp.Facts, Fact{Label: "Session", Value: o.SessionName})
	}
	if o.EventID != "" {
		insp.Facts = append(insp.Facts, Fact{Label: "Obtained", Value: fmt.Sprintf("%s by %s (CloudTrail event %s)", when(o.IssuedAt), o.IssuedBy, o.EventID)})
	}
	if len(o.UsedFrom) > 0 {
		insp.Facts = append(insp.Facts, Fact{Label: "Used from", Value: strings.Join(o.UsedFrom, ", ")})
	}
	if outside := o.OutsideAWS(); len(outside) > 0 && o.Role != "" {
		what := "role " + o.RoleName()
		if strings.HasPrefix(o.SessionName, "i-") {
			what = "the instance role of " + o.SessionName + " (role " + o.RoleName() + ", through its instance profile)"
		}
		insp.Warnings = append(insp.Warnings, fmt.Sprintf("%s was used from %s, an address outside AWS's services: credentials of %s are in someone else's hands. Revoking the role's older sessions cuts them; whoever took them must not get new ones (check the instance, the role's trust policy, the keys that can assume it).",
			keyID, strings.Join(outside, ", "), what))
	}
	return insp, nil
}

// planSession revokes the issuer's sessions issued before now.
func planSession(env *Env, f *sessionFinding) *Plan {
	o := f.Origin
	c := Change{ID: RoleSessionsID(o.RoleName()), Op: "iam:PutRolePolicy", Target: o.RoleName(),
		Summary: fmt.Sprintf("put inline policy %s on role %s: deny every session of it issued before now, %s among them", aws.RevokeSessionsPolicy, o.RoleName(), f.KeyID)}
	if o.Role == "" {
		c.ID, c.Op, c.Target = UserSessionsID(o.User), "iam:PutUserPolicy", o.User
		c.Summary = fmt.Sprintf("put inline policy %s on %s: deny every temporary credential of it issued before now, %s among them", aws.RevokeSessionsPolicy, o.User, f.KeyID)
	}
	p := &Plan{Data: f, Changes: []Change{c}, Confirm: Confirm{Prompt: fmt.Sprintf("Revoke the sessions behind %s?", f.KeyID)},
		Notes: []string{"Legitimate users of the role simply obtain new sessions; the attacker cannot unless they still hold a way to assume it."}}
	if env.Mode().Changes() {
		last4 := f.KeyID[len(f.KeyID)-4:]
		p.Confirm = Confirm{Prompt: fmt.Sprintf("Type %s, the last four characters of %s, to revoke its sessions", last4, f.KeyID), Typed: last4}
	}
	return p
}

// applySession puts the revocation and reads it back.
func applySession(ctx context.Context, env *Env, changes aws.Changes, plan *Plan, f *sessionFinding) *Outcome {
	o, cutoff := f.Origin, env.Clock()
	out := &Outcome{}
	for _, c := range plan.Changes {
		var eff aws.Effect
		var err error
		if o.Role != "" {
			eff, err = changes.RevokeRoleSessions(ctx, o.RoleName(), cutoff, o.IssuedAt)
		} else {
			eff, err = changes.RevokeUserSessions(ctx, o.User, cutoff, o.IssuedAt)
		}
		out.Results = append(out.Results, resultOf(c.ID, eff, err, c.Summary))
		env.Logger().Info("iam.contain-key", "change", c.ID, "key", f.KeyID, "role", o.Role, "user", o.User, "effect", eff, "error", errText(err))
	}
	if o.Role != "" {
		out.Facts = append(out.Facts, verifyRoleRevoked(ctx, env, o.RoleName()))
	}
	return out
}

// verifyRoleRevoked reads the role back: it must deny its older sessions.
func verifyRoleRevoked(ctx context.Context, env *Env, role string) Fact {
	roles, err := aws.ListRoles(ctx, env.Account.IAM())
	if err != nil {
		return Fact{Label: "Verified", Value: "could not read the role back: " + aws.ErrorMessage(err), Tone: ToneWarning}
	}
	for _, r := range roles {
		if r.Name != role {
			continue
		}
		switch {
		case !r.RevokedBefore.IsZero():
			return Fact{Label: "Verified", Value: "role " + role + " denies sessions issued before " + when(r.RevokedBefore), Tone: ToneOK}
		case !env.Mode().Changes():
			return Fact{Label: "Verified", Value: "role " + role + " revokes no session yet (dry run: nothing was changed)", Tone: ToneWarning}
		}
		return Fact{Label: "Verified", Value: "role " + role + " reads back without the revocation", Tone: ToneFailed}
	}
	return Fact{Label: "Verified", Value: "role " + role + " is not in the account any more", Tone: ToneWarning}
}
