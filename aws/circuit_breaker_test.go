package aws_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"lockdown/aws"
	"lockdown/aws/wiretest"
)

// TestARegionThatNeverAnswersIsGivenUpOnAsAWhole: once a region has not answered for the retry
// window, every later call there — any service — is refused at once, with the cause, and sends
// nothing; other regions are untouched; a window later one call is let through to see whether
// the region answers again.
func TestARegionThatNeverAnswersIsGivenUpOnAsAWhole(t *testing.T) {
	acct, proxy, _ := openThroughProxy(t, aws.DryRun, wiretest.Rule{Region: "eu-north-1", Fault: wiretest.Hang()})
	var mu sync.Mutex
	var given []aws.CallEvent
	ctx := aws.WithCallObserver(context.Background(), func(e aws.CallEvent) {
		mu.Lock()
		defer mu.Unlock()
		if e.Kind == aws.EventGivenUp {
			given = append(given, e)
		}
	})
	window := aws.MinRetryWindow(aws.Options{CallTimeout: time.Second, RetryBase: 5 * time.Millisecond})

	// Finding out costs the first calls the window: two attempts of a second each.
	if _, err := acct.EC2("eu-north-1").DescribeInstances(ctx, &ec2.DescribeInstancesInput{}); err == nil {
		t.Fatal("a region that never answers answered")
	}
	mu.Lock()
	if len(given) == 0 || given[0].Region != "eu-north-1" {
		t.Fatalf("the region was not given up on after the window: events %+v", given)
	}
	mu.Unlock()

	sent := proxy.Count()
	began := time.Now()
	_, err := acct.CloudTrail("eu-north-1").LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
	var unreachable *aws.UnreachableError
	if !errors.As(err, &unreachable) || aws.ErrorCode(err) != "Unreachable" {
		t.Fatalf("another service of the silent region: %v, want it refused as unreachable", err)
	}
	if took := time.Since(began); took > window/4 {
		t.Errorf("the refusal took %s: each call spent its own retries", took)
	}
	if proxy.Count() != sent {
		t.Errorf("a call to the region given up on was sent: %s", wiretest.Describe(proxy.Requests()[sent:]))
	}
	if _, err := acct.EC2("us-west-2").DescribeInstances(ctx, &ec2.DescribeInstancesInput{}); err != nil {
		t.Errorf("another region was given up on too: %v", err)
	}

	// A window after, one call goes to see whether the region is back; the others still wait.
	time.Sleep(window)
	sent = proxy.Count()
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { _, _ = acct.EC2("eu-north-1").DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{}) })
	}
	wg.Wait()
	probes := 0
	for _, q := range proxy.Requests()[sent:] {
		if q.Region == "eu-north-1" {
			probes++
		}
	}
	if probes < 1 || probes > 2 {
		t.Errorf("%d calls were sent to the region given up on, want one probe (and its retry)", probes)
	}
}
