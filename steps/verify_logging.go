package steps

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"lockdown/aws"
)

// The verification's logging checks read the account as it is now: every trail of this account
// logs and records every management event, one of them covers every region, each logging trail's
// bucket exists and keeps its files, every detector is enabled. CloudTrail's history adds what
// state cannot show: a trail or detector deleted since T0. Without the history that is unknown,
// never a pass.

// Check names of the logging checks.
const (
	checkLoggingOn  = "logging on"
	checkTrailEvts  = "trail events"
	checkTrailAll   = "trail regions"
	checkBuckets    = "trail buckets"
	checkDeletedLog = "deleted logging"
	// itemDeletedLogging is the item for trails and detectors deleted after T0 that cannot be seen.
	itemDeletedLogging = "deleted trails and detectors"
)

// checkLogging runs every logging check on one fresh read of trails, buckets and detectors.
func checkLogging(ctx context.Context, env *Env) []VerifyCheck {
	f, err := readLogging(ctx, env)
	if err != nil {
		return []VerifyCheck{{Check: checkLoggingOn, Item: "trails and GuardDuty", Result: VerifyUnknown, Evidence: "cannot read: " + unanswered(err), HandledBy: byLogging}}
	}
	kept := keptItems(env)
	var out []VerifyCheck
	out = append(out, unreadRegions(checkLoggingOn, f.Trails.Regions, byLogging)...)
	out = append(out, unreadRegions(checkLoggingOn, f.Detectors.Regions, byLogging)...)
	out = append(out, f.trailChecks(env, kept)...)
	out = append(out, f.coverageCheck())
	out = append(out, f.detectorChecks()...)
	out = append(out, f.deletedChecks(ctx, env, kept)...)
	if !slices.ContainsFunc(out, func(c VerifyCheck) bool { return c.Result != VerifyPass || c.Kept != "" }) {
		out = append(out, VerifyCheck{Check: checkLoggingOn, Item: "trails and GuardDuty", Result: VerifyPass,
			Evidence: fmt.Sprintf("%s logging and recording every management event, %s enabled", plural(len(f.Trails.Trails), "trail"), plural(len(f.Detectors.Detectors), "GuardDuty detector"))})
	}
	return slices.DeleteFunc(out, func(c VerifyCheck) bool { return c.Check == "" })
}

// trailChecks: each trail logs, records every management event, and, when it is this account's,
// delivers to a bucket that keeps its files. Another account's organization trail is its owners'.
func (f *loggingFindings) trailChecks(env *Env, kept map[string]string) []VerifyCheck {
	var out []VerifyCheck
	for _, t := range f.Trails.Trails {
		item := "trail " + t.Name
		c := VerifyCheck{Check: checkLoggingOn, Item: item, HandledBy: byLogging, Row: "trail/" + t.ARN}
		switch {
		case t.StatusErr != "":
			c.Result, c.Evidence = VerifyUnknown, "status not read from "+t.HomeRegion+": "+t.StatusErr
		case t.Logging:
		case !f.own(t):
			c.Result, c.Evidence = VerifyFail, "stopped "+when(t.StoppedLogging)+"; an organization trail of account "+t.Owner
			c.HandledBy = "by hand: the organization's management account " + t.Owner
		default:
			c.Result, c.Evidence = VerifyFail, "not logging since "+when(t.StoppedLogging)
		}
		if c.Result != "" {
			out = append(out, c)
		}
		out = append(out, f.selectorCheck(t, env, kept)...)
		if t.Logging {
			out = append(out, f.bucketCheck(t, kept)...)
		}
	}
	return out
}

