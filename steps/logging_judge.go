package steps

import (
	"context"
	"fmt"
	"strings"
	"time"

	"lockdown/aws"
)

// What Restore logging and the verification both judge about trails: whether a trail records
// every management event and who narrowed it, which trails were deleted since T0 and what they
// were, and whether the trail's bucket keeps its logs.

// selectorVerdict is the judgement of a trail's event selectors.
type selectorVerdict struct {
	// Narrowed is true when the trail records less than every management event.
	Narrowed bool
	// What says what it records; Why who narrowed it and when, as far as CloudTrail tells.
	What, Why string
	// Propose is true when Restore logging preselects putting them back: the attacker's doing,
	// or nothing tells whose.
	Propose bool
}

// coverageWords says what a trail's selectors record of management events.
func coverageWords(t aws.Trail) string {
	what := "records " + t.Management + " management events only"
	if t.Management == aws.ManagementNone {
		what = "records no management events"
	}
	if t.Management == aws.ManagementAll || t.Management == "" {
		what = "records every management event"
	}
	if len(t.Excluded) > 0 {
		what += " but leaves out " + strings.Join(t.Excluded, ", ")
	}
	return what
}

// judgeSelectors says whether a trail is narrowed, and by whom: the newest PutEventSelectors since
// T0 decides, judged by the trace; without an event since T0 the narrowing is older than the
// incident (probably by design) when the history was read, and of unknown age when it was not.
func judgeSelectors(t aws.Trail, s *aws.TrailSurvey, since time.Time, trace *TraceEvidence) selectorVerdict {
	if t.SelectorsErr != "" || t.AllManagement() {
		return selectorVerdict{}
	}
	v := selectorVerdict{Narrowed: true, What: coverageWords(t)}
	var ev *aws.TrailEvent
	for i, e := range s.Events {
		if (e.EventName == "PutEventSelectors" || e.EventName == "PutAdvancedEventSelectors") && e.Succeeded() && namesTrail(e, t.Name, t.ARN) {
			ev = &s.Events[i]
		}
	}
	switch {
	case ev != nil:
		attacker, traced := attackerCredential(trace, ev.Credential)
		switch {
		case traced && !attacker:
			v.Why = "narrowed after T0 by " + firstOr(ev.Principal, "someone") + ", not a credential the trace follows — " + evidence(*ev) + ": select it if nobody vouches for it"
		case traced:
			v.Why, v.Propose = "narrowed after T0 by the attacker — "+evidence(*ev), true
		default:
			v.Why, v.Propose = "narrowed after T0 — "+evidence(*ev)+" (CloudTrail was not traced: whose credential that is was not judged)", true
		}
	case since.IsZero():
		v.Why, v.Propose = "when and by whom is unknown: no incident start (T0) is set", true
	case historyUnread(s.HistoryUnread, t.HomeRegion):
		v.Why, v.Propose = "when and by whom is unknown: CloudTrail's event history of "+t.HomeRegion+" could not be read", true
	default:
		v.Why = "not changed since T0, as far as the event history shows: probably by design; select it to record every management event anyway"
	}
	return v
}

// attackerCredential says whether a credential is one of the attacker's, and whether the trace
// could say at all.
func attackerCredential(trace *TraceEvidence, credential string) (attacker, traced bool) {
	if trace == nil || trace.Footprint == nil {
		return false, false
	}
	for _, c := range trace.Footprint.Credentials {
		if c.ID == credential && credential != "" {
			return true, true
		}
	}
	return false, true
}

func historyUnread(unread []aws.RegionRead, region string) bool {
	for _, r := range unread {
		if r.Region == region {
			return true
		}
	}
	return false
}

// deletedTrail is a trail a DeleteTrail event since T0 names, and whether it exists again.
type deletedTrail struct {
	Name, Region string
	Event        aws.TrailEvent
	Back         bool
}

