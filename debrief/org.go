package debrief

import (
	"maps"
	"slices"
	"strings"

	"lockdown/aws/sim"
	"lockdown/runbooks"
)

// OrgDrill gathers the facts of a drill of an organization: every account's holdings and the
// attacker's calls in each, judged together, and the organization's containment, which only the
// verifications of its accounts decide.
type OrgDrill struct {
	org         *sim.Organization
	pace        float64
	containment func() runbooks.Containment
	before      []sim.Holding
}

// WatchOrg starts watching an organization's drill at its briefing: what every account holds now
// is what the debrief judges collateral against. containment says what the accounts'
// verifications amount to when the debrief is drawn.
func WatchOrg(o *sim.Organization, pace float64, containment func() runbooks.Containment) *OrgDrill {
	d := &OrgDrill{org: o, pace: pace, containment: containment}
	d.before = d.holdings()
	return d
}

// holdings are what every account of the organization holds; ids are unique across accounts.
func (d *OrgDrill) holdings() []sim.Holding {
	var out []sim.Holding
	for _, id := range d.org.AccountIDs() {
		out = append(out, d.org.Account(id).Holdings()...)
	}
	return out
}

// Debrief scores the organization's drill as it stands now: the leaked key's milestone in the
// management account, the miners of every account, and the organization's verdict.
func (d *OrgDrill) Debrief() *Debrief {
	mgmt := d.org.Management()
	sc := mgmt.Scenario()
	f := Facts{
		Scenario: sc.Name, Pace: d.pace, Briefing: mgmt.Start(), End: mgmt.Now(),
		LeakedKey: sc.Attacker.AccessKeyID, Par: sc.Par.Times(), Before: d.before, After: d.holdings(),
		Attacker: map[string]bool{},
	}
	for _, id := range d.org.AccountIDs() {
		srv := d.org.Account(id)
		f.Attacks = append(f.Attacks, srv.AttackLog()...)
		for key := range srv.AttackerCredentials() {
			f.Attacker[key] = true
		}
	}
	slices.SortStableFunc(f.Attacks, func(a, b sim.AttackRecord) int { return a.Time.Compare(b.Time) })
	f.Containment = d.containment()
	return Build(f)
}

// OrgContainment is the organization's containment from its accounts' own: contained only when
// every account in it is, at the latest of their verifications; otherwise the first that is not,
// named by its account.
func OrgContainment(accounts map[string]runbooks.Containment, unknown []string) runbooks.Containment {
	out := runbooks.Containment{Verdict: runbooks.Contained}
	ids := slices.Sorted(maps.Keys(accounts))
	for _, id := range ids {
		c := accounts[id]
		switch {
		case c.Verdict != runbooks.Contained:
			c.Step = "account " + id + ": " + c.Step
			return c
		case c.ChangedSince:
			out.ChangedSince = true
		}
		if c.At.After(out.At) {
			out.At, out.Step = c.At, "account "+id+": "+c.Step
		}
		out.Kept = append(out.Kept, c.Kept...)
	}
	if len(unknown) > 0 || len(ids) == 0 {
		return runbooks.Containment{Verdict: runbooks.NotVerified, Step: "not swept, and not skipped with a reason: " + strings.Join(unknown, ", ")}
	}
	return out
}
