package sim_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
)

const (
	pivotManagement = "400011112222"
	pivotLeakedKey  = "AKIAEXAMPLEORGLEAK01"
	pivotRemoved    = "400011110104"
)

// pivotConfig signs as org-pivot's responder in the management account.
func pivotConfig(t *testing.T, o *simtest.Org) sdk.Config {
	t.Helper()
	id, secret := o.Management().ResponderCredentials()
	return sdkConfig(o.URL, "us-east-1", id, secret)
}

// assumeInto assumes a member's OrganizationAccountAccessRole from the management account.
func assumeInto(t *testing.T, cfg sdk.Config, account, externalID string) (sdk.Config, error) {
	t.Helper()
	in := &sts.AssumeRoleInput{RoleArn: sdk.String("arn:aws:iam::" + account + ":role/OrganizationAccountAccessRole"),
		RoleSessionName: sdk.String("lockdown-test")}
	if externalID != "" {
		in.ExternalId = sdk.String(externalID)
	}
	out, err := sts.NewFromConfig(cfg).AssumeRole(context.Background(), in)
	if err != nil {
		return sdk.Config{}, err
	}
	c := *out.Credentials
	return sdk.Config{Region: "us-east-1", BaseEndpoint: cfg.BaseEndpoint, RetryMaxAttempts: 3,
		Credentials: credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)}, nil
}

func TestTheManagementAccountListsTheOrganizationPageByPage(t *testing.T) {
	t.Parallel()
	o := simtest.StartOrganization(t, "org-pivot", testStart)
	api := organizations.NewFromConfig(pivotConfig(t, o))
	var ids []string
	pages := 0
	p := organizations.NewListAccountsPaginator(api, &organizations.ListAccountsInput{MaxResults: sdk.Int32(20)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, a := range out.Accounts {
			ids = append(ids, *a.Id)
		}
	}
	if len(ids) != 41 || pages != 3 || ids[0] != pivotManagement {
		t.Fatalf("%d accounts in %d pages, first %v; want the management account and 40 members in 3 pages", len(ids), pages, ids[:1])
	}
	org, err := api.DescribeOrganization(context.Background(), &organizations.DescribeOrganizationInput{})
	if err != nil || *org.Organization.MasterAccountId != pivotManagement || *org.Organization.Id != "o-acme0rg000" {
		t.Fatalf("DescribeOrganization: %+v, %v", org, err)
	}
	parents, err := api.ListParents(context.Background(), &organizations.ListParentsInput{ChildId: sdk.String("400011110102")})
	if err != nil {
		t.Fatal(err)
	}
	unit, err := api.DescribeOrganizationalUnit(context.Background(), &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: parents.Parents[0].Id})
	if err != nil || *unit.OrganizationalUnit.Name != "Sandbox" {
		t.Fatalf("the ML sandbox's unit: %+v, %v; want Sandbox", unit, err)
	}
	inUnit, err := api.ListAccountsForParent(context.Background(), &organizations.ListAccountsForParentInput{ParentId: parents.Parents[0].Id})
	if err != nil || len(inUnit.Accounts) != 1 {
		t.Fatalf("accounts in Sandbox: %+v, %v; want one", inUnit, err)
	}
}

func TestAMemberAccountCannotListTheOrganization(t *testing.T) {
	t.Parallel()
	o := simtest.StartOrganization(t, "org-pivot", testStart)
	member, err := assumeInto(t, pivotConfig(t, o), "400011110101", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = organizations.NewFromConfig(member).ListAccounts(context.Background(), &organizations.ListAccountsInput{})
	if apiCode(err) != "AccessDeniedException" {
		t.Fatalf("ListAccounts from a member: %v; want AccessDeniedException", err)
	}
}

func TestTheAccessRoleLeadsIntoTheMemberAndItsOwnState(t *testing.T) {
	t.Parallel()
	o := simtest.StartOrganization(t, "org-pivot", testStart)
	member, err := assumeInto(t, pivotConfig(t, o), "400011110102", "")
	if err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(member).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil || *id.Account != "400011110102" || !strings.Contains(*id.Arn, ":assumed-role/OrganizationAccountAccessRole/lockdown-test") {
		t.Fatalf("identity in the member: %+v, %v", id, err)
	}
	out, err := ec2.NewFromConfig(member, func(o *ec2.Options) { o.Region = "sa-east-1" }).DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range out.Reservations {
		n += len(r.Instances)
	}
	if n != 3 {
		t.Errorf("the member's sa-east-1 has %d instances; want its 3 miners", n)
	}
}

func TestAMemberWhoseRoleWasRemovedCannotBeAssumed(t *testing.T) {
	t.Parallel()
	o := simtest.StartOrganization(t, "org-pivot", testStart)
	_, err := assumeInto(t, pivotConfig(t, o), pivotRemoved, "")
	if apiCode(err) != "AccessDenied" || !strings.Contains(err.Error(), "is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::"+pivotRemoved+":role/OrganizationAccountAccessRole") {
		t.Fatalf("AssumeRole into the account without the role: %v; want AWS's AccessDenied naming the role", err)
	}
}

func TestTheTrustPolicyDecidesWhoMayAssumeAMemberRole(t *testing.T) {
	t.Parallel()
	o := simtest.StartOrganization(t, `name: trust
account: {id: "500000000001"}
incident_start: -1h
iam:
  users:
    - name: dev
      access_keys: [{id: AKIAEXAMPLEDEVKEY001, secret: dev-secret}]
organization:
  members:
    - id: "500000000002"
      iam:
        roles:
          - {name: OrganizationAccountAccessRole, trust: ["arn:aws:iam::500000000001:user/oncall-responder"]}
          - name: vendor-audit
            trust: ["500000000001"]
    - id: "500000000003"
      access_role: ops-admin
`, testStart)
	cfg := pivotConfig(t, o)
	if _, err := assumeInto(t, cfg, "500000000002", ""); err != nil {
		t.Errorf("the responder, named by the trust policy: %v", err)
	}
	dev := sdkConfig(o.URL, "us-east-1", "AKIAEXAMPLEDEVKEY001", "dev-secret")
	if _, err := assumeInto(t, dev, "500000000002", ""); apiCode(err) != "AccessDenied" {
		t.Errorf("another user of the management account, not named by the trust policy: %v; want AccessDenied", err)
	}
	if _, err := assumeInto(t, cfg, "500000000003", ""); apiCode(err) != "AccessDenied" {
		t.Errorf("a member whose access role has another name: %v; want AccessDenied", err)
	}
	_, err := sts.NewFromConfig(cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: sdk.String("arn:aws:iam::500000000003:role/ops-admin"), RoleSessionName: sdk.String("x")})
	if err != nil {
		t.Errorf("the member's access role by its own name: %v", err)
	}
}

