package sim_test

import (
	"context"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"lockdown/aws/sim/simtest"
)

// enforced is an account where every call is authorized: an operator with full access, a role
// that may only read, and a user with no policy at all.
const enforced = `name: enforced
account: {id: "111122223333"}
enforce_permissions: true
ec2:
  instances:
    - {region: us-east-1, id: i-00000000000000001, type: t3.micro, launched: -10d}
iam:
  users:
    - name: ops
      attached_policies: [AdministratorAccess]
      access_keys: [{id: AKIAEXAMPLEOPS000001, secret: ops-secret}]
    - name: nobody
      access_keys: [{id: AKIAEXAMPLENOBODY001, secret: nobody-secret}]
  roles:
    - name: reader
      attached_policies: [ReadOnlyAccess]
`

func TestWithPermissionsEnforcedAUserWithoutPoliciesMayDoNothing(t *testing.T) {
	s := simtest.Start(t, enforced, testStart)
	cfg := sdkConfig(s.URL, "us-east-1", "AKIAEXAMPLENOBODY001", "nobody-secret")
	_, err := ec2.NewFromConfig(cfg).DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	if apiCode(err) != "UnauthorizedOperation" {
		t.Fatalf("want UnauthorizedOperation, got %v", err)
	}
	_, err = iam.NewFromConfig(cfg).ListUsers(context.Background(), &iam.ListUsersInput{})
	if apiCode(err) != "AccessDenied" {
		t.Fatalf("want AccessDenied, got %v", err)
	}
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("GetCallerIdentity needs no permission: %v", err)
	}
}

func TestARoleSessionHasTheRolesPermissionsOnly(t *testing.T) {
	s := simtest.Start(t, enforced, testStart)
	ctx := context.Background()
	out, err := sts.NewFromConfig(sdkConfig(s.URL, "us-east-1", "AKIAEXAMPLEOPS000001", "ops-secret")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: sdk.String("arn:aws:iam::111122223333:role/reader"), RoleSessionName: sdk.String("audit")})
	if err != nil {
		t.Fatal(err)
	}
	cfg := sdkConfig(s.URL, "us-east-1", "", "")
	cfg.Credentials = credentials.NewStaticCredentialsProvider(*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken)
	client := ec2.NewFromConfig(cfg)
	if _, err := client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}); err != nil {
		t.Fatalf("the reader role may describe: %v", err)
	}
	_, err = client.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"i-00000000000000001"}, DryRun: sdk.Bool(true)})
	if apiCode(err) != "UnauthorizedOperation" {
		t.Fatalf("the reader role may not terminate: want UnauthorizedOperation, got %v", err)
	}
}

func TestARoleIsAssumedOnlyByThoseItsTrustPolicyNames(t *testing.T) {
	s := simtest.Start(t, enforced+`    - name: partner-access
      attached_policies: [AdministratorAccess]
      trust: ["999988887777"]
    - name: ops-only
      trust: ["arn:aws:iam::111122223333:user/ops"]
    - name: ec2-instance
      trust: [ec2.amazonaws.com]
`, testStart)
	client := sts.NewFromConfig(sdkConfig(s.URL, "us-east-1", "AKIAEXAMPLEOPS000001", "ops-secret"))
	for role, want := range map[string]string{"partner-access": "AccessDenied", "ec2-instance": "AccessDenied", "ops-only": "", "reader": ""} {
		_, err := client.AssumeRole(context.Background(), &sts.AssumeRoleInput{
			RoleArn: sdk.String("arn:aws:iam::111122223333:role/" + role), RoleSessionName: sdk.String("probe")})
		if apiCode(err) != want || (want == "" && err != nil) {
			t.Errorf("%s: want %q, got %v", role, want, err)
		}
	}
}
