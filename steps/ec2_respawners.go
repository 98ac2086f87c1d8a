package steps

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"lockdown/aws"
)

// StopRespawners is the action ec2.stop-respawners: find in every region what launches instances
// again after they are terminated — Auto Scaling groups, spot requests, spot fleets, EC2 fleets,
// and the launch templates groups are made from — created after T0 (or by the attacker, when the
// trace says so), and stop them, so that the miners terminated next stay gone.
type StopRespawners struct{}

// Spec describes ec2.stop-respawners.
func (StopRespawners) Spec() Spec {
	return Spec{
		Name:    "ec2.stop-respawners",
		Summary: "Stop Auto Scaling groups, spot requests, fleets and launch templates created after T0, in every region",
		Params:  append(regionParams(), Param{Name: "keep", Type: TypeStrings, Doc: "respawner names or ids (or region/name) never proposed"}),
	}
}

var respawnerLabels = map[aws.RespawnerKind]string{
	aws.KindScalingGroup: "Auto Scaling group", aws.KindSpotRequest: "spot request", aws.KindSpotFleet: "spot fleet",
	aws.KindEC2Fleet: "EC2 fleet", aws.KindLaunchTemplate: "launch template",
}

// respawnerFinding is one respawner and the step's judgement of it.
type respawnerFinding struct {
	aws.Respawner
	// Why is the first reason, in the plan's words.
	Why string
}

// respawnerFindings is what Inspect read, for Plan.
type respawnerFindings struct {
	Survey *aws.RespawnerSurvey
	ByRow  map[string]respawnerFinding
}

// respawnerRowID is the id of the change that stops the respawner: a row and its change share it,
// so an apply of the same plan again knows the row's change was made.
func respawnerRowID(r aws.Respawner) string { return RespawnerChangeID(r.Kind, r.Region, r.ID) }

// respawnerName is how the operator knows it: a group or template by name, the rest by id.
func respawnerName(r aws.Respawner) string {
	if r.Name != "" && r.Name != r.ID {
		return r.Name + " (" + r.ID + ")"
	}
	return r.ID
}

// Inspect reads every region's respawners and preselects those created after T0 that are not
// already stopped; with a trace, the attacker's are named by their CloudTrail event, and those
// CloudTrail shows someone else created are only shown.
func (StopRespawners) Inspect(ctx context.Context, env *Env, report func(Progress)) (*Inspection, error) {
	if report == nil {
		report = func(Progress) {}
	}
	report(Progress{Key: "respawners", State: Running})
	s, err := env.Account.SurveyRespawners(ctx, regionReadOptions(env.Params))
	if s == nil {
		return nil, fmt.Errorf("reading Auto Scaling groups, spot requests, fleets and launch templates: %w", err)
	}
	t := &Table{Selectable: true, Columns: []Column{{Title: "Region", Width: 14}, {Title: "Kind", Width: 18}, {Title: "Name or id"},
		{Title: "Created", Width: 17}, {Title: "State", Width: 16}, {Title: "Why"}}}
	found := &respawnerFindings{Survey: s, ByRow: map[string]respawnerFinding{}}
	insp := &Inspection{Table: t, Data: found, Failed: len(aws.FailedRegions(s.Regions))}
	rogue := 0
	for _, r := range s.Respawners {
		row := judgeRespawner(env, r)
		if row.Selected {
			rogue++
		}
		if len(row.Reasons) > 0 {
			row.Cells[5] = row.Reasons[0]
			found.ByRow[row.ID] = respawnerFinding{Respawner: r, Why: row.Reasons[0]}
		}
		t.Rows = append(t.Rows, row)
	}
	for _, r := range aws.FailedRegions(s.Regions) {
		insp.Warnings = append(insp.Warnings, fmt.Sprintf("%s could not be read (%s: %s): its respawners are unknown, and terminated instances there may come back.", r.Region, r.Code, r.Message))
	}
	if env.Since.IsZero() {
		insp.Warnings = append(insp.Warnings, "No incident start (T0) is set: no respawner can be told apart as the attacker's. Set --since.")
	}
	insp.Warnings = append(insp.Warnings, respawnerEvidenceWarning(env.Trace)...)
	insp.Summary = fmt.Sprintf("%s, %d created after T0 and still able to launch", plural(len(s.Respawners), "respawner"), rogue)
	report(Progress{Key: "respawners", State: Done, Count: len(s.Respawners)})
	return insp, nil
}

