package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"lockdown/aws"
)

// InstanceFindings is what an EC2 inspection found: the raw scan and the judged instances.
type InstanceFindings struct {
	Scan      *aws.InstanceScan
	Instances []RogueInstance
	Rules     VerdictRules
}

// Instance returns the judged instance with id.
func (f *InstanceFindings) Instance(id string) (RogueInstance, bool) {
	for _, in := range f.Instances {
		if in.ID == id {
			return in, true
		}
	}
	return RogueInstance{}, false
}

// Count returns how many instances have verdict v.
func (f *InstanceFindings) Count(v Verdict) int {
	n := 0
	for _, in := range f.Instances {
		if in.Verdict == v {
			n++
		}
	}
	return n
}

// ec2Params are the `with` keys both EC2 actions accept.
func ec2Params() []Param {
	return []Param{
		{Name: "concurrency", Type: TypeInt, Doc: fmt.Sprintf("regions scanned at once (default %d)", aws.DefaultScanConcurrency)},
		{Name: "regions", Type: TypeStrings, Doc: "scan only these regions (default: every enabled region)"},
		{Name: "skip_regions", Type: TypeStrings, Doc: "leave these regions out, e.g. regions denied by policy (--skip-regions)"},
		{Name: "usual_regions", Type: TypeStrings, Doc: "regions the account normally uses (default: those with instances older than T0)"},
		{Name: "allow_instance_ids", Type: TypeStrings, Doc: "instances never proposed for termination"},
		{Name: "allow_tags", Type: TypeStrings, Doc: "tags (key=value, or key) that protect an instance, like the tag " + ProtectTag + "=true"},
	}
}

// ScanForRogueInstances scans every enabled region and judges each instance. It is the engine of
// both EC2 actions and of the headless scan command. A cancelled scan returns what it has and the
// cancellation.
func ScanForRogueInstances(ctx context.Context, acct *aws.ReadOnly, since time.Time, p Params, report func(aws.RegionScan)) (*InstanceFindings, error) {
	scan, err := acct.ScanInstances(ctx, aws.ScanOptions{Regions: p.Strings("regions"), Skip: p.Strings("skip_regions"), Concurrency: p.Int("concurrency", 0)}, report)
	if scan == nil {
		return nil, err
	}
	rules := VerdictRules{Since: since, UsualRegions: p.Strings("usual_regions"),
		AllowIDs: p.Strings("allow_instance_ids"), AllowTags: p.Strings("allow_tags")}
	if len(rules.UsualRegions) == 0 {
		rules.UsualRegions, rules.UsualInferred = InferUsualRegions(scan, since), true
	}
	return &InstanceFindings{Scan: scan, Instances: Judge(scan, rules), Rules: rules}, err
}

// InferUsualRegions returns the regions holding instances launched before T0: where the account
// ran things before the incident. Without T0 nothing can be inferred.
func InferUsualRegions(scan *aws.InstanceScan, since time.Time) []string {
	if since.IsZero() {
		return nil
	}
	var out []string
	for _, r := range scan.Regions {
		if usedBefore(r, since) {
			out = append(out, r.Region)
		}
	}
	return out
}

// inspectInstances runs the scan for an action, streaming each region's progress to the UI.
func inspectInstances(ctx context.Context, env *Env, report func(Progress), selectable bool) (*Inspection, error) {
	if report == nil {
		report = func(Progress) {}
	}
	found, err := ScanForRogueInstances(ctx, env.Account, env.Since, env.Params, func(r aws.RegionScan) { report(regionProgress(r)) })
	if found == nil {
		return nil, err
	}
	found.WithEvidence(env.Trace)
	insp := &Inspection{
		Summary: instanceSummary(found),
		Facts:   instanceFacts(env, found),
		Table:   instanceTable(found, selectable),
		Failed:  found.Scan.Failed(),
		Data:    found,
	}
	for _, r := range found.Scan.Regions {
		insp.Progress = append(insp.Progress, regionProgress(r))
		if r.Status == aws.RegionFailed {
			insp.Warnings = append(insp.Warnings, fmt.Sprintf("%s could not be scanned (%s: %s): its instances are unknown.", r.Region, r.Code, r.Message))
		}
	}
	insp.Warnings = append(insp.Warnings, evidenceWarnings(env.Trace, found.Scan)...)
	if env.Since.IsZero() {
		insp.Warnings = append(insp.Warnings, "No incident start (T0) is set: nothing can be judged as launched after it, so nothing is marked rogue. Set --since.")
	}
	if errors.Is(err, context.Canceled) {
		insp.Warnings = append(insp.Warnings, "The scan was cancelled: the list is incomplete.")
	}
	return insp, err
}

func regionProgress(r aws.RegionScan) Progress {
	return withRegionState(Progress{Key: r.Region, Count: r.Count(), Elapsed: r.Duration, Code: r.Code}, r.Status, r.Message)
}

// withRegionState sets a region's progress from where its work is; message says why it failed or
// was skipped.
func withRegionState(p Progress, status aws.RegionStatus, message string) Progress {
	switch status {
	case aws.RegionQueued:
		p.State = Queued
	case aws.RegionScanning:
		p.State = Running
	case aws.RegionOK:
		p.State = Done
	case aws.RegionFailed:
		p.State, p.Err = Failed, message
	case aws.RegionSkipped:
		p.State, p.Note = Skipped, message
	}
	return p
}

