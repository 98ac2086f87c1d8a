package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim/simtest"
	"lockdown/aws/wiretest"
)

// orgOnTheWire is an organization scenario served with a recorder in front, and the command line
// run in-process as its management account's responder.
type orgOnTheWire struct {
	t       *testing.T
	org     *simtest.Org
	wire    *wiretest.Proxy
	journal string
}

func startOrgOnTheWire(t *testing.T, scenario string) *orgOnTheWire {
	t.Helper()
	o := simtest.StartOrganization(t, scenario, time.Now().UTC())
	return &orgOnTheWire{t: t, org: o, wire: o.Watch(t), journal: t.TempDir()}
}

func (c *orgOnTheWire) lockdown(args ...string) (int, string, string) {
	c.t.Helper()
	var stdout, stderr bytes.Buffer
	started := time.Now()
	code := runAsResponder(c.org.Management(), append(args, "--endpoint-url", c.org.URL, "--journal", c.journal), &stdout, &stderr)
	c.t.Logf("lockdown %s: exit %d in %s", strings.Join(args[:min(2, len(args))], " "), code, time.Since(started).Round(time.Millisecond))
	return code, stdout.String(), stderr.String()
}

// since is the scenario's T0, as --since takes it.
func (c *orgOnTheWire) since() string {
	return c.org.Management().IncidentStart().Format(time.RFC3339)
}

// orgScan is what a test reads of scan --org --json.
type orgScan struct {
	Organization string
	Accounts     []struct {
		Account, Name, Status, Cause string
		Rogue                        int
		Scan                         *struct {
			Instances []struct{ ID, Verdict string }
		}
	}
	Summary struct {
		Accounts, Ok, Failed int
		Affected             []string
	}
	Calls struct {
		Most      int `json:"most"`
		GlobalCap int `json:"global_cap"`
	} `json:"calls_in_flight"`
}

func decodeOrgScan(t *testing.T, out string) orgScan {
	t.Helper()
	var doc orgScan
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	return doc
}

func TestScanOrgFindsTheMinersInExactlyTheAccountsTheAttackerEnteredAndTheUnreachableOneFailed(t *testing.T) {
	t.Parallel()
	c := startOrgOnTheWire(t, "org-pivot")
	code, out, stderr := c.lockdown("scan", "--org", "--json", "--since", c.since(), "--org-calls", "16", "--account-calls", "4")
	if code != exitPartial {
		t.Fatalf("exit %d, want 3 for the account that could not be entered:\n%s", code, stderr)
	}
	doc := decodeOrgScan(t, out)
	if doc.Organization != "o-acme0rg000" || doc.Summary.Accounts != 41 || doc.Summary.Failed != 1 {
		t.Errorf("organization %s, %d accounts, %d failed; want o-acme0rg000, 41, 1", doc.Organization, doc.Summary.Accounts, doc.Summary.Failed)
	}
	if want := []string{"400011110101", "400011110102", "400011110103"}; !slices.Equal(doc.Summary.Affected, want) {
		t.Errorf("affected accounts %v, want %v", doc.Summary.Affected, want)
	}
	for _, a := range doc.Accounts {
		switch {
		case a.Account == "" || (a.Status != "ok" && a.Status != "failed"):
			t.Errorf("an account without its id or status: %+v", a)
		case a.Account == "400011110104":
			if a.Status != "failed" || !strings.Contains(a.Cause, "AccessDenied") || !strings.Contains(a.Cause, "OrganizationAccountAccessRole") || a.Scan != nil {
				t.Errorf("the account whose role was removed: %+v; want failed, with AWS's AccessDenied as the cause", a)
			}
		case a.Status != "ok" || a.Scan == nil:
			t.Errorf("account %s: %s %s", a.Account, a.Status, a.Cause)
		}
	}
	if doc.Calls.Most < 1 || doc.Calls.Most > 16 || doc.Calls.GlobalCap != 16 {
		t.Errorf("calls in flight at most %d, cap %d; want at most the cap of 16", doc.Calls.Most, doc.Calls.GlobalCap)
	}
	if !strings.Contains(stderr, "400011110104 acme-legacy-billing") || !strings.Contains(stderr, "FAILED  could not assume OrganizationAccountAccessRole") {
		t.Errorf("stderr does not stream the failed account:\n%s", stderr)
	}
	if changes := c.wire.Changes(); len(changes) > 0 {
		t.Errorf("scan --org sent %d changes:\n%s", len(changes), wiretest.Describe(changes))
	}
}

