package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
	"lockdown/steps"
)

// scaleOutIncident has miners the leaked key launched in two regions and, after T0, a scale-out
// Auto Scaling made: only the evidence tells them apart.
const scaleOutIncident = `
name: scale-out
seed: 5
account: {id: "111122223333"}
incident_start: -3h
regions:
  - {name: us-east-1, opt_in: opt-in-not-required}
  - {name: us-west-2, opt_in: opt-in-not-required}
  - {name: eu-north-1, opt_in: opt-in-not-required}
iam:
  users:
    - {name: ci, created: -100d, access_keys: [{id: AKIAEXAMPLELEAKED001, created: -50d}]}
  roles:
    - {name: AWSServiceRoleForAutoScaling, created: -300d, service_linked: autoscaling.amazonaws.com}
ec2:
  instances:
    - {region: us-east-1, id: i-00000000000000web, type: m5.large, launched: -100d}
    - {region: us-east-1, id: i-0000000000000asg1, type: m5.large, launched: -40m, by: "role:AWSServiceRoleForAutoScaling",
       tags: {"aws:autoscaling:groupName": web}}
    - {region: us-west-2, id: i-000000000000mine1, type: p3.16xlarge, launched: -2h, by: AKIAEXAMPLELEAKED001}
    - {region: eu-north-1, id: i-000000000000mine2, type: g5.12xlarge, launched: -1h, by: AKIAEXAMPLELEAKED001}
attacker:
  access_key_id: AKIAEXAMPLELEAKED001
  source_ip: 203.0.113.7
`

func TestScanWithTheKeyJudgesByWhoLaunchedAndFallsBackWhereCloudTrailIsDenied(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("paces lookups at CloudTrail's real limit")
	}
	s := simtest.Start(t, scaleOutIncident, time.Now())
	if err := s.Server.AddFault(sim.Fault{Region: "eu-north-1", Service: "cloudtrail", Deny: true}); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	g := &Globals{LookupInterval: testLookupInterval, EndpointURL: s.URL, credentials: responder(s.Server), transport: inProcessWire, Since: "3h", stdout: &stdout, stderr: &stderr}
	err := (&ScanCmd{JSON: true, Key: "AKIAEXAMPLELEAKED001"}).Run(g)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitPartial {
		t.Fatalf("want exit 3 while eu-north-1's CloudTrail is denied, got %v", err)
	}
	var doc steps.ScanDocument
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v", err)
	}
	byID := map[string]steps.RogueInstance{}
	for _, in := range doc.Instances {
		byID[in.ID] = in
	}
	miner := byID["i-000000000000mine1"]
	if miner.Verdict != steps.VerdictRogue || miner.LaunchedBy == nil || !miner.LaunchedBy.Attacker ||
		!strings.HasPrefix(miner.Reasons[0], "launched by AKIAEXAMPLELEAKED001 from 203.0.113.7 (CloudTrail event ") {
		t.Errorf("the us-west-2 miner: %+v", miner)
	}
	asg := byID["i-0000000000000asg1"]
	if asg.Verdict == steps.VerdictRogue || asg.LaunchedBy == nil || asg.LaunchedBy.Attacker || asg.Evidence != "cloudtrail" ||
		!strings.Contains(asg.LaunchedBy.Principal, "AWSServiceRoleForAutoScaling") {
		t.Errorf("the Auto Scaling instance launched after T0: %+v", asg)
	}
	denied := byID["i-000000000000mine2"]
	if denied.Verdict != steps.VerdictRogue || denied.LaunchedBy != nil || !strings.HasPrefix(denied.Evidence, "timestamps: CloudTrail could not be read in eu-north-1") {
		t.Errorf("the miner where CloudTrail is denied: %+v", denied)
	}
	for _, r := range doc.Regions {
		want := "cloudtrail"
		if r.Region == "eu-north-1" {
			want = "timestamps: CloudTrail could not be read (AccessDeniedException"
		}
		if !strings.HasPrefix(r.Evidence, want) {
			t.Errorf("%s: evidence %q", r.Region, r.Evidence)
		}
	}
}

func TestScanWithoutTheKeySaysItsVerdictsRestOnTimestamps(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, scaleOutIncident, time.Now())
	var stdout, stderr bytes.Buffer
	g := &Globals{LookupInterval: testLookupInterval, EndpointURL: s.URL, credentials: responder(s.Server), transport: inProcessWire, Since: "3h", stdout: &stdout, stderr: &stderr}
	if err := (&ScanCmd{JSON: true}).Run(g); err != nil {
		t.Fatal(err)
	}
	var doc steps.ScanDocument
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range doc.Regions {
		if !strings.HasPrefix(r.Evidence, "timestamps:") {
			t.Errorf("%s: evidence %q", r.Region, r.Evidence)
		}
	}
	for _, in := range doc.Instances {
		if in.ID == "i-0000000000000asg1" && in.Verdict != steps.VerdictRogue {
			t.Errorf("without evidence a launch after T0 is judged by its time: %+v", in)
		}
	}
}

// TestTheBuiltinDrillsScaleOutIsNotRogueOnceTheKeyIsTraced: in the built-in scenario, every
// instance an attacker credential launched (the leaked key, its role session, the backdoor key)
// is rogue with who launched it, and the Auto Scaling scale-out after T0 is not.
func TestTheBuiltinDrillsScaleOutIsNotRogueOnceTheKeyIsTraced(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("paces lookups at CloudTrail's real limit")
	}
	srv, url := serveDrill(t)
	var stdout, stderr bytes.Buffer
	g := &Globals{LookupInterval: testLookupInterval, EndpointURL: url, credentials: responder(srv), transport: inProcessWire, Since: "3h", stdout: &stdout, stderr: &stderr}
	if err := (&ScanCmd{JSON: true, Key: "AKIAEXAMPLELEAKED001"}).Run(g); err != nil {
		t.Fatalf("scan: %v\n%s", err, stderr.String())
	}
	var doc steps.ScanDocument
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v", err)
	}
	launchers, scaleOut := map[string]int{}, 0
	for _, in := range doc.Instances {
		if in.Tags["aws:autoscaling:groupName"] != "" {
			scaleOut++
			if in.Verdict == steps.VerdictRogue || in.LaunchedBy == nil || in.LaunchedBy.Attacker {
				t.Errorf("Auto Scaling instance %s: %s, launched by %+v", in.ID, in.Verdict, in.LaunchedBy)
			}
			continue
		}
		if in.LaunchTime.After(*doc.Since) {
			if in.Verdict != steps.VerdictRogue || in.LaunchedBy == nil || !in.LaunchedBy.Attacker {
				t.Errorf("attacker instance %s in %s: %s, launched by %+v", in.ID, in.Region, in.Verdict, in.LaunchedBy)
				continue
			}
			launchers[in.LaunchedBy.Credential]++
		}
	}
	if scaleOut != 2 || launchers["AKIAEXAMPLELEAKED001"] == 0 || launchers["ASIAEXAMPLESESSION01"] == 0 || launchers["AKIAEXAMPLEBACKDOOR1"] == 0 {
		t.Errorf("%d Auto Scaling instances; attacker launches by credential %v", scaleOut, launchers)
	}
}
