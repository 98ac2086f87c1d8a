package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim"
	"lockdown/debrief"
	"lockdown/ui"
)

// DrillCmd runs a tabletop drill against the simulated account.
type DrillCmd struct {
	Scenario string `help:"Built-in scenario name or scenario file." default:"${default_scenario}" placeholder:"NAME|FILE"`
	List     bool   `help:"List the built-in scenarios and exit."`
	Pace     string `help:"How fast the attacker's timeline runs: 1x is real time, 10x a short session (up to 60x)." default:"1x" placeholder:"Nx"`
}

// drillBackoff keeps throttling retries short: the simulator's faults are there to be seen, not
// waited out.
const drillBackoff = 200 * time.Millisecond

// Run starts the simulator on a loopback port inside the process, points the real AWS code path
// at it with the scenario's responder credentials, and opens the TUI in drill mode.
func (c *DrillCmd) Run(g *Globals) error {
	if c.List {
		g.printf("%s", scenarioList())
		return nil
	}
	sc, err := sim.LoadScenario(c.Scenario)
	if err != nil {
		return usageError("%v", err)
	}
	pace, err := sim.ParsePace(c.Pace)
	if err != nil {
		return usageError("--pace: %v", err)
	}
	if sc.Organization != nil {
		return c.runOrg(g, sc, pace)
	}
	srv, err := sim.New(sc, sim.Options{Clock: sim.NewPacedClock(sim.WallClock{}, pace)})
	if err != nil {
		return usageError("%v", err) // a value of the scenario, at its place
	}
	l, acct, since, err := g.openDrill(srv, srv)
	if err != nil {
		return err
	}
	defer l.Close()
	s, err := g.newSession(acct, since)
	if err != nil {
		return err
	}
	feed := make(chan ui.Activity, 16)
	stopWatch := watchAttacker(g.Context(), srv, feed)
	s.activity = feed
	s.briefing = briefing(srv)
	s.breakGlass = breakGlass(g, srv, s, l.URL)
	scored := debrief.Watch(srv, pace, s.journal.Path(), stepTitles(s.run.Statuses()))
	var last *debrief.Debrief // the debrief the screen showed last, which the file keeps
	s.debrief = func() []string { last = scored.Debrief(); return last.Lines() }
	uiErr := s.interact(g)
	stopWatch()
	if last == nil {
		last = scored.Debrief()
	}
	printDebrief(g, srv, s, last)
	if err := s.close(g); err != nil || uiErr != nil {
		return firstErr(uiErr, err)
	}
	return nil
}

// openDrill serves handler — the simulated account srv, or the organization it manages — on a
// loopback port and opens it as the scenario's responder, in drill mode. The steps and the
// journals keep the simulated account's time. The caller closes the listener.
func (g *Globals) openDrill(srv *sim.Server, handler http.Handler) (*sim.Listener, *aws.Account, time.Time, error) {
	if err := g.readSessionInputs(); err != nil {
		return nil, nil, time.Time{}, err
	}
	if err := requireTerminal(); err != nil {
		return nil, nil, time.Time{}, err
	}
	g.clock = srv.Now
	l, err := sim.Listen(handler, "127.0.0.1:0")
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	since, err := g.SinceTime(srv.Now())
	if err == nil && since.IsZero() {
		since = srv.IncidentStart()
	}
	var acct *aws.Account
	if err == nil {
		id, secret := srv.ResponderCredentials()
		acct, err = aws.Open(g.Context(), aws.Options{Region: aws.DefaultRegion, EndpointURL: l.URL, AccessKeyID: id,
			SecretAccessKey: secret, Mode: aws.Drill, ExpectedAccount: g.Account, MaxBackoff: drillBackoff})
	}
	if err != nil {
		l.Close()
		return nil, nil, time.Time{}, err
	}
	return l, acct, since, nil
}

// briefing is the scenario's alert as the on-call receives it, with the leaked key and the goals.
func briefing(srv *sim.Server) *ui.Briefing {
	sc := srv.Scenario()
	a := sc.Alert
	responder, _ := srv.ResponderCredentials()
	b := &ui.Briefing{Scenario: sc.Name, From: a.From, Subject: a.Subject, Text: a.Text, Cost: a.Cost,
		KeyID: sc.Attacker.AccessKeyID, Goals: sc.Goals, OwnKey: responder == sc.Attacker.AccessKeyID}
	if a.Seen != "" {
		b.Seen, _ = a.Seen.Resolve(srv.Start()) // checked when the scenario was loaded
	}
	if b.Subject == "" && b.Text == "" {
		b.Text = sc.Description
	}
	return b
}

// breakGlass is the scenario's break-glass identity as the drill offers it: opened against the
// simulated account like the responder's, confirmed in the incident's account, then handed the run.
func breakGlass(g *Globals, srv *sim.Server, s *session, url string) *ui.BreakGlass {
	user, id, secret, ok := srv.BreakGlassCredentials()
	if !ok {
		return nil
	}
	return &ui.BreakGlass{
		Who: fmt.Sprintf("user %s, key %s", user, id),
		Switch: func(ctx context.Context) (*aws.Identity, error) {
			acct, err := aws.Open(ctx, aws.Options{Region: aws.DefaultRegion, EndpointURL: url, AccessKeyID: id,
				SecretAccessKey: secret, Mode: aws.Drill, ExpectedAccount: g.Account, MaxBackoff: drillBackoff})
			if err != nil {
				return nil, err
			}
			who, err := acct.WhoAmI(ctx)
			if err != nil {
				return nil, fmt.Errorf("the break-glass key does not work: %w", err)
			}
			if err := s.run.UseAccount(acct, who.ARN); err != nil {
				return nil, err
			}
			return &who, nil
		},
	}
}
