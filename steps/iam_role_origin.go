package steps

import (
	"lockdown/aws"
)

// roleVerdict is how a role created after T0 is judged: by CloudTrail's CreateRole event when the
// trace could read IAM's history, by its creation time otherwise, saying which.
type roleVerdict struct {
	// Attacker is true when the trace says the attacker made it, or when nothing tells otherwise.
	Attacker bool
	// Why says who made it and how that is known.
	Why string
	// Origin is the CreateRole event, when the trace found one.
	Origin *aws.Origin
}

// judgeNewRole says who made a role created after T0. A role CloudTrail shows a teammate made is
// not the attacker's, whatever its time: it is listed, never proposed.
func judgeNewRole(trace *TraceEvidence, r aws.Role) roleVerdict {
	made := "created " + when(r.Created) + ", after T0"
	switch {
	case trace == nil:
		return roleVerdict{Attacker: true, Why: made + " (judged by its time: CloudTrail was not traced)"}
	case trace.Footprint == nil:
		return roleVerdict{Attacker: true, Why: made + " (judged by its time: CloudTrail could not be traced, " + trace.Why + ")"}
	}
	f := trace.Footprint
	if g, ok := f.Region("us-east-1"); !ok || g.Status != aws.RegionOK {
		return roleVerdict{Attacker: true, Why: made + " (judged by its time: CloudTrail could not be read in us-east-1, where IAM is recorded)"}
	}
	o, ok := f.Origin(r.ARN)
	if !ok {
		o, ok = f.Origin(r.Name)
	}
	switch {
	case !ok:
		return roleVerdict{Attacker: true, Why: made + " (CloudTrail has no CreateRole event for it: judged by its time)"}
	case o.Attacker || f.AttackerAddress(o.SourceIP):
		return roleVerdict{Attacker: true, Why: made + " by the attacker: " + o.EventName + " " + o.By(), Origin: &o}
	}
	return roleVerdict{Why: made + " " + o.By() + ", not a credential the trace follows: select it if nobody vouches for it", Origin: &o}
}

// goesWhole reports whether a user or role made after T0 is one its removal step proposes
// deleting whole — the attacker's by CloudTrail, or any when CloudTrail cannot tell — so what was
// done to it goes with it. A teammate's user or role stays, and so does anything done to it.
func goesWhole(trace *TraceEvidence, ids ...string) bool {
	if trace == nil || trace.Footprint == nil {
		return true
	}
	f := trace.Footprint
	if g, ok := f.Region("us-east-1"); !ok || g.Status != aws.RegionOK {
		return true
	}
	for _, id := range ids {
		if o, ok := f.Origin(id); ok {
			return o.Attacker || f.AttackerAddress(o.SourceIP)
		}
	}
	return true
}
