package steps

import (
	"context"
	"fmt"

	"lockdown/aws"
)

// CloseExposure is the action ec2.close-exposure: find, in every region, the inbound rules open to
// the world and the snapshots and AMIs shared outside the account, and close the ones the
// attacker opened (and those the operator chooses): revoke the rule, take the account or the
// public off the snapshot or AMI.
type CloseExposure struct{}

// Spec describes ec2.close-exposure.
func (CloseExposure) Spec() Spec {
	return Spec{
		Name:    "ec2.close-exposure",
		Summary: "Revoke the security group rules the attacker added and stop sharing snapshots and AMIs with outside accounts, in every region",
		Params: append(regionParams(), Param{Name: "keep", Type: TypeStrings,
			Doc: "rule ids, snapshot or AMI ids, or accounts shared with (such as the backup account) never proposed"}),
	}
}

// exposureFindings is what Inspect read, for Plan.
type exposureFindings struct {
	Survey *aws.ExposureSurvey
	ByRow  map[string]exposure
}

// Inspect reads every region's inbound rules and shared snapshots and AMIs, and preselects what
// CloudTrail says the attacker opened; the rest that lets others in is listed for the operator.
func (CloseExposure) Inspect(ctx context.Context, env *Env, report func(Progress)) (*Inspection, error) {
	if report == nil {
		report = func(Progress) {}
	}
	report(Progress{Key: "exposure", State: Running})
	s, err := env.Account.SurveyExposure(ctx, regionReadOptions(env.Params))
	if s == nil {
		return nil, fmt.Errorf("reading security group rules, snapshots and AMIs: %w", err)
	}
	t := &Table{Selectable: true, Columns: []Column{{Title: "Region", Width: 14}, {Title: "Kind", Width: 12}, {Title: "What", Width: 30},
		{Title: "Open to", Width: 15}, {Title: "Why"}}}
	found := &exposureFindings{Survey: s, ByRow: map[string]exposure{}}
	insp := &Inspection{Table: t, Data: found, Failed: len(aws.FailedRegions(s.Regions))}
	selected := 0
	for _, x := range exposures(s, originsOf(env.Trace)) {
		row := judgeExposure(env, x)
		if row.Selected {
			selected++
		}
		found.ByRow[row.ID] = x
		t.Rows = append(t.Rows, row)
	}
	for _, r := range s.Regions {
		// A region that failed makes apply's reviewed changes there unknown, not "no longer needed".
		insp.Progress = append(insp.Progress, withRegionState(Progress{Key: r.Region, Code: r.Code}, r.Status, r.Message))
	}
	for _, r := range aws.FailedRegions(s.Regions) {
		insp.Warnings = append(insp.Warnings, fmt.Sprintf("%s could not be read (%s: %s): its security group rules, snapshots and AMIs are unknown.", r.Region, r.Code, r.Message))
	}
	insp.Warnings = append(insp.Warnings, exposureEvidenceWarning(env.Trace)...)
	ways := fmt.Sprintf("%d ways in", len(t.Rows))
	if len(t.Rows) == 1 {
		ways = "1 way in"
	}
	insp.Summary = fmt.Sprintf("%s open to the world or shared outside the account, %d proposed: opened by the attacker or judged theirs", ways, selected)
	report(Progress{Key: "exposure", State: Done, Count: len(t.Rows)})
	return insp, nil
}

