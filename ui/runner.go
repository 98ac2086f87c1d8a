package ui

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"lockdown/aws"
	"lockdown/runbooks"
	"lockdown/steps"
)

// Runner is the part of a runbook run the interface drives. *runbooks.Run satisfies it; tests may
// substitute their own to prove what the interface itself guarantees.
type Runner interface {
	Runbook() *runbooks.Runbook
	Status(stepID string) runbooks.StepStatus
	Statuses() []runbooks.StepStatus
	Action(stepID string) (steps.Action, bool)
	Inspect(ctx context.Context, stepID string, inputs map[string]string, report func(steps.Progress)) (*steps.Inspection, error)
	Plan(ctx context.Context, stepID string, selected []string) (*steps.Plan, error)
	Apply(ctx context.Context, stepID string, plan *steps.Plan, typed string, report func(steps.Progress)) (*steps.Outcome, error)
	Tick(stepID string, item int, checked bool) error
	Verify(ctx context.Context, stepID string) ([]runbooks.Verification, error)
	Skip(stepID, reason string) error
	Note(stepID, text string) error
	Keep(stepID, item, reason string) error
	SkipRegion(stepID, region, reason string) error
	// SecretKept journals that a new key's secret is kept (saved to a file, or stored elsewhere on
	// the operator's word); the rotation switches the old key off only after it.
	SecretKept(stepID, keyID, how, path string) error
	Complete(stepID string) error
}

// Messages that bring the results of commands back into Update.
type (
	inspectDoneMsg struct {
		stepID string
		found  *steps.Inspection
		err    error
	}
	planDoneMsg struct {
		stepID string
		plan   *steps.Plan
		err    error
	}
	applyDoneMsg struct {
		stepID  string
		outcome *steps.Outcome
		err     error
	}
	progressMsg struct {
		stepID string
		p      steps.Progress
	}
	// callMsg is a retry, a wait or a give-up of the running action's AWS calls.
	callMsg struct {
		stepID string
		e      aws.CallEvent
	}
	// runnerDoneMsg reports a quick journaled call (tick, skip, complete).
	runnerDoneMsg struct {
		stepID string
		notice string
		err    error
	}
	noticeExpiredMsg struct{ id int }
	clockMsg         time.Time
	// secretWrittenMsg reports a write of the new secrets: err when the file was not written;
	// keys are those saved, and journalErr says the journal could not record them.
	secretWrittenMsg struct {
		path       string
		err        error
		keys       []string
		journalErr error
	}
	// secretAckMsg reports the journaling of the operator's word that a secret is stored elsewhere.
	secretAckMsg struct {
		index int
		key   string
		err   error
	}
)

// task is an action running in the background. Its progress reaches Update through a channel
// that a repeating command drains, so the action never waits on the screen for long.
type task struct {
	stepID  string
	verb    string
	started time.Time
	cancel  context.CancelFunc
	events  chan steps.Progress
	// calls carries the retries and waits of the action's AWS calls; when the screen is behind,
	// the newest are dropped rather than slowing the calls.
	calls chan aws.CallEvent
	// finished closes when the action's call to the run has returned, its results journaled.
	finished chan struct{}
}

func newTask(parent context.Context, stepID, verb string, now time.Time) (*task, context.Context) {
	ctx, cancel := context.WithCancel(parent)
	t := &task{stepID: stepID, verb: verb, started: now, cancel: cancel, events: make(chan steps.Progress, 64),
		calls: make(chan aws.CallEvent, 16), finished: make(chan struct{})}
	return t, aws.WithCallObserver(ctx, t.observe)
}

// observe hands a retry or a wait to the screen without ever making the call wait for it.
func (t *task) observe(e aws.CallEvent) {
	select {
	case t.calls <- e:
	default:
	}
}

