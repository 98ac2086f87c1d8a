package review

import (
	"fmt"
	"strings"

	"lockdown/steps"
)

// Choice is a row the operator selected against lockdown's verdict (an instance judged ok or
// protected, a user or key not flagged). Apply acts on such a row only when the plan carries it as
// a Choice: a row added to a plan by hand, or one whose verdict changed since review, is refused
// whatever the digest says.
type Choice struct {
	ID string `json:"id"`
	// OperatorChoice is always true: it makes the override unmistakable to anyone reading the file.
	OperatorChoice bool   `json:"operator_choice"`
	Reason         string `json:"reason"`
	// Verdict is what lockdown judged the row when the plan was made.
	Verdict string `json:"verdict"`
}

// ParseChoice reads --choose STEP:ID:REASON; the reason is required, because the review will ask.
func ParseChoice(s string) (step string, c Choice, err error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) != 3 || strings.TrimSpace(parts[0]) == "" || strings.TrimSpace(parts[1]) == "" || strings.TrimSpace(parts[2]) == "" {
		return "", c, fmt.Errorf("--choose %q: write STEP:ID:REASON, e.g. terminate-instances:i-0abc:launched by the attacker's role", s)
	}
	return strings.TrimSpace(parts[0]), Choice{ID: strings.TrimSpace(parts[1]), OperatorChoice: true, Reason: strings.TrimSpace(parts[2])}, nil
}

// Choice returns the operator's choice for a row of this step, if the plan holds one.
func (ps *PlanStep) Choice(id string) (Choice, bool) {
	for _, c := range ps.Choices {
		if c.ID == id && c.OperatorChoice {
			return c, true
		}
	}
	return Choice{}, false
}

func findRow(t *steps.Table, id string) (steps.Row, bool) {
	if t == nil {
		return steps.Row{}, false
	}
	for _, r := range t.Rows {
		if r.ID == id {
			return r, true
		}
	}
	return steps.Row{}, false
}

// verdictOf says in words how lockdown judged a row it does not propose.
func verdictOf(r steps.Row) string {
	tone := string(r.Tone)
	if tone == "" {
		tone = "not flagged"
	}
	if len(r.Reasons) == 0 {
		return tone
	}
	return tone + " (" + strings.Join(r.Reasons, "; ") + ")"
}

// againstVerdict returns the rows of a fresh selection that lockdown does not propose now and
// the plan does not carry as the operator's choice: applying them would act on what nobody chose.
// A row an apply of this plan began (begun) goes on as reviewed.
func againstVerdict(ps *PlanStep, table *steps.Table, selection []string, begun map[string]bool) []string {
	if table == nil || !table.Selectable {
		return nil
	}
	var out []string
	for _, id := range selection {
		row, ok := findRow(table, id)
		if !ok || row.Selected || begun[id] {
			continue
		}
		if _, chosen := ps.Choice(id); chosen {
			continue
		}
		out = append(out, id+" is judged "+verdictOf(row))
	}
	return out
}
