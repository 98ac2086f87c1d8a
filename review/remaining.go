package review

import (
	"fmt"
	"slices"
	"strings"

	"lockdown/steps"
)

// Remaining is an item the verification counts against containment when the plan is made, and
// who deals with it: a step of this plan whose changes include it, or the operator. A plan that
// proposes nothing while items are left for the operator has not finished the incident.
type Remaining struct {
	Item     string `json:"item"`
	Result   string `json:"result"`
	Evidence string `json:"evidence"`
	// Step is the step of this plan that changes it; empty when it is the operator's.
	Step string `json:"step,omitempty"`
	// ToDo says what the operator does, when no step of this plan does it.
	ToDo string `json:"to_do,omitempty"`
}

// weighRemaining lists what the verification still counts, less what the operator keeps, and
// says who deals with each. Unknown items the operator keeps no longer fail the plan.
func (p *planner) weighRemaining(ps *PlanStep, v *steps.Verification) {
	kept := keptItemsOf(*ps)
	if ps.Status == PlanFailed && v.UnknownLeft(kept) == 0 {
		ps.Status, ps.Reason = "", ""
	}
	for _, c := range v.Checks {
		if !c.Open() || slices.Contains(kept, c.Item) {
			continue
		}
		r := Remaining{Item: c.Check + " " + c.Item, Result: string(c.Result), Evidence: c.Evidence}
		step := p.stepTitled(c.HandledBy)
		switch {
		case step != nil && step.Status == PlanPlanned && (c.Row == "" || slices.Contains(step.Selected, c.Row)):
			r.Step = step.Step
		case step != nil:
			r.ToDo = fmt.Sprintf("%s proposes no change for it (%s): select it there (--choose %s:%s:REASON), do it by hand, or keep it (--keep %s:%s:REASON)",
				step.Step, step.Status, step.Step, firstNonEmpty(c.Row, c.Item), ps.Step, c.Item)
		case c.HandledBy != "":
			r.ToDo = c.HandledBy
		default:
			r.ToDo = "by hand"
		}
		ps.Remaining = append(ps.Remaining, r)
	}
}

// keptItemsOf are the items the operator keeps in a step of the plan.
func keptItemsOf(ps PlanStep) []string {
	var out []string
	for _, k := range ps.Kept {
		out = append(out, k.Item)
	}
	return out
}

// stepTitled is the planned step whose title is title, as the verification names its handlers.
func (p *planner) stepTitled(title string) *PlanStep {
	for i := range p.planned {
		if p.planned[i].Title == title {
			return &p.planned[i]
		}
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// remainingLines are the summary's lines for the verification's remaining items: what this plan
// changes, then what is left for the operator.
func remainingLines(ps PlanStep) []string {
	var planned, left []string
	for _, r := range ps.Remaining {
		if r.Step != "" {
			planned = append(planned, fmt.Sprintf("planned in %s: %s", r.Step, r.Item))
			continue
		}
		left = append(left, fmt.Sprintf("LEFT FOR THE OPERATOR: %s (%s: %s) — %s", r.Item, r.Result, r.Evidence, strings.TrimPrefix(r.ToDo, "by hand: ")))
	}
	return append(planned, left...)
}

// leftForOperator counts the remaining items no step of the plan changes.
func leftForOperator(doc *PlanDocument) int {
	n := 0
	for _, ps := range doc.Steps {
		for _, r := range ps.Remaining {
			if r.Step == "" {
				n++
			}
		}
	}
	return n
}
