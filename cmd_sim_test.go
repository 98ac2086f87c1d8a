package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"lockdown/aws/sim"
)

// TestSimServeAnswersTheSDKWithInstancesInThreeRegionsAndIAMUsersForEveryScenario: every
// built-in scenario, served as `lockdown sim serve --scenario NAME` serves it, shows an SDK
// client (a stranger's key, as the AWS CLI would sign with) instances in three regions or more
// and IAM users, through the scenario's own faults.
func TestSimServeAnswersTheSDKWithInstancesInThreeRegionsAndIAMUsersForEveryScenario(t *testing.T) {
	t.Parallel()
	names := sim.ScenarioNames()
	if len(names) < 6 {
		t.Errorf("%d built-in scenarios, want at least 6: %v", len(names), names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			g := &Globals{stdout: &bytes.Buffer{}, stderr: &stderr, ctx: t.Context()}
			_, l, err := (&SimServeCmd{Scenario: name, Addr: "127.0.0.1:0"}).start(g)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if !strings.Contains(stderr.String(), "scenario "+name+", on "+l.URL) {
				t.Errorf("the banner does not name the scenario and address:\n%s", stderr.String())
			}
			regions, users := seenBySDK(t, l.URL)
			if sc, _ := sim.LoadScenario(name); sc.Organization != nil {
				regions += regionsOfMembers(t, l.URL) // an organization's instances may all be in members
			}
			if regions < 3 || users == 0 {
				t.Errorf("the SDK sees instances in %d regions and %d IAM users; want 3 regions or more and some users", regions, users)
			}
		})
	}
}

// seenBySDK counts the regions with instances (stopping at three) and the IAM users, signing as
// an unknown key with a short retry budget: some scenarios throttle a share of every call.
func seenBySDK(t *testing.T, url string) (regions, users int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cfg := awssdk.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAEXAMPLECLITESTER", "secret", ""),
		BaseEndpoint: awssdk.String(url),
		Retryer: func() awssdk.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts, o.MaxBackoff = 10, 50*time.Millisecond })
		},
	}
	return countInstanceRegions(ctx, t, cfg, 3), countUsers(ctx, t, cfg)
}

// countInstanceRegions counts the regions with instances, stopping at most.
func countInstanceRegions(ctx context.Context, t *testing.T, cfg awssdk.Config, most int) (regions int) {
	t.Helper()
	found, err := ec2.NewFromConfig(cfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		t.Fatalf("DescribeRegions: %v", err)
	}
	for _, r := range found.Regions {
		if regions == most {
			break
		}
		out, err := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.Region = *r.RegionName }).DescribeInstances(ctx, &ec2.DescribeInstancesInput{MaxResults: awssdk.Int32(5)})
		if err != nil {
			continue // a region the scenario denies, or one that never answers in time
		}
		if len(out.Reservations) > 0 {
			regions++
		}
	}
	return regions
}

func countUsers(ctx context.Context, t *testing.T, cfg awssdk.Config) int {
	t.Helper()
	list, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	return len(list.Users)
}
