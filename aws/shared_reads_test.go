package aws

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"lockdown/aws/sim"
	"lockdown/aws/wiretest"
)

// sharingAccount opens the ec2Incident account with reads shared or not, every request recorded
// on the wire.
func sharingAccount(t *testing.T, share bool) (*Account, *sim.Server, *wiretest.Recorder) {
	return sharingAccountVia(t, share, nil)
}

// cutFirstAnswer ends the body of the first answer to action after a few bytes, cleanly, as a
// proxy that lost its upstream midway may.
type cutFirstAnswer struct {
	next   http.RoundTripper
	action string
	cut    atomic.Bool
}

func (c *cutFirstAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	var asked []byte
	if req.Body != nil {
		asked, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(asked))
	}
	resp, err := c.next.RoundTrip(req)
	if err != nil || !bytes.Contains(asked, []byte("Action="+c.action+"&")) || !c.cut.CompareAndSwap(false, true) {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body[:min(len(body), 60)]))
	resp.ContentLength = -1
	resp.Header.Del("Content-Length")
	return resp, nil
}

func sharingAccountVia(t *testing.T, share bool, wrap func(http.RoundTripper) http.RoundTripper) (*Account, *sim.Server, *wiretest.Recorder) {
	t.Helper()
	var rec *wiretest.Recorder
	acct, srv := openSimWith(t, ec2Incident, Options{Mode: Live, ShareReads: share}, func(transport http.RoundTripper) http.RoundTripper {
		if wrap != nil {
			transport = wrap(transport)
		}
		rec = wiretest.NewRecorder(transport)
		return rec
	})
	rec.Reset() // the confirmation of the account is not the test's
	return acct, srv, rec
}

func instancesIn(t *testing.T, a *Account, region string) map[string]string {
	t.Helper()
	out, err := a.ec2Client(region).DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, r := range out.Reservations {
		for _, i := range r.Instances {
			states[sdk.ToString(i.InstanceId)] = string(i.State.Name)
		}
	}
	return states
}

func readsOf(rec *wiretest.Recorder, action, region string) int {
	n := 0
	for _, q := range rec.Requests() {
		if q.Action == action && q.Region == region {
			n++
		}
	}
	return n
}

// TestAReadAskedAgainIsAnsweredOnceUntilSomethingChanges: within a command, a read the steps ask
// again goes to AWS once; a dry run changes nothing and keeps the answer; a change — a termination
// here — forgets it, so the read-back after it is read from AWS and sees the instance go.
func TestAReadAskedAgainIsAnsweredOnceUntilSomethingChanges(t *testing.T) {
	a, _, rec := sharingAccount(t, true)
	ctx := context.Background()
	first := instancesIn(t, a, "us-east-1")
	if again := instancesIn(t, a, "us-east-1"); len(again) != len(first) {
		t.Fatalf("the answer given again lists %d instances, the first %d", len(again), len(first))
	}
	instancesIn(t, a, "us-west-2")
	if n := readsOf(rec, "DescribeInstances", "us-east-1"); n != 1 {
		t.Fatalf("us-east-1's instances were read %d times on the wire; want once", n)
	}
	if n := readsOf(rec, "DescribeInstances", "us-west-2"); n != 1 {
		t.Fatalf("another region's read must go to AWS: us-west-2 read %d times", n)
	}
	_, err := a.ec2Client("us-east-1").TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"i-0000000000000gpu1"}, DryRun: sdk.Bool(true)})
	if err == nil || ErrorCode(err) != "DryRunOperation" {
		t.Fatalf("the dry run answered %v", err)
	}
	instancesIn(t, a, "us-east-1")
	if n := readsOf(rec, "DescribeInstances", "us-east-1"); n != 1 {
		t.Fatalf("after a dry run, us-east-1's instances were read %d times; a dry run changes nothing", n)
	}
	if _, err := a.ec2Client("us-east-1").TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"i-0000000000000gpu1"}}); err != nil {
		t.Fatal(err)
	}
	after := instancesIn(t, a, "us-east-1")
	if n := readsOf(rec, "DescribeInstances", "us-east-1"); n != 2 {
		t.Fatalf("the read-back after the termination was read %d times in all; want from AWS again (2)", n)
	}
	if after["i-0000000000000gpu1"] == first["i-0000000000000gpu1"] {
		t.Errorf("the read-back says %s, as before the termination", after["i-0000000000000gpu1"])
	}
	// Another region's answer, read before the change, is forgotten too.
	instancesIn(t, a, "us-west-2")
	if n := readsOf(rec, "DescribeInstances", "us-west-2"); n != 2 {
		t.Errorf("us-west-2 was read %d times in all; an answer from before a change is never given after it", n)
	}
}

// TestAFailedReadIsAskedAgainAndTheInterfaceSharesNothing: throttling and server errors are not
// answers to give again; an account opened without sharing reads every time.
func TestAFailedReadIsAskedAgainAndTheInterfaceSharesNothing(t *testing.T) {
	a, srv, rec := sharingAccount(t, true)
	if err := srv.AddFault(sim.Fault{Region: "us-west-2", Service: "ec2", Action: "DescribeInstances", Status: 503}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := a.ec2Client("us-west-2").DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{}, func(o *ec2.Options) { o.RetryMaxAttempts = 1 }); err == nil {
			t.Fatal("the fault did not fail the read")
		}
	}
	if n := readsOf(rec, "DescribeInstances", "us-west-2"); n != 2 {
		t.Errorf("a failed read was sent %d times for two asks; want each sent", n)
	}

	fresh, _, rec := sharingAccount(t, false)
	instancesIn(t, fresh, "us-east-1")
	instancesIn(t, fresh, "us-east-1")
	if n := readsOf(rec, "DescribeInstances", "us-east-1"); n != 2 {
		t.Errorf("without sharing, two reads went %d times to AWS", n)
	}
}

// TestAnAnswerCutShortIsNeverGivenAgain: an answer whose body ended early parses into nothing;
// the retry, and every later read, must ask AWS again instead of being given it.
func TestAnAnswerCutShortIsNeverGivenAgain(t *testing.T) {
	a, _, rec := sharingAccountVia(t, true, func(next http.RoundTripper) http.RoundTripper {
		return &cutFirstAnswer{next: next, action: "DescribeInstances"}
	})
	_, firstErr := a.ec2Client("us-east-1").DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	got := instancesIn(t, a, "us-east-1")
	if len(got) != 3+12 {
		t.Fatalf("after an answer cut short, us-east-1 lists %d instances (first read: %v); want 15", len(got), firstErr)
	}
	// The cut answer, then one whole answer — by the SDK's retry or the next read — given again.
	if n := readsOf(rec, "DescribeInstances", "us-east-1"); n != 2 {
		t.Errorf("us-east-1 was read %d times on the wire; want 2", n)
	}
}
