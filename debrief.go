package main

import (
	"fmt"
	"io"
	"time"

	"lockdown/aws/sim"
	"lockdown/runbooks"
)

// printDebrief tells the drill's participants how the response went: which steps were finished and
// when, and what the attacker managed before and after containment.
func printDebrief(g *Globals, srv *sim.Server, s *session) {
	writeDebrief(g.stderr, srv.Scenario().Name, srv.Start(), srv.Now(), srv.AttackLog(), s.run.Statuses(), s.journal.Path())
}

func writeDebrief(w io.Writer, scenario string, start, end time.Time, attacks []sim.AttackRecord, statuses []runbooks.StepStatus, journal string) {
	fmt.Fprintf(w, "\nDrill debrief: scenario %s, %s\n", scenario, end.Sub(start).Round(time.Second))
	entries, _ := runbooks.ReadJournal(journal)
	finished := map[string]time.Time{}
	for _, e := range entries {
		if e.Kind == runbooks.KindState && e.Step != "" {
			finished[e.Step] = e.Time
		}
	}
	for _, st := range statuses {
		at := ""
		if t, ok := finished[st.Step.ID]; ok && st.State != runbooks.StatePending {
			at = "at +" + t.Sub(start).Round(time.Second).String()
		}
		reason := ""
		if st.Reason != "" {
			reason = " (" + st.Reason + ")"
		}
		fmt.Fprintf(w, "  %-8s %-40s %s%s\n", st.State, st.Step.Title, at, reason)
	}
	var worked, refused int
	var firstRefused time.Time
	for _, a := range attacks {
		if a.Succeeded() {
			worked++
			continue
		}
		refused++
		if firstRefused.IsZero() {
			firstRefused = a.Time
		}
	}
	fmt.Fprintf(w, "  Attacker: %d calls with the leaked key succeeded, %d were refused", worked, refused)
	if !firstRefused.IsZero() {
		fmt.Fprintf(w, " (first refused at +%s)", firstRefused.Sub(start).Round(time.Second))
	}
	fmt.Fprintln(w)
}
