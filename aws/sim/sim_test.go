package sim_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
)

var testStart = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)

// startSim serves a built-in scenario on a loopback port with a stopped clock.
func startSim(t *testing.T, name string) (*sim.Server, *sim.ManualClock, string) {
	t.Helper()
	s := simtest.Start(t, name, testStart)
	return s.Server, s.Clock, s.URL
}

// sdkConfig is a plain SDK configuration for the simulator. It keeps the SDK's standard retries
// (connection resets on a loaded test machine are retried as in production); no test here relies
// on a throttling or server error surfacing on the first attempt.
func sdkConfig(url, region, keyID, secret string) sdk.Config {
	return sdk.Config{
		Region:           region,
		BaseEndpoint:     sdk.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		RetryMaxAttempts: 3,
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

// rawQuery sends a hand-made query-protocol request signed (in scope only) with keyID.
func rawQuery(t *testing.T, url, service, region, keyID, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if keyID != "" {
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+keyID+"/20261128/"+region+"/"+service+"/aws4_request, SignedHeaders=host, Signature=00")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMalformedRequestsGetAWSErrorEnvelopes(t *testing.T) {
	srv, _, url := startSim(t, "crypto-miner")
	key, _ := srv.ResponderCredentials()
	tests := []struct {
		name, service, keyID, body string
		status                     int
		want                       []string
	}{
		{"an unknown IAM action is InvalidAction in the IAM envelope", "iam", key, "Action=FlyToTheMoon&Version=2010-05-08",
			400, []string{"<ErrorResponse", "<Code>InvalidAction</Code>", "<Type>Sender</Type>"}},
		{"an unknown EC2 action is InvalidAction in the EC2 envelope", "ec2", key, "Action=FlyToTheMoon&Version=2016-11-15",
			400, []string{"<Response><Errors><Error><Code>InvalidAction</Code>"}},
		{"a request without an action is MissingAction", "sts", key, "Version=2011-06-15",
			400, []string{"<Code>MissingAction</Code>"}},
		{"an unsigned request is MissingAuthenticationToken", "sts", "", "Action=GetCallerIdentity",
			403, []string{"MissingAuthenticationToken"}},
		{"a bad parameter is reported as such", "ec2", key, "Action=DescribeInstances&MaxResults=3",
			400, []string{"<Code>InvalidParameterValue</Code>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := rawQuery(t, url, tt.service, "us-east-1", tt.keyID, tt.body)
			if status != tt.status {
				t.Errorf("status %d, want %d: %s", status, tt.status, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q: %s", w, body)
				}
			}
		})
	}
}

func TestTheAttackerFallsBackToTheBackdoorKeyUntilItIsRemovedToo(t *testing.T) {
	srv, clock, url := startSim(t, "crypto-miner")
	id, secret := srv.ResponderCredentials()
	client := iam.NewFromConfig(sdkConfig(url, "us-east-1", id, secret))
	ctx := context.Background()
	if _, err := client.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: sdk.String("ci-deploy"),
		AccessKeyId: sdk.String("AKIAEXAMPLELEAKED001"), Status: iamtypes.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(21 * time.Minute)
	if rec := lastAttackWith(srv.AttackLog(), "AKIAEXAMPLEBACKDOOR1"); rec == nil || !rec.Succeeded() {
		t.Fatalf("with only the leaked key contained, the backdoor key must still work: %+v", rec)
	}
	if _, err := client.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: sdk.String("support-sync"),
		AccessKeyId: sdk.String("AKIAEXAMPLEBACKDOOR1")}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(15 * time.Minute)
	if rec := lastAttackWith(srv.AttackLog(), "AKIAEXAMPLEBACKDOOR1"); rec == nil || rec.Code != "AuthFailure" {
		t.Fatalf("a deleted backdoor key must be refused: %+v", rec)
	}
}

func lastAttackWith(log []sim.AttackRecord, key string) *sim.AttackRecord {
	var last *sim.AttackRecord
	for i := range log {
		if log[i].AccessKeyID == key {
			last = &log[i]
		}
	}
	return last
}
