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

// RestoreLogging is the action logging.restore: find the CloudTrail trails and GuardDuty detectors
// the attacker turned off, in every region, and turn them back on. What was not recorded while
// they were off cannot be restored; the plan says so.
type RestoreLogging struct{}

// Spec describes logging.restore.
func (RestoreLogging) Spec() Spec {
	return Spec{
		Name:    "logging.restore",
		Summary: "Start CloudTrail trails, put their event selectors back to every management event, enable or re-create GuardDuty detectors turned off after T0, in every region",
		Params:  regionParams(),
	}
}

// Inspect reads every trail once, from its home region, and every region's detector.
func (RestoreLogging) Inspect(ctx context.Context, env *Env, report func(Progress)) (*Inspection, error) {
	if report == nil {
		report = func(Progress) {}
	}
	report(Progress{Key: "trails and detectors", State: Running})
	f, err := readLogging(ctx, env)
	if err != nil {
		return nil, err
	}
	t := &Table{Selectable: true, Columns: []Column{{Title: "Kind", Width: 9}, {Title: "Name"}, {Title: "Region", Width: 14},
		{Title: "State", Width: 9}, {Title: "Why"}}}
	insp := &Inspection{Table: t, Data: f}
	for _, tr := range f.Trails.Trails {
		t.Rows = append(t.Rows, f.trailRow(tr, env.Since))
		if row, ok := f.selectorsRow(tr, env.Since); ok {
			t.Rows = append(t.Rows, row)
		}
		if row, ok := f.bucketRow(tr); ok {
			t.Rows = append(t.Rows, row)
		}
	}
	t.Rows = append(t.Rows, f.deletedTrailRows(ctx, env)...)
	for _, d := range f.Detectors.Detectors {
		t.Rows = append(t.Rows, f.detectorRow(d, env.Since))
	}
	t.Rows = append(t.Rows, f.deletedDetectorRows()...)
	insp.Warnings = f.warnings(env.Since)
	insp.Failed = len(aws.FailedRegions(f.Trails.Regions)) + len(aws.FailedRegions(f.Detectors.Regions))
	off := 0
	for _, r := range t.Rows {
		if r.Tone == ToneRogue || r.Tone == ToneSuspicious {
			off++
		}
	}
	insp.Summary = fmt.Sprintf("%s, %s; %s", plural(len(f.Trails.Trails), "trail"), plural(len(f.Detectors.Detectors), "detector"), plural(off, "finding"))
	report(Progress{Key: "trails and detectors", State: Done, Count: len(t.Rows)})
	return insp, nil
}

// detectorRow judges one region's detector.
func (f *loggingFindings) detectorRow(d aws.Detector, since time.Time) Row {
	row := Row{ID: "detector/" + d.Region + "/" + d.ID, Group: "GuardDuty", Cells: []string{"GuardDuty", d.ID, d.Region, strings.ToLower(d.Status), ""},
		Details: []string{"Detector: " + d.ID, "Created: " + when(d.Created), "Last updated: " + when(d.Updated)}}
	fix := loggingFix{Op: "guardduty:UpdateDetector", Region: d.Region, Target: d.ID, ID: d.ID,
		Summary: fmt.Sprintf("enable the GuardDuty detector %s in %s", d.ID, d.Region), Off: d.Updated}
	switch {
	case d.Enabled():
		row.Tone, row.Reasons = ToneOK, []string{"enabled"}
		row.AlreadyDone = "enabled, last updated " + when(d.Updated)
	case since.IsZero():
		row.Tone, row.Selected = ToneSuspicious, true
		row.Reasons = []string{"disabled, last updated " + when(d.Updated) + " (no T0 set: whether the attacker disabled it is unknown)"}
		f.Actionable[row.ID] = fix
	case after(d.Updated, since):
		row.Tone, row.Selected = ToneRogue, true
		row.Reasons = []string{"disabled, last updated " + when(d.Updated) + ", after T0"}
		f.Actionable[row.ID] = fix
	default:
		row.Tone = ToneWarning
		row.Reasons = []string{"disabled since before T0 (" + when(d.Updated) + "): probably deliberate; select it to enable it anyway"}
		f.Actionable[row.ID] = fix
	}
	row.Cells[4] = row.Reasons[0]
	f.giveReason(row)
	return row
}

