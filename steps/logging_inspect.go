package steps

import (
	"context"
	"fmt"
	"strings"
	"time"

	"lockdown/aws"
)

// loggingFindings is what the logging step read: every trail and detector, and the events since
// T0 that turned them off. Plan reads it back.
type loggingFindings struct {
	Trails    *aws.TrailSurvey
	Detectors *aws.DetectorSurvey
	Account   string
	// Buckets are the buckets of this account's trails, by trail ARN.
	Buckets map[string]aws.TrailBucket
	// Actionable maps a row id to what restoring it takes; rows without an entry are reported only.
	Actionable map[string]loggingFix
	trace      *TraceEvidence
}

// loggingFix is one change the step can make.
type loggingFix struct {
	Op, Region, Target, ID, Summary string
	// Off is when the trail stopped or the detector was last updated (disabled): since then it
	// has recorded nothing.
	Off time.Time
}

// regionParams are the parameters of a step that reads every enabled region.
func regionParams() []Param {
	return []Param{
		{Name: "concurrency", Type: TypeInt, Doc: fmt.Sprintf("regions read at once (default %d)", aws.DefaultScanConcurrency)},
		{Name: "regions", Type: TypeStrings, Doc: "read only these regions (default: every enabled region)"},
		{Name: "skip_regions", Type: TypeStrings, Doc: "leave these regions out, e.g. regions denied by policy (--skip-regions)"},
	}
}

func regionReadOptions(p Params) aws.RegionReadOptions {
	return aws.RegionReadOptions{Regions: p.Strings("regions"), Skip: p.Strings("skip_regions"), Workers: p.Int("concurrency", 0)}
}

// readLogging reads the trails and detectors of every enabled region, with the evidence since T0.
func readLogging(ctx context.Context, env *Env) (*loggingFindings, error) {
	// Buckets, selectors and deletions are read for the verification too: see logging_judge.go.
	opts := regionReadOptions(env.Params)
	trails, err := env.Account.SurveyTrails(ctx, opts, env.Since)
	if trails == nil {
		return nil, fmt.Errorf("reading CloudTrail trails: %w", err)
	}
	detectors, derr := env.Account.SurveyDetectors(ctx, opts, env.Since)
	if detectors == nil {
		return nil, fmt.Errorf("reading GuardDuty detectors: %w", derr)
	}
	f := &loggingFindings{Trails: trails, Detectors: detectors, Account: env.Account.Guard().Account(), Actionable: map[string]loggingFix{},
		Buckets: map[string]aws.TrailBucket{}, trace: env.Trace}
	for _, t := range trails.Trails {
		if f.own(t) {
			f.Buckets[t.ARN] = env.Account.ReadTrailBucket(ctx, t)
		}
	}
	return f, nil
}

// own reports whether the trail is this account's: another account's organization trail is its
// owners' to change, and its bucket theirs.
func (f *loggingFindings) own(t aws.Trail) bool {
	return f.Account == "" || t.Owner == "" || t.Owner == f.Account
}

// trailRow judges one trail.
func (f *loggingFindings) trailRow(t aws.Trail, since time.Time) Row {
	scope := "regional"
	if t.MultiRegion {
		scope = "all regions"
	}
	if t.Organization {
		scope = "organization"
	}
	row := Row{ID: "trail/" + t.ARN, Group: "CloudTrail", Cells: []string{"trail", t.Name, t.HomeRegion, "", ""},
		Details: []string{"ARN: " + t.ARN, "Home region: " + t.HomeRegion + " (" + scope + ")", "Owner: " + t.Owner,
			"Started logging: " + when(t.StartedLogging), "Stopped logging: " + when(t.StoppedLogging)}}
	theirs := f.Account != "" && t.Owner != "" && t.Owner != f.Account
	switch {
	case t.StatusErr != "":
		row.Cells[3], row.Tone = "unknown", ToneFailed
		row.Reasons = []string{"its status could not be read from " + t.HomeRegion + ": " + t.StatusErr + "; check it by hand"}
	case t.Logging:
		row.Cells[3], row.Tone = "logging", ToneOK
		row.Reasons = []string{"logging since " + when(t.StartedLogging)}
		row.AlreadyDone = row.Reasons[0]
	case theirs:
		row.Cells[3], row.Tone = "stopped", ToneRogue
		row.Reasons = []string{"stopped " + when(t.StoppedLogging) + "; it belongs to the organization's management account " + t.Owner + ": only that account can start it — ask its owners"}
	case since.IsZero():
		row.Cells[3], row.Tone, row.Selected = "stopped", ToneSuspicious, true
		row.Reasons = []string{"not logging since " + when(t.StoppedLogging) + " (no T0 set: whether the attacker stopped it is unknown)"}
		f.startFix(row.ID, t)
	case after(t.StoppedLogging, since):
		row.Cells[3], row.Tone, row.Selected = "stopped", ToneRogue, true
		row.Reasons = []string{"logging stopped " + when(t.StoppedLogging) + ", after T0" + f.trailEvidence("StopLogging", t)}
		f.startFix(row.ID, t)
	default:
		row.Cells[3], row.Tone = "stopped", ToneWarning
		row.Reasons = []string{"not logging since " + when(t.StoppedLogging) + ", before T0: probably deliberate; select it to start it anyway"}
		f.startFix(row.ID, t)
	}
	if t.SelectorsErr != "" {
		row.Reasons = append(row.Reasons, "its event selectors could not be read ("+t.SelectorsErr+"): whether they were narrowed is unknown")
	}
	row.Cells[4] = row.Reasons[0]
	f.giveReason(row)
	return row
}

