package main

import (
	"path/filepath"

	"lockdown/aws"
	"lockdown/aws/sim"
	"lockdown/debrief"
	"lockdown/runbooks"
)

// runOrg drills a scenario that describes an organization: every account of it is simulated
// behind one loopback address, and the organization view comes first, as respond --org shows it.
// The responder holds the management account's credentials, and enters the members through
// their role as lockdown would in a real organization.
func (c *DrillCmd) runOrg(g *Globals, sc *sim.Scenario, pace float64) error {
	o, err := sim.NewOrganization(sc, sim.Options{Clock: sim.NewPacedClock(sim.WallClock{}, pace)})
	if err != nil {
		return usageError("%v", err) // a value of the scenario, at its place
	}
	if err := g.readSessionInputs(); err != nil {
		return err
	}
	if err := requireTerminal(); err != nil {
		return err
	}
	srv := o.Management()
	g.clock = srv.Now // the steps and the journals keep the simulated accounts' time
	l, err := sim.Listen(o, "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer l.Close()
	since, err := g.SinceTime(srv.Now())
	if err != nil {
		return err
	}
	if since.IsZero() {
		since = srv.IncidentStart()
	}
	id, secret := srv.ResponderCredentials()
	acct, err := aws.Open(g.Context(), aws.Options{Region: aws.DefaultRegion, EndpointURL: l.URL, AccessKeyID: id, SecretAccessKey: secret,
		Mode: aws.Drill, ExpectedAccount: g.Account, MaxBackoff: drillBackoff})
	if err != nil {
		return err
	}
	var console *orgConsole
	scored := debrief.WatchOrg(o, pace, func() runbooks.Containment { return console.containment() })
	console, err = g.interactOrgConsole(acct, OrgFlags{Org: true, OrgRole: aws.DefaultOrgRole, OrgCalls: 256, AccountCalls: 8}, sc.Attacker.AccessKeyID, since)
	if console == nil {
		return err
	}
	d := scored.Debrief()
	g.eprintf("\n")
	for _, l := range d.ScoredLines() {
		g.eprintf("%s\n", l)
	}
	if path, werr := d.WriteFile(filepath.Join(console.dir, console.incident+".jsonl")); werr != nil {
		g.eprintf("The debrief could not be written: %v\n", werr)
	} else {
		g.eprintf("Debrief: %s\n", path)
	}
	return err
}
