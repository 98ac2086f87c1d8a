package sim_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"lockdown/aws/sim"
)

const lingeringAdmin = "arn:aws:iam::aws:policy/AdministratorAccess"

func lingeringClients(t *testing.T) (*iam.Client, *cloudtrail.Client) {
	t.Helper()
	srv, _, url := startSim(t, "lingering-access")
	id, secret := srv.ResponderCredentials()
	cfg := sdkConfig(url, "us-east-1", id, secret)
	return iam.NewFromConfig(cfg), cloudtrail.NewFromConfig(cfg)
}

// recordOf returns the request and response of the newest event named name made by key, as
// CloudTrail keeps them.
func recordOf(t *testing.T, ct *cloudtrail.Client, name, key string) (req, resp map[string]any) {
	t.Helper()
	out, err := ct.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: sdk.String(name)}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range out.Events {
		var rec struct {
			RequestParameters map[string]any
			ResponseElements  map[string]any
			UserIdentity      struct{ AccessKeyID string }
		}
		if err := json.Unmarshal([]byte(sdk.ToString(e.CloudTrailEvent)), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.UserIdentity.AccessKeyID == key {
			return rec.RequestParameters, rec.ResponseElements
		}
	}
	t.Fatalf("no %s event by %q", name, key)
	return nil, nil
}

func TestPlantedGrantsAreInIAMAndTheirEventsInCloudTrailAsAWSRecordsThem(t *testing.T) {
	t.Parallel()
	client, ct := lingeringClients(t)
	ctx := context.Background()
	attached, err := client.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: sdk.String("dana")})
	if err != nil || len(attached.AttachedPolicies) != 1 || sdk.ToString(attached.AttachedPolicies[0].PolicyArn) != lingeringAdmin {
		t.Fatalf("dana's managed policies: %+v, %v", attached, err)
	}
	groups, err := client.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: sdk.String("dana")})
	if err != nil || len(groups.Groups) != 2 {
		t.Fatalf("dana's groups: %+v, %v", groups, err)
	}
	for name, want := range map[string]map[string]any{
		"AttachUserPolicy":  {"userName": "dana", "policyArn": lingeringAdmin},
		"AddUserToGroup":    {"userName": "dana", "groupName": "admins"},
		"PutUserPolicy":     {"userName": "reports-svc", "policyName": "s3-sync"},
		"AttachGroupPolicy": {"groupName": "analysts", "policyArn": "arn:aws:iam::aws:policy/PowerUserAccess"},
		"AttachRolePolicy":  {"roleName": "data-pipeline", "policyArn": lingeringAdmin},
	} {
		req, _ := recordOf(t, ct, name, "AKIAEXAMPLELEAKED003")
		for k, v := range want {
			if req[k] != v {
				t.Errorf("%s requestParameters.%s = %v, want %v", name, k, req[k], v)
			}
		}
	}
}