// selectorsRow is the row of a trail that records less than every management event: putting its
// selectors back is proposed when the attacker narrowed them, or when nothing tells who did.
func (f *loggingFindings) selectorsRow(t aws.Trail, since time.Time) (Row, bool) {
	v := judgeSelectors(t, f.Trails, since, f.trace)
	if !v.Narrowed {
		return Row{}, false
	}
	reason := v.What + ": " + v.Why
	row := Row{ID: "selectors/" + t.ARN, Group: "CloudTrail", Cells: []string{"selectors", t.Name, t.HomeRegion, t.Management, reason},
		Reasons: []string{reason}, Tone: ToneWarning, Details: []string{"ARN: " + t.ARN, "Advanced selectors: " + fmt.Sprint(t.Advanced)}}
	if !f.own(t) {
		row.Reasons = []string{reason + "; it belongs to the organization's management account " + t.Owner + ": only that account can change it"}
		row.Cells[4] = row.Reasons[0]
		return row, true
	}
	if v.Propose {
		row.Tone, row.Selected = ToneRogue, true
	}
	f.Actionable[row.ID] = loggingFix{Op: "cloudtrail:PutEventSelectors", Region: t.HomeRegion, Target: t.Name, ID: t.ARN,
		Summary: fmt.Sprintf("record every management event, read and write, on trail %s (its data events stay as they are)", t.Name)}
	f.giveReason(row)
	return row, true
}

// bucketRow is the row of a trail whose bucket is gone or deletes its logs: the bucket is the
// operator's to fix by hand.
func (f *loggingFindings) bucketRow(t aws.Trail) (Row, bool) {
	b, ok := f.Buckets[t.ARN]
	if !ok {
		return Row{}, false
	}
	reason := bucketProblem(b)
	switch {
	case b.Err != "":
		reason = "its bucket " + b.Name + " could not be read (" + b.Err + "): whether it keeps the logs is unknown"
	case reason == "":
		return Row{}, false
	}
	return Row{ID: "bucket/" + t.ARN, Group: "CloudTrail", Tone: ToneRogue, Cells: []string{"bucket", t.Name, b.Region, "by hand", reason},
		Reasons: []string{reason + " — fix it by hand (aws s3api create-bucket, or delete-bucket-lifecycle / put-bucket-lifecycle-configuration)"}}, true
}

// giveReason adds the row's verdict to its fix's summary, so the plan says why each change is
// proposed.
func (f *loggingFindings) giveReason(row Row) {
	if fix, ok := f.Actionable[row.ID]; ok {
		fix.Summary += ": " + row.Reasons[0]
		f.Actionable[row.ID] = fix
	}
}

func (f *loggingFindings) startFix(rowID string, t aws.Trail) {
	f.Actionable[rowID] = loggingFix{Op: "cloudtrail:StartLogging", Region: t.HomeRegion, Target: t.Name, ID: t.ARN,
		Summary: fmt.Sprintf("start logging on trail %s (from its home region %s)", t.Name, t.HomeRegion), Off: t.StoppedLogging}
}

// trailEvidence quotes the event since T0 that did action to the trail, if the history has one.
func (f *loggingFindings) trailEvidence(action string, t aws.Trail) string {
	for _, e := range f.Trails.Events {
		if e.EventName == action && e.Succeeded() && namesTrail(e, t.Name, t.ARN) {
			return " — " + evidence(e)
		}
	}
	return ""
}

// namesTrail reports whether an event's request named the trail, by name or ARN.
func namesTrail(e aws.TrailEvent, name, arn string) bool {
	rec, err := aws.ParseTrailRecord(string(e.Record))
	if err != nil {
		return false
	}
	req := rec.Request()
	for _, k := range []string{"name", "trailName"} {
		if v, _ := req[k].(string); v != "" && (v == name || v == arn || strings.HasSuffix(v, ":trail/"+name)) {
			return true
		}
	}
	return false
}

// evidence says who did an event, when and from where.
func evidence(e aws.TrailEvent) string {
	who := e.Principal
	if e.Credential != "" {
		who = e.Credential + " (" + e.Principal + ")"
	}
	return fmt.Sprintf("%s by %s from %s, %s", e.EventName, who, e.SourceIP, when(e.Time))
}

// deletedTrailRows are the trails a DeleteTrail event since T0 names and that no longer exist:
// lockdown cannot create a trail (which bucket, which key), so the row names what it was.
func (f *loggingFindings) deletedTrailRows(ctx context.Context, env *Env) []Row {
	var rows []Row
	for _, d := range deletedTrails(f.Trails) {
		if d.Back {
			continue
		}
		settings := formerSettings(ctx, env, d)
		reason := "deleted after T0 — " + evidence(d.Event) + ": re-create it by hand " + settings
		rows = append(rows, Row{ID: "deleted-trail/" + d.Name, Group: "CloudTrail", Tone: ToneRogue,
			Cells: []string{"trail", d.Name, d.Region, "deleted", reason}, Reasons: []string{reason}, Details: []string{"Event: " + d.Event.EventID}})
	}
	return rows
}
