package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"lockdown/aws/moto"
)

// scan --org against moto, which keeps each account's state apart by its id: an organization
// made there, instances launched in one member through its access role, and the sweep must find
// them in that member alone, each account entered with its own credentials.
func TestScanOrgAgainstMotoFindsAMembersInstancesInThatMemberAlone(t *testing.T) {
	t.Parallel()
	url := moto.Start(t)
	ctx := context.Background()
	cfg := sdk.Config{Region: "us-east-1", BaseEndpoint: sdk.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(motoResponder.accessKeyID, motoResponder.secretAccessKey, "")}
	orgs := organizations.NewFromConfig(cfg)
	if _, err := orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	var members []string
	for _, name := range []string{"miners", "quiet"} {
		out, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: sdk.String(name), Email: sdk.String(name + "@example.com")})
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, sdk.ToString(out.CreateAccountStatus.AccountId))
	}
	since := time.Now().Add(-time.Hour).UTC()
	role, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: sdk.String("arn:aws:iam::" + members[0] + ":role/OrganizationAccountAccessRole"), RoleSessionName: sdk.String("attacker")})
	if err != nil {
		t.Fatal(err)
	}
	attacker := cfg.Copy()
	rc := role.Credentials
	attacker.Credentials = credentials.NewStaticCredentialsProvider(*rc.AccessKeyId, *rc.SecretAccessKey, *rc.SessionToken)
	if _, err := ec2.NewFromConfig(attacker).RunInstances(ctx, &ec2.RunInstancesInput{ImageId: sdk.String("ami-12c6146b"),
		InstanceType: ec2types.InstanceTypeP316xlarge, MinCount: sdk.Int32(3), MaxCount: sdk.Int32(3)}); err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	code := runWith([]string{"scan", "--org", "--json", "--regions", "us-east-1", "--since", since.Format(time.RFC3339),
		"--endpoint-url", url, "--journal", t.TempDir()}, &stdout, &stderr, func(g *Globals) { g.credentials, g.transport = motoResponder, inProcessWire })
	if code != exitOK {
		t.Fatalf("scan --org against moto: exit %d\n%s", code, stderr.String())
	}
	var doc orgScan
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	instances := map[string]int{}
	for _, a := range doc.Accounts {
		if a.Status != "ok" {
			t.Errorf("account %s: %s (%s)", a.Account, a.Status, a.Cause)
		}
		if a.Scan != nil {
			instances[a.Account] = len(a.Scan.Instances)
		}
	}
	if doc.Summary.Accounts != 3 || instances[members[0]] != 3 || instances[members[1]] != 0 || len(instances) != 3 {
		t.Errorf("instances by account %v (members %v), %d accounts, want 3 in %s alone\n%s", instances, members, doc.Summary.Accounts, members[0], stderr.String())
	}
	if len(doc.Summary.Affected) != 1 || doc.Summary.Affected[0] != members[0] {
		t.Errorf("affected accounts %v, want %s", doc.Summary.Affected, members[0])
	}
}
