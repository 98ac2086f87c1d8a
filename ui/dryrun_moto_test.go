package ui

import (
	"context"
	"net/http"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/moto"
	"lockdown/aws/sim"
	"lockdown/aws/wiretest"
	"lockdown/steps"
)

// The TUI dry-run proof again with moto, an emulator written by others, as the account: the
// built-in scenario seeded into it, the whole runbook walked by key presses with every dialog
// answered, and the wire between lockdown and moto must carry no change.
func TestTUIDryRunOfTheWholeRunbookAgainstMotoSendsNoChange(t *testing.T) {
	sc, err := sim.LoadScenario(sim.DefaultScenario)
	if err != nil {
		t.Fatal(err)
	}
	wire, seed := moto.StartSeeded(t, sc)

	transport := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(transport.CloseIdleConnections)
	acct, err := aws.Open(context.Background(), aws.Options{Mode: steps.DryRun, Region: "us-east-1", EndpointURL: wire.URL,
		AccessKeyID: "AKIAEXAMPLEMOTORESP1", SecretAccessKey: "moto-responder-secret",
		MaxBackoff: 20 * time.Millisecond, HTTPClient: &http.Client{Transport: transport}})
	if err != nil {
		t.Fatal(err)
	}
	d := startSession(t, sessionTarget{mode: steps.DryRun, wire: wire, url: wire.URL, acct: acct,
		since: seed.Since, now: time.Now, skipRegions: seed.OtherRegions(), patience: 90 * time.Second})
	dialogs := d.walkTheWholeRunbook(seed.Leaked)

	if changes := wire.Changes(); len(changes) > 0 {
		t.Errorf("the TUI dry run sent %d changes to moto:\n%s", len(changes), wiretest.Describe(changes))
	}
	dryRuns := wire.DryRuns()
	if dialogs < 3 || dryRuns == 0 {
		t.Errorf("the walk confirmed %d dialogs and sent %d EC2 dry runs: the runbook was not exercised\n%s",
			dialogs, dryRuns, d.screen())
	}
	t.Logf("TUI dry run against moto: %d dialogs confirmed, %d requests checked on the wire (%d EC2 dry runs)",
		dialogs, wire.Count(), dryRuns)
}
