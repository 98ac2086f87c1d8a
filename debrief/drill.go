package debrief

import (
	"os"
	"strings"

	"lockdown/aws/sim"
	"lockdown/runbooks"
)

// Drill gathers a running drill's facts: the simulated account, its pace and the journal.
type Drill struct {
	srv     *sim.Server
	pace    float64
	journal string
	titles  map[string]string
	before  []sim.Holding
}

// Watch starts watching a drill at its briefing: what the account holds now is what the debrief
// will judge collateral against. titles name the runbook's steps by id.
func Watch(srv *sim.Server, pace float64, journal string, titles map[string]string) *Drill {
	return &Drill{srv: srv, pace: pace, journal: journal, titles: titles, before: srv.Holdings()}
}

// Debrief scores the drill as it stands now.
func (d *Drill) Debrief() *Debrief {
	sc := d.srv.Scenario()
	end := d.srv.Now()
	f := Facts{
		Scenario: sc.Name, Pace: d.pace, Briefing: d.srv.Start(), End: end,
		LeakedKey: sc.Attacker.AccessKeyID, Par: sc.Par.Times(),
		Attacks: d.srv.AttackLog(), Before: d.before, After: d.srv.Holdings(), Attacker: d.srv.AttackerCredentials(),
	}
	entries, _ := runbooks.ReadJournal(d.journal) // an unreadable journal reads as no verification
	f.Containment = runbooks.ContainmentOf(entries, d.titles)
	return Build(f)
}

// PathFor is where a drill's debrief is written: beside its journal, named after it.
func PathFor(journal string) string {
	return strings.TrimSuffix(journal, ".jsonl") + ".debrief.md"
}

// WriteFile writes the debrief as Markdown beside the drill's journal, readable by its owner only
// as the journal is.
func (d *Debrief) WriteFile(journal string) (string, error) {
	var b strings.Builder
	if err := d.WriteMarkdown(&b); err != nil {
		return "", err
	}
	path := PathFor(journal)
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}
