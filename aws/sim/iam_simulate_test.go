package sim_test

import (
	"context"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"lockdown/aws/sim/simtest"
)

// limitedResponder is a drill where the responder may do anything but delete in IAM, and a
// developer whose permissions exercise every part of a policy statement.
const limitedResponder = `name: limited-responder
seed: 3
account: {id: "111122223333"}
incident_start: -1h
responder:
  user: oncall
  attached_policies: [AdministratorAccess]
  inline_policies:
    no-iam-deletes: '{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:Delete*","Resource":"*"}}'
ec2:
  instances:
    - {region: us-east-1, type: t3.micro, launched: -10d}
iam:
  groups:
    - name: readers
      attached_policies: [ReadOnlyAccess]
  users:
    - name: dev
      groups: [readers]
      inline_policies:
        logs: '{"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","NotAction":["iam:*","ec2:*"],"NotResource":"arn:aws:s3:::secret/*"},
          {"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::logs-01/private/*"}]}'
    - name: victim
    - name: auditor
      inline_policies:
        logs: '{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::logs-??/*"}}'
`

func simulate(t *testing.T, client *iam.Client, source string, actions, resources []string) map[string]string {
	t.Helper()
	out, err := client.SimulatePrincipalPolicy(context.Background(), &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: sdk.String(source), ActionNames: actions, ResourceArns: resources})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range out.EvaluationResults {
		got[*r.EvalActionName+" "+*r.EvalResourceName] = string(r.EvalDecision)
	}
	return got
}

func TestSimulatePrincipalPolicyEvaluatesUserGroupAndManagedPoliciesLikeIAM(t *testing.T) {
	s := simtest.Start(t, limitedResponder, testStart)
	id, secret := s.Server.ResponderCredentials()
	client := iam.NewFromConfig(sdkConfig(s.URL, "us-east-1", id, secret))
	const dev, auditor = "arn:aws:iam::111122223333:user/dev", "arn:aws:iam::111122223333:user/auditor"
	tests := []struct{ name, user, action, resource, want string }{
		{"a group's managed policy allows by wildcard", dev, "ec2:DescribeInstances", "*", "allowed"},
		{"actions match whatever their case", dev, "EC2:describeinstances", "*", "allowed"},
		{"nothing allows what no statement names", dev, "ec2:TerminateInstances", "*", "implicitDeny"},
		{"? matches exactly one character", auditor, "s3:GetObject", "arn:aws:s3:::logs-01/app.log", "allowed"},
		{"? does not match two", auditor, "s3:GetObject", "arn:aws:s3:::logs-001/app.log", "implicitDeny"},
		{"a wildcard resource does not cover another bucket", auditor, "s3:GetObject", "arn:aws:s3:::other/logs-01/x", "implicitDeny"},
		{"NotAction allows what it does not name", dev, "s3:PutObject", "arn:aws:s3:::anything/x", "allowed"},
		{"NotResource leaves its resources out", dev, "s3:PutObject", "arn:aws:s3:::secret/key", "implicitDeny"},
		{"NotAction leaves its actions out", dev, "iam:CreateUser", "*", "implicitDeny"},
		{"an explicit deny beats every allow", dev, "s3:GetObject", "arn:aws:s3:::logs-01/private/x", "explicitDeny"},
		{"a user without policies is denied everything", "arn:aws:iam::111122223333:user/victim", "sts:GetSessionToken", "*", "implicitDeny"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := simulate(t, client, tt.user, []string{tt.action}, []string{tt.resource})
			if d := got[tt.action+" "+tt.resource]; d != tt.want {
				t.Fatalf("%s on %s: %q, want %q (%v)", tt.action, tt.resource, d, tt.want, got)
			}
		})
	}
}

