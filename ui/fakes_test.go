package ui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"lockdown/aws"
	"lockdown/runbooks"
	"lockdown/steps"
)

// fakeAction is an action whose behaviour each test chooses.
type fakeAction struct {
	spec    steps.Spec
	inspect func(ctx context.Context, report func(steps.Progress)) (*steps.Inspection, error)
	plan    func(selected []string) (*steps.Plan, error)
	apply   func(ctx context.Context, plan *steps.Plan) (*steps.Outcome, error)
}

func (a *fakeAction) Spec() steps.Spec { return a.spec }

func (a *fakeAction) Inspect(ctx context.Context, _ *steps.Env, report func(steps.Progress)) (*steps.Inspection, error) {
	return a.inspect(ctx, report)
}

func (a *fakeAction) Plan(_ context.Context, _ *steps.Env, _ *steps.Inspection, selected []string) (*steps.Plan, error) {
	return a.plan(selected)
}

func (a *fakeAction) Apply(ctx context.Context, _ *steps.Env, _ aws.Changes, plan *steps.Plan, _ func(steps.Progress)) (*steps.Outcome, error) {
	return a.apply(ctx, plan)
}

var testIdentity = aws.Identity{Account: "111122223333", Alias: "acme-prod", ARN: "arn:aws:iam::111122223333:user/oncall"}

func identityAction() *fakeAction {
	return &fakeAction{
		spec: steps.Spec{Name: "identity.confirm", ReadOnly: true},
		inspect: func(context.Context, func(steps.Progress)) (*steps.Inspection, error) {
			return &steps.Inspection{Summary: "Acting as oncall", Data: testIdentity,
				Facts: []steps.Fact{{Label: "Account", Value: testIdentity.Account, Tone: steps.ToneOK}}}, nil
		},
	}
}

// terminateAction finds two instances and plans a destructive, typed-confirmation termination.
func terminateAction() *fakeAction {
	return &fakeAction{
		spec: steps.Spec{Name: "ec2.terminate"},
		inspect: func(_ context.Context, report func(steps.Progress)) (*steps.Inspection, error) {
			report(steps.Progress{Key: "us-east-1", State: steps.Done, Count: 2})
			return &steps.Inspection{Table: &steps.Table{Selectable: true,
				Columns: []steps.Column{{Title: "Instance"}, {Title: "Type"}},
				Rows: []steps.Row{
					{ID: "i-rogue1", Cells: []string{"i-rogue1", "p3.16xlarge"}, Tone: steps.ToneRogue, Selected: true, Reasons: []string{"launched after T0"}},
					{ID: "i-web", Cells: []string{"i-web", "t3.micro"}, Tone: steps.ToneOK},
				}}}, nil
		},
		plan: func(selected []string) (*steps.Plan, error) {
			p := &steps.Plan{Confirm: steps.Confirm{Prompt: "Terminate instances", Typed: "terminate 1"}}
			for _, id := range selected {
				p.Changes = append(p.Changes, steps.Change{ID: id, Op: "TerminateInstances", Region: "us-east-1", Target: id, Summary: "terminate", Destructive: true})
			}
			return p, nil
		},
		apply: func(_ context.Context, plan *steps.Plan) (*steps.Outcome, error) {
			out := &steps.Outcome{}
			for _, c := range plan.Changes {
				out.Results = append(out.Results, steps.Result{ChangeID: c.ID, Status: steps.StatusApplied})
			}
			return out, nil
		},
	}
}

// fakeRunner is a Runner that, unlike the real run, does not check the typed confirmation, so
// tests prove the dialog protects the operator on its own.
type fakeRunner struct {
	mu      sync.Mutex
	book    *runbooks.Runbook
	actions map[string]steps.Action
	status  map[string]*runbooks.StepStatus
	applies int
	typed   []string
	ticks   []string
	skips   []string
	notes   []string
}

func newFakeRunner(book *runbooks.Runbook, actions map[string]steps.Action) *fakeRunner {
	r := &fakeRunner{book: book, actions: actions, status: map[string]*runbooks.StepStatus{}}
	for _, s := range book.Steps {
		r.status[s.ID] = &runbooks.StepStatus{Step: s, State: runbooks.StatePending, Checked: make([]bool, len(s.Checklist))}
	}
	return r
}

func (r *fakeRunner) Runbook() *runbooks.Runbook { return r.book }

func (r *fakeRunner) Status(id string) runbooks.StepStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := *r.status[id]
	c.Checked = append([]bool(nil), c.Checked...)
	return c
}

func (r *fakeRunner) Statuses() []runbooks.StepStatus {
	var out []runbooks.StepStatus
	for _, s := range r.book.Steps {
		out = append(out, r.Status(s.ID))
	}
	return out
}

func (r *fakeRunner) Action(id string) (steps.Action, bool) {
	a, ok := r.actions[id]
	return a, ok
}

func (r *fakeRunner) set(id string, f func(st *runbooks.StepStatus)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(r.status[id])
}

