package steps

import (
	"fmt"
	"strings"

	"lockdown/aws"
)

// TraceEvidence is what the CloudTrail trace says about who launched instances. Footprint is nil
// when the trace could not run; Why then says why (denied, no --key), and verdicts fall back to
// timestamps saying so.
type TraceEvidence struct {
	Footprint *aws.Footprint
	Why       string
}

// evidenceVerdict is the trace's say on one instance: the launch-time reasons that still stand,
// notes that explain without accusing, and who launched it.
type evidenceVerdict struct {
	rogue, notes []string
	origin       *aws.Origin
	evidence     string
}

// judge weighs an instance's timestamp reasons against CloudTrail. Launched by an attacker
// credential, or from an address the attacker's credentials used: rogue, with the event. Launched
// by anyone else: its launch time alone accuses it of nothing. Without a readable trace for its region the timestamps stand, and the evidence says so.
func (t *TraceEvidence) judge(in aws.Instance, rogue []string) evidenceVerdict {
	out := evidenceVerdict{rogue: rogue}
	switch {
	case t == nil:
		out.evidence = "timestamps: CloudTrail was not traced (give the leaked key to trace it)"
		return out
	case t.Footprint == nil:
		out.evidence = "timestamps: CloudTrail could not be traced (" + t.Why + ")"
		return out
	}
	f := t.Footprint
	if r, ok := f.Region(in.Region); !ok || r.Status != aws.RegionOK {
		out.evidence = fmt.Sprintf("timestamps: CloudTrail could not be read in %s (%s)", in.Region, strings.TrimSpace(r.Code+" "+r.Message))
		return out
	}
	o, ok := f.Origin(in.ID)
	if !ok && in.SpotRequestID != "" {
		o, ok = f.Origin(in.SpotRequestID)
	}
	if !ok {
		out.evidence = "timestamps: CloudTrail holds no launch event for it since " + f.Since.UTC().Format("2006-01-02 15:04")
		return out
	}
	out.origin, out.evidence = &o, "cloudtrail"
	switch {
	case o.Attacker:
		out.rogue = append([]string{"launched " + o.By()}, rogue...)
		return out
	case f.AttackerAddress(o.SourceIP):
		out.rogue = append([]string{"launched " + o.By() + ", an address the attacker's credentials used"}, rogue...)
		return out
	}
	if group := attackersRespawner(f, in); group != "" {
		// An AWS service launched it for a group or fleet the attacker made: the attacker's.
		out.rogue = append([]string{"launched " + o.By() + " for " + group}, rogue...)
		return out
	}
	// Someone else launched it: its launch time, its spot request and its key pair, however new,
	// accuse it of nothing. Only what is odd about it whenever it was launched still counts.
	out.rogue = nil
	out.notes = []string{"launched " + o.By() + ", not an attacker credential: its launch time and key pair alone are no evidence"}
	return out
}

// WithEvidence judges the findings again with the CloudTrail trace.
func (f *InstanceFindings) WithEvidence(trace *TraceEvidence) {
	f.Rules.Trace = trace
	f.Instances = Judge(f.Scan, f.Rules)
}

// NoteEvidence says, per region, whether the scan's verdicts there rest on CloudTrail.
func (d *ScanDocument) NoteEvidence(trace *TraceEvidence) {
	for i := range d.Regions {
		r := &d.Regions[i]
		switch {
		case trace == nil:
			r.Evidence = "timestamps: CloudTrail was not traced (no --key)"
		case trace.Footprint == nil:
			r.Evidence = "timestamps: CloudTrail could not be traced (" + trace.Why + ")"
		default:
			tr, ok := trace.Footprint.Region(r.Region)
			switch {
			case ok && tr.Status == aws.RegionOK:
				r.Evidence = "cloudtrail"
			case ok && tr.Status == aws.RegionFailed:
				r.Evidence = "timestamps: CloudTrail could not be read (" + tr.Code + ": " + tr.Message + ")"
			default:
				r.Evidence = "timestamps: CloudTrail was not read here"
			}
		}
	}
}

// evidenceWarnings say, on the screen, where verdicts rest on launch times rather than on
// CloudTrail: everywhere when there is no trace, else region by region.
func evidenceWarnings(trace *TraceEvidence, scan *aws.InstanceScan) []string {
	switch {
	case trace == nil:
		return []string{"Verdicts rest on launch times: CloudTrail was not traced. Run the step \"Trace the attacker\" first to judge each instance by who launched it."}
	case trace.Footprint == nil:
		return []string{"Verdicts rest on launch times: CloudTrail could not be traced (" + trace.Why + ")."}
	}
	var out []string
	for _, r := range scan.Regions {
		if r.Status != aws.RegionOK || len(r.Instances) == 0 {
			continue
		}
		tr, ok := trace.Footprint.Region(r.Region)
		switch {
		case ok && tr.Status == aws.RegionOK:
		case ok && tr.Status == aws.RegionFailed:
			out = append(out, fmt.Sprintf("In %s verdicts rest on launch times: CloudTrail could not be read there (%s: %s).", r.Region, tr.Code, tr.Message))
		default:
			out = append(out, fmt.Sprintf("In %s verdicts rest on launch times: CloudTrail was not read there.", r.Region))
		}
	}
	return out
}

// attackersRespawner names the Auto Scaling group or fleet behind the instance (by the tags AWS
// puts on what they launch) when CloudTrail says the attacker made it; "" otherwise. A service
// launches for whoever owns the group: the team's scale-out is the team's, the attacker's group's
// miners are the attacker's.
func attackersRespawner(f *aws.Footprint, in aws.Instance) string {
	for _, ref := range aws.Behind(in) {
		if ref.Kind == aws.KindSpotRequest {
			continue
		}
		o, ok := f.Origin(ref.ID)
		if ok && (o.Attacker || f.AttackerAddress(o.SourceIP)) {
			return fmt.Sprintf("the %s %s, which the attacker made: %s %s", respawnerLabels[ref.Kind], ref.ID, o.EventName, o.By())
		}
	}
	return ""
}
