package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"go.uber.org/goleak"

	"lockdown/runbooks"
	"lockdown/steps"
)

const teatestLeak = "github.com/charmbracelet/x/exp/teatest/v2.NewTestModel.func2"

// newRealRun builds a real run over the test runbook with fake actions and a journal in a
// temporary directory.
func newRealRun(t *testing.T, actions ...steps.Action) *runbooks.Run {
	t.Helper()
	j, err := runbooks.OpenJournal(t.TempDir(), "inc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	if len(actions) == 0 {
		actions = []steps.Action{identityAction(), terminateAction()}
	}
	reg := steps.NewRegistry(actions...)
	r, err := runbooks.NewRun(runbooks.Config{Runbook: testBook(), Registry: reg, Journal: j,
		Env: steps.Env{Since: time.Now().Add(-2 * time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func waitUntil(t *testing.T, tm *teatest.TestModel, what string, cond func() bool) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func([]byte) bool { return cond() },
		teatest.WithDuration(backgroundPatience), teatest.WithCheckInterval(10*time.Millisecond))
}

func keys(tm *teatest.TestModel, ks ...string) {
	for _, k := range ks {
		tm.Send(keyMsg(k))
	}
}

func TestOperatorConfirmsAccountThenTicksTheRootChecklistAndQuits(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreTopFunction(teatestLeak), goleak.IgnoreCurrent())
	run := newRealRun(t)
	m := New(NewContext(steps.DryRun, time.Now().Add(-2*time.Hour)), run)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))

	waitUntil(t, tm, "identity confirmed", func() bool { return run.Status("confirm").State.Finished() })
	keys(tm, "]", "]")
	keys(tm, "space")
	waitUntil(t, tm, "first item ticked", func() bool { return run.Status("root").Checked[0] })
	keys(tm, "j", "space")
	waitUntil(t, tm, "step completed", func() bool { return run.Status("root").State.Finished() })
	keys(tm, "q")

	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	got := ansi.Strip(final.View().Content)
	for _, want := range []string{"111122223333", "acme-prod", "DRY-RUN", "[x] Change the root password", "[x] Enable root MFA", "Steps 2/3"} {
		if !strings.Contains(got, want) {
			t.Errorf("final screen lacks %q:\n%s", want, got)
		}
	}
	if final.Focused() != "root" {
		t.Errorf("focused %q, want root", final.Focused())
	}
}

// blockingAction inspects until it is cancelled, like a scan of a slow region.
func blockingAction(started chan<- struct{}) *fakeAction {
	a := identityAction()
	a.inspect = func(ctx context.Context, report func(steps.Progress)) (*steps.Inspection, error) {
		report(steps.Progress{Key: "eu-west-1", State: steps.Running})
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return a
}

func TestQuitWhileAnActionRunsAsksFirst(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreTopFunction(teatestLeak), goleak.IgnoreCurrent())
	started := make(chan struct{})
	run := newRealRun(t, blockingAction(started), terminateAction())
	m := New(NewContext(steps.DryRun, time.Time{}), run)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	<-started

	keys(tm, "q")
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(string(b), "quit anyway?") },
		teatest.WithDuration(backgroundPatience))
	keys(tm, "n", "q", "y")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if final.askQuit {
		t.Error("still asking after y")
	}
}

func TestQuitQuestionIsDismissedByNoAndSaysWhatItWantsOtherwise(t *testing.T) {
	r := newFakeRunner(testBook(), map[string]steps.Action{"confirm": blockingAction(make(chan struct{})), "terminate": terminateAction()})
	m, _ := newTestModel(t, r)
	start := m.Init()
	defer m.task.cancel()
	_ = start
	if cmd := press(m, "q"); !m.askQuit || isQuit(cmd) {
		t.Fatal("q during a running action quit without asking")
	}
	if !strings.Contains(screen(m), "An action is running — quit anyway? y/N") {
		t.Errorf("question not on screen:\n%s", screen(m))
	}
	typeText(m, "111122223333") // the account id, typed for a dialog the operator expected
	if !m.askQuit || !strings.Contains(screen(m), "y quits (stopping it first), n or esc stays") {
		t.Fatalf("keys that are not an answer dismissed the question, or it did not say what it wants:\n%s", screen(m))
	}
	if cmd := press(m, "n"); m.askQuit || isQuit(cmd) {
		t.Fatal("n did not dismiss the question")
	}
	press(m, "q")
	if cmd := press(m, "y"); isQuit(cmd) || !m.quitting {
		t.Fatal("y must stop the action and wait for it, not quit at once")
	}
	// The cancelled action returns; only then, with its result recorded, does lockdown quit.
	var quit bool
	for _, msg := range collectWithin(start, time.Second) {
		_, next := m.Update(msg)
		quit = quit || isQuit(next)
	}
	if !quit || m.task != nil {
		t.Fatal("lockdown did not quit once the cancelled action had stopped")
	}
}

func isQuit(cmd tea.Cmd) bool {
	for _, msg := range collect(cmd) {
		if _, ok := msg.(tea.QuitMsg); ok {
			return true
		}
	}
	return false
}
