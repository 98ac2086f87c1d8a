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
	l, acct, since, err := g.openDrill(o.Management(), o)
	if err != nil {
		return err
	}
	defer l.Close()
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