func TestAResponderDeniedIAMDeletesIsDeniedThemInTheSimulationAndInFact(t *testing.T) {
	s := simtest.Start(t, limitedResponder, testStart)
	id, secret := s.Server.ResponderCredentials()
	client := iam.NewFromConfig(sdkConfig(s.URL, "us-east-1", id, secret))
	victim := "arn:aws:iam::111122223333:user/victim"
	got := simulate(t, client, "arn:aws:iam::111122223333:user/oncall",
		[]string{"iam:DeleteUser", "iam:UpdateAccessKey"}, []string{victim})
	if got["iam:DeleteUser "+victim] != "explicitDeny" || got["iam:UpdateAccessKey "+victim] != "allowed" {
		t.Fatalf("simulation: %v", got)
	}
	_, err := client.DeleteUser(context.Background(), &iam.DeleteUserInput{UserName: sdk.String("victim")})
	if apiCode(err) != "AccessDenied" {
		t.Fatalf("want AccessDenied for a denied delete, got %v", err)
	}
	if _, err := client.GetUser(context.Background(), &iam.GetUserInput{UserName: sdk.String("victim")}); err != nil {
		t.Fatalf("the user must still be there and readable: %v", err)
	}
}

func TestTheDefaultResponderMayDoEverythingAndOthersAreNotFound(t *testing.T) {
	srv, _, url := startSim(t, "crypto-miner")
	id, secret := srv.ResponderCredentials()
	client := iam.NewFromConfig(sdkConfig(url, "us-east-1", id, secret))
	got := simulate(t, client, "arn:aws:iam::111122223333:user/oncall-responder", []string{"iam:DeleteUser", "ec2:TerminateInstances"}, nil)
	if got["iam:DeleteUser *"] != "allowed" || got["ec2:TerminateInstances *"] != "allowed" {
		t.Fatalf("default responder: %v", got)
	}
	_, err := client.SimulatePrincipalPolicy(context.Background(), &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: sdk.String("arn:aws:iam::111122223333:user/nobody"), ActionNames: []string{"iam:ListUsers"}})
	if apiCode(err) != "NoSuchEntity" {
		t.Fatalf("want NoSuchEntity, got %v", err)
	}
}

func TestSimulationResultsPageWithMarker(t *testing.T) {
	s := simtest.Start(t, limitedResponder, testStart)
	id, secret := s.Server.ResponderCredentials()
	client := iam.NewFromConfig(sdkConfig(s.URL, "us-east-1", id, secret))
	actions := []string{"iam:ListUsers", "iam:DeleteUser", "ec2:RunInstances", "s3:GetObject", "sts:AssumeRole"}
	p := iam.NewSimulatePrincipalPolicyPaginator(client, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: sdk.String("arn:aws:iam::111122223333:user/dev"), ActionNames: actions, MaxItems: sdk.Int32(2)})
	var seen []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.EvaluationResults {
			seen = append(seen, *r.EvalActionName)
		}
	}
	if pages != 3 || len(seen) != 5 || seen[0] != actions[0] || seen[4] != actions[4] {
		t.Fatalf("%d pages: %v", pages, seen)
	}
}

func TestADeniedDryRunIsUnauthorizedNotDryRunOperation(t *testing.T) {
	s := simtest.Start(t, `name: no-terminate
account: {id: "111122223333"}
responder:
  attached_policies: [AdministratorAccess]
  inline_policies:
    keep: '{"Statement":[{"Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"arn:aws:ec2:*:*:instance/*"}]}'
ec2:
  instances:
    - {region: us-east-1, type: t3.micro, launched: -10d}
`, testStart)
	id, secret := s.Server.ResponderCredentials()
	client := ec2.NewFromConfig(sdkConfig(s.URL, "us-east-1", id, secret))
	ctx := context.Background()
	out, err := client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	instance := *out.Reservations[0].Instances[0].InstanceId
	_, err = client.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{instance}, DryRun: sdk.Bool(true)})
	if apiCode(err) != "UnauthorizedOperation" {
		t.Fatalf("want UnauthorizedOperation, got %v", err)
	}
}

func TestAMalformedPolicyInputIsRefused(t *testing.T) {
	s := simtest.Start(t, limitedResponder, testStart)
	id, secret := s.Server.ResponderCredentials()
	_, err := iam.NewFromConfig(sdkConfig(s.URL, "us-east-1", id, secret)).SimulatePrincipalPolicy(context.Background(), &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: sdk.String("arn:aws:iam::111122223333:user/dev"), ActionNames: []string{"s3:GetObject"},
		PolicyInputList: []string{"not a policy"}})
	if apiCode(err) != "MalformedPolicyDocument" {
		t.Fatalf("want MalformedPolicyDocument, got %v", err)
	}
}
