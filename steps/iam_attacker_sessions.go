package steps

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"lockdown/aws"
)

// heldSession is a role session the trace found in the attacker's hands: a temporary key that
// keeps working after the leaked key is switched off, until it expires or its role denies
// sessions issued before a cutoff after it.
type heldSession struct {
	ID, Role, By, EventID string
	Issued                time.Time
}

// cutOffBy reports whether a role's revocation cutoff denies the session.
func (s heldSession) cutOffBy(revokedBefore time.Time) bool {
	return !revokedBefore.IsZero() && !s.Issued.IsZero() && revokedBefore.After(s.Issued)
}

func (s heldSession) String() string {
	issued := "at an unknown time"
	if !s.Issued.IsZero() {
		issued = when(s.Issued)
	}
	return fmt.Sprintf("%s issued %s (AssumeRole by %s, CloudTrail event %s)", s.ID, issued, s.By, s.EventID)
}

// attackerRoleSessions maps each role name to the attacker's sessions of it, from the trace; nil
// without one.
func attackerRoleSessions(trace *TraceEvidence, account string) map[string][]heldSession {
	if trace == nil || trace.Footprint == nil {
		return nil
	}
	issued := map[string]time.Time{}
	for _, e := range trace.Footprint.Timeline {
		issued[e.EventID] = e.Time
	}
	out := map[string][]heldSession{}
	for _, c := range trace.Footprint.Credentials {
		if c.Kind != "session" || c.Role == "" || !roleOf(c.Role, account) {
			continue // a session of another account's role is that account's to revoke
		}
		s := heldSession{ID: c.ID, Role: roleNameOf(c.Role), By: c.By, EventID: c.EventID, Issued: issued[c.EventID]}
		out[s.Role] = append(out[s.Role], s)
	}
	return out
}

// roleOf reports whether a role (an ARN, or a bare name) is of the account; with no account known,
// every role is.
func roleOf(role, account string) bool {
	fields := strings.Split(role, ":")
	return account == "" || len(fields) < 5 || fields[4] == account
}

// roleNameOf is the last part of a role ARN (a name passes through).
func roleNameOf(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}

// noteAttackerSessions marks a role whose sessions the attacker holds: preselected for
// revocation while one still works, with each session named.
func noteAttackerSessions(row *Row, r aws.Role, held []heldSession, preselect bool) {
	for _, s := range held {
		if s.cutOffBy(r.RevokedBefore) {
			row.Reasons = append(row.Reasons, "the attacker's session "+s.String()+" is already denied: sessions issued before "+when(r.RevokedBefore)+" are revoked")
			continue
		}
		row.Reasons = append([]string{"the attacker holds session " + s.String() + ": it works until its role denies older sessions"}, row.Reasons...)
		if row.Tone == ToneNone || row.Tone == ToneSuspicious {
			row.Tone = ToneRogue
		}
		row.Selected = row.Selected || preselect
	}
}

// checkAttackerSessions: every role session the trace found in the attacker's hands is denied by
// its role's revocation, or its role is gone. Without a trace there is nothing to check (the
// verification's trace warning says so).
func checkAttackerSessions(ctx context.Context, env *Env) []VerifyCheck {
	held := attackerRoleSessions(env.Trace, env.Account.Guard().Account())
	if len(held) == 0 {
		return nil
	}
	roles, err := aws.ListRoles(ctx, env.Account.IAM())
	if err != nil {
		return []VerifyCheck{{Check: "role sessions", Item: "attacker sessions", Result: VerifyUnknown, Evidence: "cannot list roles: " + aws.ErrorMessage(err), HandledBy: byRevoke}}
	}
	names := make([]string, 0, len(held))
	for name := range held {
		names = append(names, name)
	}
	sort.Strings(names)
	kept := keptItems(env)
	var out []VerifyCheck
	for _, name := range names {
		i := roleIndex(roles, name)
		for _, s := range held[name] {
			c := VerifyCheck{Check: "role sessions", Item: name + "/" + s.ID, Result: VerifyFail, HandledBy: byRevoke,
				Evidence: "the attacker's session " + s.String() + " still works: " + name + " denies no session issued before it"}
			switch {
			case i < 0:
				c.Result, c.HandledBy, c.Evidence = VerifyPass, "", "role "+name+" no longer exists, and its sessions with it"
			case s.cutOffBy(roles[i].RevokedBefore):
				c.Result, c.HandledBy, c.Evidence = VerifyPass, "", fmt.Sprintf("%s denies sessions issued before %s, after %s was issued", name, when(roles[i].RevokedBefore), s.ID)
			case s.Issued.IsZero():
				c.Result, c.Evidence = VerifyUnknown, "the attacker's session "+s.ID+" of "+name+": CloudTrail gave no issue time to compare with the role's revocation"
			}
			c.keptBy(kept, c.Item, s.ID)
			out = append(out, c)
		}
	}
	return out
}