func (f *loggingFindings) selectorCheck(t aws.Trail, env *Env, kept map[string]string) []VerifyCheck {
	item := "trail " + t.Name
	if t.SelectorsErr != "" {
		return []VerifyCheck{{Check: checkTrailEvts, Item: item, Result: VerifyUnknown, HandledBy: byLogging,
			Evidence: "its event selectors could not be read: " + t.SelectorsErr}}
	}
	v := judgeSelectors(t, f.Trails, env.Since, env.Trace)
	if !v.Narrowed {
		return nil
	}
	c := VerifyCheck{Check: checkTrailEvts, Item: item, Result: VerifyFail, Evidence: v.What + ": " + v.Why, HandledBy: byLogging, Row: "selectors/" + t.ARN}
	if !f.own(t) {
		c.HandledBy = "by hand: the organization's management account " + t.Owner
	}
	c.keptBy(kept, c.Item, t.Name, t.ARN)
	return []VerifyCheck{c}
}

func (f *loggingFindings) bucketCheck(t aws.Trail, kept map[string]string) []VerifyCheck {
	b, ok := f.Buckets[t.ARN]
	if !ok {
		return nil
	}
	c := VerifyCheck{Check: checkBuckets, Item: "trail " + t.Name, Subject: bucketFilesSubject(b.Name)}
	switch problem := bucketProblem(b); {
	case b.Err != "":
		c.Result, c.Evidence, c.HandledBy = VerifyUnknown, "bucket "+b.Name+" could not be read: "+b.Err, "by hand: check the bucket "+b.Name
	case problem != "":
		c.Result, c.Evidence = VerifyFail, problem
		c.HandledBy = "by hand: remove the rule (aws s3api delete-bucket-lifecycle or put-bucket-lifecycle-configuration)"
		if !b.Exists {
			c.HandledBy = "by hand: create the bucket " + b.Name + " with CloudTrail's bucket policy, or point the trail at another"
		}
	default:
		return nil
	}
	c.keptBy(kept, c.Item, b.Name)
	return []VerifyCheck{c}
}

// coverageCheck: at least one trail that logs every management event covers every region.
func (f *loggingFindings) coverageCheck() VerifyCheck {
	c := VerifyCheck{Check: checkTrailAll, Item: "every region"}
	var partial []string
	for _, t := range f.Trails.Trails {
		if !t.MultiRegion {
			continue
		}
		if t.Logging && t.AllManagement() {
			c.Result, c.Evidence = VerifyPass, "trail "+t.Name+" logs every management event of every region"
			return c
		}
		partial = append(partial, t.Name)
		// Restore logging's row that would bring this one back.
		if c.Row == "" && !t.Logging {
			c.Row = "trail/" + t.ARN
		} else if c.Row == "" {
			c.Row = "selectors/" + t.ARN
		}
	}
	c.Result = VerifyFail
	if len(partial) > 0 {
		c.Evidence, c.HandledBy = "the multi-region trails ("+strings.Join(partial, ", ")+") are stopped or narrowed", byLogging
		return c
	}
	c.Evidence, c.HandledBy = "no trail covers every region: a region without a trail is recorded only in the 90-day event history", "by hand: create a multi-region trail"
	return c
}

// detectorChecks: every detector there is, is enabled.
func (f *loggingFindings) detectorChecks() []VerifyCheck {
	var out []VerifyCheck
	for _, d := range f.Detectors.Detectors {
		if !d.Enabled() {
			out = append(out, VerifyCheck{Check: checkLoggingOn, Item: "GuardDuty " + d.Region + "/" + d.ID, Result: VerifyFail,
				Evidence: "detector " + d.Status + " since " + when(d.Updated), HandledBy: byLogging, Row: "detector/" + d.Region + "/" + d.ID})
		}
	}
	return out
}

