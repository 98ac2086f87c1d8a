package steps

import (
	"strings"

	"lockdown/aws"
)

// Attribution is what CloudTrail says about who made a resource, for the steps that judge
// resources made after T0: CloudTrail's word beats every timestamp, in both directions. The
// attacker's resource is rogue whatever its age; one a teammate, a console session or an AWS
// service made is never rogue and never preselected, whatever its timestamps.
type Attribution struct {
	// Origin is the creating event, when the trace saw it.
	Origin aws.Origin
	// Found: the trace holds the creating event. Traced: the trace read the resource's region
	// (and us-east-1 for IAM), so a missing event means it was made before the trace's start.
	Found, Traced bool
	// Why says, when the verdict must rest on timestamps, why CloudTrail cannot tell.
	Why string
}

// attribute finds who made a resource of region (empty for IAM, recorded in us-east-1), known to
// the trace by any of ids.
func attribute(trace *TraceEvidence, region string, ids ...string) Attribution {
	switch {
	case trace == nil:
		return Attribution{Why: "CloudTrail was not traced"}
	case trace.Footprint == nil:
		return Attribution{Why: "CloudTrail could not be traced (" + trace.Why + ")"}
	}
	f := trace.Footprint
	where := region
	if where == "" {
		where = "us-east-1"
	}
	if r, ok := f.Region(where); !ok || r.Status != aws.RegionOK {
		return Attribution{Why: "CloudTrail could not be read in " + where + " (" + strings.TrimSpace(r.Code+" "+r.Message) + ")"}
	}
	for _, id := range ids {
		if id == "" {
			continue
		}
		if o, ok := f.Origin(id); ok {
			return Attribution{Origin: o, Found: true, Traced: true}
		}
	}
	return Attribution{Traced: true, Why: "CloudTrail holds no event that made it since " + f.Since.UTC().Format("2006-01-02 15:04")}
}

// ByAttacker reports whether an attacker credential made it, or someone calling from an address
// the attacker's credentials used.
func (a Attribution) ByAttacker(trace *TraceEvidence) bool {
	if !a.Found {
		return false
	}
	return a.Origin.Attacker || trace.Footprint.AttackerAddress(a.Origin.SourceIP)
}

// ByOthers reports whether CloudTrail shows someone other than the attacker made it.
func (a Attribution) ByOthers(trace *TraceEvidence) bool {
	return a.Found && !a.ByAttacker(trace)
}

// Maker says who made it, for a row: "created by arn:aws:iam::…:user/maria from 198.51.100.7
// (CloudTrail event …)".
func (a Attribution) Maker(verb string) string {
	return verb + " " + a.Origin.By()
}

// madeByOthers words a verification item made after T0 by someone CloudTrail shows is not the
// attacker: no step removes it, so the operator's word settles it (keep, with the reason) rather
// than a step that will never propose it, and it is not called rogue.
func (c *VerifyCheck) madeByOthers(env *Env, by Attribution) {
	if !by.ByOthers(env.Trace) {
		return
	}
	c.Evidence += "; " + by.Maker("made "+by.Origin.EventName) + ", not an attacker credential"
	c.HandledBy, c.MadeBy = keepTheTeams, by.Origin.Principal
}

// keepTheTeams is who handles an item a teammate made: the operator, with a reason.
const keepTheTeams = "the operator: keep it (K, with a reason) if it is the team's"
