package steps

import (
	"fmt"
	"strings"

	"lockdown/aws"
)

// Rotation rotates exposed keys only: the leaked key's user's, and keys the trace shows in the
// attacker's hands. A colleague's key used after T0 is listed with who used it from where, for
// the operator to judge, never preselected: rotating it strands whatever runs on it.

// exposedKeys are the keys known to be in the attacker's hands, each with why: the leaked key, and
// any older key whose calls came from an address the attacker's credentials used. Keys the
// attacker made are not among them: other steps remove those.
func exposedKeys(env *Env) map[string]string {
	out := map[string]string{}
	leaked := env.LeakedKey
	if t := env.Trace; t != nil && t.Footprint != nil {
		f := t.Footprint
		leaked = f.Key
		for cred, ips := range f.Sources {
			for _, ip := range ips {
				if _, known := out[cred]; !known && cred != leaked && !aws.IsTemporaryKey(cred) && f.AttackerAddress(ip) && !keyMadeByAttacker(f, cred) {
					out[cred] = "in the attacker's hands: used from " + ip + ", an address the attacker's credentials used"
				}
			}
		}
	}
	if leaked != "" {
		out[leaked] = "the leaked key"
	}
	return out
}

// keyMadeByAttacker reports a key an attacker credential created.
func keyMadeByAttacker(f *aws.Footprint, key string) bool {
	for _, c := range f.Credentials {
		if c.ID == key && c.By != "" {
			return true
		}
	}
	return false
}

// keyUse says who used a key after T0 from where: the service and region IAM last saw it use,
// and the addresses CloudTrail recorded for it when traced.
func keyUse(env *Env, k KeyReport) string {
	use := fmt.Sprintf("%s was used after T0 (%s", k.ID, when(k.LastUsed.Date))
	if k.LastUsed.Service != "" {
		use += ", " + k.LastUsed.Service
		if k.LastUsed.Region != "" {
			use += " in " + k.LastUsed.Region
		}
	}
	use += ")"
	if t := env.Trace; t != nil && t.Footprint != nil {
		if ips := t.Footprint.SeenFrom(k.ID); len(ips) > 0 {
			use += " from " + strings.Join(ips, ", ") + " (CloudTrail)"
		}
	}
	return use + ": not known to be exposed, so not proposed; select it if it leaked too"
}

// rotationReasons judges one user's keys: why each exposed key is rotated, and what the operator
// should know of the others used after T0.
func rotationReasons(env *Env, exposed map[string]string, u UserReport) (rotate, notes []string) {
	for _, k := range u.Keys {
		switch why, ok := exposed[k.ID]; {
		case ok:
			rotate = append(rotate, k.ID+": "+why)
		case k.CreatedBy != nil && k.CreatedBy.Attacker:
			notes = append(notes, k.ID+" was made by the attacker: \"Deactivate keys the attacker added\" or \"Remove rogue IAM users\" removes it")
		case contains(k.Flags, FlagKeyUsedAfterT0):
			notes = append(notes, keyUse(env, k))
		}
	}
	return rotate, notes
}

// rotationWarning says, without a trace, on what the preselection rests.
func rotationWarning(env *Env) []string {
	switch {
	case env.Trace != nil && env.Trace.Footprint != nil:
		return nil
	case env.LeakedKey == "":
		return []string{"No leaked key is known yet (no trace, no containment): nothing is preselected. Keys used after T0 are listed for you to judge."}
	}
	return []string{"CloudTrail was not traced: only the leaked key's user is preselected. Keys used after T0 are listed with who used them; trace the attacker to see which are in the attacker's hands."}
}
