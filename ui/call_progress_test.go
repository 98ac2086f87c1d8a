package ui

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
	"lockdown/aws/wiretest"
	"lockdown/steps"
)

// TestTheProgressViewShowsRetriesAsTheyHappen: an inspection whose AWS call is throttled shows,
// while it runs, which region was throttled and when the call is tried again.
func TestTheProgressViewShowsRetriesAsTheyHappen(t *testing.T) {
	s := simtest.Start(t, "crypto-miner", time.Now().UTC())
	proxy := wiretest.StartProxy(t, s.URL, wiretest.Rule{Service: "sts", Fault: wiretest.Throttle(), Times: 2})
	id, secret := s.Server.ResponderCredentials()
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	acct, err := aws.Open(context.Background(), aws.Options{EndpointURL: proxy.URL, Region: "us-east-1", AccessKeyID: id,
		SecretAccessKey: secret, RetryBase: 5 * time.Millisecond, HTTPClient: &http.Client{Transport: transport}})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	confirm := identityAction()
	confirm.inspect = func(ctx context.Context, _ func(steps.Progress)) (*steps.Inspection, error) {
		_, err := acct.WhoAmI(ctx)
		<-release // still running while the screen is looked at
		return &steps.Inspection{Summary: "Acting as oncall", Data: testIdentity}, err
	}
	m, _ := newTestModel(t, newFakeRunner(testBook(), map[string]steps.Action{"confirm": confirm, "terminate": terminateAction()}))
	cmd := m.Init()
	want := "us-east-1: throttled, retry 2 in"
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(screen(m), want) && time.Now().Before(deadline) {
		var nexts []tea.Cmd
		for _, msg := range collectWithin(cmd, 200*time.Millisecond) {
			_, next := m.Update(msg)
			nexts = append(nexts, next)
		}
		cmd = tea.Batch(nexts...)
	}
	close(release)
	if !strings.Contains(screen(m), want) || !strings.Contains(screen(m), "(sts GetCallerIdentity)") {
		t.Fatalf("the running inspection does not show the retries of its throttled call:\n%s", screen(m))
	}
}
