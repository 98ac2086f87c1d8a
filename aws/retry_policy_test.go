package aws_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
	"lockdown/aws/wiretest"
)

func TestTheDefaultRetryPolicyRidesOutAThirtySecondOutage(t *testing.T) {
	if w := aws.MinRetryWindow(aws.Options{}); w < 30*time.Second {
		t.Fatalf("a call failing every attempt is given up after %s of backoff at the least; an incident needs 30 s", w)
	}
	// The compressed clock of the fault tests keeps the same shape.
	if w := aws.MinRetryWindow(aws.Options{RetryBase: 10 * time.Millisecond}); w < 300*time.Millisecond {
		t.Fatalf("with a 10 ms base the window is %s, want at least 300 ms", w)
	}
}

// openThroughProxy opens the drill account through a fault proxy, with a short call timeout and
// a compressed retry clock.
func openThroughProxy(t *testing.T, mode aws.Mode, rules ...wiretest.Rule) (*aws.Account, *wiretest.Proxy, *simtest.Sim) {
	t.Helper()
	s := simtest.Start(t, "crypto-miner", time.Now())
	proxy := wiretest.StartProxy(t, s.URL, rules...)
	id, secret := s.Server.ResponderCredentials()
	acct, err := aws.Open(context.Background(), aws.Options{EndpointURL: proxy.URL, Region: "us-east-1", Mode: mode,
		AccessKeyID: id, SecretAccessKey: secret, CallTimeout: time.Second, RetryBase: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return acct, proxy, s
}

func TestAnAttemptThatNeverAnswersTimesOutAndIsRetried(t *testing.T) {
	acct, proxy, _ := openThroughProxy(t, aws.DryRun, wiretest.Rule{Service: "sts", Fault: wiretest.Hang(), Times: 1})
	if _, err := acct.WhoAmI(context.Background()); err != nil {
		t.Fatalf("the second attempt answers, yet WhoAmI failed: %v", err)
	}
	if got := acct.Calls().For("STS", "us-east-1"); got.Calls != 1 || got.Retries() != 1 {
		t.Fatalf("STS calls %+v, want one call with one retry; wire: %v", got, proxy.Requests())
	}
}

func TestAnIdentityThatNeverAnswersEndsWithinItsBound(t *testing.T) {
	acct, _, _ := openThroughProxy(t, aws.DryRun, wiretest.Rule{Service: "sts", Fault: wiretest.Hang()})
	done := make(chan error, 1)
	go func() { _, err := acct.WhoAmI(context.Background()); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, aws.ErrIdentityTimeout) {
			t.Fatalf("WhoAmI returned %v, want the identity timeout", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("WhoAmI against an STS that never answers did not return")
	}
}
