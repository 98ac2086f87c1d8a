package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"lockdown/aws/sim"
	"lockdown/debrief"
	"lockdown/runbooks"
	"lockdown/ui"
)

// printDebrief tells the drill's participants how the response went, on stderr once the screen
// has closed: the scored debrief, whether the attacker is out and the steps in the order they were
// done. The scored debrief is also written beside the journal, where `lockdown report` finds it.
func printDebrief(g *Globals, srv *sim.Server, s *session, scored *debrief.Debrief) {
	red := func(s string) string { return s }
	if f, ok := g.stderr.(*os.File); ok && ui.IsTerminal(f) && os.Getenv("NO_COLOR") == "" {
		style := ui.NewStyles(false).Rogue
		red = func(s string) string { return style.Render(s) }
	}
	w := g.stderr
	fmt.Fprintln(w)
	for _, l := range scored.ScoredLines() {
		fmt.Fprintln(w, l)
	}
	entries, _ := runbooks.ReadJournal(s.journal.Path())
	statuses := s.run.Statuses()
	writeContainment(w, red, srv.Start(), runbooks.ContainmentOf(entries, stepTitles(statuses)))
	writeSteps(w, srv.Start(), statuses, firstSettled(entries))
	if path, err := scored.WriteFile(s.journal.Path()); err != nil {
		fmt.Fprintf(w, "The debrief could not be written: %v\n", err)
	} else {
		fmt.Fprintf(w, "Debrief: %s\n", path)
	}
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
