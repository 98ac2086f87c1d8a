package runbooks

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"lockdown/steps"
)

func TestAReportTellsEachStepFromTheJournalAlone(t *testing.T) {
	contain := containAction()
	contain.apply = func(_ *steps.Env, plan *steps.Plan) (*steps.Outcome, error) {
		return &steps.Outcome{Results: []steps.Result{{ChangeID: plan.Changes[0].ID, Status: steps.StatusFailed,
			Code: "AccessDenied", Message: "not allowed"}}}, nil
	}
	tr := newTestRun(t, contain)
	plan := tr.planned(t)
	if _, err := tr.Apply(context.Background(), "contain", plan, account, nil); err != nil {
		t.Fatal(err)
	}
	if err := tr.Skip("root", "the root user is handled by the account owner"); err != nil {
		t.Fatal(err)
	}
	entries, err := ReadJournal(tr.journal.Path())
	if err != nil {
		t.Fatal(err)
	}
	rep := BuildReport(entries)
	if rep.Account != account || rep.Mode != "live" || rep.Runbook != "test" || rep.Failed != 2 {
		t.Fatalf("report header %+v (want one failed result and one failed step)", rep)
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# Incident ",
		"## contain — failed",
		"Planned 1 change(s); results: 1 failed",
		"- failed: deactivate AKIAFROMRUNBOOK (not allowed)",
		"- rogue: AKIAFROMRUNBOOK (leaked)",
		"## root — skipped",
		"Skipped because: the root user is handled by the account owner",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, md.String())
		}
	}
}
