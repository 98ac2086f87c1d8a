package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"lockdown/aws"
	"lockdown/ui"
)

// The organization view's sweep tells each account of org-pivot as the trace finds it, the
// management account and the three members the attacker entered affected and the member whose
// role was removed failed; enter opens an affected member's runbook acting in that member, the
// key the attacker entered it with filled in, and refuses the member lockdown cannot enter.
func TestTheOrganizationViewSweepsTheOrganizationAndOpensEachAccountInItself(t *testing.T) {
	t.Parallel()
	c := startOrgOnTheWire(t, "org-pivot")
	var stderr bytes.Buffer
	g := &Globals{LookupInterval: testLookupInterval, EndpointURL: c.org.URL, credentials: responder(c.org.Management()),
		transport: inProcessWire, Journal: c.journal, stdout: &bytes.Buffer{}, stderr: &stderr}
	acct, err := g.OpenInteractiveAccount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	since := c.org.Management().IncidentStart()
	console, o, err := g.newOrgConsole(acct, OrgFlags{Org: true, OrgRole: aws.DefaultOrgRole, OrgCalls: 64, AccountCalls: 8,
		Accounts: strings.Split(pivotSweep, ",")}, pivotKey, since)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	t.Cleanup(func() { _ = console.close() })
	if len(o.Accounts) != 6 {
		t.Fatalf("the view starts with %d accounts, want the 6 swept", len(o.Accounts))
	}

	var mu sync.Mutex
	last := map[string]ui.OrgAccount{}
	sweeping := map[string]bool{}
	o.Sweep(context.Background(), func(a ui.OrgAccount) {
		mu.Lock()
		defer mu.Unlock()
		if a.State == ui.OrgSweeping {
			sweeping[a.ID] = true
		}
		last[a.ID] = a
	})
	for _, id := range strings.Split(pivotSweep, ",") {
		if !sweeping[id] {
			t.Errorf("%s was never shown being swept", id)
		}
	}
	for _, id := range pivotChanged {
		if a := last[id]; a.State != ui.OrgAffected || a.Events == 0 {
			t.Errorf("%s ends %s with %d attacker events, want affected", id, a.State, a.Events)
		}
	}
	if a := last[pivotRemoved]; a.State != ui.OrgFailed || !strings.Contains(a.Cause, "could not assume") {
		t.Errorf("the member whose role was removed ends %s (%q), want failed with the cause", a.State, a.Cause)
	}
	if a := last["400011110217"]; a.State != ui.OrgClean {
		t.Errorf("the clean member ends %s", a.State)
	}

	if _, _, err := o.Open(pivotRemoved); err == nil {
		t.Error("the member lockdown cannot enter was opened")
	}
	member := pivotChanged[1]
	run, known, err := o.Open(member)
	if err != nil {
		t.Fatal(err)
	}
	if known["access_key_id"] != pivotKey {
		t.Errorf("the member's runbook starts with key %q, want the key the attacker entered it with", known["access_key_id"])
	}
	found, err := run.Inspect(context.Background(), "confirm-account", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := found.Data.(aws.Identity); !ok || id.Account != member || !strings.Contains(id.ARN, "OrganizationAccountAccessRole") {
		t.Errorf("the member's runbook acts as %+v, want the role in %s", found.Data, member)
	}
}
