package runbooks

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"lockdown/steps"
)

func TestAStepWaitsForWhatItNeeds(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		prepare func(tr testRun) error
		wantErr string
	}{
		{"a pending need blocks inspection and is named", func(testRun) error { return nil },
			`step "Contain the key" cannot start yet: finish or skip "Confirm the account" (pending) first`},
		{"a failed need still blocks", func(tr testRun) error {
			tr.Run.mu.Lock()
			tr.status["confirm"].State = StateFailed
			tr.Run.mu.Unlock()
			return nil
		}, `finish or skip "Confirm the account" (failed) first`},
		{"a done need lets the step start", func(tr testRun) error {
			_, err := tr.Inspect(ctx, "confirm", nil, nil)
			return err
		}, ""},
		{"a skipped need lets the step start", func(tr testRun) error {
			return tr.Skip("confirm", "confirmed by hand in the console")
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTestRun(t, containAction())
			if err := tt.prepare(tr); err != nil {
				t.Fatal(err)
			}
			_, err := tr.Inspect(ctx, "contain", nil, nil)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Inspect: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Inspect: %v, want %q", err, tt.wantErr)
			case tt.wantErr != "":
				tr.mustState(t, "contain", StatePending)
			}
		})
	}
}

func TestSkippingRequiresAReasonAndRecordsIt(t *testing.T) {
	tr := newTestRun(t, containAction())
	for _, reason := range []string{"", "   "} {
		if err := tr.Skip("root", reason); err == nil {
			t.Fatalf("skipped with reason %q", reason)
		}
	}
	tr.mustState(t, "root", StatePending)
	if err := tr.Skip("root", " root is managed by the organisation "); err != nil {
		t.Fatal(err)
	}
	tr.mustState(t, "root", StateSkipped)
	skips := tr.entries(t, "root", KindSkip)
	if len(skips) != 1 || skips[0].Message != "root is managed by the organisation" || tr.Status("root").Reason != skips[0].Message {
		t.Errorf("skip entries %+v", skips)
	}
	if len(tr.entries(t, "root", KindState)) != 1 {
		t.Error("the state change was not journaled")
	}
}

func TestAManualStepCompletesOnlyWhenEveryItemIsTicked(t *testing.T) {
	tr := newTestRun(t, containAction())
	if err := tr.Tick("root", 0, true); err != nil {
		t.Fatal(err)
	}
	err := tr.Complete("root")
	if err == nil || !strings.Contains(err.Error(), `not ticked yet: 2 "Enable root MFA"`) {
		t.Fatalf("Complete with an open item: %v", err)
	}
	if err := tr.Tick("root", 1, true); err != nil {
		t.Fatal(err)
	}
	if err := tr.Complete("root"); err != nil {
		t.Fatal(err)
	}
	tr.mustState(t, "root", StateDone)
	if err := tr.Tick("root", 1, false); err != nil {
		t.Fatal(err)
	}
	tr.mustState(t, "root", StatePending)

	checks := tr.entries(t, "root", KindCheck)
	var msgs []string
	for _, e := range checks {
		msgs = append(msgs, e.Message)
	}
	want := "ticked: Change the root password|ticked: Enable root MFA|unticked: Enable root MFA"
	if strings.Join(msgs, "|") != want {
		t.Errorf("check entries %q", msgs)
	}
	if got := tr.Status("root").Checked; !got[0] || got[1] {
		t.Errorf("checked %v", got)
	}
}

