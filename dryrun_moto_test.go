package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockdown/aws/moto"
	"lockdown/aws/sim"
	"lockdown/aws/wiretest"
)

// motoResponder is any key pair: moto accepts every signature.
var motoResponder = staticCredentials{accessKeyID: "AKIAEXAMPLEMOTORESP1", secretAccessKey: "moto-responder-secret"}

// The dry-run proof again with moto, an emulator written by others, as the account: the built-in
// scenarios seeded into it as far as it supports them.
func TestDryRunCommandsSendNoChangeOnTheWireAgainstMoto(t *testing.T) {
	t.Parallel()
	sc, err := sim.LoadScenario(sim.DefaultScenario)
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	wire, seed := moto.StartSeeded(t, sc)
	t.Logf("moto started and seeded in %s", time.Since(started).Round(time.Millisecond))
	journal := t.TempDir()
	lockdown := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		// moto answers 500 to CloudTrail lookups it lacks: retry them on a compressed clock.
		args = append(args, "--endpoint-url", wire.URL, "--journal", journal, "--retry-base", "2ms")
		code := runWith(args, &stdout, &stderr, func(g *Globals) { g.credentials, g.transport = motoResponder, inProcessWire })
		return code, stderr.String()
	}
	checked := map[string]int{}
	noChanges := func(what string) {
		t.Helper()
		if c := wire.Changes(); len(c) > 0 {
			t.Errorf("%s sent %d changes to moto:\n%s", what, len(c), wiretest.Describe(c))
		}
		if wire.Count() == 0 {
			t.Errorf("%s sent nothing through the recorder", what)
		}
		checked[what] = wire.Count()
		t.Logf("%s: %d requests, %s", what, wire.Count(), time.Since(started).Round(time.Millisecond))
		wire.Reset()
	}

	plan := filepath.Join(t.TempDir(), "plan.json")
	code, stderr := lockdown("plan", "--live", "--key", seed.Leaked, "--since", seed.Since.Format(time.RFC3339),
		"--skip-regions", strings.Join(seed.OtherRegions(), ","), "-o", plan)
	if code != exitOK && code != exitPartial {
		t.Fatalf("plan exited %d:\n%s", code, stderr)
	}
	dryRuns := wire.DryRuns()
	if dryRuns == 0 {
		t.Errorf("plan proved no EC2 change with DryRun=true against moto:\n%s", stderr)
	}
	noChanges("plan --live")
	lockdown("scan", "--json", "--regions", strings.Join(append(seed.Regions, "us-east-1"), ","))
	noChanges("scan")
	lockdown("keys", "--json")
	noChanges("keys")
	t.Logf("requests checked on the wire against moto (%s seeded): %v", sc.Name, checked)
}
