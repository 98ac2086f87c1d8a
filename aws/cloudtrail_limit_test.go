package aws_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
	"lockdown/aws/wiretest"
)

// wiredAccount opens the simulated account with every request recorded on the wire and
// CloudTrail lookups at lockdown's real pace.
func wiredAccount(tb testing.TB, s *simtest.Sim) (*aws.Account, *wiretest.Recorder) {
	tb.Helper()
	transport := http.DefaultTransport.(*http.Transport).Clone()
	// Every region shares the simulator's one address; AWS gives each region its own host, and so
	// its own idle connections. Without room for them, requests wait for new connections and
	// reach the server bunched together.
	transport.MaxIdleConnsPerHost = 64
	tb.Cleanup(transport.CloseIdleConnections)
	rec := wiretest.NewRecorder(transport)
	id, secret := s.Server.ResponderCredentials()
	acct, err := aws.Open(context.Background(), aws.Options{EndpointURL: s.URL, Region: "us-east-1",
		AccessKeyID: id, SecretAccessKey: secret, MaxBackoff: 200 * time.Millisecond, HTTPClient: rec.Client()})
	if err != nil {
		tb.Fatal(err)
	}
	return acct, rec
}

// lookupTimes groups the LookupEvents requests seen on the wire by region, in time order.
func lookupTimes(rec *wiretest.Recorder) map[string][]time.Time {
	out := map[string][]time.Time{}
	for _, r := range rec.Requests() {
		if r.Service == "cloudtrail" && strings.HasSuffix(r.Action, "LookupEvents") {
			out[r.Region] = append(out[r.Region], r.Time)
		}
	}
	for _, ts := range out {
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	}
	return out
}

func TestNoRegionEverReceivesMoreThanTwoLookupsInASecond(t *testing.T) {
	if testing.Short() {
		t.Skip("paces lookups at the real limit")
	}
	s := simtest.Start(t, "crypto-miner", traceStart)
	s.Server.SetLookupLimit(aws.LookupRate)
	acct, rec := wiredAccount(t, s)
	f, err := acct.TraceAttacker(context.Background(), aws.TraceOptions{Key: leaked}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Failed()) != 0 {
		t.Fatalf("with the limit on, regions failed: %+v", f.Failed())
	}
	times := lookupTimes(rec)
	if len(times) < 17 {
		t.Fatalf("lookups reached %d regions", len(times))
	}
	for region, ts := range times {
		for i := 2; i < len(ts); i++ {
			if ts[i].Sub(ts[i-2]) < time.Second {
				t.Errorf("%s received lookups %d, %d and %d within %v", region, i-2, i-1, i, ts[i].Sub(ts[i-2]))
			}
		}
	}
}

// manyEvents is an account where the attacker made 5,000 calls spread over 17 regions.
func manyEvents() string {
	var b strings.Builder
	b.WriteString(`
name: many-events
seed: 9
account: {id: "111122223333"}
incident_start: -3h
iam:
  users:
    - {name: ci, created: -100d, access_keys: [{id: AKIAEXAMPLELEAKED001, created: -50d}]}
attacker:
  access_key_id: AKIAEXAMPLELEAKED001
  events:
`)
	regions := []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-south-1", "ap-northeast-1",
		"ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1",
		"eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "sa-east-1"}
	left := 5000
	for i, r := range regions {
		n := left / (len(regions) - i)
		left -= n
		for _, times := range []int{n / 2, n - n/2} {
			fmt.Fprintf(&b, "    - {at: +1s, every: 1s, times: %d, service: ec2, region: %s, action: DescribeInstances}\n", times, r)
		}
	}
	return b.String()
}

// BenchmarkTraceAtTheLookupLimit traces 5,000 attacker events over 17 regions with the simulator
// enforcing 2 lookups per second per region. "x-limit" is the trace's time over the least time
// the limit allows for the lookups it needed: with n lookups in the busiest region, pairs a second
// apart, (ceil(n/2) - 1) seconds.
func BenchmarkTraceAtTheLookupLimit(b *testing.B) {
	s := simtest.Start(b, manyEvents(), traceStart)
	s.Server.SetLookupLimit(aws.LookupRate)
	s.Clock.Advance(time.Hour)
	s.Server.AttackLog() // the attacker's 5,000 calls are made now, not during the first trace
	for b.Loop() {
		acct, rec := wiredAccount(b, s)
		start := time.Now()
		f, err := acct.TraceAttacker(context.Background(), aws.TraceOptions{Key: leaked}, nil)
		took := time.Since(start)
		if err != nil || len(f.Failed()) != 0 || len(f.Timeline) != 5000 {
			b.Fatalf("trace: %v, failed %+v, %d events", err, f.Failed(), len(f.Timeline))
		}
		busiest := 0
		for _, ts := range lookupTimes(rec) {
			busiest = max(busiest, len(ts))
		}
		allowed := time.Duration((busiest+1)/2-1) * time.Second
		b.ReportMetric(took.Seconds()/allowed.Seconds(), "x-limit")
		b.ReportMetric(float64(busiest), "lookups/region")
	}
}
