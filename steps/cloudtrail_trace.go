package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"lockdown/aws"
)

// TraceAttacker is the action cloudtrail.trace: follow the leaked key through CloudTrail to every
// credential it made or obtained, show what each did, and name the step that handles each change —
// or, where lockdown has no action, the manual item. It changes nothing.
type TraceAttacker struct{}

// TraceActionName is the trace step's action: the run hands what it found to the steps after it.
const TraceActionName = "cloudtrail.trace"

// Spec describes cloudtrail.trace.
func (TraceAttacker) Spec() Spec {
	return Spec{
		Name:    TraceActionName,
		Summary: "Follow the leaked key through CloudTrail: every credential it made or obtained, what each did, and who handles each change",
		Params: []Param{
			{Name: "access_key_id", Type: TypeString, Doc: "the leaked key id, pre-filled in the input"},
			{Name: "regions", Type: TypeStrings, Doc: "trace only these regions (us-east-1, where IAM and STS are recorded, is always read)"},
			{Name: "skip_regions", Type: TypeStrings, Doc: "leave these regions out, e.g. regions denied by policy (--skip-regions)"},
		},
		Inputs:   []Input{{Name: "access_key_id", Prompt: "Leaked access key id", Placeholder: "AKIA…", Validate: ValidateAccessKeyID}},
		ReadOnly: true,
	}
}

// TraceFindings is what the trace step found: the evidence later steps judge by, and every
// resource the attacker created or changed with who handles it.
type TraceFindings struct {
	Evidence *TraceEvidence
	Changes  []AttackerChange
}

// Inspect traces the key; progress arrives region by region, round by round.
func (TraceAttacker) Inspect(ctx context.Context, env *Env, report func(Progress)) (*Inspection, error) {
	if report == nil {
		report = func(Progress) {}
	}
	keyID := strings.ToUpper(env.input("access_key_id"))
	if err := ValidateAccessKeyID(keyID); err != nil {
		return nil, err
	}
	f, err := env.Account.TraceAttacker(ctx, aws.TraceOptions{Key: keyID, Since: env.Since, Regions: env.Params.Strings("regions"), Skip: env.Params.Strings("skip_regions")},
		func(r aws.TraceRegion) { report(traceProgress(r)) })
	if f == nil || err != nil {
		return nil, err
	}
	found := &TraceFindings{Evidence: &TraceEvidence{Footprint: f}, Changes: attackerChanges(f)}
	insp := &Inspection{Summary: traceSummary(f, found), Facts: traceFacts(env, f), Table: timelineTable(f, found.Changes), Data: found}
	for _, r := range f.Regions {
		insp.Progress = append(insp.Progress, traceProgress(r))
		if r.Status == aws.RegionFailed {
			insp.Failed++
			insp.Warnings = append(insp.Warnings, fmt.Sprintf("CloudTrail could not be read in %s (%s: %s): the attacker's events there are missing, and verdicts there rest on launch times.", r.Region, r.Code, r.Message))
		}
	}
	insp.Warnings = append(insp.Warnings, sessionWarnings(f)...)
	insp.OpenItems = found.ManualItems()
	return insp, nil
}

func traceProgress(r aws.TraceRegion) Progress {
	return withRegionState(Progress{Key: r.Region, Count: r.Events, Elapsed: r.Duration, Code: r.Code}, r.Status, r.Message)
}

func traceSummary(f *aws.Footprint, found *TraceFindings) string {
	writes := 0
	for _, e := range f.Timeline {
		if e.Write() && e.Succeeded() {
			writes++
		}
	}
	manual := len(found.ManualItems())
	s := fmt.Sprintf("%s (%d changed something) by %s: %s touched, %d handled by lockdown's steps, %d by hand",
		plural(len(f.Timeline), "attacker event"), writes, plural(len(f.Credentials), "credential"),
		plural(len(found.Changes), "resource"), len(found.Changes)-manual, manual)
	if f.OwnReads > 0 {
		s += "; " + plural(f.OwnReads, "read") + " lockdown made with the same key left out"
	}
	if n := len(f.Failed()); n > 0 {
		s += "; " + plural(n, "region") + " FAILED"
	}
	return s
}