// report hands progress to the screen, giving up when the task is cancelled so an action never
// blocks on a screen that has gone away.
func (t *task) report(ctx context.Context) func(steps.Progress) {
	return func(p steps.Progress) {
		select {
		case t.events <- p:
		case <-ctx.Done():
		}
	}
}

// listen returns the command that delivers the next progress report; it yields nil once the
// action has finished and closed the channel.
func (t *task) listen() tea.Cmd {
	return func() tea.Msg {
		select {
		case p, ok := <-t.events:
			if !ok {
				return nil
			}
			return progressMsg{stepID: t.stepID, p: p}
		case e := <-t.calls:
			return callMsg{stepID: t.stepID, e: e}
		}
	}
}

func inspectCmd(ctx context.Context, r Runner, t *task, inputs map[string]string) tea.Cmd {
	return func() tea.Msg {
		defer close(t.finished)
		defer close(t.events)
		found, err := r.Inspect(ctx, t.stepID, inputs, t.report(ctx))
		return inspectDoneMsg{stepID: t.stepID, found: found, err: explain(ctx, err)}
	}
}

func applyCmd(ctx context.Context, r Runner, t *task, plan *steps.Plan, typed string) tea.Cmd {
	return func() tea.Msg {
		defer close(t.finished)
		defer close(t.events)
		out, err := r.Apply(ctx, t.stepID, plan, typed, t.report(ctx))
		return applyDoneMsg{stepID: t.stepID, outcome: out, err: explain(ctx, err)}
	}
}

func planCmd(ctx context.Context, r Runner, stepID string, selected []string) tea.Cmd {
	return func() tea.Msg {
		plan, err := r.Plan(ctx, stepID, selected)
		return planDoneMsg{stepID: stepID, plan: plan, err: err}
	}
}

// runnerCmd runs a quick journaled call and reports its error or a notice.
func runnerCmd(stepID, notice string, call func() error) tea.Cmd {
	return func() tea.Msg {
		return runnerDoneMsg{stepID: stepID, notice: notice, err: call()}
	}
}

// verifyDoneMsg brings back what a manual step's checks found.
type verifyDoneMsg struct {
	stepID string
	found  []runbooks.Verification
	err    error
}

func verifyCmd(ctx context.Context, run Runner, stepID string) tea.Cmd {
	return func() tea.Msg {
		found, err := run.Verify(ctx, stepID)
		return verifyDoneMsg{stepID: stepID, found: found, err: err}
	}
}

// explain turns a cancellation into words the operator recognises, keeping what the run said
// about it (whether earlier findings stand).
func explain(ctx context.Context, err error) error {
	var said *runbooks.CancelledError
	switch {
	case err == nil || !errors.Is(ctx.Err(), context.Canceled):
		return err
	case errors.As(err, &said):
		return &runbooks.CancelledError{What: said.What + " — r retries"}
	}
	return &runbooks.CancelledError{What: "cancelled by the operator — r retries"}
}

// after is tea.Tick that gives up when stop closes, so no timer outlives the interface.
func after(stop <-chan struct{}, d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case ts := <-t.C:
			return fn(ts)
		case <-stop:
			return nil
		}
	}
}

func clockTick(stop <-chan struct{}) tea.Cmd {
	return after(stop, time.Second, func(t time.Time) tea.Msg { return clockMsg(t) })
}

// taskDrain bounds how long lockdown waits, once the interface has ended, for a cancelled action
// to stop: long enough for in-flight AWS calls to return and be journaled.
const taskDrain = 30 * time.Second

// awaitTask waits for an action still running when the interface ended (a killed program, a
// closed terminal), so its results reach the journal before the journal is closed.
func (m *Model) awaitTask() {
	t := m.task
	if t == nil {
		return
	}
	t.cancel()
	timer := time.NewTimer(taskDrain)
	defer timer.Stop()
	select {
	case <-t.finished:
	case <-timer.C:
		m.ctx.logger().Error("an action did not stop in time; its last results may be missing from the journal", "step", t.stepID)
	}
}