func TestAnExternalIDConditionAdmitsOnlyThatExternalID(t *testing.T) {
	t.Parallel()
	o := simtest.StartOrganization(t, `name: external
account: {id: "500000000001"}
incident_start: -1h
organization:
  members:
    - id: "500000000002"
      external_id: ir-2026
`, testStart)
	cfg := pivotConfig(t, o)
	if _, err := assumeInto(t, cfg, "500000000002", ""); apiCode(err) != "AccessDenied" {
		t.Errorf("without the external id: %v; want AccessDenied", err)
	}
	if _, err := assumeInto(t, cfg, "500000000002", "wrong"); apiCode(err) != "AccessDenied" {
		t.Errorf("with another external id: %v; want AccessDenied", err)
	}
	if _, err := assumeInto(t, cfg, "500000000002", "ir-2026"); err != nil {
		t.Errorf("with the external id: %v", err)
	}
}

func TestGetAccessKeyInfoNamesTheAccountThatOwnsAKey(t *testing.T) {
	t.Parallel()
	o := simtest.StartOrganization(t, "org-pivot", testStart)
	api := sts.NewFromConfig(pivotConfig(t, o))
	for key, want := range map[string]string{
		pivotLeakedKey:         pivotManagement,
		"AKIAEXAMPLEORGBACK01": "400011110102",
		"ASIAEXAMPLEORGDS0001": "400011110101",
	} {
		out, err := api.GetAccessKeyInfo(context.Background(), &sts.GetAccessKeyInfoInput{AccessKeyId: sdk.String(key)})
		if err != nil || *out.Account != want {
			t.Errorf("GetAccessKeyInfo %s: %v, %v; want %s", key, out, err, want)
		}
	}
	member, err := assumeInto(t, pivotConfig(t, o), "400011110103", "")
	if err != nil {
		t.Fatal(err)
	}
	// Asked from a member, about a key of the management account: any caller may ask.
	out, err := sts.NewFromConfig(member).GetAccessKeyInfo(context.Background(), &sts.GetAccessKeyInfoInput{AccessKeyId: sdk.String(pivotLeakedKey)})
	if err != nil || *out.Account != pivotManagement {
		t.Errorf("GetAccessKeyInfo from a member: %v, %v", out, err)
	}
}

// lookupByKey reads an account's CloudTrail events signed by a key, as a trace would.
func lookupByKey(t *testing.T, cfg sdk.Config, key string) []map[string]any {
	t.Helper()
	out, err := cloudtrail.NewFromConfig(cfg).LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyAccessKeyId, AttributeValue: sdk.String(key)}}})
	if err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	for _, e := range out.Events {
		var rec map[string]any
		if err := json.Unmarshal([]byte(*e.CloudTrailEvent), &rec); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return recs
}

