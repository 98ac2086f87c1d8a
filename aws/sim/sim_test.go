package sim_test

import (
	"context"
	"errors"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"lockdown/aws/sim"
)

var testStart = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)

// startSim serves a built-in scenario on a loopback port with a stopped clock.
func startSim(t *testing.T, name string) (*sim.Server, *sim.ManualClock, string) {
	t.Helper()
	sc, err := sim.LoadScenario(name)
	if err != nil {
		t.Fatal(err)
	}
	clock := sim.NewManualClock(testStart)
	srv, err := sim.New(sc, sim.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	l, err := sim.Listen(srv, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return srv, clock, l.URL
}

func sdkConfig(url, region, keyID, secret string) sdk.Config {
	return sdk.Config{
		Region:           region,
		BaseEndpoint:     sdk.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		RetryMaxAttempts: 1,
	}
}

func apiCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func TestCallerIdentityNamesTheResponderInTheScenarioAccount(t *testing.T) {
	srv, _, url := startSim(t, "crypto-miner")
	id, secret := srv.ResponderCredentials()
	out, err := sts.NewFromConfig(sdkConfig(url, "us-east-1", id, secret)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *out.Account != "111122223333" || *out.Arn != "arn:aws:iam::111122223333:user/oncall-responder" {
		t.Fatalf("got %s %s", *out.Account, *out.Arn)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Service != "sts" || reqs[0].Region != "us-east-1" || reqs[0].Mutating {
		t.Fatalf("request log: %+v", reqs)
	}
}

func TestAnUnknownAccessKeyIsRefusedAsAWSWould(t *testing.T) {
	_, _, url := startSim(t, "crypto-miner")
	_, err := sts.NewFromConfig(sdkConfig(url, "us-east-1", "AKIAEXAMPLEUNKNOWN00", "x")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if apiCode(err) != "InvalidClientTokenId" {
		t.Fatalf("want InvalidClientTokenId, got %v", err)
	}
}

func TestDescribeRegionsListsOptInStatusAndHidesDisabledRegionsUnlessAllRegions(t *testing.T) {
	srv, _, url := startSim(t, "crypto-miner")
	id, secret := srv.ResponderCredentials()
	client := ec2.NewFromConfig(sdkConfig(url, "us-east-1", id, secret))
	enabled, err := client.DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	all, err := client.DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{AllRegions: sdk.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(enabled.Regions) != 17 || len(all.Regions) <= 17 {
		t.Fatalf("enabled %d, all %d", len(enabled.Regions), len(all.Regions))
	}
	if got := sdk.ToString(all.Regions[len(all.Regions)-1].OptInStatus); got != "not-opted-in" {
		t.Fatalf("last region opt-in status %q", got)
	}
}

func TestEC2CallsToADisabledRegionFailWithAuthFailure(t *testing.T) {
	srv, _, url := startSim(t, "crypto-miner")
	id, secret := srv.ResponderCredentials()
	_, err := ec2.NewFromConfig(sdkConfig(url, "af-south-1", id, secret)).DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{})
	if apiCode(err) != "AuthFailure" {
		t.Fatalf("want AuthFailure, got %v", err)
	}
}

func TestFaultsDenyOneRegionAndLeaveTheOthersAlone(t *testing.T) {
	srv, _, url := startSim(t, "crypto-miner")
	if err := srv.AddFault(sim.Fault{Region: "eu-west-1", Deny: true}); err != nil {
		t.Fatal(err)
	}
	id, secret := srv.ResponderCredentials()
	_, err := ec2.NewFromConfig(sdkConfig(url, "eu-west-1", id, secret)).DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{})
	if apiCode(err) != "UnauthorizedOperation" {
		t.Fatalf("want UnauthorizedOperation, got %v", err)
	}
	if _, err := ec2.NewFromConfig(sdkConfig(url, "eu-west-2", id, secret)).DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{}); err != nil {
		t.Fatal(err)
	}
}

func TestTheAttackerActsOnItsTimelineWithTheLeakedKey(t *testing.T) {
	srv, clock, _ := startSim(t, "crypto-miner")
	if got := srv.AttackLog(); len(got) != 0 {
		t.Fatalf("attacker acted before its time: %+v", got)
	}
	clock.Advance(8 * time.Minute)
	got := srv.AttackLog()
	if len(got) != 2 || !got[0].Succeeded() {
		t.Fatalf("want two successful calls by minute 8, got %+v", got)
	}
	var attackerRequests int
	for _, r := range srv.Requests() {
		if r.Attacker && r.AccessKeyID == "AKIAEXAMPLELEAKED001" {
			attackerRequests++
		}
	}
	if attackerRequests != 2 {
		t.Fatalf("request log has %d attacker requests", attackerRequests)
	}
}
