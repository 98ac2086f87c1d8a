package aws

import (
	"context"
	"net/http"
	"testing"
	"time"

	"lockdown/aws/sim"
)

var ec2SimStart = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)

// ec2Incident is a small estate in six regions: a baseline launched long before T0 (three hours ago),
// the attacker's instances after it, one protected and one stopped instance, and a persistent spot
// request behind one miner.
const ec2Incident = `
name: ec2Incident
seed: 11
account: {id: "111122223333"}
incident_start: -3h
regions:
  - {name: us-east-1, opt_in: opt-in-not-required}
  - {name: us-west-2, opt_in: opt-in-not-required}
  - {name: eu-west-1, opt_in: opt-in-not-required}
  - {name: eu-central-1, opt_in: opt-in-not-required}
  - {name: ap-southeast-1, opt_in: opt-in-not-required}
  - {name: sa-east-1, opt_in: opted-in}
  - {name: af-south-1, opt_in: not-opted-in}
ec2:
  key_pairs:
    - {region: us-east-1, name: ops, created: -400d}
    - {region: ap-southeast-1, name: miner, created: -2h}
  instances:
    - {region: us-east-1, id: i-00000000000000db1, type: r5.large, launched: -300d, key_name: ops, protected: true, tags: {Name: db}}
    - {region: us-east-1, id: i-0000000000000old1, type: t3.large, launched: -30d, state: stopped}
    - {region: us-east-1, id: i-0000000000000gpu1, type: p3.16xlarge, launched: -2h}
    - {region: ap-southeast-1, id: i-0000000000000gpu2, type: g4dn.12xlarge, launched: -90m, key_name: miner, spot: {type: persistent, created: -90m}}
    - {region: sa-east-1, id: i-0000000000000gpu3, type: p4d.24xlarge, launched: -1h}
    - {region: eu-central-1, id: i-0000000000000gpu4, type: g5.48xlarge, launched: -1h, protected: true}
  generate:
    - {region: us-east-1, count: 12, type: m5.large, launched: -60d, name: web}
    - {region: us-west-2, count: 7, type: m5.large, launched: -60d, name: api}
    - {region: eu-west-1, count: 9, type: c5.large, launched: -20d, name: batch}
    - {region: eu-west-1, count: 3, type: c5.large, launched: -20d, state: terminated}
    - {region: ap-southeast-1, count: 4, type: p3.2xlarge, launched: -1h}
    - {region: us-west-2, count: 6, type: g4dn.xlarge, launched: -30m}
`

// ec2IncidentLive counts the instances a scan must find: every one not terminated.
const ec2IncidentLive = 3 + 1 + 1 + 1 + 12 + 7 + 9 + 4 + 6

// openEC2Sim serves scenario on loopback and returns an Account signed as the responder, with the
// account confirmed and a short backoff so retries in tests take milliseconds.
func openEC2Sim(t testing.TB, scenario string, live bool) (*Account, *sim.Server) {
	t.Helper()
	return openSimWith(t, scenario, Options{Mode: modeOf(live)}, nil)
}

// openSimWith serves scenario on loopback and opens it signed as the responder with opts, the
// account confirmed. The test owns the transport, which wrap may put a round tripper around, so
// idle client connections are closed before the listener, whose shutdown would wait for them.
func openSimWith(t testing.TB, scenario string, opts Options, wrap func(http.RoundTripper) http.RoundTripper) (*Account, *sim.Server) {
	t.Helper()
	sc, err := sim.ParseScenario("test", []byte(scenario))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sim.New(sc, sim.Options{Clock: sim.NewManualClock(ec2SimStart)})
	if err != nil {
		t.Fatal(err)
	}
	l, err := sim.Listen(srv, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	transport := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(transport.CloseIdleConnections)
	var rt http.RoundTripper = transport
	if wrap != nil {
		rt = wrap(transport)
	}
	opts.Region, opts.EndpointURL = "us-east-1", l.URL
	opts.AccessKeyID, opts.SecretAccessKey = srv.ResponderCredentials()
	opts.MaxBackoff, opts.LookupInterval, opts.HTTPClient = 20*time.Millisecond, time.Millisecond, &http.Client{Transport: rt}
	acct, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acct.WhoAmI(context.Background()); err != nil {
		t.Fatal(err)
	}
	return acct, srv
}

// running returns the ids of instances in state in the simulator, by the truth, not by the API.
func ec2States(srv *sim.Server) map[string]string {
	out := map[string]string{}
	for _, in := range srv.EC2Instances("") {
		out[in.ID] = in.State
	}
	return out
}

// modeOf is the mode of a test that changes the simulated account (live) or only checks.
func modeOf(live bool) Mode {
	if live {
		return Drill
	}
	return DryRun
}

// changesOf hands out the account's changes as Apply would get them.
func changesOf(t testing.TB, acct *Account) Changes {
	t.Helper()
	ch, err := acct.Changes()
	if err != nil {
		t.Fatal(err)
	}
	return ch
}