// judgeExposure builds one row. Selected: what the attacker's CloudTrail events opened. Without
// CloudTrail for its region, a snapshot or AMI that is public, or was made after T0 and is
// shared, is selected as well: it is most likely the attacker's copy, and a share taken away can
// be given back. A rule is never selected on its own evidence: rules carry no date, and a rule
// open to the world may serve the team's website.
func judgeExposure(env *Env, x exposure) Row {
	kind, what, to := "inbound rule", resourceName(x.Shared), x.Who
	if x.Kind == kindRule {
		what, to = x.Rule.Ports()+" on "+firstNonEmpty(x.Rule.GroupName, x.Rule.GroupID), x.Rule.CIDR
	} else {
		kind = x.Kind
		if to == aws.Public {
			to = "everyone"
		}
	}
	row := Row{ID: x.ID, Group: x.Region, Cells: []string{x.Region, kind, what, to, ""}, Details: exposureDetails(x)}
	keep := env.Params.Strings("keep")
	traced := regionTraced(env.Trace, x.Region)
	switch {
	case contains(keep, x.Rule.RuleID) || contains(keep, x.Shared.ID) || (x.Who != "" && contains(keep, x.Who)):
		row.Tone, row.Reasons = ToneProtected, []string{"kept by the step's parameters"}
	case x.Origin != nil:
		row.Tone, row.Selected, row.Reasons = ToneRogue, true, []string{"opened by the attacker: " + originOf(*x.Origin)}
	case x.Kind == kindRule:
		row.Tone, row.Reasons = ruleTone(x), []string{ruleReason(x, traced)}
	case traced:
		row.Tone, row.Reasons = ToneWarning, []string{"CloudTrail does not show the attacker sharing it since T0: select it if nobody on the team shares it on purpose"}
	case x.Who == aws.Public:
		row.Tone, row.Selected, row.Reasons = ToneSuspicious, true, []string{"public, and CloudTrail cannot say who made it so: anyone can copy it"}
	case after(x.Shared.Created, env.Since):
		row.Tone, row.Selected, row.Reasons = ToneSuspicious, true, []string{"made " + when(x.Shared.Created) + ", after T0, and shared outside the account: most likely the attacker's copy (CloudTrail cannot say who shared it)"}
	default:
		row.Tone, row.Reasons = ToneSuspicious, []string{"shared outside the account, made " + when(x.Shared.Created) + "; CloudTrail cannot say who shared it: select it unless the team shares it on purpose (a backup account?)"}
	}
	row.Cells[4] = row.Reasons[0]
	return row
}

func ruleTone(x exposure) Tone {
	if x.Concern() != "" {
		return ToneSuspicious
	}
	return ToneWarning
}

func ruleReason(x exposure, traced bool) string {
	why := "open to the world"
	if c := x.Concern(); c != "" {
		why += " (" + c + ")"
	}
	if traced {
		return why + "; CloudTrail does not show the attacker adding it since T0: select it unless the team opened it on purpose"
	}
	return why + "; CloudTrail cannot say who added it: select it unless the team opened it on purpose"
}

// regionTraced reports whether the trace read CloudTrail in region, so an attacker event there
// would have been seen.
func regionTraced(trace *TraceEvidence, region string) bool {
	if trace == nil || trace.Footprint == nil {
		return false
	}
	r, ok := trace.Footprint.Region(region)
	return ok && r.Status == aws.RegionOK
}

func exposureDetails(x exposure) []string {
	d := []string{"Region: " + x.Region, "Evidence: " + x.Evidence()}
	if x.Kind == kindRule {
		d = append(d, "Rule: "+x.Rule.RuleID, "Group: "+x.Rule.GroupID+" "+x.Rule.GroupName, "Ports: "+x.Rule.Ports(), "Source: "+x.Rule.Source())
		if x.Rule.Description != "" {
			d = append(d, "Description: "+x.Rule.Description)
		}
		return d
	}
	d = append(d, "Id: "+x.Shared.ID, "Created: "+when(x.Shared.Created), "Shared with: "+fmt.Sprint(x.Shared.Shares))
	if x.Shared.Name != "" {
		d = append(d, "Name: "+x.Shared.Name)
	}
	return d
}

func exposureEvidenceWarning(trace *TraceEvidence) []string {
	switch {
	case trace == nil:
		return []string{"CloudTrail was not traced: no rule is proposed (rules carry no date), and snapshots and AMIs are judged by their state and creation time. Run \"Trace the attacker\" first to name what the attacker opened."}
	case trace.Footprint == nil:
		return []string{"CloudTrail could not be traced (" + trace.Why + "): no rule is proposed, and snapshots and AMIs are judged by their state and creation time."}
	}
	return nil
}
