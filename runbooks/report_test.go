package runbooks

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

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

func TestRegionsThatCouldNotBeInspectedCountAsFailures(t *testing.T) {
	contain := containAction()
	inspect := contain.inspect
	contain.inspect = func(env *steps.Env) (*steps.Inspection, error) {
		found, err := inspect(env)
		found.Failed = 2
		return found, err
	}
	tr := newTestRun(t, contain)
	if _, err := tr.Inspect(context.Background(), "confirm", nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Inspect(context.Background(), "contain", nil, nil); err != nil {
		t.Fatal(err)
	}
	entries, err := ReadJournal(tr.journal.Path())
	if err != nil {
		t.Fatal(err)
	}
	rep := BuildReport(entries)
	if rep.Failed != 2 || len(rep.Unsettled()) == 0 {
		t.Fatalf("two uninspected regions: failed %d, unsettled %v", rep.Failed, rep.Unsettled())
	}
	// A later inspection that reads everything settles them.
	contain.inspect = inspect
	if _, err := tr.Inspect(context.Background(), "contain", nil, nil); err != nil {
		t.Fatal(err)
	}
	entries, _ = ReadJournal(tr.journal.Path())
	if rep := BuildReport(entries); rep.Failed != 0 {
		t.Errorf("after a whole inspection: failed %d", rep.Failed)
	}
}

func TestAStepLeftRunningByAStopIsUnfinished(t *testing.T) {
	at := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	entries := []Entry{
		{Time: at, Incident: "i", Kind: KindRunStart},
		{Time: at, Incident: "i", Step: "terminate", Kind: KindState, Message: "running", Data: map[string]any{"state": "running"}},
	}
	rep := BuildReport(entries)
	if len(rep.Unfinished) != 1 || rep.Unfinished[0] != "terminate" {
		t.Fatalf("unfinished %v", rep.Unfinished)
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "step terminate was still running when lockdown stopped") {
		t.Errorf("the report does not say so:\n%s", md.String())
	}
}

func TestAReportNamesTheJournalLinesItCouldNotRead(t *testing.T) {
	jf, err := ReadJournalFile(writeJournal(t, noteLine+"\ngarbage\n"+noteLine+"\n"+noteLine[:10]))
	if err != nil {
		t.Fatal(err)
	}
	rep := BuildJournalReport(jf)
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"**Not finished:**",
		"- journal line 2 could not be read (not a journal entry: invalid character 'g'",
		"Note: the journal's last line (4) was cut short",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, md.String())
		}
	}
	if got := rep.Unsettled(); len(got) != 1 {
		t.Errorf("unsettled %v: a corrupt line is, a torn last line is not", got)
	}
	js, _ := json.Marshal(rep)
	if !strings.Contains(string(js), `"corrupt_lines":[{"line":2,`) || !strings.Contains(string(js), `"torn_last_line":{"line":4,`) {
		t.Errorf("JSON report: %s", js)
	}
}

func TestAReportCountsChecksThatCouldNotRunAsNotProven(t *testing.T) {
	entries := []Entry{
		{Step: "contain", Kind: KindApplied, Message: "not-checked: deactivate", Data: map[string]any{"status": string(steps.StatusNotChecked)}},
		{Step: "contain", Kind: KindApplied, Message: "would-apply: revoke", Data: map[string]any{"status": string(steps.StatusWouldApply)}},
	}
	rep := BuildReport(entries)
	if rep.NotProven != 1 || rep.Failed != 0 {
		t.Fatalf("not proven %d, failed %d: a check that could not run is neither proven nor failed", rep.NotProven, rep.Failed)
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "not proven): 1") {
		t.Fatalf("the report does not say what is not proven:\n%s", md.String())
	}
}