func TestTicksAndCompletionsAreRefusedWhereTheyMakeNoSense(t *testing.T) {
	tr := newTestRun(t, containAction())
	tests := []struct {
		name string
		call func() error
	}{
		{"ticking an automated step", func() error { return tr.Tick("contain", 0, true) }},
		{"ticking an item that does not exist", func() error { return tr.Tick("root", 2, true) }},
		{"ticking a negative item", func() error { return tr.Tick("root", -1, true) }},
		{"ticking an unknown step", func() error { return tr.Tick("nope", 0, true) }},
		{"completing an action step that has done nothing", func() error { return tr.Complete("contain") }},
		{"planning a step that was never inspected", func() error {
			_, err := tr.Plan(context.Background(), "confirm", nil)
			return err
		}},
		{"inspecting a manual step", func() error {
			_, err := tr.Inspect(context.Background(), "root", nil, nil)
			return err
		}},
		{"an empty note", func() error { return tr.Note("root", " ") }},
		{"a note on an unknown step", func() error { return tr.Note("nope", "text") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestInputsAreValidatedAndFilledFromTheRunbook(t *testing.T) {
	ctx := context.Background()
	tr := newTestRun(t, containAction())
	if _, err := tr.Inspect(ctx, "confirm", nil, nil); err != nil {
		t.Fatal(err)
	}
	_, err := tr.Inspect(ctx, "contain", map[string]string{"key": "ASIA123"}, nil)
	if err == nil || err.Error() != "Leaked access key id: an access key id starts with AKIA" {
		t.Fatalf("bad input: %v", err)
	}
	if st := tr.Status("contain"); st.State != StatePending || st.Inputs != nil {
		t.Fatalf("a rejected input changed the step: %+v", st)
	}
	if _, err := tr.Inspect(ctx, "contain", map[string]string{"region": "x"}, nil); err == nil {
		t.Fatal("an input the action does not ask for was accepted")
	}
	if _, err := tr.Inspect(ctx, "contain", nil, nil); err != nil {
		t.Fatal(err)
	}
	env := tr.contain.lastEnv()
	if env.Inputs["key"] != "AKIAFROMRUNBOOK" || env.Params.String("key", "") != "AKIAFROMRUNBOOK" {
		t.Errorf("env inputs %v params %v", env.Inputs, env.Params)
	}
	if env.Mode() != steps.Live || env.Since.IsZero() || env.Account == nil {
		t.Errorf("the base env was not passed on: %+v", env)
	}
	if _, err := tr.Inspect(ctx, "contain", map[string]string{"key": "AKIATYPED"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := tr.Status("contain").Inputs["key"]; got != "AKIATYPED" {
		t.Errorf("typed input %q", got)
	}
}

func TestHugeTablesAreJournaledAsNotableRowsAndACount(t *testing.T) {
	contain := containAction()
	contain.inspect = func(*steps.Env) (*steps.Inspection, error) {
		table := &steps.Table{}
		for i := range 5000 {
			table.Rows = append(table.Rows, steps.Row{ID: fmt.Sprintf("i-%04d", i), Tone: steps.ToneOK})
		}
		table.Rows[7].Tone, table.Rows[7].Reasons = steps.ToneRogue, []string{"launched after T0", "p4d.24xlarge"}
		return &steps.Inspection{Summary: "5000 instances", Table: table, Failed: 1, Progress: []steps.Progress{
			{Key: "ap-east-1", State: steps.Failed, Code: "OptInRequired", Err: "region not enabled"}}}, nil
	}
	tr := newTestRun(t, contain)
	if err := tr.Skip("confirm", "drill"); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Inspect(context.Background(), "contain", nil, nil); err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, e := range tr.entries(t, "contain", KindFinding) {
		msgs = append(msgs, e.Message)
	}
	want := []string{"5000 instances", "ap-east-1 could not be inspected: OptInRequired: region not enabled",
		"rogue: i-0007 (launched after T0; p4d.24xlarge)", "4999 more rows (ok: 4999)"}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s", strings.Join(msgs, "\n"))
	}
	if tr.Failures() != 1 {
		t.Errorf("failures %d, want the failed region counted", tr.Failures())
	}
}

func TestSecretsFromApplyNeverReachTheJournal(t *testing.T) {
	const value = "s3cr3t/VALUE+never-in-the-journal"
	contain := containAction()
	contain.apply = func(_ *steps.Env, plan *steps.Plan) (*steps.Outcome, error) {
		return &steps.Outcome{Results: []steps.Result{{ChangeID: plan.Changes[0].ID, Status: steps.StatusApplied}},
			Secrets: []steps.Secret{steps.NewSecret("new key", "AKIANEW", value)}}, nil
	}
	tr := newTestRun(t, contain)
	out, err := tr.Apply(context.Background(), "contain", tr.planned(t), account, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out.Secrets[0].Reveal() != value {
		t.Fatal("the operator did not get the secret")
	}
	if strings.Contains(readFile(t, tr.journal.Path()), "s3cr3t") {
		t.Fatal("the secret value is in the journal")
	}
}

func TestTheRunIsSafeToReadWhileStepsWork(t *testing.T) {
	tr := newTestRun(t, containAction())
	ctx := context.Background()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				_ = tr.Statuses()
				_ = tr.Failures()
			}
		}
	})
	if _, err := tr.Inspect(ctx, "confirm", nil, nil); err != nil {
		t.Fatal(err)
	}
	var work sync.WaitGroup
	for i := range 2 {
		work.Go(func() { _ = tr.Tick("root", i, true) })
	}
	work.Go(func() { _ = tr.Note("", "bridge call opened") })
	work.Go(func() { _, _ = tr.Inspect(ctx, "contain", nil, nil) })
	work.Wait()
	close(stop)
	wg.Wait()
	if err := tr.Complete("root"); err != nil {
		t.Fatal(err)
	}
	if len(tr.entries(t, "", KindNote)) != 1 {
		t.Error("the incident note is missing")
	}
}

func TestNewRunRefusesAnIncompleteConfiguration(t *testing.T) {
	reg := steps.Builtin()
	rb := Builtin(reg)
	j := openTestJournal(t)
	tests := []struct {
		name string
		cfg  Config
	}{
		{"without a journal", Config{Runbook: rb, Registry: reg}},
		{"without a runbook", Config{Registry: reg, Journal: j}},
		{"without a registry", Config{Runbook: rb, Journal: j}},
		{"with actions the registry lacks", Config{Runbook: rb, Registry: steps.NewRegistry(), Journal: j}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewRun(tt.cfg); err == nil {
				t.Error("accepted")
			}
		})
	}
}
