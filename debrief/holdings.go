package debrief

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"lockdown/aws/sim"
)

// owner tells the attacker's resources from the account's own: what one of the attacker's
// credentials made, the attacker's keys themselves, and a key pair an attacker's instance uses.
type owner struct {
	creds    map[string]bool
	keyPairs map[string]bool // region/name
}

func ownership(f Facts) owner {
	o := owner{creds: f.Attacker, keyPairs: map[string]bool{}}
	for _, h := range slices.Concat(f.Before, f.After) {
		if h.Kind == sim.HoldingInstance && h.KeyName != "" && o.creds[h.By] {
			o.keyPairs[h.Region+"/"+h.KeyName] = true
		}
	}
	return o
}

func (o owner) attackers(h sim.Holding) bool {
	switch h.Kind {
	case sim.HoldingAccessKey, sim.HoldingSession:
		return o.creds[h.ID] || o.creds[h.By]
	case sim.HoldingKeyPair:
		return o.keyPairs[h.Region+"/"+h.ID]
	}
	return o.creds[h.By]
}

func holdingKey(h sim.Holding) string { return h.Kind + "|" + h.Region + "|" + h.ID }

// collateral lists the account's own resources that worked at the briefing and no longer do:
// terminated, deactivated or deleted during the drill.
func collateral(f Facts, own owner) []string {
	after := map[string]sim.Holding{}
	for _, h := range f.After {
		if _, seen := after[holdingKey(h)]; !seen {
			after[holdingKey(h)] = h
		}
	}
	var out []string
	for _, h := range f.Before {
		if own.attackers(h) || !h.Lasts() {
			continue
		}
		now, ok := after[holdingKey(h)]
		if !ok || now.Lasts() {
			continue
		}
		line := fmt.Sprintf("%s %s at +%s", describe(h), pastTense(now), clock(changedAt(now).Sub(f.Briefing)))
		if f.Pace != 1 {
			line += " on the attacker's clock"
		}
		out = append(out, line)
	}
	return out
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
	case "terminated", "deleted":
		return h.State
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
	}
	return h.Kind + " " + h.ID
}

// stillHeld lists what the attacker's resources still give them at the end: working keys, users
// and roles, key pairs, instances (counted per region and type) and spot requests that relaunch.
func stillHeld(f Facts, own owner) []string {
	var out []string
	instances := map[string]int{}
	for _, h := range f.After {
		if !own.attackers(h) || !h.Lasts() {
			continue
		}
		switch h.Kind {
		case sim.HoldingInstance:
			instances[h.Region+" "+h.Type+" ("+h.State+")"]++
		case sim.HoldingSpot:
			if h.Type == "persistent" {
				out = append(out, describe(h)+": persistent, it relaunches its instance")
			}
		case sim.HoldingGroup:
			out = append(out, describe(h)+" ("+h.Type+"): it relaunches what is terminated")
		case sim.HoldingFleet:
			out = append(out, describe(h)+": it relaunches what is terminated")
		case sim.HoldingTemplate:
			out = append(out, describe(h)+": it launches miners again with a few calls")
		case sim.HoldingAccessKey:
			out = append(out, describe(h)+": still active")
		case sim.HoldingSession:
			out = append(out, describe(h)+": still works until it expires or the role's sessions are revoked")
		default:
			out = append(out, describe(h))
		}
	}
	for _, where := range slices.Sorted(maps.Keys(instances)) {
		region, rest, _ := strings.Cut(where, " ")
		out = append(out, fmt.Sprintf("%s in %s: %s", plural(instances[where], "instance"), region, rest))
	}
	return out
}

func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// clock writes a duration as the debrief does: 4m10s, 1h05m, 0s.
func clock(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
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