// deletedDetectorRows are the regions where a DeleteDetector event since T0 left no detector: only
// there is one re-created, since the evidence says one existed.
func (f *loggingFindings) deletedDetectorRows() []Row {
	var rows []Row
	for _, e := range f.Detectors.Events {
		if e.EventName != "DeleteDetector" || !e.Succeeded() || f.detectorIn(e.Region) {
			continue
		}
		id := "detector-deleted/" + e.Region
		if _, dup := f.Actionable[id]; dup {
			continue
		}
		reason := "deleted after T0 — " + evidence(e)
		row := Row{ID: id, Group: "GuardDuty", Tone: ToneRogue, Selected: true,
			Cells: []string{"GuardDuty", "(deleted)", e.Region, "deleted", reason}, Reasons: []string{reason}, Details: []string{"Event: " + e.EventID}}
		f.Actionable[id] = loggingFix{Op: "guardduty:CreateDetector", Region: e.Region, Target: "new detector", Off: e.Time,
			Summary: "create an enabled GuardDuty detector in " + e.Region}
		f.giveReason(row)
		rows = append(rows, row)
	}
	return rows
}

func (f *loggingFindings) detectorIn(region string) bool {
	for _, d := range f.Detectors.Detectors {
		if d.Region == region {
			return true
		}
	}
	return false
}

// warnings say what the step could not see: regions not read, history not read, no trail at all.
func (f *loggingFindings) warnings(since time.Time) []string {
	var out []string
	for _, r := range aws.FailedRegions(f.Trails.Regions) {
		out = append(out, fmt.Sprintf("CloudTrail in %s could not be read (%s: %s): its trails are unknown.", r.Region, r.Code, r.Message))
	}
	for _, r := range aws.FailedRegions(f.Detectors.Regions) {
		out = append(out, fmt.Sprintf("GuardDuty in %s could not be read (%s: %s): its detector is unknown.", r.Region, r.Code, r.Message))
	}
	for _, r := range append(append([]aws.RegionRead{}, f.Trails.HistoryUnread...), f.Detectors.HistoryUnread...) {
		out = append(out, fmt.Sprintf("The CloudTrail event history of %s could not be read (%s: %s): a trail or detector deleted there cannot be known.", r.Region, r.Code, r.Message))
	}
	if since.IsZero() {
		out = append(out, "No incident start (T0) is set: deleted trails and detectors cannot be looked for, and nothing can be told apart as the attacker's. Set --since.")
	}
	if len(f.Trails.Trails) == 0 {
		out = append(out, "No trail exists: nothing records this account's events beyond CloudTrail's 90-day event history. Create a multi-region trail by hand.")
	} else if !slices.ContainsFunc(f.Trails.Trails, func(t aws.Trail) bool { return t.MultiRegion }) {
		out = append(out, "No trail covers every region: a region without a trail of its own is recorded only in the 90-day event history. Create a multi-region trail by hand.")
	}
	return out
}

// loggingPlan is what Apply carries out: the fixes in the order planned.
type loggingPlan struct{ Fixes []loggingFix }

// Plan turns the selected rows into StartLogging, UpdateDetector and CreateDetector changes.
func (RestoreLogging) Plan(_ context.Context, _ *Env, found *Inspection, selected []string) (*Plan, error) {
	f, ok := found.Data.(*loggingFindings)
	if !ok {
		return nil, errors.New("logging.restore: inspect first")
	}
	data := &loggingPlan{}
	p := &Plan{Data: data}
	trails, detectors := 0, 0
	for _, id := range selected {
		fix, ok := f.Actionable[id]
		if !ok {
			_, what, _ := strings.Cut(id, "/")
			p.Warnings = append(p.Warnings, fmt.Sprintf("skipping %s: lockdown cannot restore it (see its reason)", what))
			continue
		}
		data.Fixes = append(data.Fixes, fix)
		p.Changes = append(p.Changes, Change{ID: fixID(fix), Row: id, Op: fix.Op, Region: fix.Region, Target: fix.Target, Summary: fix.Summary})
		switch fix.Op {
		case "cloudtrail:StartLogging":
			trails++
			p.Warnings = append(p.Warnings, fmt.Sprintf("Trail %s has delivered no log files since %s: that gap stays.", fix.Target, when(fix.Off)))
		case "cloudtrail:PutEventSelectors":
			trails++
			p.Warnings = append(p.Warnings, fmt.Sprintf("Trail %s did not record every management event while it was narrowed: the event history (90 days) still holds them.", fix.Target))
		default:
			detectors++
		}
	}
	if trails > 0 {
		p.Warnings = append(p.Warnings, "What a trail did not record while it was stopped cannot be restored: its S3 bucket has no log files for that time. "+
			"CloudTrail's 90-day event history still holds the management events of that time (lockdown's trace reads it); data events and Insights are lost.")
	}
	if detectors > 0 {
		p.Warnings = append(p.Warnings, "GuardDuty did not analyse activity while its detector was off or gone: no findings exist for that time, and a re-created detector starts without history.")
	}
	p.Confirm = Confirm{Prompt: fmt.Sprintf("Restore logging on %s and turn on %s?", plural(trails, "trail"), plural(detectors, "GuardDuty detector"))}
	return p, nil
}

