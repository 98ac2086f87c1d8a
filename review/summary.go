package review

import (
	"fmt"
	"io"
	"strings"

	"lockdown/steps"
)

// PrintSummary tells the reviewer what the plan would do, step by step: the number of changes, the
// warnings, every dry-run check that did not pass, every choice made against lockdown's verdict,
// and the digest that binds apply to this very plan.
func PrintSummary(w io.Writer, doc *PlanDocument) {
	fmt.Fprintf(w, "\nPlan for account %s%s, as %s\n", doc.Account, AliasSuffix(doc.Alias), doc.Principal)
	if doc.Since != "" {
		fmt.Fprintf(w, "Incident start (T0): %s\n", doc.Since)
	}
	if len(doc.SkipRegions) > 0 {
		fmt.Fprintf(w, "Regions left out (--skip-regions): %s — nothing there is inspected or changed\n", strings.Join(doc.SkipRegions, ", "))
	}
	for i, ps := range doc.Steps {
		fmt.Fprintf(w, "%2d. %-24s %s\n", i+1, ps.Step, stepVerdict(ps))
		for _, c := range ps.Choices {
			fmt.Fprintf(w, "      !! OPERATOR'S CHOICE, AGAINST LOCKDOWN'S VERDICT: %s, judged %s; reason given: %s\n", c.ID, c.Verdict, c.Reason)
		}
		for _, line := range keptLines(ps) {
			fmt.Fprintf(w, "      !! %s\n", line)
		}
		for _, warning := range ps.Warnings {
			fmt.Fprintf(w, "      ! %s\n", warning)
		}
		for _, line := range remainingLines(ps) {
			fmt.Fprintf(w, "      %s\n", line)
		}
		for _, c := range ps.Changes {
			fmt.Fprintf(w, "      - %s\n", ChangeLine(c))
		}
		for _, r := range ps.DryRunResults {
			switch r.Status {
			case steps.StatusFailed:
				fmt.Fprintf(w, "      FAILED CHECK %s: %s\n", r.ChangeID, strings.TrimSpace(r.Code+" "+r.Message))
			case steps.StatusNotChecked:
				fmt.Fprintf(w, "      NOT CHECKED %s: %s\n", r.ChangeID, r.Message)
			}
		}
	}
	changes, unproven := 0, 0
	for _, ps := range doc.Steps {
		changes += len(ps.Changes)
		for _, r := range ps.DryRunResults {
			if r.Status == steps.StatusNotChecked {
				unproven++
			}
		}
	}
	if unproven > 0 {
		fmt.Fprintf(w, "%d changes are NOT PROVEN: their permission check could not run, so they may still fail at apply.\n", unproven)
	}
	digest := doc.Digest()
	fmt.Fprintf(w, "%d changes planned; nothing was changed.\n", changes)
	if left := leftForOperator(doc); left > 0 {
		fmt.Fprintf(w, "%d items the verification counts are LEFT FOR THE OPERATOR (listed above): the attacker is not out until they are done by hand or kept with a reason.\n", left)
	}
	fmt.Fprintf(w, "Plan digest: %s\n", digest)
	fmt.Fprintf(w, "Apply with: lockdown apply PLAN --live --confirm %s --plan-digest %s\n", doc.Account, digest)
}

// stepVerdict is one line on how the dry-run left a step.
func stepVerdict(ps PlanStep) string {
	switch ps.Status {
	case PlanPlanned:
		line := fmt.Sprintf("planned: %d changes, %s", len(ps.Changes), checkWords(ps.DryRunResults))
		if ps.Reason != "" {
			line += " — " + ps.Reason
		}
		return line
	case PlanManual:
		return fmt.Sprintf("manual: %d checklist items", len(ps.ManualChecklist))
	case PlanInspected:
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
	for _, s := range []steps.Status{steps.StatusWouldApply, steps.StatusNotChecked, steps.StatusApplied, steps.StatusAlreadyDone, steps.StatusSkipped, steps.StatusFailed} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	if len(parts) == 0 {
		return "no checks"
	}
	return strings.Join(parts, ", ")
}

// ChangeLine is one change in a line of text.
func ChangeLine(c steps.Change) string {
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

// AliasSuffix is " (alias)" after an account id, or nothing when the account has no alias.
func AliasSuffix(alias string) string {
	if alias == "" {
		return ""
	}
	return " (" + alias + ")"
}

// Problems counts failed steps and failed dry-run checks: a plan with any must not look clean to
// a script.
func Problems(doc *PlanDocument) int {
	n := 0
	for _, ps := range doc.Steps {
		failedChecks := 0
		for _, r := range ps.DryRunResults {
			if r.Status == steps.StatusFailed {
				failedChecks++
			}
		}
		if failedChecks == 0 && ps.Status == PlanFailed {
			failedChecks = 1
		}
		n += failedChecks
	}
	return n
}
