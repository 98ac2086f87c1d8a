package review

import (
	"fmt"
	"slices"
	"strings"

	"lockdown/steps"
)

// Kept is an item the operator keeps, with the reason: a row of a step left out of its changes
// (a key a teammate made after T0, an instance someone vouches for), or an item the verification
// would count against containment (a role an outside account is meant to assume). Apply journals
// the decision; the verification shows the item as a pass with the reason beside it.
type Kept struct {
	Item   string `json:"item"`
	Reason string `json:"reason"`
	// Verdict is how lockdown judged the item when the plan was made.
	Verdict string `json:"verdict,omitempty"`
}

// ParseKeep reads --keep STEP:ID:REASON; the reason is required, because the report shows it.
func ParseKeep(s string) (step string, k Kept, err error) {
	step, c, err := ParseChoice(s)
	if err != nil {
		return "", k, fmt.Errorf("--keep %q: write STEP:ID:REASON, e.g. verify-contained:sync-automation:the backup vendor's account, ticket SEC-12", s)
	}
	return step, Kept{Item: c.ID, Reason: c.Reason}, nil
}

// addRowKeeps takes the kept rows out of the step's selection and records each with its reason.
func (p *planner) addRowKeeps(ps *PlanStep, table *steps.Table) error {
	for _, k := range p.opts.Keeps[ps.Step] {
		row, ok := findRow(table, k.Item)
		if !ok {
			return fmt.Errorf("--keep %s:%s: the inspection found no %s in this step", ps.Step, k.Item, k.Item)
		}
		k.Verdict = verdictOf(row)
		if !slices.Contains(ps.Selected, k.Item) {
			ps.Notes = append(ps.Notes, fmt.Sprintf("--keep %s: lockdown does not propose it; the decision is recorded", k.Item))
		}
		ps.Selected = slices.DeleteFunc(ps.Selected, func(id string) bool { return id == k.Item })
		ps.Kept = append(ps.Kept, k)
	}
	return nil
}

// addVerifiedKeeps records kept items of the verification step: only an item it counts against
// containment that someone may have made on purpose (never the leaked key).
func (p *planner) addVerifiedKeeps(ps *PlanStep, found *steps.Inspection) error {
	keeps := p.opts.Keeps[ps.Step]
	if len(keeps) == 0 {
		return nil
	}
	v, ok := found.Data.(*steps.Verification)
	if !ok {
		return fmt.Errorf("--keep %s:…: this step only reads; keep rows of the step that would change them", ps.Step)
	}
	for _, k := range keeps {
		item, ok := v.Keepable(k.Item)
		if !ok {
			return fmt.Errorf("--keep %s:%s: the verification has no failing item %s that can be kept (a key, user, role, key pair, Auto Scaling group, fleet or launch template made after T0, a role with outside trust, a rogue instance, IAM persistence, a console password not reset, a change undone by hand)", ps.Step, k.Item, k.Item)
		}
		k.Item, k.Verdict = item, "fails verification"
		ps.Kept = append(ps.Kept, k)
	}
	return nil
}

// recordKeeps journals the operator's reviewed decisions to keep items, before the step acts.
func (a *applier) recordKeeps(ps *PlanStep) {
	for _, k := range ps.Kept {
		if err := a.run.Keep(ps.Step, k.Item, k.Reason); err != nil {
			a.printf("      the decision to keep %s could not be recorded: %v\n", k.Item, err)
			continue
		}
		a.printf("      kept by the operator: %s; reason given: %s\n", k.Item, k.Reason)
	}
}

// keptLines are the plan summary's lines for the kept items.
func keptLines(ps PlanStep) []string {
	var out []string
	for _, k := range ps.Kept {
		out = append(out, fmt.Sprintf("KEPT BY THE OPERATOR: %s (%s); reason given: %s", k.Item, strings.TrimSpace(k.Verdict), k.Reason))
	}
	return out
}
