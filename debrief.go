package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"lockdown/aws/sim"
	"lockdown/runbooks"
	"lockdown/ui"
)

// printDebrief tells the drill's participants how the response went: which steps were finished and
// when, and what the attacker managed before and after containment.
func printDebrief(g *Globals, srv *sim.Server, s *session) {
	red := func(s string) string { return s }
	if f, ok := g.stderr.(*os.File); ok && ui.IsTerminal(f) && os.Getenv("NO_COLOR") == "" {
		style := ui.NewStyles(false).Rogue
		red = func(s string) string { return style.Render(s) }
	}
	writeDebrief(g.stderr, red, srv.Scenario().Name, srv.Start(), srv.Now(), srv.AttackLog(), s.run.Statuses(), s.journal.Path())
}

// writeDebrief writes the debrief; red paints what the attacker still holds.
func writeDebrief(w io.Writer, red func(string) string, scenario string, start, end time.Time, attacks []sim.AttackRecord, statuses []runbooks.StepStatus, journal string) {
	fmt.Fprintf(w, "\nDrill debrief: scenario %s, %s\n", scenario, end.Sub(start).Round(time.Second))
	entries, _ := runbooks.ReadJournal(journal)
	writeContainment(w, red, start, runbooks.ContainmentOf(entries, stepTitles(statuses)))
	writeSteps(w, start, statuses, firstSettled(entries))
	writeAttacks(w, start, attacks)
}

// writeContainment opens the debrief with the one question that matters: is the attacker out?
// Only a verification that passed says so; what remains is listed with the step that handles it.
func writeContainment(w io.Writer, red func(string) string, start time.Time, c runbooks.Containment) {
	verdict, remaining, kept := c.Lines(func(t time.Time) string { return "+" + t.Sub(start).Round(time.Second).String() })
	if c.Verdict != runbooks.Contained {
		verdict = red(verdict)
	}
	fmt.Fprintf(w, "  Is the attacker out? %s\n", verdict)
	for _, r := range remaining {
		fmt.Fprintf(w, "    %s\n", red(r))
	}
	for _, k := range kept {
		fmt.Fprintf(w, "    %s\n", k)
	}
}

func stepTitles(statuses []runbooks.StepStatus) map[string]string {
	out := map[string]string{}
	for _, st := range statuses {
		out[st.Step.ID] = st.Step.Title
	}
	return out
}

// firstSettled is when each step was first done (or checked, planned, skipped): the order the
// team worked in, which is what a debrief discusses.
func firstSettled(entries []runbooks.Entry) map[string]time.Time {
	out := map[string]time.Time{}
	for _, e := range entries {
		if _, seen := out[e.Step]; seen || e.Kind != runbooks.KindState || e.Step == "" {
			continue
		}
		if runbooks.StepState(e.Message).Settled() {
			out[e.Step] = e.Time
		}
	}
	return out
}

// writeSteps lists the steps in the order they were first settled, then those never settled in
// runbook order.
func writeSteps(w io.Writer, start time.Time, statuses []runbooks.StepStatus, settled map[string]time.Time) {
	ordered := slices.Clone(statuses)
	slices.SortStableFunc(ordered, func(a, b runbooks.StepStatus) int {
		ta, okA := settled[a.Step.ID]
		tb, okB := settled[b.Step.ID]
		switch {
		case okA && okB:
			return ta.Compare(tb)
		case okA:
			return -1
		case okB:
			return 1
		}
		return 0
	})
	for _, st := range ordered {
		at := ""
		if t, ok := settled[st.Step.ID]; ok {
			at = "first at +" + t.Sub(start).Round(time.Second).String()
		}
		reason := ""
		if st.Reason != "" {
			reason = " (" + st.Reason + ")"
		}
		fmt.Fprintf(w, "  %-9s %-40s %s%s\n", st.State, st.Step.Title, at, reason)
	}
}

// attackTally is what the attacker achieved with one key.
type attackTally struct {
	worked, refused         int
	lastWorked, firstRefuse time.Time
}

// writeAttacks says, key by key, how long the attacker kept working: the leaked key should stop at
// containment, and a backdoor key only when its user is removed.
func writeAttacks(w io.Writer, start time.Time, attacks []sim.AttackRecord) {
	if len(attacks) == 0 {
		fmt.Fprintln(w, "  Attacker: no calls yet")
		return
	}
	var keys []string
	tally := map[string]*attackTally{}
	for _, a := range attacks {
		t, ok := tally[a.AccessKeyID]
		if !ok {
			t = &attackTally{}
			tally[a.AccessKeyID] = t
			keys = append(keys, a.AccessKeyID)
		}
		if a.Succeeded() {
			t.worked++
			t.lastWorked = a.Time
		} else {
			t.refused++
			if t.firstRefuse.IsZero() {
				t.firstRefuse = a.Time
			}
		}
	}
	for _, key := range keys {
		t := tally[key]
		fmt.Fprintf(w, "  Attacker with %s: %s worked", key, calls(t.worked))
		if !t.lastWorked.IsZero() {
			fmt.Fprintf(w, " (the last at +%s)", t.lastWorked.Sub(start).Round(time.Second))
		}
		fmt.Fprintf(w, ", %d refused", t.refused)
		if !t.firstRefuse.IsZero() {
			fmt.Fprintf(w, " (from +%s)", t.firstRefuse.Sub(start).Round(time.Second))
		}
		fmt.Fprintln(w)
	}
}

func calls(n int) string {
	if n == 1 {
		return "1 call"
	}
	return fmt.Sprintf("%d calls", n)
}
