package wiretest_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"go.uber.org/goleak"

	lockdown "lockdown/aws"
	"lockdown/aws/sim/simtest"
	"lockdown/aws/wiretest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// simBehindProxy serves the crypto-miner account behind a proxy with rules, and returns SDK
// configuration signed as the responder that talks to the proxy with one attempt per call.
func simBehindProxy(t *testing.T, rules ...wiretest.Rule) (*simtest.Sim, *wiretest.Proxy, sdk.Config) {
	t.Helper()
	s := simtest.Start(t, "crypto-miner", time.Now().UTC())
	p := wiretest.StartProxy(t, s.URL, rules...)
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	id, secret := s.Server.ResponderCredentials()
	cfg := sdk.Config{Region: "us-east-1", BaseEndpoint: sdk.String(p.URL), RetryMaxAttempts: 1,
		HTTPClient: &http.Client{Transport: transport}, Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")}
	return s, p, cfg
}

func TestProxyForwardsAndRecordsEachRequestWithItsAnswer(t *testing.T) {
	s, p, cfg := simBehindProxy(t)
	_, err := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.Region = "eu-west-1" }).
		TerminateInstances(context.Background(), &ec2.TerminateInstancesInput{InstanceIds: []string{"i-nope"}, DryRun: sdk.Bool(true)})
	if err == nil {
		t.Fatal("a dry run always answers with an error")
	}
	reqs := p.Requests()
	if len(reqs) != 1 || reqs[0].Action != "TerminateInstances" || !reqs[0].DryRun || reqs[0].Region != "eu-west-1" || reqs[0].Status == 0 {
		t.Fatalf("recorded %+v", reqs)
	}
	if len(s.Server.Requests()) != 1 {
		t.Errorf("the simulator saw %d requests, want the one forwarded", len(s.Server.Requests()))
	}
	if len(p.Changes()) != 0 {
		t.Errorf("a dry run is not a change: %v", p.Changes())
	}
}

func TestThrottleAndServerErrorAnswerInTheServicesOwnWords(t *testing.T) {
	s, _, cfg := simBehindProxy(t,
		wiretest.Rule{Service: "ec2", Fault: wiretest.Throttle(), Times: 1},
		wiretest.Rule{Service: "iam", Fault: wiretest.Throttle(), Times: 1},
		wiretest.Rule{Service: "ec2", Fault: wiretest.ServerError(503), Times: 1},
		wiretest.Rule{Service: "guardduty", Fault: wiretest.Throttle(), Times: 1})
	ctx := context.Background()
	client := ec2.NewFromConfig(cfg)
	_, err := client.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if lockdown.ErrorCode(err) != "RequestLimitExceeded" {
		t.Errorf("EC2 throttling: %v", err)
	}
	_, err = iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
	if lockdown.ErrorCode(err) != "Throttling" {
		t.Errorf("IAM throttling: %v", err)
	}
	_, err = client.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if lockdown.ErrorCode(err) != "InternalError" {
		t.Errorf("EC2 server error: %v", err)
	}
	if _, err = client.DescribeRegions(ctx, &ec2.DescribeRegionsInput{}); err != nil {
		t.Errorf("rules used up should let requests through: %v", err)
	}
	_, err = guardduty.NewFromConfig(cfg).ListDetectors(ctx, &guardduty.ListDetectorsInput{})
	if lockdown.ErrorCode(err) != "TooManyRequestsException" || !retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err).Bool() {
		t.Errorf("GuardDuty throttling, in its REST protocol, must be a throttle the SDK retries: %v", err)
	}
	if n := len(s.Server.Requests()); n != 1 {
		t.Errorf("faulted requests must not reach the server: it saw %d", n)
	}
}

func TestDroppedAnswerLeavesTheChangeMadeAndTheClientInTheDark(t *testing.T) {
	s, p, cfg := simBehindProxy(t, wiretest.Rule{Action: "CreateAccessKey", Fault: wiretest.DropAnswer()})
	_, err := iam.NewFromConfig(cfg).CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: sdk.String("alice")})
	if err == nil {
		t.Fatal("the client got an answer the proxy should have dropped")
	}
	if served := s.Server.Requests(); len(served) != 1 || served[0].Action != "CreateAccessKey" {
		t.Fatalf("the server should have carried out the call: %+v", served)
	}
	if c := p.ChangesOf("CreateAccessKey"); len(c) != 1 || c[0].Status != 0 || c[0].Err == "" {
		t.Errorf("the recorder should count the unanswered change: %+v", c)
	}
}

func TestResetAndHangNeverReachTheServer(t *testing.T) {
	s, p, cfg := simBehindProxy(t,
		wiretest.Rule{Region: "us-west-2", Fault: wiretest.Reset()},
		wiretest.Rule{Region: "eu-west-1", Fault: wiretest.Hang()})
	_, err := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.Region = "us-west-2" }).
		DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	if err == nil {
		t.Error("a reset connection gave an answer")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.Region = "eu-west-1" }).
		DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a hung request should end with the client's deadline, got %v", err)
	}
	if n := len(s.Server.Requests()); n != 0 {
		t.Errorf("the server saw %d requests", n)
	}
	if n := p.Count(); n != 2 {
		t.Errorf("the recorder saw %d requests, want both", n)
	}
}

func TestLatencyDelaysButForwards(t *testing.T) {
	s, _, cfg := simBehindProxy(t, wiretest.Rule{Fault: wiretest.Latency(50 * time.Millisecond)})
	start := time.Now()
	if _, err := ec2.NewFromConfig(cfg).DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{}); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 50*time.Millisecond || len(s.Server.Requests()) != 1 {
		t.Errorf("latency rule: took %s, server saw %d", time.Since(start), len(s.Server.Requests()))
	}
}

func TestARuleWithAParameterFaultsOnlyTheCallsAboutIt(t *testing.T) {
	_, p, cfg := simBehindProxy(t, wiretest.Rule{Action: "ListAccessKeys", Param: "alice", Fault: wiretest.Throttle()})
	api := iam.NewFromConfig(cfg)
	ctx := context.Background()
	if _, err := api.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: sdk.String("ci-deploy")}); err != nil {
		t.Errorf("a call about another user was faulted: %v", err)
	}
	if _, err := api.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: sdk.String("alice")}); lockdown.ErrorCode(err) != "Throttling" {
		t.Errorf("the call about alice was not faulted: %v", err)
	}
	if n := len(p.Requests()); n != 2 {
		t.Errorf("recorded %d requests", n)
	}
}
