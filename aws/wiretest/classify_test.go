package wiretest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// nowhere refuses every request, so the SDK builds, signs and sends a real request that the
// recorder sees, and nothing leaves the process.
type nowhere struct{}

func (nowhere) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("not sent: classifier test")
}

func sdkConfig(rec *Recorder, region string) sdk.Config {
	return sdk.Config{Region: region, BaseEndpoint: sdk.String("http://127.0.0.1:9"), HTTPClient: rec.Client(),
		RetryMaxAttempts: 1, Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
}

func TestRealSDKRequestsAreClassifiedFromTheWire(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name                    string
		call                    func(rec *Recorder)
		service, region, action string
		mutating, dryRun        bool
	}{
		{"an EC2 read in its region is not a change", func(rec *Recorder) {
			_, _ = ec2.NewFromConfig(sdkConfig(rec, "ap-south-1")).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
		}, "ec2", "ap-south-1", "DescribeInstances", false, false},
		{"an EC2 termination with DryRun is mutating but a dry run", func(rec *Recorder) {
			_, _ = ec2.NewFromConfig(sdkConfig(rec, "us-west-2")).TerminateInstances(ctx,
				&ec2.TerminateInstancesInput{InstanceIds: []string{"i-1"}, DryRun: sdk.Bool(true)})
		}, "ec2", "us-west-2", "TerminateInstances", true, true},
		{"an EC2 termination without DryRun is a change", func(rec *Recorder) {
			_, _ = ec2.NewFromConfig(sdkConfig(rec, "us-west-2")).TerminateInstances(ctx,
				&ec2.TerminateInstancesInput{InstanceIds: []string{"i-1"}})
		}, "ec2", "us-west-2", "TerminateInstances", true, false},
		{"a spot request is a change", func(rec *Recorder) {
			_, _ = ec2.NewFromConfig(sdkConfig(rec, "eu-west-1")).CancelSpotInstanceRequests(ctx,
				&ec2.CancelSpotInstanceRequestsInput{SpotInstanceRequestIds: []string{"sir-1"}})
		}, "ec2", "eu-west-1", "CancelSpotInstanceRequests", true, false},
		{"deactivating a key is a change", func(rec *Recorder) {
			_, _ = iam.NewFromConfig(sdkConfig(rec, "us-east-1")).UpdateAccessKey(ctx,
				&iam.UpdateAccessKeyInput{AccessKeyId: sdk.String("AKIA1"), Status: iamtypes.StatusTypeInactive})
		}, "iam", "us-east-1", "UpdateAccessKey", true, false},
		{"listing users is not", func(rec *Recorder) {
			_, _ = iam.NewFromConfig(sdkConfig(rec, "us-east-1")).ListUsers(ctx, &iam.ListUsersInput{})
		}, "iam", "us-east-1", "ListUsers", false, false},
		{"who am I is not", func(rec *Recorder) {
			_, _ = sts.NewFromConfig(sdkConfig(rec, "eu-central-1")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		}, "sts", "eu-central-1", "GetCallerIdentity", false, false},
		{"assuming a role mints a session but changes nothing", func(rec *Recorder) {
			_, _ = sts.NewFromConfig(sdkConfig(rec, "us-east-1")).AssumeRole(ctx,
				&sts.AssumeRoleInput{RoleArn: sdk.String("arn:aws:iam::1:role/r"), RoleSessionName: sdk.String("s")})
		}, "sts", "us-east-1", "AssumeRole", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := NewRecorder(nowhere{})
			c.call(rec)
			reqs := rec.Requests()
			if len(reqs) != 1 {
				t.Fatalf("recorded %d requests, want 1", len(reqs))
			}
			q := reqs[0]
			if q.Service != c.service || q.Region != c.region || q.Action != c.action || q.Mutating != c.mutating || q.DryRun != c.dryRun {
				t.Errorf("got %+v", q)
			}
			if q.Status != 0 || !strings.Contains(q.Err, "not sent") {
				t.Errorf("an unanswered request should be recorded with its error, got status %d err %q", q.Status, q.Err)
			}
			if want := c.mutating && !c.dryRun; len(rec.Changes()) == 1 != want {
				t.Errorf("Changes() = %v, want a change: %t", rec.Changes(), want)
			}
		})
	}
}

func TestJSONProtocolTargetNamesTheAction(t *testing.T) {
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(`{}`))
	req.Header.Set("X-Amz-Target", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.StopLogging")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261201/eu-west-3/cloudtrail/aws4_request, SignedHeaders=host, Signature=00")
	q := Classify(req, []byte(`{}`))
	if q.Service != "cloudtrail" || q.Region != "eu-west-3" || q.Action != "StopLogging" || !q.Changes() {
		t.Errorf("got %+v", q)
	}
}

func TestRESTCallsWithoutAnActionAreJudgedByMethod(t *testing.T) {
	get, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/detector", nil)
	post, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/detector/1/update", nil)
	if q := Classify(get, nil); q.Mutating || q.Action != "GET /detector" {
		t.Errorf("GET: %+v", q)
	}
	if q := Classify(post, nil); !q.Mutating {
		t.Errorf("POST: %+v", q)
	}
}

func TestVerbsAreWholeWords(t *testing.T) {
	for action, want := range map[string]bool{
		"RunInstances": true, "RequestSpotInstances": true, "SetDefaultPolicyVersion": true,
		"Tag": true, "DescribeAddresses": false, "GetAccessKeyLastUsed": false, "Runner": false,
		"AssumeRoleWithWebIdentity": false, "SimulatePrincipalPolicy": false, "LookupEvents": false,
		"DeactivateMFADevice": true, "StartLogging": true,
	} {
		if got := IsMutating(action); got != want {
			t.Errorf("IsMutating(%q) = %t, want %t", action, got, want)
		}
	}
}
