package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// regionsOfMembers counts, across the member accounts an unknown key (acting as the responder of
// sim serve) can assume, the regions with instances.
func regionsOfMembers(t *testing.T, url string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cfg := awssdk.Config{Region: "us-east-1", BaseEndpoint: awssdk.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("AKIAEXAMPLECLITESTER", "secret", "")}
	list, err := organizations.NewFromConfig(cfg).ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatalf("ListAccounts: %v", err)
	}
	regions := 0
	for _, a := range list.Accounts[1:] {
		out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleSessionName: awssdk.String("t"),
			RoleArn: awssdk.String("arn:aws:iam::" + *a.Id + ":role/OrganizationAccountAccessRole")})
		if err != nil {
			continue // an account whose role was removed
		}
		c := out.Credentials
		member := cfg
		member.Credentials = credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
		regions += countInstanceRegions(ctx, t, member, 17)
	}
	return regions
}

func TestSimServeOfAnOrganizationSaysSoAndServesItsMembers(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	g := &Globals{stdout: &bytes.Buffer{}, stderr: &stderr, ctx: t.Context()}
	_, l, err := (&SimServeCmd{Scenario: "org-pivot", Addr: "127.0.0.1:0"}).start(g)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if !strings.Contains(stderr.String(), "management account of organization o-acme0rg000: 40 member accounts") {
		t.Errorf("the banner does not say it serves an organization:\n%s", stderr.String())
	}
	if n := regionsOfMembers(t, l.URL); n < 3 {
		t.Errorf("the members show instances in %d regions; want the miners' and the teams' regions", n)
	}
}