func fixID(f loggingFix) string {
	switch f.Op {
	case "cloudtrail:StartLogging":
		return StartLoggingID(f.ID)
	case "cloudtrail:PutEventSelectors":
		return RestoreSelectorsID(f.ID)
	case "guardduty:CreateDetector":
		return CreateDetectorID(f.Region)
	}
	return EnableDetectorID(f.Region, f.ID)
}

// Apply makes each change, then reads it back: "done" only when the trail logs or the detector
// is enabled on a fresh read.
func (RestoreLogging) Apply(ctx context.Context, env *Env, changes aws.Changes, plan *Plan, report func(Progress)) (*Outcome, error) {
	data, ok := plan.Data.(*loggingPlan)
	if !ok {
		return nil, errors.New("logging.restore: not a logging plan")
	}
	out := &Outcome{}
	for _, fix := range data.Fixes {
		var eff aws.Effect
		var err error
		switch fix.Op {
		case "cloudtrail:StartLogging":
			eff, err = changes.StartLogging(ctx, fix.Region, fix.ID)
		case "cloudtrail:PutEventSelectors":
			eff, err = changes.RestoreSelectors(ctx, fix.Region, fix.ID)
		case "guardduty:CreateDetector":
			eff, err = changes.CreateDetector(ctx, fix.Region)
		default:
			eff, err = changes.EnableDetector(ctx, fix.Region, fix.ID)
		}
		if err == nil && eff == aws.Changed {
			err = readBackLogging(ctx, env, fix)
		}
		out.Results = append(out.Results, confirmedBy(resultOf(fixID(fix), eff, err, fix.Summary), fix.done()))
		env.Logger().Info("logging.restore", "op", fix.Op, "region", fix.Region, "target", fix.Target, "effect", eff, "error", errText(err))
	}
	return out, nil
}

// done says what an applied fix did, as its read-back confirmed it.
func (f loggingFix) done() string {
	switch f.Op {
	case "cloudtrail:StartLogging":
		return "trail " + f.Target + " logs again (read back: IsLogging true)"
	case "cloudtrail:PutEventSelectors":
		return "trail " + f.Target + " records every management event again (read back: GetEventSelectors)"
	case "guardduty:CreateDetector":
		return "created an enabled GuardDuty detector in " + f.Region + " (read back: enabled)"
	}
	return "GuardDuty detector " + f.ID + " in " + f.Region + " enabled again (read back: ENABLED)"
}

// confirmedBy words an applied change by what its read-back confirmed.
func confirmedBy(r Result, done string) Result {
	if r.Status == StatusApplied {
		r.Message = done
	}
	return r
}

// readBackLogging checks on a fresh read that a change took.
func readBackLogging(ctx context.Context, env *Env, fix loggingFix) error {
	switch fix.Op {
	case "cloudtrail:StartLogging":
		on, err := env.Account.TrailStatus(ctx, fix.Region, fix.ID)
		if err == nil && !on {
			err = fmt.Errorf("StartLogging answered, but %s still does not log on a fresh read", fix.Target)
		}
		return err
	case "cloudtrail:PutEventSelectors":
		coverage, excluded, err := env.Account.TrailCoverage(ctx, fix.Region, fix.ID)
		if err == nil && (coverage != aws.ManagementAll || len(excluded) > 0) {
			err = fmt.Errorf("PutEventSelectors answered, but %s still records %s management events on a fresh read", fix.Target, coverage)
		}
		return err
	case "guardduty:CreateDetector":
		ds, err := env.Account.RegionDetectors(ctx, fix.Region)
		if err == nil && !slices.ContainsFunc(ds, aws.Detector.Enabled) {
			err = fmt.Errorf("CreateDetector answered, but %s has no enabled detector on a fresh read", fix.Region)
		}
		return err
	}
	d, err := env.Account.DetectorStatus(ctx, fix.Region, fix.ID)
	if err == nil && !d.Enabled() {
		err = fmt.Errorf("UpdateDetector answered, but %s in %s is still %s on a fresh read", fix.ID, fix.Region, d.Status)
	}
	return err
}
