package steps

import (
	"context"
	"strings"

	"lockdown/aws"
)

// Grants on principals that were there before T0: a managed policy attached to a user, group or
// role, an inline policy put on a user, a user added to a group. IAM keeps no date for any of
// them, so the hunt starts from CloudTrail's events since T0 and reads whether each grant still
// stands: one undone since (by hand, or with its owner deleted) is a pass with that evidence. With
// the history unread none can be seen, and the verification says so: unknown, never pass.

// Kinds of grant, as the table and the verification name them.
const (
	kindUserManaged  = "user managed policy"
	kindUserInline   = "user inline policy"
	kindGroupMember  = "group membership"
	kindGroupManaged = "group managed policy"
	kindRoleManaged  = "role managed policy"
)

// grantEvents are the events that make a grant, with the grant each makes.
var grantEvents = []string{"AttachUserPolicy", "PutUserPolicy", "AddUserToGroup", "AttachGroupPolicy", "AttachRolePolicy"}

// grantShapes are, per event, the grant it makes: the owner's kind and request field, the grant's
// kind and the field naming it, and the hunt's kind of finding.
var grantShapes = map[string]struct {
	ownerKind, ownerField string
	kind                  aws.GrantKind
	idField, finding      string
}{
	"AttachUserPolicy":  {"user", "userName", aws.GrantAttachedPolicy, "policyArn", kindUserManaged},
	"PutUserPolicy":     {"user", "userName", aws.GrantInlinePolicy, "policyName", kindUserInline},
	"AddUserToGroup":    {"user", "userName", aws.GrantGroup, "groupName", kindGroupMember},
	"AttachGroupPolicy": {"group", "groupName", aws.GrantAttachedPolicy, "policyArn", kindGroupManaged},
	"AttachRolePolicy":  {"role", "roleName", aws.GrantAttachedPolicy, "policyArn", kindRoleManaged},
	"PutRolePolicy":     {"role", "roleName", aws.GrantInlinePolicy, "policyName", kindRolePolicy},
	"PutGroupPolicy":    {"group", "groupName", aws.GrantInlinePolicy, "policyName", kindGroupPolicy},
}

// grantOf reads the grant an event made from its request parameters; ok is false for another event.
func grantOf(e aws.TrailEvent) (g aws.Grant, kind string, ok bool) {
	sh, known := grantShapes[e.EventName]
	if !known {
		return aws.Grant{}, "", false
	}
	g = aws.Grant{OwnerKind: sh.ownerKind, Owner: e.RequestField(sh.ownerField), Kind: sh.kind, ID: e.RequestField(sh.idField)}
	return g, sh.finding, g.Owner != "" && g.ID != ""
}

// GrantChangeID names the removal of one grant, shared with the journal.
func GrantChangeID(g aws.Grant) string {
	return "grant/" + g.OwnerKind + "/" + g.Owner + "/" + strings.ReplaceAll(string(g.Kind), " ", "-") + "/" + g.ID
}

// harmlessGrant is a grant that only takes power away: AWS's quarantine policy for exposed keys,
// and lockdown's own revocation of older sessions. Removing one would undo the containment.
func harmlessGrant(g aws.Grant) bool {
	return strings.Contains(g.ID, "policy/AWSCompromisedKeyQuarantine") || g.ID == aws.RevokeSessionsPolicy
}

// grants judges every grant made since T0 on a principal older than T0: the newest event for each
// grant decides who made it, and a fresh read whether it still stands.
func (h *hunter) grants(ctx context.Context, out *iamHunt, newUser, newRole map[string]bool) error {
	seen := map[string]bool{}
	for i := len(h.events) - 1; i >= 0; i-- {
		e := h.events[i]
		g, kind, ok := grantOf(e)
		if !ok || !contains(grantEvents, e.EventName) || seen[GrantChangeID(g)] {
			continue
		}
		seen[GrantChangeID(g)] = true
		// The attacker's own user or role goes whole with its own step; so do its grants.
		if harmlessGrant(g) || (g.OwnerKind == "user" && newUser[g.Owner]) || (g.OwnerKind == "role" && newRole[g.Owner]) {
			continue
		}
		ev := h.latest(func(x aws.TrailEvent) bool { x2, _, ok := grantOf(x); return ok && x2 == g }, e.EventName)
		if ev == nil {
			continue // lockdown's own, or refused
		}
		st, err := aws.ReadGrant(ctx, h.env.Account.IAM(), g)
		if err != nil {
			return err
		}
		f := iamFinding{Kind: kind, RowID: GrantChangeID(g), Item: grantItem(g), Grant: &g}
		if !st.Stands {
			f.When, f.Reason = ev.Time, undoneGrant(g, st)+" — made "+evidence(*ev)
			out.Undone = append(out.Undone, f)
			continue
		}
		h.add(out, f, grantWhat(g), ev.Time, ev)
	}
	return nil
}

// grantItem names a grant in the table: its owner, then what it gives.
func grantItem(g aws.Grant) string {
	if g.Kind == aws.GrantGroup {
		return "user " + g.Owner + " in group " + g.ID
	}
	return g.OwnerKind + " " + g.Owner + ": " + g.ID
}

func grantWhat(g aws.Grant) string {
	switch g.Kind {
	case aws.GrantGroup:
		return "added to group " + g.ID
	case aws.GrantAttachedPolicy:
		return "managed policy " + g.ID + " attached"
	}
	return "inline policy " + g.ID + " put"
}

// undoneGrant is the evidence that a grant no longer stands.
func undoneGrant(g aws.Grant, st aws.GrantState) string {
	if st.OwnerGone {
		return "no longer in effect: " + g.OwnerKind + " " + g.Owner + " no longer exists"
	}
	return "no longer in effect: " + st.Read + " of " + g.OwnerKind + " " + g.Owner + " no longer lists " + g.ID
}
