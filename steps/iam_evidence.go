package steps

import (
	"slices"

	"lockdown/aws"
)

// NoteCreators adds who created each user and key, from the CloudTrail trace. A user or key made
// after T0 by someone other than the attacker is no longer flagged for its creation time alone;
// one an attacker credential made keeps its flags and names the event.
func (r *KeysReport) NoteCreators(trace *TraceEvidence) {
	switch {
	case trace == nil:
		r.Evidence = "timestamps: CloudTrail was not traced (no --key)"
		return
	case trace.Footprint == nil:
		r.Evidence = "timestamps: CloudTrail could not be traced (" + trace.Why + ")"
		return
	}
	f := trace.Footprint
	// IAM's events are recorded in us-east-1 only: without it there is no evidence about IAM.
	if g, ok := f.Region("us-east-1"); !ok || g.Status != aws.RegionOK {
		r.Evidence = "timestamps: CloudTrail could not be read in us-east-1, where IAM is recorded (" + g.Code + ")"
		return
	}
	r.Evidence = "cloudtrail"
	for i := range r.Users {
		u := &r.Users[i]
		if o, ok := f.Origin(u.Name); ok {
			u.CreatedBy = &o
			if !o.Attacker && !f.AttackerAddress(o.SourceIP) {
				u.Flags = without(u.Flags, FlagUserCreatedAfterT0)
			}
		}
		for j := range u.Keys {
			k := &u.Keys[j]
			if o, ok := f.Origin(k.ID); ok {
				k.CreatedBy = &o
				if !o.Attacker && !f.AttackerAddress(o.SourceIP) {
					k.Flags = without(k.Flags, FlagKeyCreatedAfterT0)
				}
			}
		}
	}
}

func without(flags []string, flag string) []string {
	return slices.DeleteFunc(slices.Clone(flags), func(f string) bool { return f == flag })
}
