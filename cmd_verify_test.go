package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim/simtest"
	"lockdown/steps"
)

func TestVerifyExitsThreeAndListsWhatRemainsWhileTheAttackerIsIn(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, "crypto-miner", time.Now().UTC())
	var stdout, stderr bytes.Buffer
	g := &Globals{LookupInterval: testLookupInterval, EndpointURL: s.URL, credentials: responder(s.Server), transport: inProcessWire, Since: "3h", Journal: t.TempDir(), stdout: &stdout, stderr: &stderr}
	err := (&VerifyCmd{Key: "AKIAEXAMPLELEAKED001", JSON: true}).Run(g)
	var exit *exitError
	if !errors.As(err, &exit) || exit.code != exitPartial {
		t.Fatalf("got %v, want exit 3", err)
	}
	var doc steps.Verification
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, stdout.String())
	}
	if doc.Contained || doc.Remaining == 0 {
		t.Fatalf("contained while the attacker is in: %+v", doc)
	}
	failed := map[string]bool{}
	for _, c := range doc.Checks {
		if c.Result == steps.VerifyFail {
			failed[c.Check+" "+c.Item] = true
		}
	}
	for _, want := range []string{"leaked key AKIAEXAMPLELEAKED001", "new users support-sync", "new access keys support-sync/AKIAEXAMPLEBACKDOOR1"} {
		if !failed[want] {
			t.Errorf("%q not listed as remaining: %v", want, failed)
		}
	}
}

func TestVerifyRefusesAMalformedKey(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	g := &Globals{Since: "3h", stdout: &stdout, stderr: &stderr}
	err := (&VerifyCmd{Key: "not-a-key"}).Run(g)
	var exit *exitError
	if !errors.As(err, &exit) || exit.code != exitUsage || !strings.Contains(err.Error(), "--key") {
		t.Fatalf("got %v, want a usage error naming --key", err)
	}
}