func traceFacts(env *Env, f *aws.Footprint) []Fact {
	facts := []Fact{
		{Label: "Account", Value: accountLabel(env)},
		{Label: "Events since", Value: f.Since.UTC().Format("2006-01-02 15:04:05Z")},
	}
	// One line: the events that made each credential are in the timeline.
	var creds []string
	for _, c := range f.Credentials {
		v := c.ID + " (" + c.Kind
		if c.Role != "" {
			v += " of " + c.Role[strings.LastIndex(c.Role, "/")+1:]
		}
		if c.By != "" {
			v += ", by " + c.By
		}
		creds = append(creds, v+")")
	}
	facts = append(facts, Fact{Label: "Attacker credentials", Value: strings.Join(creds, ", "), Tone: ToneRogue})
	if n := len(f.Failed()); n > 0 {
		facts = append(facts, Fact{Label: "Regions failed", Value: fmt.Sprint(n), Tone: ToneFailed})
	}
	return facts
}

// timelineTable is the attacker's timeline, oldest first: one row per event, its changes
// highlighted, each naming the step that handles what it changed.
func timelineTable(f *aws.Footprint, changes []AttackerChange) *Table {
	t := &Table{Columns: []Column{
		{Title: "Verdict", Width: 7}, {Title: "Time (UTC)", Width: 11}, {Title: "Region", Width: 14}, {Title: "Event", Width: 20},
		{Title: "Handled by", Width: 26}, {Title: "Credential", Width: 20}, {Title: "Source IP", Width: 15},
	}}
	byEvent := handlers(changes)
	for _, e := range f.Timeline {
		verdict, tone := "read", ToneNone
		switch {
		case !e.Succeeded():
			verdict, tone = "refused", ToneWarning
		case e.Write():
			verdict, tone = "changed", ToneRogue
		}
		row := Row{ID: e.EventID, Tone: tone, Group: e.Region,
			Cells: []string{verdict, e.Time.UTC().Format("01-02 15:04"), e.Region, e.EventName, strings.Join(byEvent[e.EventID], ", "), e.Credential, e.SourceIP}}
		for _, c := range changes {
			if c.EventID != e.EventID {
				continue
			}
			if c.Manual != "" {
				row.Reasons = append(row.Reasons, c.Manual)
			} else {
				row.Reasons = append(row.Reasons, fmt.Sprintf("%s %s: handled by %q", c.Resource.Kind, c.Resource.ID, c.HandledBy))
			}
		}
		if !e.Succeeded() {
			row.Reasons = append(row.Reasons, "refused: "+strings.TrimSpace(e.ErrorCode+" "+e.ErrorMessage))
		}
		row.Details = eventDetails(e)
		t.Rows = append(t.Rows, row)
	}
	return t
}

// eventDetails is the whole record, for the operator who opens an event.
func eventDetails(e aws.TrailEvent) []string {
	out := []string{
		fmt.Sprintf("%s %s in %s at %s", e.EventSource, e.EventName, e.Region, e.Time.UTC().Format("2006-01-02 15:04:05Z")),
		"Credential: " + e.Credential + "  Principal: " + e.Principal,
		"Source IP: " + e.SourceIP + "  User agent: " + e.UserAgent,
	}
	if len(e.Resources) > 0 {
		out = append(out, "Resources: "+strings.Join(e.Resources, " "))
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, e.Record, "", "  ") == nil {
		out = append(out, "CloudTrail record:")
		out = append(out, strings.Split(pretty.String(), "\n")...)
	}
	return out
}

// sessionWarnings: a leaked temporary key is a role session's, and the role is what to revoke.
func sessionWarnings(f *aws.Footprint) []string {
	if !aws.IsTemporaryKey(f.Key) {
		return nil
	}
	role := f.SessionRole()
	if role == "" {
		return []string{f.Key + " is a temporary key, but CloudTrail shows none of its events: find the role or user that issued it (aws sts get-access-key-info) and revoke its sessions."}
	}
	return []string{fmt.Sprintf("%s is a session of role %s: it cannot be deactivated; revoke the role's sessions issued before now (step %q).", f.Key, role, byRevoke)}
}

// Plan has nothing to plan: each change names the step that handles it.
func (TraceAttacker) Plan(context.Context, *Env, *Inspection, []string) (*Plan, error) {
	return nil, errors.New("cloudtrail.trace is read-only: each change names the step that handles it")
}

// Apply has nothing to apply.
func (TraceAttacker) Apply(context.Context, *Env, aws.Changes, *Plan, func(Progress)) (*Outcome, error) {
	return nil, errors.New("cloudtrail.trace is read-only: there is nothing to apply")
}
