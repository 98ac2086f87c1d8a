package sim_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"go.uber.org/goleak"

	"lockdown/aws/sim"
)

// serveFile serves a scenario read from a file, the way `lockdown sim serve --scenario FILE` does.
func serveFile(t *testing.T, text string) (*sim.Server, string, *http.Transport) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "scenario.yaml")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	sc, err := sim.LoadScenario(file)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sim.New(sc, sim.Options{Clock: sim.NewManualClock(testStart)})
	if err != nil {
		t.Fatal(err)
	}
	l, err := sim.Listen(srv, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(func() {
		transport.CloseIdleConnections()
		_ = l.Close()
	})
	return srv, l.URL, transport
}

// oneAttempt is an SDK configuration that does not retry, so a test sees each fault as it is.
func oneAttempt(srv *sim.Server, url, region string, transport *http.Transport) sdk.Config {
	id, secret := srv.ResponderCredentials()
	cfg := sdkConfig(url, region, id, secret)
	cfg.RetryMaxAttempts = 1
	cfg.HTTPClient = &http.Client{Transport: transport}
	return cfg
}

func TestAScenarioFilesLatencyFaultTakesEffect(t *testing.T) {
	// An hour of latency in one region: a client that waits a moment gives up there, and is
	// answered at once everywhere else. Lost latency would answer both.
	srv, url, tr := serveFile(t, `name: slow
account: {id: "111122223333"}
faults:
  - {region: eu-west-1, latency: 10m}
`)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := ec2.NewFromConfig(oneAttempt(srv, url, "eu-west-1", tr)).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the slow region answered: %v", err)
	}
	if _, err := ec2.NewFromConfig(oneAttempt(srv, url, "eu-west-2", tr)).DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{}); err != nil {
		t.Fatal(err)
	}
}

func TestALostAnswerLeavesTheCallDone(t *testing.T) {
	for _, mode := range []string{"drop", "error"} {
		t.Run(mode, func(t *testing.T) {
			srv, url, tr := serveFile(t, `name: lossy
account: {id: "111122223333"}
iam:
  users: [{name: alice}]
faults:
  - {service: iam, action: CreateAccessKey, lose_answer: `+mode+`}
`)
			client := iam.NewFromConfig(oneAttempt(srv, url, "us-east-1", tr))
			ctx := context.Background()
			_, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: sdk.String("alice")})
			if err == nil {
				t.Fatal("the answer reached the client")
			}
			if mode == "error" && apiCode(err) != "InternalError" {
				t.Fatalf("want InternalError, got %v", err)
			}
			keys, err := client.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: sdk.String("alice")})
			if err != nil || len(keys.AccessKeyMetadata) != 1 {
				t.Fatalf("the key must exist although its answer was lost: %+v %v", keys, err)
			}
			var lost int
			for _, r := range srv.Requests() {
				if r.AnswerLost && r.Action == "CreateAccessKey" && r.Mutating {
					lost++
				}
			}
			if lost != 1 {
				t.Fatalf("request log: %d lost answers, want 1", lost)
			}
		})
	}
}

func TestAHungRegionHoldsRequestsOnlyUntilTheClientGivesUp(t *testing.T) {
	srv, url, tr := serveFile(t, `name: hung
account: {id: "111122223333"}
faults:
  - {region: ap-south-1, hang: true}
`)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := ec2.NewFromConfig(oneAttempt(srv, url, "ap-south-1", tr)).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the hung region answered: %v", err)
	}
	if _, err := ec2.NewFromConfig(oneAttempt(srv, url, "us-east-1", tr)).DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{}); err != nil {
		t.Fatal(err)
	}
	tr.CloseIdleConnections()
}

func TestFaultsThatContradictEachOtherAreRefused(t *testing.T) {
	for _, f := range []string{
		"{deny: true, hang: true}",
		"{status: 500, lose_answer: drop}",
		"{lose_answer: maybe}",
		"{latency: 2h}",
	} {
		_, err := sim.ParseScenario("f.yaml", []byte("account: {id: \"111122223333\"}\nfaults:\n  - "+f+"\n"))
		if err == nil {
			t.Errorf("%s was accepted", f)
		}
	}
}