func (r *fakeRunner) Inspect(ctx context.Context, id string, inputs map[string]string, report func(steps.Progress)) (*steps.Inspection, error) {
	r.set(id, func(st *runbooks.StepStatus) { st.State, st.Inputs = runbooks.StateRunning, inputs })
	found, err := r.actions[id].Inspect(ctx, nil, report)
	r.set(id, func(st *runbooks.StepStatus) {
		st.State, st.Inspection = runbooks.StateDone, found
		if err != nil {
			st.State, st.Err = runbooks.StateFailed, err.Error()
		}
	})
	return found, err
}

func (r *fakeRunner) Plan(ctx context.Context, id string, selected []string) (*steps.Plan, error) {
	plan, err := r.actions[id].Plan(ctx, nil, nil, selected)
	r.set(id, func(st *runbooks.StepStatus) { st.State, st.Plan = runbooks.StateWaiting, plan })
	return plan, err
}

func (r *fakeRunner) Apply(ctx context.Context, id string, plan *steps.Plan, typed string, report func(steps.Progress)) (*steps.Outcome, error) {
	r.mu.Lock()
	r.applies++
	r.typed = append(r.typed, typed)
	r.mu.Unlock()
	out, err := r.actions[id].Apply(ctx, nil, nil, plan, report)
	r.set(id, func(st *runbooks.StepStatus) { st.State, st.Outcome = runbooks.StateDone, out })
	return out, err
}

// Note records the note like a tick, so tests can see it arrived.
func (r *fakeRunner) Note(id, text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, id+": "+text)
	return nil
}

// Keep records the decision like a note.
func (r *fakeRunner) Keep(id, item, reason string) error { return r.Note(id, "kept "+item+": "+reason) }

func (r *fakeRunner) SkipRegion(id, region, reason string) error {
	return r.Note(id, "left out "+region+": "+reason)
}

// SecretKept records a kept secret like a note: the key and how, never the secret.
func (r *fakeRunner) SecretKept(id, keyID, how, path string) error {
	return r.Note(id, "secret of "+keyID+" kept: "+how+" "+path)
}

// Verify has nothing to check in the fake runbooks.
func (r *fakeRunner) Verify(context.Context, string) ([]runbooks.Verification, error) {
	return nil, errors.New("nothing to verify")
}

func (r *fakeRunner) Tick(id string, item int, checked bool) error {
	r.mu.Lock()
	r.ticks = append(r.ticks, fmt.Sprintf("%s#%d=%v", id, item, checked))
	r.mu.Unlock()
	r.set(id, func(st *runbooks.StepStatus) { st.Checked[item] = checked })
	return nil
}

func (r *fakeRunner) Skip(id, reason string) error {
	r.mu.Lock()
	r.skips = append(r.skips, id+": "+reason)
	r.mu.Unlock()
	r.set(id, func(st *runbooks.StepStatus) { st.State, st.Reason = runbooks.StateSkipped, reason })
	return nil
}

func (r *fakeRunner) Complete(id string) error {
	r.set(id, func(st *runbooks.StepStatus) { st.State = runbooks.StateDone })
	return nil
}

func (r *fakeRunner) applyCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.applies
}

func testBook() *runbooks.Runbook {
	return &runbooks.Runbook{ID: "test", Title: "Test", Steps: []*runbooks.Step{
		{ID: "confirm", Title: "Confirm the account", Action: "identity.confirm", Guide: "# Confirm\nCheck the **account id**."},
		{ID: "terminate", Title: "Terminate rogue instances", Action: "ec2.terminate", Guide: "Terminate what the attacker launched."},
		{ID: "root", Title: "Secure the root user", Manual: true, Guide: "Do these by hand.",
			Checklist: []string{"Change the root password", "Enable root MFA"}},
	}}
}

func testActions() map[string]steps.Action {
	return map[string]steps.Action{"confirm": identityAction(), "terminate": terminateAction()}
}

// testClock is a settable clock for grace periods.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time          { return c.t }
func (c *testClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestModel(t testing.TB, r Runner) (*Model, *testClock) {
	t.Helper()
	clock := &testClock{t: time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)}
	ctx := NewContext(steps.Live, clock.t.Add(-90*time.Minute))
	ctx.Now = clock.now
	m := New(ctx, r)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	return m, clock
}

// press sends one key; text keys are given as their text, named keys as their name.
func press(m *Model, keys ...string) tea.Cmd {
	var cmds []tea.Cmd
	for _, k := range keys {
		_, cmd := m.Update(keyMsg(k))
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// typeText sends each character of s as a key press.
func typeText(m *Model, s string) {
	for _, r := range s {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// drain runs a command and feeds the messages it yields back into the model, as the program
// would. Commands that wait (timers) are abandoned after a short while.
func drain(m *Model, cmd tea.Cmd) {
	for _, msg := range collect(cmd) {
		_, next := m.Update(msg)
		drain(m, next)
	}
}

func collect(cmd tea.Cmd) []tea.Msg { return collectWithin(cmd, 100*time.Millisecond) }

// collectWithin runs cmd (and every command of a batch) and returns what arrives within wait.
func collectWithin(cmd tea.Cmd, wait time.Duration) []tea.Msg {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(wait):
		return nil
	}
	switch msg := msg.(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, collectWithin(c, wait)...)
		}
		return out
	}
	return []tea.Msg{msg}
}