// judgeRespawner builds one respawner's row: selected when it is the attacker's by CloudTrail, or
// created after T0 and not shown by CloudTrail to be someone else's.
func judgeRespawner(env *Env, r aws.Respawner) Row {
	state := r.State
	switch r.Kind {
	case aws.KindScalingGroup:
		state = fmt.Sprintf("%d/%d/%d, %d running", r.Min, r.Desired, r.Max, len(r.Instances)-r.Terminating)
	case aws.KindLaunchTemplate:
		state = "-"
	}
	row := Row{ID: respawnerRowID(r), Group: r.Region, Cells: []string{r.Region, respawnerLabels[r.Kind], respawnerName(r), when(r.Created), state, ""},
		Details: respawnerDetails(r)}
	keep := env.Params.Strings("keep")
	origin, traced := respawnerOrigin(env.Trace, r)
	switch {
	case contains(keep, r.ID) || contains(keep, r.Name) || contains(keep, r.Region+"/"+r.ID) || contains(keep, r.Region+"/"+r.Name):
		row.Tone, row.Reasons = ToneProtected, []string{"kept by the step's parameters"}
	case r.Stopped():
		row.Tone, row.Reasons = ToneOK, []string{"already " + r.State + ": launches nothing"}
		row.AlreadyDone = row.Reasons[0]
	case traced && origin.Attacker && r.Created.Before(origin.Time) && !after(r.Created, env.Since):
		// Changed, not created, by the attacker: it may still run the team's service.
		row.Tone, row.Reasons = ToneRogue, []string{"changed by the attacker: " + origin.EventName + " " + origin.By() +
			"; it existed before T0 (created " + when(r.Created) + ") and may be yours: check it, and select it to stop it"}
	case traced && origin.Attacker:
		row.Tone, row.Selected, row.Reasons = ToneRogue, true, []string{"done by the attacker: " + origin.EventName + " " + origin.By()}
	case traced && after(r.Created, env.Since):
		row.Tone, row.Reasons = ToneWarning, []string{"created after T0 " + origin.By() + ", not an attacker credential: select it if it is not yours"}
	case after(r.Created, env.Since):
		row.Tone, row.Selected, row.Reasons = ToneRogue, true, []string{"created " + when(r.Created) + ", after T0"}
	case r.Created.IsZero():
		row.Tone, row.Reasons = ToneWarning, []string{"creation time unknown (AWS did not say): check it, and select it if it is not yours"}
	case !env.Since.IsZero():
		row.Tone, row.Reasons = ToneOK, []string{"created " + when(r.Created) + ", before T0"}
	}
	if row.Selected && r.Kind == aws.KindSpotRequest && len(r.Instances) > 0 {
		row.Reasons = append(row.Reasons, "cancelling it leaves "+r.Instances[0]+" running: terminate it in the next step")
	}
	return row
}

func respawnerDetails(r aws.Respawner) []string {
	d := []string{"Region: " + r.Region, "Kind: " + respawnerLabels[r.Kind], "Id: " + r.ID, "Created: " + when(r.Created)}
	if r.ARN != "" {
		d = append(d, "ARN: "+r.ARN)
	}
	if r.Type != "" {
		d = append(d, "Type: "+r.Type)
	}
	if r.Template != "" {
		d = append(d, "Launch template: "+r.Template)
	}
	if len(r.Instances) > 0 {
		d = append(d, "Instances: "+strings.Join(r.Instances, ", "))
	}
	if r.Relaunches() {
		d = append(d, "Launches instances again when they are terminated.")
	}
	return d
}

// respawnerOrigin finds who created the respawner in the trace: its creation event, or the
// attacker's first change that names it.
func respawnerOrigin(trace *TraceEvidence, r aws.Respawner) (aws.Origin, bool) {
	if trace == nil || trace.Footprint == nil {
		return aws.Origin{}, false
	}
	f := trace.Footprint
	for _, id := range []string{r.ID, r.Name, r.ARN} {
		if o, ok := f.Origin(id); ok && id != "" {
			return o, true
		}
	}
	for _, e := range f.Timeline {
		if !e.Write() || !e.Succeeded() || e.Region != r.Region {
			continue
		}
		names := func(id string) bool { return id != "" && (id == r.ID || id == r.Name || id == r.ARN) }
		if slices.ContainsFunc(e.Resources, names) || slices.ContainsFunc(e.Touched(), func(t aws.Touched) bool { return names(t.ID) || names(t.ARN) }) {
			return aws.Origin{EventID: e.EventID, EventName: e.EventName, Time: e.Time, Region: e.Region, Credential: e.Credential,
				Principal: e.Principal, SourceIP: e.SourceIP, Attacker: true}, true
		}
	}
	return aws.Origin{}, false
}

func respawnerEvidenceWarning(trace *TraceEvidence) []string {
	switch {
	case trace == nil:
		return []string{"Judged by creation times: CloudTrail was not traced. Run the step \"Trace the attacker\" first to name what the attacker created."}
	case trace.Footprint == nil:
		return []string{"Judged by creation times: CloudTrail could not be traced (" + trace.Why + ")."}
	}
	return nil
}
