package main

import (
	"fmt"
	"strings"

	"lockdown/runbooks"
	"lockdown/steps"
)

// printPlanSummary tells the reviewer on stderr what the plan would do, step by step: the number
// of changes, the warnings, and every dry-run check that did not pass.
func printPlanSummary(g *Globals, doc *runbooks.PlanDocument) {
	g.eprintf("\nPlan for account %s%s, as %s\n", doc.Account, aliasSuffix(doc.Alias), doc.Principal)
	if doc.Since != "" {
		g.eprintf("Incident start (T0): %s\n", doc.Since)
	}
	for i, ps := range doc.Steps {
		g.eprintf("%2d. %-24s %s\n", i+1, ps.Step, stepVerdict(ps))
		for _, w := range ps.Warnings {
			g.eprintf("      ! %s\n", w)
		}
		for _, c := range ps.Changes {
			g.eprintf("      - %s\n", changeLine(c))
		}
		for _, r := range ps.DryRunResults {
			if r.Status == steps.StatusFailed {
				g.eprintf("      FAILED CHECK %s: %s\n", r.ChangeID, strings.TrimSpace(r.Code+" "+r.Message))
			}
		}
	}
	changes := 0
	for _, ps := range doc.Steps {
		changes += len(ps.Changes)
	}
	g.eprintf("%d changes planned; nothing was changed. Apply with: lockdown apply PLAN --live --confirm %s\n", changes, doc.Account)
}

// stepVerdict is one line on how the dry-run left a step.
func stepVerdict(ps runbooks.PlanStep) string {
	switch ps.Status {
	case runbooks.PlanPlanned:
		return fmt.Sprintf("planned: %d changes, %s", len(ps.Changes), checkWords(ps.DryRunResults))
	case runbooks.PlanManual:
		return fmt.Sprintf("manual: %d checklist items", len(ps.ManualChecklist))
	case runbooks.PlanInspected:
		return "inspected (read-only)"
	}
	if ps.Reason != "" {
		return string(ps.Status) + ": " + ps.Reason
	}
	return string(ps.Status)
}

// checkWords counts dry-run results by status, in a fixed order.
func checkWords(results []steps.Result) string {
	counts := map[steps.Status]int{}
	for _, r := range results {
		counts[r.Status]++
	}
	var parts []string
	for _, s := range []steps.Status{steps.StatusWouldApply, steps.StatusApplied, steps.StatusAlreadyDone, steps.StatusSkipped, steps.StatusFailed} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	if len(parts) == 0 {
		return "no checks"
	}
	return strings.Join(parts, ", ")
}

func changeLine(c steps.Change) string {
	where := ""
	if c.Region != "" {
		where = " [" + c.Region + "]"
	}
	mark := ""
	if c.Destructive {
		mark = " (destructive)"
	}
	return fmt.Sprintf("%s %s%s: %s%s", c.Op, c.Target, where, c.Summary, mark)
}

func aliasSuffix(alias string) string {
	if alias == "" {
		return ""
	}
	return " (" + alias + ")"
}

// countPlanProblems counts failed steps and failed dry-run checks: a plan with any must not look
// clean to a script.
func countPlanProblems(doc *runbooks.PlanDocument) int {
	n := 0
	for _, ps := range doc.Steps {
		failedChecks := 0
		for _, r := range ps.DryRunResults {
			if r.Status == steps.StatusFailed {
				failedChecks++
			}
		}
		if failedChecks == 0 && ps.Status == runbooks.PlanFailed {
			failedChecks = 1
		}
		n += failedChecks
	}
	return n
}
