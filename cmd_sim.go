package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"lockdown/aws/sim"
)

// SimCmd groups the simulator's subcommands.
type SimCmd struct {
	Serve SimServeCmd `cmd:"" help:"Serve the simulated account over HTTP on a loopback address, for the AWS CLI or SDKs."`
}

// SimServeCmd serves a scenario until interrupted.
type SimServeCmd struct {
	Scenario   string `help:"Built-in scenario name or scenario file." default:"${default_scenario}" placeholder:"NAME|FILE"`
	Addr       string `help:"Loopback address to listen on." default:"127.0.0.1:4566"`
	StrictKeys bool   `help:"Refuse requests signed with keys the simulated account does not know, as AWS would. By default any unknown key acts as the responder, so the AWS CLI works with whatever credentials it has."`

	// counted counts the requests held at once, reported when serving stops.
	counted *inFlight
}

// Run serves until the context is cancelled (Ctrl-C).
func (c *SimServeCmd) Run(g *Globals) error {
	srv, l, err := c.start(g)
	if err != nil {
		return err
	}
	<-g.Context().Done()
	g.eprintf("\nStopping: %d requests served, at most %d at once.\n", len(srv.Requests()), c.counted.Most())
	return l.Close()
}

// served is what sim serve serves: one account, or an organization of them.
type served interface {
	Requests() []sim.Request
}

// start loads the scenario and serves it on the loopback address, the attacker's timeline
// running from now; the caller closes the listener. A scenario with an organization serves every
// account of it behind the one address, each answering the keys it owns.
func (c *SimServeCmd) start(g *Globals) (served, *sim.Listener, error) {
	sc, err := sim.LoadScenario(c.Scenario)
	if err != nil {
		return nil, nil, usageError("%v", err)
	}
	log := slog.New(slog.NewTextHandler(g.stderr, nil))
	opts := sim.Options{AcceptUnknownKeys: !c.StrictKeys, Log: log}
	var srv *sim.Server
	var handler http.Handler
	var all served
	if sc.Organization != nil {
		org, err := sim.NewOrganization(sc, opts)
		if err != nil {
			return nil, nil, usageError("%v", err) // a value of the scenario, at its place
		}
		srv, handler, all = org.Management(), org, org
	} else {
		if srv, err = sim.New(sc, opts); err != nil {
			return nil, nil, usageError("%v", err) // a value of the scenario, at its place
		}
		handler, all = srv, srv
	}
	c.counted = &inFlight{next: handler}
	l, err := sim.Listen(c.counted, c.Addr)
	if err != nil {
		return nil, nil, usageError("%v", err)
	}
	id, secret := srv.ResponderCredentials()
	g.eprintf("Simulated account %s (%s), scenario %s, on %s\n", srv.Account(), sc.Account.Alias, sc.Name, l.URL)
	if org, ok := all.(*sim.Organization); ok {
		g.eprintf("It is the management account of organization %s: %d member accounts answer on the same address\n",
			org.ID(), len(org.AccountIDs())-1)
	}
	g.eprintf("Point the AWS CLI at it, for example:\n\n")
	g.eprintf("  export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_DEFAULT_REGION=us-east-1\n", id, secret)
	g.eprintf("  aws --endpoint-url %s sts get-caller-identity\n\n", l.URL)
	g.eprintf("Stop with Ctrl-C.\n")
	return all, l, nil
}

// scenarioList is `drill --list`: each built-in scenario's name, difficulty and one-line brief.
func scenarioList() string {
	names := sim.ScenarioNames()
	width := len("SCENARIO")
	for _, name := range names {
		width = max(width, len(name))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s  %-10s  %s\n", width, "SCENARIO", "DIFFICULTY", "BRIEF")
	for _, name := range names {
		sc, err := sim.LoadScenario(name)
		if err != nil {
			fmt.Fprintf(&b, "%-*s  %-10s  (broken: %v)\n", width, name, "-", err)
			continue
		}
		brief := sc.Brief
		if brief == "" {
			brief = firstLine(sc.Description)
		}
		difficulty := sc.Difficulty
		if difficulty == "" {
			difficulty = "-"
		}
		fmt.Fprintf(&b, "%-*s  %-10s  %s\n", width, name, difficulty, brief)
	}
	return b.String()
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
