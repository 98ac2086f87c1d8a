package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"lockdown/aws"
	"lockdown/aws/wiretest"
	"lockdown/debrief"
	"lockdown/runbooks"
)

const (
	pivotKey     = "AKIAEXAMPLEORGLEAK01"
	pivotMgmt    = "400011112222"
	pivotRemoved = "400011110104"
)

var pivotChanged = []string{pivotMgmt, "400011110101", "400011110102", "400011110103"}

// pivotSweep narrows org-pivot's sweep to the accounts that matter and one clean member, so a
// test walks six accounts rather than forty-one (scan --org's test walks them all).
var pivotSweep = strings.Join(append(slices.Clone(pivotChanged), pivotRemoved, "400011110217"), ",")

// planOrg plans org-pivot's organization and returns the plan file and its digest.
func (c *orgOnTheWire) planOrg(accounts string, want int) (path, digest string) {
	c.t.Helper()
	path = filepath.Join(c.t.TempDir(), "plan.json")
	code, _, stderr := c.lockdown("plan", "--org", "--accounts", accounts, "--key", pivotKey, "--since", c.since(), "-o", path)
	if code != want {
		c.t.Fatalf("plan --org exited %d, want %d:\n%s", code, want, stderr)
	}
	m := regexp.MustCompile(`Organization plan digest: (sha256:[0-9a-f]+)`).FindStringSubmatch(stderr)
	if m == nil {
		c.t.Fatalf("plan --org printed no organization digest:\n%s", stderr)
	}
	return path, m[1]
}

