package debrief

import (
	"slices"
	"strings"

	"lockdown/aws/sim"
)

// owner tells the attacker's resources from the account's own. Something is the attacker's when
// one of the attacker's credentials made it, or when it came through something of theirs: an
// instance their Auto Scaling group, fleet or spot request launched, a group launching from their
// template, a password on their user. A key pair is theirs when they made it, or when one of their
// instances or templates uses it.
type owner struct {
	creds    map[string]bool
	byKey    map[string]sim.Holding
	keyPairs map[string]bool // region/name
	memo     map[string]bool
}

func ownership(f Facts) *owner {
	o := &owner{creds: f.Attacker, byKey: map[string]sim.Holding{}, keyPairs: map[string]bool{}, memo: map[string]bool{}}
	for _, h := range slices.Concat(f.Before, f.After) {
		o.byKey[h.Key()] = h // the end's view wins
	}
	for _, h := range o.byKey {
		uses := h.Kind == sim.HoldingInstance || h.Kind == sim.HoldingTemplate
		if uses && h.KeyName != "" && o.attackers(h) {
			o.keyPairs[h.Region+"/"+h.KeyName] = true
		}
	}
	return o
}

func (o *owner) attackers(h sim.Holding) bool {
	switch h.Kind {
	case sim.HoldingAccessKey, sim.HoldingSession:
		return o.creds[h.ID] || o.creds[h.By]
	case sim.HoldingKeyPair:
		return o.creds[h.By] || o.keyPairs[h.Region+"/"+h.ID]
	}
	return o.creds[h.By] || o.through(h.Via, map[string]bool{h.Key(): true})
}

// through reports whether what a holding came through is the attacker's; seen stops a loop.
func (o *owner) through(key string, seen map[string]bool) bool {
	if key == "" || seen[key] {
		return false
	}
	if v, ok := o.memo[key]; ok {
		return v
	}
	h, ok := o.byKey[key]
	if !ok {
		return false
	}
	seen[key] = true
	v := o.creds[h.By] || o.through(h.Via, seen)
	o.memo[key] = v
	return v
}

// madeBy says who made a holding, in the words the debrief uses: the credential and its user, the
// console user or service of a scenario's `by`, and what launched it.
func (o *owner) madeBy(h sim.Holding) string {
	if via, ok := o.byKey[h.Via]; ok && h.Via != "" && h.Kind == sim.HoldingInstance {
		return describe(via) + ", made by " + o.credential(via.By)
	}
	return o.credential(h.By)
}

// credential names a `by`: an access key with its user, a console user, a service.
func (o *owner) credential(by string) string {
	kind, name, found := strings.Cut(by, ":")
	switch {
	case by == "":
		return "the account before the incident (no creator on record)"
	case found && kind == "user":
		return name + " in the console"
	case found && (kind == "role" || kind == "service"):
		return kind + " " + name
	}
	if k, ok := o.byKey[sim.HoldingKey(sim.HoldingAccessKey, "", by)]; ok && k.User != "" {
		return by + " (user " + k.User + ")"
	}
	if s, ok := o.byKey[sim.HoldingKey(sim.HoldingSession, "", by)]; ok {
		return by + " (session of " + firstNonEmpty(s.Type, s.User) + ")"
	}
	return by
}
