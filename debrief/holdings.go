package debrief

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"lockdown/aws/sim"
)

// Charge is one collateral change: a resource of the account's own that a call of the response
// terminated, deactivated or deleted, with who had made it and the evidence for both.
type Charge struct {
	// Resource names it as the operator would look it up; Change is what happened to it.
	Resource, Change string
	// At is when, on the attacker's clock from the briefing.
	At time.Duration
	// MadeBy is who made it; Evidence is the call that changed it and why it is not the attacker's.
	MadeBy, Evidence string
}

// collateral lists the account's own resources that worked at the briefing and that a call of the
// response (not the attacker's, not a service's) terminated, deactivated or deleted. A key
// replaced by a rotation — a new key made for its user during the drill — is the procedure, not
// collateral.
func collateral(f Facts, own *owner) []Charge {
	after := map[string]sim.Holding{}
	rotated := map[string]bool{}
	for _, h := range f.After {
		if _, seen := after[h.Key()]; !seen {
			after[h.Key()] = h
		}
		if h.Kind == sim.HoldingAccessKey && h.Created.After(f.Briefing) && h.By != "" && !f.Attacker[h.By] {
			rotated[h.User] = true
		}
	}
	var out []Charge
	for _, h := range f.Before {
		if own.attackers(h) || !h.Lasts() || h.Kind == sim.HoldingSession {
			continue
		}
		now, ok := after[h.Key()]
		if !ok || now.Lasts() || now.EndedBy == "" || f.Attacker[now.EndedBy] {
			continue
		}
		if h.Kind == sim.HoldingAccessKey && rotated[h.User] {
			continue
		}
		at := changedAt(now).Sub(f.Briefing)
		out = append(out, Charge{
			Resource: describe(h), Change: pastTense(now), At: at, MadeBy: own.madeBy(h),
			Evidence: fmt.Sprintf("%s by %s at +%s; made or launched through none of the attacker's credentials (%s)",
				pastTense(now), own.credential(now.EndedBy), clock(at), listSome(slices.Sorted(maps.Keys(f.Attacker)), 3)),
		})
	}
	return out
}

// line is the charge as the debrief's list shows it.
func (c Charge) line(pace float64) string {
	s := fmt.Sprintf("%s %s at +%s", c.Resource, c.Change, clock(c.At))
	if pace != 1 {
		s += " on the attacker's clock"
	}
	return s
}

// details are who made the resource and the evidence, under the charge's line.
func (c Charge) details() []string {
	return []string{"made by: " + c.MadeBy, "evidence: " + c.Evidence}
}

func changedAt(h sim.Holding) time.Time {
	if h.Ended.IsZero() {
		return h.Disabled
	}
	return h.Ended
}

func pastTense(h sim.Holding) string {
	switch h.State {
	case "Inactive":
		return "deactivated"
	case "revoked":
		return "revoked"
	case "terminated", "deleted", "cancelled", "replaced":
		return h.State
	case "shutting-down":
		return "terminated"
	case "not default":
		return "no longer the default"
	}
	return "changed (" + h.State + ")"
}

// describe names a resource as the operator would look it up.
func describe(h sim.Holding) string {
	switch h.Kind {
	case sim.HoldingInstance:
		return fmt.Sprintf("instance %s (%s) in %s", h.ID, h.Type, h.Region)
	case sim.HoldingAccessKey:
		return fmt.Sprintf("access key %s of %s", h.ID, h.User)
	case sim.HoldingKeyPair, sim.HoldingSpot, sim.HoldingGroup, sim.HoldingTemplate, sim.HoldingFleet:
		return fmt.Sprintf("%s %s in %s", h.Kind, h.ID, h.Region)
	case sim.HoldingSession:
		return fmt.Sprintf("%s %s of %s", h.Kind, h.ID, firstNonEmpty(h.Type, h.User))
	case sim.HoldingPassword:
		return "console password of " + h.ID
	case sim.HoldingMFA:
		return fmt.Sprintf("MFA device %s of %s", h.ID[strings.LastIndex(h.ID, "/")+1:], h.User)
	case sim.HoldingTrust:
		return "trust policy of role " + h.ID
	}
	return h.Kind + " " + h.ID
}

// stillHeld lists what the attacker's resources still give them at the end: working keys and
// sessions, users and roles, the ways back into IAM, key pairs, instances (counted per region and
// type) and what relaunches them.
func stillHeld(f Facts, own *owner) []string {
	var out []string
	instances := map[string]int{}
	for _, h := range f.After {
		if !own.attackers(h) || !h.Lasts() {
			continue
		}
		if h.Kind == sim.HoldingInstance {
			instances[h.Region+" "+h.Type+" ("+h.State+")"]++
			continue
		}
		if line, ok := heldLine(h); ok {
			out = append(out, line)
		}
	}
	for _, where := range slices.Sorted(maps.Keys(instances)) {
		region, rest, _ := strings.Cut(where, " ")
		out = append(out, fmt.Sprintf("%s in %s: %s", plural(instances[where], "instance"), region, rest))
	}
	return out
}

// heldLine says what one of the attacker's lasting resources still gives them.
func heldLine(h sim.Holding) (string, bool) {
	why := map[string]string{
		sim.HoldingGroup:         " (" + h.Type + "): it relaunches what is terminated",
		sim.HoldingFleet:         ": it relaunches what is terminated",
		sim.HoldingTemplate:      ": it launches miners again with a few calls",
		sim.HoldingAccessKey:     ": still active",
		sim.HoldingSession:       ": still works until it expires or the role's sessions are revoked",
		sim.HoldingPolicyVersion: ": the attacker's version is the default, the one IAM evaluates",
		sim.HoldingProvider:      ": signs in to the roles that trust it, without a key",
		sim.HoldingPassword:      ": signs in to the console",
		sim.HoldingMFA:           ": the attacker's second factor on that user",
		sim.HoldingInlinePolicy:  ": grants what the attacker wrote",
		sim.HoldingTrust:         ": as the attacker wrote it",
	}
	switch {
	case h.Kind == sim.HoldingSpot && h.Type != "persistent":
		return "", false
	case h.Kind == sim.HoldingSpot:
		return describe(h) + ": persistent, it relaunches its instance", true
	}
	return describe(h) + why[h.Kind], true
}

// listSome joins the first n items and says how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}

func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	if strings.HasSuffix(thing, "y") && !strings.HasSuffix(thing, "ey") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(thing, "y"))
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// clock writes a duration as the debrief does: 4m10s, 1h05m, 0s.
func clock(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < 0:
		return "-" + clock(-d)
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
