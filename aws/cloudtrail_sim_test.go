package aws_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
)

var traceStart = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)

const (
	leaked   = "AKIAEXAMPLELEAKED001"
	backdoor = "AKIAEXAMPLEBACKDOOR1"
	session  = "ASIAEXAMPLESESSION01"
)

// traceSim opens the built-in drill with lookups paced fast: the pace itself is measured by the
// wire test and the benchmark.
func traceSim(t *testing.T) (*simtest.Sim, *aws.Account) {
	t.Helper()
	s := simtest.Start(t, "crypto-miner", traceStart)
	return s, s.Account(t, aws.Options{LookupInterval: time.Millisecond})
}

func credentialIDs(f *aws.Footprint) []string {
	var out []string
	for _, c := range f.Credentials {
		out = append(out, c.ID)
	}
	return out
}

func TestTraceFollowsTheLeakedKeyToEveryKeyUserAndSessionItMade(t *testing.T) {
	s, acct := traceSim(t)
	s.Clock.Advance(30 * time.Minute) // the attacker keeps launching with the leaked key and the backdoor
	f, err := acct.TraceAttacker(context.Background(), aws.TraceOptions{Key: leaked, Since: traceStart.Add(-3 * time.Hour)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := credentialIDs(f)
	for _, want := range []string{leaked, backdoor, session, "support-sync"} {
		if !slices.Contains(ids, want) {
			t.Errorf("attacker credentials %v miss %s", ids, want)
		}
	}
	if len(f.Failed()) != 0 {
		t.Fatalf("failed regions: %+v", f.Failed())
	}
	seen := map[string]bool{}
	for i, e := range f.Timeline {
		seen[e.Region+" "+e.EventName+" "+e.Credential] = true
		if i > 0 && e.Time.Before(f.Timeline[i-1].Time) {
			t.Fatalf("timeline out of order at %d", i)
		}
		if e.SourceIP != "203.0.113.7" {
			t.Errorf("%s %s came from %s, want the attacker's address", e.Region, e.EventName, e.SourceIP)
		}
	}
	for _, want := range []string{
		"us-east-1 AssumeRole " + leaked,
		"us-east-1 CreateAccessKey " + leaked,
		"us-west-2 RunInstances " + session,
		"eu-north-1 RunInstances " + backdoor,
		"sa-east-1 RunInstances " + backdoor,
		"ap-southeast-1 RequestSpotInstances " + leaked,
		"us-west-2 RunInstances " + leaked, // during the drill
	} {
		if !seen[want] {
			t.Errorf("the timeline lacks %s", want)
		}
	}
	launches := 0
	for id, o := range f.Origins {
		if o.EventName == "RunInstances" && o.Attacker {
			launches++
			if o.SourceIP != "203.0.113.7" || o.EventID == "" {
				t.Errorf("instance %s: %+v", id, o)
			}
		}
	}
	if launches < 4+3+1+2 {
		t.Errorf("%d attacker launches have an origin", launches)
	}
}

func TestALaunchByAutoScalingAfterT0IsNotTheAttackers(t *testing.T) {
	sc := `
name: asg
seed: 3
account: {id: "111122223333"}
incident_start: -3h
regions: [{name: us-east-1, opt_in: opt-in-not-required}, {name: eu-west-1, opt_in: opt-in-not-required}]
iam:
  users:
    - name: ci
      created: -100d
      access_keys: [{id: AKIAEXAMPLELEAKED001, created: -50d}]
  roles:
    - {name: AWSServiceRoleForAutoScaling, created: -300d, service_linked: autoscaling.amazonaws.com}
ec2:
  instances:
    - {region: eu-west-1, id: i-0000000000000asg1, launched: -40m, by: "role:AWSServiceRoleForAutoScaling"}
    - {region: eu-west-1, id: i-000000000000miner, launched: -2h, type: p3.2xlarge, by: AKIAEXAMPLELEAKED001}
attacker:
  access_key_id: AKIAEXAMPLELEAKED001
  source_ip: 198.18.0.66
`
	s := simtest.Start(t, sc, traceStart)
	f, err := s.Account(t, aws.Options{LookupInterval: time.Millisecond}).TraceAttacker(context.Background(), aws.TraceOptions{Key: leaked}, nil)
	if err != nil {
		t.Fatal(err)
	}
	asg, ok := f.Origin("i-0000000000000asg1")
	if !ok || asg.Attacker || asg.SourceIP != "autoscaling.amazonaws.com" {
		t.Errorf("the Auto Scaling launch: %+v (found %v)", asg, ok)
	}
	miner, ok := f.Origin("i-000000000000miner")
	if !ok || !miner.Attacker || miner.By() != "by "+leaked+" from 198.18.0.66 (CloudTrail event "+miner.EventID+")" {
		t.Errorf("the miner: %+v — %s", miner, miner.By())
	}
	for _, e := range f.Timeline {
		if e.Credential != leaked {
			t.Errorf("the timeline holds someone else's event: %+v", e)
		}
	}
}

func TestARegionWhereCloudTrailIsDeniedFailsAloneWithItsCause(t *testing.T) {
	s, acct := traceSim(t)
	if err := s.Server.AddFault(sim.Fault{Region: "eu-north-1", Service: "cloudtrail", Deny: true}); err != nil {
		t.Fatal(err)
	}
	var progress []aws.TraceRegion
	f, err := acct.TraceAttacker(context.Background(), aws.TraceOptions{Key: leaked}, func(r aws.TraceRegion) { progress = append(progress, r) })
	if err != nil {
		t.Fatal(err)
	}
	failed := f.Failed()
	if len(failed) != 1 || failed[0].Region != "eu-north-1" || failed[0].Code != "AccessDeniedException" {
		t.Fatalf("failed regions: %+v", failed)
	}
	if r, _ := f.Region("us-west-2"); r.Status != aws.RegionOK || r.Events == 0 {
		t.Errorf("us-west-2 should be read despite eu-north-1: %+v", r)
	}
	if len(progress) < 2*17 {
		t.Errorf("%d progress reports for 17 regions", len(progress))
	}
}

func TestALeakedSessionKeyNamesItsRole(t *testing.T) {
	_, acct := traceSim(t)
	f, err := acct.TraceAttacker(context.Background(), aws.TraceOptions{Key: session}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.SessionRole(); got != "arn:aws:iam::111122223333:role/deploy-role" {
		t.Errorf("the session's role is %q", got)
	}
}

// In own-key the responder signs with the leaked key: the reads lockdown itself makes are left
// out of the attacker's timeline (and counted apart), while the attacker's calls with the same key
// stay in it.
func TestTheTraceLeavesOutLockdownsOwnReadsWithTheLeakedKey(t *testing.T) {
	s := simtest.Start(t, "own-key", traceStart)
	acct := s.Account(t, aws.Options{LookupInterval: time.Millisecond})
	key, _ := s.Server.ResponderCredentials()
	if key != s.Server.Scenario().Attacker.AccessKeyID {
		t.Fatal("own-key's responder no longer signs with the leaked key")
	}
	if _, err := aws.TakeInventory(context.Background(), acct.IAM(), aws.DefaultInventoryWorkers, nil); err != nil {
		t.Fatal(err)
	}
	s.Clock.Advance(10 * time.Minute)
	f, err := acct.TraceAttacker(context.Background(), aws.TraceOptions{Key: key, Since: traceStart.Add(-2 * time.Hour)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.OwnReads == 0 {
		t.Error("lockdown's own reads with the leaked key are not counted apart")
	}
	writes := 0
	for _, e := range f.Timeline {
		if e.EventName == "ListUsers" || e.EventName == "ListAccessKeys" || e.EventName == "GetCallerIdentity" && e.SourceIP != s.Server.Scenario().Attacker.SourceIP {
			t.Errorf("lockdown's own read is in the attacker's timeline: %s from %s (%s)", e.EventName, e.SourceIP, e.UserAgent)
		}
		if e.Write() {
			writes++
		}
	}
	if writes == 0 {
		t.Error("the attacker's changes with the leaked key left the timeline too")
	}
}