func TestScanOrgNamesLockdownsSessionInEachMembersCloudTrail(t *testing.T) {
	t.Parallel()
	c := startOrgOnTheWire(t, "org-pivot")
	code, _, stderr := c.lockdown("scan", "--org", "--json", "--accounts", "400011110201")
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	var assumed []string
	for _, r := range c.wire.Requests() {
		if r.Action == "AssumeRole" {
			assumed = append(assumed, r.Params.Get("RoleSessionName")+" "+r.Params.Get("RoleArn"))
		}
	}
	if len(assumed) != 1 || !strings.HasPrefix(assumed[0], "lockdown-") || !strings.HasSuffix(assumed[0], "arn:aws:iam::400011110201:role/OrganizationAccountAccessRole") {
		t.Errorf("AssumeRole calls %v; want one, into the chosen account, with a session named lockdown-…", assumed)
	}
}

func TestScanOrgNarrowsToAUnitOrToAccountsAndRefusesNamesTheOrganizationHasNot(t *testing.T) {
	t.Parallel()
	c := startOrgOnTheWire(t, "org-pivot")
	unit := c.org.Org.UnitID("Sandbox")
	code, out, stderr := c.lockdown("scan", "--org", "--json", "--ou", unit)
	if doc := decodeOrgScan(t, out); code != exitOK || doc.Summary.Accounts != 1 || doc.Accounts[0].Account != "400011110102" {
		t.Errorf("--ou Sandbox: exit %d, %+v\n%s", code, doc.Summary, stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"scan", "--org", "--accounts", "400011110101,999999999999"}, "--accounts: 999999999999 is not an account of the organization"},
		{[]string{"scan", "--org", "--ou", "ou-none-00000000"}, "--ou ou-none-00000000: the organization has no such unit"},
		{[]string{"scan", "--accounts", "400011110101"}, "--accounts narrows an organization sweep: add --org"},
		{[]string{"keys", "--ou", unit}, "--ou narrows an organization sweep: add --org"},
	} {
		if code, _, stderr := c.lockdown(tc.args...); code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %s\nwant exit 2 saying %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestScanOrgReportsARegionAMemberDeniesAsTheAccountFailed(t *testing.T) {
	t.Parallel()
	c := startOrgOnTheWire(t, `name: denied
account: {id: "500000000001"}
incident_start: -1h
organization:
  members:
    - id: "500000000002"
      faults: [{region: eu-west-3, service: ec2, deny: true}]
    - id: "500000000003"
`)
	code, out, _ := c.lockdown("scan", "--org", "--json")
	doc := decodeOrgScan(t, out)
	if code != exitPartial || doc.Summary.Failed != 1 {
		t.Fatalf("exit %d, summary %+v; want 3 and one failed account", code, doc.Summary)
	}
	for _, a := range doc.Accounts {
		if a.Account == "500000000002" && (a.Status != "failed" || !strings.Contains(a.Cause, "eu-west-3") || !strings.Contains(a.Cause, "UnauthorizedOperation") || a.Scan == nil) {
			t.Errorf("the member that denies a region: %+v; want failed naming the region and AWS's reason, with the rest of its scan", a)
		}
	}
}

func TestKeysOrgInventoriesEachAccountAndNamesTheBackdoorWhereItIs(t *testing.T) {
	t.Parallel()
	c := startOrgOnTheWire(t, "org-pivot")
	code, out, stderr := c.lockdown("keys", "--org", "--json", "--since", c.since(), "--accounts", "400011110102,400011110104,400011112222")
	if code != exitPartial {
		t.Fatalf("exit %d, want 3 for the unreachable account:\n%s", code, stderr)
	}
	var doc struct {
		Accounts []struct {
			Account, Status, Cause string
			Report                 *struct{ Users []struct{ Name string } }
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	users := map[string][]string{}
	for _, a := range doc.Accounts {
		if a.Report == nil {
			users[a.Account] = []string{a.Status}
			continue
		}
		for _, u := range a.Report.Users {
			users[a.Account] = append(users[a.Account], u.Name)
		}
	}
	if !slices.Contains(users["400011110102"], "svc-backup") || slices.Contains(users["400011112222"], "svc-backup") || users["400011110104"][0] != "failed" {
		t.Errorf("users by account %v; want svc-backup in the ML sandbox only, and the legacy account failed", users)
	}
	if changes := c.wire.Changes(); len(changes) > 0 {
		t.Errorf("keys --org sent %d changes:\n%s", len(changes), wiretest.Describe(changes))
	}
}
