package review

import (
	"bytes"
	"strings"
	"testing"

	"lockdown/steps"
)

func TestTheSummarySaysWhichChangesTheDryRunCouldNotProve(t *testing.T) {
	doc := &PlanDocument{Account: "111122223333", Steps: []PlanStep{{Step: "contain-key", Status: PlanPlanned,
		Changes: []steps.Change{{ID: "deactivate-key", Op: "iam:UpdateAccessKey", Target: "AKIAEXAMPLELEAKED001"}},
		DryRunResults: []steps.Result{{ChangeID: "deactivate-key", Status: steps.StatusNotChecked,
			Message: "permission for iam:UpdateAccessKey not checked"}}}}}
	var out bytes.Buffer
	PrintSummary(&out, doc)
	for _, want := range []string{"1 not-checked", "NOT CHECKED deactivate-key", "1 changes are NOT PROVEN"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the summary lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "would-apply") {
		t.Errorf("an unproven change reads as would apply:\n%s", out.String())
	}
}