func TestEachAccountRecordsACrossAccountAssumeRoleWithTheCallerFromTheOtherAccount(t *testing.T) {
	t.Parallel()
	o := simtest.StartOrganization(t, "org-pivot", testStart)
	mgmt := pivotConfig(t, o)
	member, err := assumeInto(t, mgmt, "400011110101", "")
	if err != nil {
		t.Fatal(err)
	}
	// The attacker's AssumeRole, before the drill, as the member's CloudTrail keeps it.
	recs := lookupByKey(t, member, pivotLeakedKey)
	if len(recs) != 1 || recs[0]["eventName"] != "AssumeRole" {
		t.Fatalf("the member's events by the leaked key: %v; want its AssumeRole", recs)
	}
	who := recs[0]["userIdentity"].(map[string]any)
	if who["accountId"] != pivotManagement || who["type"] != "IAMUser" || recs[0]["recipientAccountId"] != "400011110101" ||
		recs[0]["sourceIPAddress"] != "198.18.44.7" {
		t.Errorf("the attacker's AssumeRole in the member: identity %v, recipient %v, from %v", who, recs[0]["recipientAccountId"], recs[0]["sourceIPAddress"])
	}
	creds := recs[0]["responseElements"].(map[string]any)["credentials"].(map[string]any)
	if creds["accessKeyId"] != "ASIAEXAMPLEORGDS0001" {
		t.Errorf("the session it opened: %v", creds)
	}
	// The management account keeps the same call, naming the member's role.
	mine := lookupByKey(t, mgmt, pivotLeakedKey)
	roles := map[string]bool{}
	for _, rec := range mine {
		if rec["eventName"] == "AssumeRole" {
			roles[rec["requestParameters"].(map[string]any)["roleArn"].(string)] = true
		}
	}
	if len(roles) != 3 || !roles["arn:aws:iam::400011110102:role/OrganizationAccountAccessRole"] {
		t.Errorf("the management account's AssumeRole events by the leaked key name %v; want the three members' roles", roles)
	}
	// The responder's own AssumeRole, made just now, is in the member's history too.
	id, _ := o.Management().ResponderCredentials()
	ours := lookupByKey(t, member, id)
	if len(ours) != 1 || ours[0]["userIdentity"].(map[string]any)["accountId"] != pivotManagement {
		t.Errorf("the responder's AssumeRole in the member: %v", ours)
	}
}

func TestAnOrganizationScenarioIsCheckedStrictlyWithItsPlace(t *testing.T) {
	t.Parallel()
	head := "name: o\naccount: {id: \"500000000001\"}\norganization:\n"
	for _, tc := range []struct{ name, body, want string }{
		{"an unknown key in a member", "  members:\n    - id: \"500000000002\"\n      unti: Sandbox\n",
			`o.yaml:6:7: unknown key "unti" in organization.members[0] (did you mean "unit"?)`},
		{"a member id that is not 12 digits", "  members:\n    - id: \"5000\"\n",
			"o.yaml:5:11: organization.members[0].id: must be 12 digits"},
		{"a member that is the management account", "  members:\n    - id: \"500000000001\"\n",
			"o.yaml:5:11: organization.members[0].id: account 500000000001 is also the management account"},
		{"a unit nobody declared", "  units: [{name: Prod}]\n  members:\n    - {id: \"500000000002\", unit: Prdo}\n",
			"o.yaml:6:34: organization.members[0].unit: no unit is called \"Prdo\""},
		{"generated ids that collide with a listed member", "  members:\n    - id: \"500000000005\"\n  generate:\n    - {count: 10, first_id: \"500000000002\"}\n",
			"o.yaml:7:29: organization.generate[0].first_id: account 500000000005 is also organization.members[0]"},
		{"a member's own state, wrong deep inside", "  members:\n    - id: \"500000000002\"\n      ec2:\n        instances:\n          - {type: t3.micro}\n",
			"o.yaml:8:14: organization.members[0]: ec2.instances[0]: an instance's region is required"},
		{"a bad status", "  members:\n    - {id: \"500000000002\", status: GONE}\n",
			"organization.members[0].status: must be one of ACTIVE, SUSPENDED, PENDING_CLOSURE"},
	} {
		_, err := sim.ParseScenario("o.yaml", []byte(head+tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v\nwant %s", tc.name, err, tc.want)
		}
	}
}

func TestAFortyAccountOrganizationIsAFewLines(t *testing.T) {
	t.Parallel()
	o := simtest.StartOrganization(t, `name: forty
account: {id: "500000000001"}
organization:
  units: [{name: Workloads}]
  generate:
    - {count: 40, first_id: "500000000100", name: team, unit: Workloads, ec2: {generate: [{region: us-east-1, count: 2, type: t3.micro}]}}
`, testStart)
	ids := o.Org.AccountIDs()
	if len(ids) != 41 || ids[1] != "500000000100" || ids[40] != "500000000139" {
		t.Fatalf("accounts %v", ids)
	}
	member, err := assumeInto(t, pivotConfig(t, o), "500000000139", "")
	if err != nil {
		t.Fatal(err)
	}
	acct, err := organizations.NewFromConfig(pivotConfig(t, o)).DescribeAccount(context.Background(), &organizations.DescribeAccountInput{AccountId: sdk.String("500000000139")})
	if err != nil || *acct.Account.Name != "team-40" || acct.Account.Status != "ACTIVE" {
		t.Errorf("the last generated member: %+v, %v", acct, err)
	}
	out, err := ec2.NewFromConfig(member).DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	if err != nil || len(out.Reservations) == 0 {
		t.Errorf("the generated member's instances: %v", err)
	}
}
