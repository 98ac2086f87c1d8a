package steps

import (
	"context"
	"fmt"
	"strings"

	"lockdown/aws"
)

// A trust policy replaced after T0 is put back as it was: the policy before is the one the last
// earlier UpdateAssumeRolePolicy set, or the one CreateRole set, as CloudTrail's 90-day history
// recorded them. When neither is in the history, Revoke role sessions removes the outside
// accounts, and anything else is left to the operator with a warning.

func (h *hunter) trustChanges(ctx context.Context, out *iamHunt, roles []aws.Role) error {
	var older []aws.TrailEvent
	readOlder := false
	for _, r := range roles {
		if r.ServiceLinked() || after(r.Created, h.env.Since) {
			continue // a role created after T0 is deleted whole by Revoke role sessions
		}
		named := func(e aws.TrailEvent) bool { return e.RequestField("roleName") == r.Name }
		ev := h.latest(named, "UpdateAssumeRolePolicy")
		if ev == nil {
			continue
		}
		if !readOlder {
			readOlder = true
			var err error
			older, err = h.env.Account.IAMEvents(ctx, []string{"UpdateAssumeRolePolicy", "CreateRole"}, h.env.Clock().Add(-aws.HistoryRetention))
			if err != nil {
				out.Warnings = append(out.Warnings, err.Error()+": the trust policies before T0 are unknown")
			}
		}
		before, found := trustBefore(older, r.Name, h.firstChangeAfterT0(r.Name))
		switch {
		case !found:
			what := "check it by hand"
			if len(r.ExternalTrust) > 0 {
				what = "Revoke role sessions removes " + strings.Join(r.ExternalTrust, ", ")
			}
			out.Warnings = append(out.Warnings, fmt.Sprintf("The trust policy of %s was replaced %s (%s); the policy before is not in CloudTrail's 90-day history: %s",
				r.Name, when(ev.Time), evidence(*ev), what))
		case aws.SameTrust(r.Trust, before):
			continue // already put back
		default:
			h.add(out, iamFinding{Kind: kindTrust, RowID: "trust/" + r.Name, Item: r.Name, TrustBefore: r.Trust, TrustAfter: before},
				"trust policy replaced", ev.Time, ev)
		}
	}
	return nil
}

// firstChangeAfterT0 is the earliest trust change of role since T0 that is not lockdown's.
func (h *hunter) firstChangeAfterT0(role string) *aws.TrailEvent {
	var first *aws.TrailEvent
	for i, e := range h.events {
		if e.EventName == "UpdateAssumeRolePolicy" && e.Succeeded() && e.Principal != h.me && e.RequestField("roleName") == role &&
			(first == nil || e.Time.Before(first.Time)) {
			first = &h.events[i]
		}
	}
	return first
}

// trustBefore is the trust policy role had right before the change: the document of the newest
// earlier UpdateAssumeRolePolicy or CreateRole of it.
func trustBefore(events []aws.TrailEvent, role string, change *aws.TrailEvent) (string, bool) {
	if change == nil {
		return "", false
	}
	var best *aws.TrailEvent
	for i, e := range events {
		if !e.Succeeded() || e.RequestField("roleName") != role || !e.Time.Before(change.Time) {
			continue
		}
		if best == nil || e.Time.After(best.Time) {
			best = &events[i]
		}
	}
	if best == nil {
		return "", false
	}
	doc := best.RequestField("policyDocument")
	if best.EventName == "CreateRole" {
		doc = best.RequestField("assumeRolePolicyDocument")
	}
	return doc, doc != ""
}
