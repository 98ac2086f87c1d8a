// Package simtest serves the simulated account to tests: a scenario on a loopback port with a
// stopped clock, and AWS access to it signed as the scenario's responder.
package simtest

import (
	"context"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"net/http"
	"strings"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim"
	"lockdown/aws/wiretest"
)

// Sim is one simulated account serving one test.
type Sim struct {
	Server *sim.Server
	Clock  *sim.ManualClock
	URL    string
	// Direct is the simulator's own address, past any proxy Watch puts in front: what a test
	// does there, such as an operator's change by hand, is not on the watched wire.
	Direct string
}

// Start serves scenario — a built-in name, or YAML text when it has a line break — with the clock
// stopped at start. The server stops when the test ends. opts may change the server's options
// (a faster latency, say).
func Start(t testing.TB, scenario string, start time.Time, opts ...func(*sim.Options)) *Sim {
	t.Helper()
	sc := load(t, scenario)
	clock := sim.NewManualClock(start)
	o := sim.Options{Clock: clock}
	for _, f := range opts {
		f(&o)
	}
	srv, err := sim.New(sc, o)
	if err != nil {
		t.Fatal(err)
	}
	url := serve(t, srv)
	return &Sim{Server: srv, Clock: clock, URL: url, Direct: url}
}

// load reads a built-in scenario by name, or YAML text when it has a line break.
func load(t testing.TB, scenario string) *sim.Scenario {
	t.Helper()
	var sc *sim.Scenario
	var err error
	if strings.Contains(scenario, "\n") {
		sc, err = sim.ParseScenario("test", []byte(scenario))
	} else {
		sc, err = sim.LoadScenario(scenario)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// serve listens on a loopback port until the test ends.
func serve(t testing.TB, h http.Handler) string {
	t.Helper()
	l, err := sim.Listen(h, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l.URL
}

// Watch puts a recording proxy in front of the simulator and points URL at it, so every request
// made through URL afterwards (Account, UseCredentialChain, the command line) is judged from the
// wire rather than by the simulator's own log. The proxy closes when the test ends.
func (s *Sim) Watch(t testing.TB) *wiretest.Proxy {
	t.Helper()
	p := wiretest.StartProxy(t, s.URL)
	s.URL = p.URL
	return p
}

// Account opens the simulated account signed as its responder, with the identity confirmed so the
// guard knows the account. opts may set Live and ExpectedAccount; the endpoint, credentials, a
// us-east-1 home region and a backoff of milliseconds are filled in.
func (s *Sim) Account(t testing.TB, opts aws.Options) *aws.Account {
	t.Helper()
	opts.EndpointURL = s.URL
	opts.AccessKeyID, opts.SecretAccessKey = s.Server.ResponderCredentials()
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.MaxBackoff == 0 {
		opts.MaxBackoff = 20 * time.Millisecond
	}
	if opts.LookupInterval == 0 {
		// The simulator enforces no CloudTrail limit unless a test asks it to: a test need not
		// wait half a second between a region's lookups as lockdown does against AWS.
		opts.LookupInterval = time.Millisecond
	}
	// The test owns the transport so it can close idle connections before the server stops,
	// which would otherwise wait for them.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64 // every region is served on one host, read at once
	t.Cleanup(transport.CloseIdleConnections)
	// A request to a watching proxy is recorded in-process, without a second loopback hop.
	opts.HTTPClient = &http.Client{Transport: wiretest.Shortcut(transport)}
	acct, err := aws.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acct.WhoAmI(context.Background()); err != nil {
		t.Fatal(err)
	}
	return acct
}

// maxWalkedInstances is the most instances a scenario may start with for a test to walk the
// whole runbook through it in seconds.
const maxWalkedInstances = 1000

// SmallScenarios are the built-in single-account scenarios a test can walk whole in a few
// seconds: all but those with thousands of instances (large-noisy), whose scale benchmarks
// measure instead, and organizations (org-pivot), which the --org tests walk account by account.
func SmallScenarios(t testing.TB) []string {
	t.Helper()
	var names []string
	for _, name := range sim.ScenarioNames() {
		sc, err := sim.LoadScenario(name)
		if err != nil {
			t.Fatal(err)
		}
		// An organization's scenario is walked account by account with --org (org tests).
		if sc.InstanceCount() <= maxWalkedInstances && sc.Organization == nil {
			names = append(names, name)
		}
	}
	return names
}

// ByHand is an AWS configuration signed as the scenario's responder and sent straight to the
// simulator, for what an operator does by hand with the CLI or an SDK in region.
func (s *Sim) ByHand(region string) sdk.Config {
	id, secret := s.Server.ResponderCredentials()
	return sdk.Config{Region: region, BaseEndpoint: sdk.String(s.Direct),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, ""), RetryMaxAttempts: 3}
}