// deletedTrails are the trails deleted since T0, newest deletion per name.
func deletedTrails(s *aws.TrailSurvey) []deletedTrail {
	var out []deletedTrail
	seen := map[string]int{}
	for _, e := range s.Events {
		if e.EventName != "DeleteTrail" || !e.Succeeded() {
			continue
		}
		name := e.RequestField("name")
		name = name[strings.LastIndex(name, "/")+1:]
		if name == "" {
			continue
		}
		d := deletedTrail{Name: name, Region: e.Region, Event: e, Back: trailExistsIn(s, name, e.Region)}
		if i, dup := seen[name+"@"+e.Region]; dup {
			out[i] = d
			continue
		}
		seen[name+"@"+e.Region] = len(out)
		out = append(out, d)
	}
	return out
}

func trailExistsIn(s *aws.TrailSurvey, name, region string) bool {
	for _, t := range s.Trails {
		if t.Name == name && t.HomeRegion == region {
			return true
		}
	}
	return false
}

// formerSettings says how to create a deleted trail again ("as it was: aws cloudtrail ..."), from
// its CreateTrail and UpdateTrail events in the 90-day history, or that they are not there.
func formerSettings(ctx context.Context, env *Env, d deletedTrail) string {
	events, err := env.Account.TrailHistory(ctx, d.Region, d.Name)
	if err != nil {
		return "from your records: its settings could not be read from the history (" + err.Error() + ")"
	}
	settings := map[string]string{}
	found := false
	for _, e := range events {
		if e.EventName != "CreateTrail" && e.EventName != "UpdateTrail" {
			continue
		}
		found = found || e.EventName == "CreateTrail"
		for _, k := range []string{"s3BucketName", "s3KeyPrefix", "isMultiRegionTrail", "includeGlobalServiceEvents", "enableLogFileValidation", "kmsKeyId", "cloudWatchLogsLogGroupArn"} {
			if v := e.RequestField(k); v != "" {
				settings[k] = v
			}
		}
	}
	if !found {
		return "from your records: its CreateTrail event is older than the 90-day history, and the DeleteTrail event holds no bucket or settings"
	}
	cmd := fmt.Sprintf("aws cloudtrail create-trail --region %s --name %s --s3-bucket-name %s", d.Region, d.Name, settings["s3BucketName"])
	flags := map[string]string{"s3KeyPrefix": "--s3-key-prefix", "kmsKeyId": "--kms-key-id", "cloudWatchLogsLogGroupArn": "--cloud-watch-logs-log-group-arn"}
	for _, k := range []string{"s3KeyPrefix", "kmsKeyId", "cloudWatchLogsLogGroupArn"} {
		if v := settings[k]; v != "" {
			cmd += " " + flags[k] + " " + v
		}
	}
	for _, f := range [][2]string{{"isMultiRegionTrail", "--is-multi-region-trail"}, {"enableLogFileValidation", "--enable-log-file-validation"}} {
		if settings[f[0]] == "true" {
			cmd += " " + f[1]
		}
	}
	return "as it was, from its CreateTrail event: " + cmd + "; then aws cloudtrail start-logging --region " + d.Region + " --name " + d.Name
}

// bucketProblem says what is wrong with a logging trail's bucket, "" when nothing is.
func bucketProblem(b aws.TrailBucket) string {
	switch {
	case b.Err != "":
		return ""
	case !b.Exists:
		return "its bucket " + b.Name + " does not exist: the trail delivers its logs nowhere"
	}
	var rules []string
	for _, r := range b.Expiring {
		what := fmt.Sprintf("rule %q expires files under %q after %s", r.ID, r.Prefix, plural(int(r.Days), "day"))
		switch {
		case r.Noncurrent:
			what = fmt.Sprintf("rule %q expires older versions of files under %q after %s", r.ID, r.Prefix, plural(int(r.Days), "day"))
		case !r.Date.IsZero():
			what = fmt.Sprintf("rule %q expires every file under %q on %s", r.ID, r.Prefix, when(r.Date))
		}
		rules = append(rules, what)
	}
	if len(rules) == 0 {
		return ""
	}
	return "its bucket " + b.Name + " deletes the logs within days: " + strings.Join(rules, "; ")
}