// deletedChecks: a trail or detector deleted since T0 (CloudTrail's DeleteTrail, DeleteDetector)
// fails until it exists again or the operator keeps it. Where the history could not be read such
// a deletion cannot be seen: unknown, naming the regions.
func (f *loggingFindings) deletedChecks(ctx context.Context, env *Env, kept map[string]string) []VerifyCheck {
	if env.Since.IsZero() {
		return []VerifyCheck{{Check: checkDeletedLog, Item: itemDeletedLogging, Result: VerifyNotChecked, HandledBy: byLogging,
			Evidence: "not checked: no incident start (set --since), so no deletion can be looked for"}}
	}
	var out []VerifyCheck
	for _, d := range deletedTrails(f.Trails) {
		c := VerifyCheck{Check: checkDeletedLog, Item: "trail " + d.Name, Result: VerifyPass,
			Evidence: "deleted after T0 — " + evidence(d.Event) + "; it exists again in " + d.Region}
		if !d.Back {
			c.Result, c.Evidence = VerifyFail, "deleted after T0 — "+evidence(d.Event)
			c.HandledBy = "by hand: re-create it " + formerSettings(ctx, env, d)
		}
		c.keptBy(kept, c.Item, d.Name)
		out = append(out, c)
	}
	for _, e := range f.Detectors.Events {
		if e.EventName != "DeleteDetector" || !e.Succeeded() {
			continue
		}
		c := VerifyCheck{Check: checkDeletedLog, Item: "GuardDuty " + e.Region, Result: VerifyPass,
			Evidence: "its detector was deleted after T0 — " + evidence(e) + "; the region has a detector again"}
		if !f.detectorIn(e.Region) {
			c.Result, c.Evidence, c.HandledBy = VerifyFail, "its detector was deleted after T0 — "+evidence(e)+"; none is there now", byLogging
			c.Row = "detector-deleted/" + e.Region
		}
		c.keptBy(kept, c.Item)
		out = append(out, c)
	}
	if unseen := f.unseenDeletions(skippedRegions(env)); unseen != "" {
		c := VerifyCheck{Check: checkDeletedLog, Item: itemDeletedLogging, Result: VerifyUnknown, Evidence: unseen,
			HandledBy: "by hand: compare the trails and detectors with your records (or the organization's trail)"}
		c.keptBy(kept, c.Item)
		out = append(out, c)
	}
	return out
}

// unseenDeletions says which deletions could not be seen and why, "" when none: a trail deleted in
// a region whose history was not read, and a detector deleted in such a region that has none now.
// A region the operator left out with a reason is their decision, not an unknown.
func (f *loggingFindings) unseenDeletions(skipped map[string]string) string {
	why := map[string]string{}
	var regions []string
	for _, list := range [][]aws.RegionRead{f.Trails.HistoryUnread, f.Detectors.HistoryUnread, aws.FailedRegions(f.Trails.Regions), aws.FailedRegions(f.Detectors.Regions)} {
		for _, r := range list {
			if _, seen := why[r.Region]; !seen && skipped[r.Region] == "" {
				regions = append(regions, r.Region)
				why[r.Region] = strings.TrimSpace(r.Code + " " + r.Message)
			}
		}
	}
	if len(regions) == 0 {
		return ""
	}
	slices.Sort(regions)
	var detectorless []string
	byReason := map[string][]string{}
	var reasons []string
	for _, r := range regions {
		if !f.detectorIn(r) {
			detectorless = append(detectorless, r)
		}
		if len(byReason[why[r]]) == 0 {
			reasons = append(reasons, why[r])
		}
		byReason[why[r]] = append(byReason[why[r]], r)
	}
	read := 0
	for _, r := range f.Trails.Regions {
		if r.Status != aws.RegionSkipped {
			read++
		}
	}
	var because []string
	for _, reason := range reasons {
		because = append(because, regionList(byReason[reason], read)+": "+reason)
	}
	what := "a trail deleted since T0 in " + regionList(regions, read)
	if len(detectorless) > 0 {
		what += ", and a GuardDuty detector deleted in " + regionList(detectorless, read) + " (no detector there now),"
	}
	return what + " cannot be seen: CloudTrail's event history could not be read (" + strings.Join(because, "; ") + ")"
}

// regionList names regions, or says "every region (N)" when they are all of them.
func regionList(regions []string, all int) string {
	if len(regions) >= all && all > 1 {
		return fmt.Sprintf("every region (%d)", len(regions))
	}
	return strings.Join(regions, ", ")
}