func TestCreateRoleAndAttachmentsFollowIAMsRulesAndAreRecorded(t *testing.T) {
	t.Parallel()
	client, ct := lingeringClients(t)
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	made, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: sdk.String("probe"), AssumeRolePolicyDocument: sdk.String(trust)})
	if err != nil || sdk.ToString(made.Role.Arn) != "arn:aws:iam::222233334444:role/probe" {
		t.Fatalf("CreateRole: %+v, %v", made, err)
	}
	_, resp := recordOf(t, ct, "CreateRole", "AKIAEXAMPLERESPOND03")
	if role, _ := resp["role"].(map[string]any); role["arn"] != "arn:aws:iam::222233334444:role/probe" || role["roleName"] != "probe" {
		t.Errorf("CreateRole's responseElements: %v", resp)
	}
	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"a taken name", second(client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: sdk.String("probe"), AssumeRolePolicyDocument: sdk.String(trust)})), "EntityAlreadyExists"},
		{"a trust policy without a statement", second(client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: sdk.String("p2"), AssumeRolePolicyDocument: sdk.String(`{"Statement":[]}`)})), "MalformedPolicyDocument"},
		{"an unknown policy", second(client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: sdk.String("probe"), PolicyArn: sdk.String("arn:aws:iam::aws:policy/Nope")})), "NoSuchEntity"},
		{"a service-linked role", second(client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: sdk.String("AWSServiceRoleForSupport"), PolicyArn: sdk.String(lingeringAdmin)})), "UnmodifiableEntity"},
		{"an attached policy", second(client.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: sdk.String(lingeringAdmin)})), "AccessDenied"},
		{"detaching what is not attached", second(client.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: sdk.String("admins"), PolicyArn: sdk.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})), "NoSuchEntity"},
	} {
		if got := apiCode(tc.err); got != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, tc.err, tc.code)
		}
	}
	if _, err := client.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: sdk.String("admins"), PolicyArn: sdk.String("arn:aws:iam::222233334444:policy/backup-access")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: sdk.String("arn:aws:iam::222233334444:policy/backup-access")}); apiCode(err) != "DeleteConflict" {
		t.Errorf("deleting an attached policy: %v, want DeleteConflict", err)
	}
	policies := []string{"ReadOnlyAccess", "PowerUserAccess", "IAMFullAccess", "AdministratorAccess", "AWSCompromisedKeyQuarantineV2", "AWSCompromisedKeyQuarantineV3"}
	for _, p := range policies {
		if _, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: sdk.String("probe"), PolicyArn: sdk.String("arn:aws:iam::aws:policy/" + p)}); err != nil {
			t.Fatal(err)
		}
	}
	listed, err := client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: sdk.String("probe")})
	if err != nil || len(listed.AttachedPolicies) != len(policies) {
		t.Fatalf("attached: %+v, %v", listed, err)
	}
}

func second[T any](_ T, err error) error { return err }

func TestTheAttackersCallsAreCheckedAgainstWhatAWSTakesAndRecordsWithTheirPlace(t *testing.T) {
	t.Parallel()
	base := "name: x\naccount: {id: \"111122223333\"}\nattacker:\n"
	for _, tc := range []struct{ yaml, want string }{
		{base + "  events:\n    - {service: iam, action: AttachUserPolicy, params: {UserName: dev, PolicyARN: x}}\n",
			`f.yaml:5:57: attacker.events[0].params: AttachUserPolicy needs PolicyArn`},
		{base + "  events:\n    - {service: iam, action: AddUserToGroup, params: {UserName: dev, GroupName: admins, Extra: 1}}\n",
			`f.yaml:5:55: attacker.events[0].params: AddUserToGroup takes no Extra`},
		{base + "  history:\n    - {at: -1h, service: iam, action: AttachRolePolicy, params: {roleName: r}}\n",
			`attacker.history[0].params: AttachRolePolicy needs policyArn`},
		{base + "  history:\n    - {at: -1h, service: iam, action: CreateRole, params: {roleName: r, assumeRolePolicyDocument: x}}\n",
			`attacker.history[0].response: CloudTrail records role.roleName in a CreateRole event's responseElements`},
		{base + "  history:\n    - {at: -1h, service: cloudtrail, action: PutEventSelectors, params: {trailName: t}}\n",
			`attacker.history[0].params: PutEventSelectors needs eventSelectors or advancedEventSelectors`},
		{base + "  history:\n    - {at: -1h, service: guardduty, region: us-east-1, action: DeleteDetector, params: {}}\n",
			`attacker.history[0].params: DeleteDetector needs detectorId`},
	} {
		_, err := sim.ParseScenario("f.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s\ngot %v\nwant %q", tc.yaml, err, tc.want)
		}
	}
	good := base + "  history:\n    - {at: -1h, service: iam, action: AttachUserPolicy, params: {userName: dev, policyArn: x}}\n"
	if _, err := sim.ParseScenario("ok.yaml", []byte(good)); err != nil {
		t.Errorf("a history call as CloudTrail records it: %v", err)
	}
	if !slices.Contains(sim.ScenarioNames(), "lingering-access") {
		t.Error("lingering-access is not built in")
	}
}
