package simtest

import (
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim"
	"lockdown/aws/wiretest"
)

// Org is a simulated organization serving one test: every account behind one loopback URL.
type Org struct {
	Org   *sim.Organization
	Clock *sim.ManualClock
	URL   string
}

// StartOrganization serves an organization scenario — a built-in name, or YAML text when it has a
// line break — with the clock stopped at start. It stops when the test ends.
func StartOrganization(t testing.TB, scenario string, start time.Time) *Org {
	t.Helper()
	clock := sim.NewManualClock(start)
	org, err := sim.NewOrganization(load(t, scenario), sim.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return &Org{Org: org, Clock: clock, URL: serve(t, org)}
}

// Management is the management account's server.
func (o *Org) Management() *sim.Server { return o.Org.Management() }

// Account opens the management account signed as its responder, with the identity confirmed (see
// Sim.Account).
func (o *Org) Account(t testing.TB, opts aws.Options) *aws.Account {
	t.Helper()
	return (&Sim{Server: o.Org.Management(), Clock: o.Clock, URL: o.URL}).Account(t, opts)
}

// Watch puts a recording proxy in front of the organization and points URL at it (see Sim.Watch).
func (o *Org) Watch(t testing.TB) *wiretest.Proxy {
	t.Helper()
	p := wiretest.StartProxy(t, o.URL)
	o.URL = p.URL
	return p
}

// Run moves the organization's clock on by step every tick until the test ends, so the accounts'
// time passes as a live apply expects: a role's sessions revoked at one second are issued anew at
// a later one.
func (o *Org) Run(t testing.TB, tick, step time.Duration) {
	t.Helper()
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-done:
				return
			case <-time.After(tick):
				o.Clock.Advance(step)
			}
		}
	}()
	t.Cleanup(func() { close(done); <-stopped })
}