func TestTraceOrgFollowsTheAttackerIntoEveryAccountTheyEntered(t *testing.T) {
	t.Parallel()
	c := startOrgOnTheWire(t, "org-pivot")
	// The accounts that matter and a clean one: scan --org's test walks all forty-one.
	code, out, stderr := c.lockdown("trace", "--org", "--accounts", pivotSweep, "--key", pivotKey, "--since", c.since(), "--json")
	if code != exitPartial {
		t.Fatalf("exit %d, want 3 for the account that could not be traced:\n%s", code, stderr)
	}
	var doc struct {
		Affected    []string
		EnteredFrom map[string][]struct{ Credential, Role string } `json:"entered_from"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(doc.Affected, pivotChanged) {
		t.Errorf("affected accounts %v, want the management account and the three it entered %v", doc.Affected, pivotChanged)
	}
	if e := doc.EnteredFrom["400011110102"]; len(e) != 1 || e[0].Credential != pivotKey || !strings.HasSuffix(e[0].Role, ":role/OrganizationAccountAccessRole") {
		t.Errorf("how the ML sandbox was entered: %+v", e)
	}
}

func TestTraceOrgFollowsAnAttackerFromOneMemberIntoAnother(t *testing.T) {
	t.Parallel()
	// The leaked key enters member A; from A's session the attacker assumes a role of member B,
	// which A's CloudTrail records and B's names only A's session.
	c := startOrgOnTheWire(t, `name: chain
account: {id: "500000000001"}
incident_start: -3h
iam:
  users: [{name: ops, access_keys: [{id: AKIAEXAMPLECHAINKEY1}]}]
attacker: {access_key_id: AKIAEXAMPLECHAINKEY1}
organization:
  members:
    - id: "500000000002"
      attacker:
        sessions: [{at: -2h, role: OrganizationAccountAccessRole, access_key_id: ASIAEXAMPLECHAINA001}]
    - id: "500000000003"
      iam:
        roles: [{name: partner-sync, created: -300d, trust: ["500000000002"], attached_policies: [AdministratorAccess]}]
      ec2:
        instances: [{region: eu-west-1, type: p3.2xlarge, launched: -1h, by: ASIAEXAMPLECHAINB001}]
      attacker:
        sessions: [{at: -90m, role: partner-sync, by: ASIAEXAMPLECHAINA001, access_key_id: ASIAEXAMPLECHAINB001}]
    - id: "500000000004"
`)
	code, out, stderr := c.lockdown("trace", "--org", "--key", "AKIAEXAMPLECHAINKEY1", "--since", c.since(), "--json")
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	var doc struct{ Affected []string }
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if want := []string{"500000000001", "500000000002", "500000000003"}; !slices.Equal(doc.Affected, want) {
		t.Errorf("affected %v, want %v: B is entered only through A's session", doc.Affected, want)
	}
}

func TestPlanAndApplyAcrossTheOrganizationContainItAndVerifyWaitsForTheUnreachableAccount(t *testing.T) {
	t.Parallel()
	c := startOrgOnTheWire(t, "org-pivot")
	// The attacker's clock runs 50 times the responder's, as a drill at --pace 50x would.
	scored := debrief.WatchOrg(c.org.Org, 50, c.containment)
	c.org.Run(t, 20*time.Millisecond, time.Second)
	path, digest := c.planOrg(pivotSweep, exitPartial)
	if changes := c.wire.Changes(); len(changes) > 0 {
		t.Errorf("plan --org sent %d changes:\n%s", len(changes), wiretest.Describe(changes))
	}
	if c.wire.DryRuns() == 0 {
		t.Error("plan --org proved no EC2 change with DryRun=true: the members' terminations were not checked")
	}
	var doc struct {
		Accounts []struct {
			Account, Status string
			Plan            *struct{ Account string }
		}
	}
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var planned []string
	for _, a := range doc.Accounts {
		if a.Plan != nil {
			if a.Plan.Account != a.Account {
				t.Errorf("the section of %s plans account %s", a.Account, a.Plan.Account)
			}
			planned = append(planned, a.Account)
		}
		if a.Account == pivotRemoved && a.Status != "failed" {
			t.Errorf("the account without its role is %s in the plan, want failed", a.Status)
		}
	}
	if !slices.Equal(planned, pivotChanged) {
		t.Errorf("accounts with a plan %v, want %v", planned, pivotChanged)
	}
	c.wire.Reset()
	secrets := filepath.Join(t.TempDir(), "secrets")
	code, _, stderr := c.lockdown("apply", path, "--live", "--plan-digest", digest, "--secrets-file", secrets,
		"--confirm", strings.Join(pivotChanged[:3], ","))
	if code != exitUsage || !strings.Contains(stderr, "missing 400011110103") || len(c.wire.Requests()) != 0 {
		t.Fatalf("apply without every changed account confirmed: exit %d, %d requests sent\n%s", code, len(c.wire.Requests()), stderr)
	}
	// One apply of the organization's plan at a time: while another holds it, nothing is sent.
	held, err := runbooks.TakeLock(c.journal, "apply-"+strings.TrimPrefix(digest, "sha256:"), "another apply")
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr = c.lockdown("apply", path, "--live", "--plan-digest", digest, "--secrets-file", secrets, "--confirm", strings.Join(pivotChanged, ","))
	if _, statErr := os.Stat(secrets); code != exitFailed || !strings.Contains(stderr, "nothing was sent") || len(c.wire.Requests()) != 0 || statErr == nil {
		t.Fatalf("apply while another holds the plan: exit %d, %d requests sent, secrets file made: %v\n%s", code, len(c.wire.Requests()), statErr == nil, stderr)
	}
	_ = held.Release()
	code, _, stderr = c.lockdown("apply", path, "--live", "--plan-digest", digest, "--secrets-file", secrets, "--confirm", strings.Join(pivotChanged, ","))
	if code != exitPartial || !strings.Contains(stderr, "acme-legacy-billing): NOT APPLIED") {
		t.Fatalf("apply: exit %d, want 3 for the account left undone\n%s", code, stderr)
	}
	code, out, _ := c.lockdown("verify", "--org", "--accounts", pivotSweep, "--key", pivotKey, "--since", c.since())
	if code != exitPartial || !strings.Contains(out, "NOT contained: 400011110104 (acme-legacy-billing) unknown") || strings.Count(out, " contained  contained") != 4 {
		t.Fatalf("verify after apply: exit %d, want 3 naming only the unreachable account\n%s", code, out)
	}
	code, out, stderr = c.lockdown("verify", "--org", "--accounts", pivotSweep, "--key", pivotKey, "--since", c.since(), "--skip-accounts", pivotRemoved, "--reason", "checked in the console by its owners")
	if code != exitOK || !strings.Contains(out, "The organization is contained") {
		t.Fatalf("verify with the unreachable account skipped: exit %d\n%s%s", code, out, stderr)
	}
	// The skip is journaled: a later verification honours it. Without --key, the key is the one
	// the incident's journals name.
	if code, out, stderr = c.lockdown("verify", "--org", "--accounts", pivotSweep, "--since", c.since()); code != exitOK || !strings.Contains(out, "by the operator: checked in the console") ||
		!strings.Contains(stderr, "No --key given: checking "+pivotKey) {
		t.Errorf("verify without --key after the journaled skip: exit %d\n%s%s", code, out, stderr)
	}
	// A member alone leaves the key to its own account, which this sweep leaves out: unknown.
	if code, out, _ = c.lockdown("verify", "--org", "--accounts", "400011110102", "--key", pivotKey, "--since", c.since()); code != exitPartial || !strings.Contains(out, pivotMgmt+" (acme-root) unknown: the leaked key's own account, left out of the sweep") {
		t.Errorf("verify of a member without the key's account: exit %d, want 3 naming the key's account\n%s", code, out)
	}
	c.checkJournalNamesWhoChangedWhat()

	// The documented good response scores the organization's drill in full: the miners the
	// attacker launched in the members are theirs (no collateral), and they cost something.
	d := scored.Debrief()
	t.Logf("the organization's debrief:\n%s", strings.Join(d.ScoredLines(), "\n"))
	if d.Score.Points != d.Score.Of || len(d.Collateral) != 0 || d.InstanceHours <= 0 || d.Cost <= 0 {
		t.Errorf("the organization's debrief after the good response: %d of %d, %d collateral, %.1f instance-hours, $%.2f:\n%s",
			d.Score.Points, d.Score.Of, len(d.Collateral), d.InstanceHours, d.Cost, strings.Join(d.ScoredLines(), "\n"))
	}
}

// containment is the organization's containment as the drill's debrief reads it: the last
// journal of each account the plan changes, and the unreachable account's skip.
func (c *orgOnTheWire) containment() runbooks.Containment {
	accounts := map[string]runbooks.Containment{}
	for _, id := range pivotChanged {
		paths, _ := filepath.Glob(filepath.Join(c.journal, "*-"+id+".jsonl"))
		accounts[id] = runbooks.Containment{Verdict: runbooks.NotVerified}
		if len(paths) > 0 {
			slices.Sort(paths)
			entries, _ := runbooks.ReadJournal(paths[len(paths)-1])
			accounts[id] = runbooks.ContainmentOf(entries, nil)
		}
	}
	var unknown []string
	if skippedAccount(c.journal, pivotRemoved) == "" {
		unknown = append(unknown, pivotRemoved)
	}
	return debrief.OrgContainment(accounts, unknown)
}

// checkJournalNamesWhoChangedWhat: each applied change is journaled in its account, with the
// identity that made it there.
func (c *orgOnTheWire) checkJournalNamesWhoChangedWhat() {
	c.t.Helper()
	paths, _ := filepath.Glob(filepath.Join(c.journal, "*-org-live-400011110102.jsonl"))
	if len(paths) != 1 {
		c.t.Fatalf("journals of the ML sandbox: %v", paths)
	}
	data, _ := os.ReadFile(paths[0])
	applied := 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e struct {
			Account, Kind string
			Data          struct {
				ActedAs string `json:"acted_as"`
			}
		}
		_ = json.Unmarshal([]byte(line), &e)
		if e.Kind != "applied" {
			continue
		}
		applied++
		if e.Account != "400011110102" || !strings.HasPrefix(e.Data.ActedAs, "arn:aws:sts::400011110102:assumed-role/OrganizationAccountAccessRole/lockdown-") {
			c.t.Errorf("an applied change journaled in account %s as %q", e.Account, e.Data.ActedAs)
		}
	}
	if applied == 0 {
		c.t.Error("the ML sandbox's journal has no applied change")
	}
}

// swapAfter hands out a member's role credentials until a call of one operation has been signed,
// then the management account's: credentials changing under a running apply.
type swapAfter struct {
	mu            sync.Mutex
	member, other sdk.Credentials
	after         string
	swapped       bool
	onSwap        func()
}

func (s *swapAfter) Retrieve(ctx context.Context) (sdk.Credentials, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.swapped {
		return s.other, nil
	}
	if awsmiddleware.GetOperationName(ctx) == s.after {
		s.swapped = true
		s.onSwap()
	}
	return s.member, nil
}

func TestALiveChangeIsRefusedWhenTheCredentialsUnderARunningApplyAreAnotherAccounts(t *testing.T) {
	t.Parallel()
	c := startOrgOnTheWire(t, "org-pivot")
	const member = "400011110102"
	path, digest := c.planOrg(pivotMgmt+","+member, exitOK)
	id, secret := c.org.Management().ResponderCredentials()
	mgmt := sdk.Config{Region: "us-east-1", BaseEndpoint: sdk.String(c.org.URL), Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")}
	role, err := sts.NewFromConfig(mgmt).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: sdk.String("arn:aws:iam::" + member + ":role/OrganizationAccountAccessRole"), RoleSessionName: sdk.String("lockdown-test")})
	if err != nil {
		t.Fatal(err)
	}
	rc := role.Credentials
	seenBefore := -1
	swap := &swapAfter{after: "DetachUserPolicy",
		member: sdk.Credentials{AccessKeyID: *rc.AccessKeyId, SecretAccessKey: *rc.SecretAccessKey, SessionToken: *rc.SessionToken},
		other:  sdk.Credentials{AccessKeyID: id, SecretAccessKey: secret},
		onSwap: func() { seenBefore = len(c.org.Management().Requests()) }}
	var stdout, stderr bytes.Buffer
	code := runWith([]string{"apply", path, "--live", "--plan-digest", digest, "--confirm", pivotMgmt + "," + member,
		"--secrets-file", filepath.Join(t.TempDir(), "secrets"), "--endpoint-url", c.org.URL, "--journal", c.journal}, &stdout, &stderr,
		func(g *Globals) {
			g.credentials, g.transport = responder(c.org.Management()), inProcessWire
			g.memberCredentials = func(account string) aws.MemberOptions {
				if account == member {
					return aws.MemberOptions{Credentials: swap}
				}
				return aws.MemberOptions{}
			}
		})
	if code != exitPartial || !strings.Contains(stderr.String(), "refusing to sign for account "+member+" with credentials of account "+pivotMgmt) {
		t.Fatalf("apply with credentials swapped under it: exit %d\n%s", code, stderr.String())
	}
	if seenBefore < 0 {
		t.Fatal("the credentials were never swapped: the apply did not reach the user's removal")
	}
	for _, r := range c.org.Management().Requests()[seenBefore:] {
		if r.Mutating {
			t.Errorf("after the swap the management account was sent %s %s", r.Service, r.Action)
		}
	}
	// The change signed after the swap never happened: the backdoor user is still there.
	memberCfg := mgmt
	memberCfg.Credentials = credentials.NewStaticCredentialsProvider(*rc.AccessKeyId, *rc.SecretAccessKey, *rc.SessionToken)
	if _, err := iam.NewFromConfig(memberCfg).GetUser(context.Background(), &iam.GetUserInput{UserName: sdk.String("svc-backup")}); err != nil {
		t.Errorf("svc-backup, whose deletion came after the swap: %v; want it still there", err)
	}
	if changes := c.wire.ChangesOf("DeleteUser"); len(changes) != 0 {
		t.Errorf("DeleteUser crossed the wire %d times after the swap:\n%s", len(changes), wiretest.Describe(changes))
	}
}
