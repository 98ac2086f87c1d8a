package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"lockdown/aws/sim"
)

func TestTraceJSONFollowsTheKeyAndAFailedRegionExitsThree(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("paces lookups at CloudTrail's real limit")
	}
	srv, url := serveDrill(t)
	if err := srv.AddFault(sim.Fault{Region: "sa-east-1", Service: "cloudtrail", Deny: true}); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	g := &Globals{LookupInterval: testLookupInterval, EndpointURL: url, credentials: responder(srv), transport: inProcessWire, Since: "3h", stdout: &stdout, stderr: &stderr}
	err := (&TraceCmd{Key: "AKIAEXAMPLELEAKED001", JSON: true}).Run(g)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitPartial {
		t.Fatalf("want exit 3 for the denied region, got %v", err)
	}
	var doc struct {
		Account     string
		Credentials []struct{ ID, Kind string }
		Timeline    []struct {
			EventName  string `json:"event_name"`
			Credential string
			Region     string
		}
		Regions []struct{ Region, Status, Code string }
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, stdout.String())
	}
	kinds := map[string]string{}
	for _, c := range doc.Credentials {
		kinds[c.ID] = c.Kind
	}
	if doc.Account != "111122223333" || kinds["AKIAEXAMPLEBACKDOOR1"] != "access key" || kinds["ASIAEXAMPLESESSION01"] != "session" {
		t.Fatalf("account %s, credentials %v", doc.Account, kinds)
	}
	launched := map[string]bool{}
	for _, e := range doc.Timeline {
		launched[e.Region+" "+e.Credential] = launched[e.Region+" "+e.Credential] || e.EventName == "RunInstances"
	}
	if !launched["us-west-2 ASIAEXAMPLESESSION01"] || !launched["eu-north-1 AKIAEXAMPLEBACKDOOR1"] {
		t.Errorf("launches in the timeline: %v", launched)
	}
	// What only CloudTrail remembers: the session's security group rule.
	rule := false
	for _, e := range doc.Timeline {
		rule = rule || (e.EventName == "AuthorizeSecurityGroupIngress" && e.Credential == "ASIAEXAMPLESESSION01" && e.Region == "us-west-2")
	}
	if !rule {
		t.Error("the session's AuthorizeSecurityGroupIngress in us-west-2 is not in the timeline")
	}
	for _, r := range doc.Regions {
		if r.Region == "sa-east-1" && (r.Status != "error" || r.Code != "AccessDeniedException") {
			t.Errorf("sa-east-1: %+v", r)
		}
	}
	if launched["sa-east-1 AKIAEXAMPLEBACKDOOR1"] {
		t.Error("a denied region cannot have events")
	}
}

func TestTraceRefusesASecretPastedAsTheKey(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	g := &Globals{stdout: &stdout, stderr: &stderr}
	err := (&TraceCmd{Key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}).Run(g)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitUsage || stdout.Len() != 0 {
		t.Fatalf("a secret as --key: %v, stdout %q", err, stdout.String())
	}
}
