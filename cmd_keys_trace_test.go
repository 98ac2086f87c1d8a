package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"lockdown/steps"
)

func TestKeysWithTheKeyNameTheAttackerAsCreatorOfTheBackdoors(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("paces lookups at CloudTrail's real limit")
	}
	srv, url := serveDrill(t)
	var stdout, stderr bytes.Buffer
	g := &Globals{LookupInterval: testLookupInterval, EndpointURL: url, credentials: responder(srv), transport: inProcessWire, Since: "3h", stdout: &stdout, stderr: &stderr}
	if err := (&KeysCmd{JSON: true, Workers: 4, Key: "AKIAEXAMPLELEAKED001"}).Run(g); err != nil {
		t.Fatal(err)
	}
	var rep steps.KeysReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Evidence != "cloudtrail" {
		t.Fatalf("evidence %q", rep.Evidence)
	}
	found := map[string]bool{}
	for _, u := range rep.Users {
		if u.Name == "support-sync" && u.CreatedBy != nil && u.CreatedBy.Attacker && u.CreatedBy.Credential == "AKIAEXAMPLELEAKED001" {
			found["user"] = true
		}
		for _, k := range u.Keys {
			if k.ID == "AKIAEXAMPLEBACKDOOR1" && k.CreatedBy != nil && k.CreatedBy.Attacker && k.CreatedBy.SourceIP == "203.0.113.7" {
				found["key"] = true
			}
			if u.Name == "alice" && k.CreatedBy != nil {
				t.Errorf("alice's old key has a creator inside the window: %+v", k.CreatedBy)
			}
		}
	}
	if !found["user"] || !found["key"] {
		t.Errorf("created_by missing: %v\n%s", found, stdout.String())
	}
}