func instanceSummary(f *InstanceFindings) string {
	scanned := 0
	for _, r := range f.Scan.Regions {
		if r.Status == aws.RegionOK {
			scanned++
		}
	}
	s := fmt.Sprintf("%s in %s: %d rogue, %d suspicious, %d protected", plural(len(f.Instances), "instance"), plural(scanned, "region"),
		f.Count(VerdictRogue), f.Count(VerdictSuspicious), f.Count(VerdictProtected))
	if n := f.Scan.Failed(); n > 0 {
		s += "; " + plural(n, "region") + " FAILED"
	}
	return s
}

func instanceFacts(env *Env, f *InstanceFindings) []Fact {
	since := "not set"
	if !env.Since.IsZero() {
		since = env.Since.UTC().Format(time.RFC3339)
	}
	usual := strings.Join(f.Rules.UsualRegions, ", ")
	if usual == "" {
		usual = "unknown"
	} else if f.Rules.UsualInferred {
		usual += " (inferred from instances older than T0)"
	}
	facts := []Fact{
		{Label: "Account", Value: accountLabel(env)},
		{Label: "Incident start (T0)", Value: since},
		{Label: "Usual regions", Value: usual},
		{Label: "Rogue", Value: fmt.Sprint(f.Count(VerdictRogue)), Tone: ToneRogue},
		{Label: "Suspicious", Value: fmt.Sprint(f.Count(VerdictSuspicious)), Tone: ToneSuspicious},
	}
	if n := f.Scan.Failed(); n > 0 {
		facts = append(facts, Fact{Label: "Regions failed", Value: fmt.Sprint(n), Tone: ToneFailed})
	}
	return facts
}

func accountLabel(env *Env) string {
	if id := env.Account.Guard().Account(); id != "" {
		return id
	}
	return "(not confirmed yet)"
}

func instanceTable(f *InstanceFindings, selectable bool) *Table {
	t := &Table{Selectable: selectable, Columns: []Column{
		{Title: "Verdict", Width: 10}, {Title: "Region", Width: 14}, {Title: "Instance", Width: 19}, {Title: "Type", Width: 14},
		{Title: "State", Width: 8}, {Title: "Launched (UTC)", Width: 16}, {Title: "Key pair"}, {Title: "Name"}, {Title: "Why"},
	}}
	for _, in := range f.Instances {
		why := ""
		if len(in.Reasons) > 0 {
			why = in.Reasons[0]
			if len(in.Reasons) > 1 {
				why += fmt.Sprintf(" (+%d)", len(in.Reasons)-1)
			}
		}
		t.Rows = append(t.Rows, Row{
			ID:       in.ID,
			Cells:    []string{string(in.Verdict), in.Region, in.ID, in.Type, in.State, in.LaunchTime.UTC().Format("2006-01-02 15:04"), in.KeyName, in.Tags["Name"], why},
			Tone:     verdictTone(in.Verdict),
			Selected: selectable && (in.Verdict == VerdictRogue || stoppable(in)),
			Reasons:  in.Reasons,
			Details:  instanceDetails(in),
			Group:    in.Region,
		})
	}
	return t
}

func verdictTone(v Verdict) Tone {
	switch v {
	case VerdictRogue:
		return ToneRogue
	case VerdictSuspicious:
		return ToneSuspicious
	case VerdictProtected:
		return ToneProtected
	}
	return ToneOK
}

// instanceDetails is what the operator sees on opening an instance.
func instanceDetails(in RogueInstance) []string {
	out := []string{
		fmt.Sprintf("%s in %s: %s, %s", in.ID, in.Region, in.Type, in.State),
		"Launched: " + in.LaunchTime.UTC().Format(time.RFC3339),
	}
	if first := firstLaunch(in.Instance); !first.Equal(in.LaunchTime) {
		out[1] = "First launched: " + first.Format(time.RFC3339) + " (its primary network interface's attachment)"
		out = append(out, "Last started: "+in.LaunchTime.UTC().Format(time.RFC3339)+" (its LaunchTime)")
	}
	out = append(out, userDataDetails(in.UserData)...)
	if in.KeyName != "" {
		out = append(out, "Key pair: "+in.KeyName)
	}
	if in.SpotRequestID != "" {
		out = append(out, "Spot request: "+in.SpotRequestID)
	}
	if o := in.LaunchedBy; o != nil {
		launched := "Launched " + o.By()
		if o.Attacker && o.Credential != "" {
			launched += ", principal " + o.Principal
		}
		out = append(out, launched)
	}
	if in.Evidence != "" {
		out = append(out, "Evidence: "+in.Evidence)
	}
	tags := make([]string, 0, len(in.Tags))
	for k, v := range in.Tags {
		tags = append(tags, k+"="+v)
	}
	slices.Sort(tags)
	if len(tags) > 0 {
		out = append(out, "Tags: "+strings.Join(tags, ", "))
	}
	return out
}
