package ui

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"lockdown/aws"
	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
	"lockdown/aws/wiretest"
	"lockdown/runbooks"
	"lockdown/steps"
)

const (
	drillAccount = "111122223333"
	leakedKeyID  = "AKIAEXAMPLELEAKED001"
)

var drillT0 = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)

// drillOptions choose how a drill test reaches the simulated account.
type drillOptions struct {
	mode     steps.Mode
	expected string // the --account the operator named, if any
	scenario string // a built-in scenario; crypto-miner when empty
}

// drillSession is the real interface over the real run, the real actions and the crypto-miner
// scenario served on loopback with a stopped clock: the attacker does nothing unless a test moves
// backgroundPatience is how long a test waits for the interface's background work (an inspection
// of every region, a verification) before failing: under the race detector on a busy 2-core
// machine the large scenarios' take tens of seconds.
const backgroundPatience = 90 * time.Second

// the clock, so every request in the simulator's log is the responder's.
type drillSession struct {
	t        *testing.T
	srv      *sim.Server
	wire     *wiretest.Proxy
	url      string
	acct     *aws.Account
	run      *runbooks.Run
	journal  string
	logPath  string
	clock    *testClock
	m        *Model
	msgs     chan tea.Msg
	done     chan struct{}
	quitting bool
	patience time.Duration
}

func startDrillSession(t *testing.T, o drillOptions) *drillSession {
	t.Helper()
	scenario := o.scenario
	if scenario == "" {
		scenario = "crypto-miner"
	}
	s := simtest.Start(t, scenario, drillT0)
	d := startSession(t, sessionTarget{mode: o.mode, expected: o.expected, wire: s.Watch(t), url: s.URL,
		// CloudTrail lookups paced fast: a trace waits only for the simulator.
		acct:  s.Account(t, aws.Options{Mode: o.mode, ExpectedAccount: o.expected, LookupInterval: time.Millisecond}),
		since: s.Server.IncidentStart(), now: s.Clock.Now})
	d.srv = s.Server
	return d
}

// sessionTarget is the account a session's run works on and what the run needs to know of it.
type sessionTarget struct {
	mode     steps.Mode
	expected string
	wire     *wiretest.Proxy
	url      string
	acct     *aws.Account
	since    time.Time
	now      func() time.Time
	// skipRegions are left out of every step that scans regions.
	skipRegions []string
	// patience bounds each wait for background work; 60 s when zero (a loaded machine runs the race
	// detector slowly, and a wait ends as soon as the work does).
	patience time.Duration
}

// startSession runs the real interface over the real run of the built-in runbook against target.
func startSession(t *testing.T, target sessionTarget) *drillSession {
	t.Helper()
	dir := t.TempDir()
	journal, err := runbooks.OpenJournal(dir, "drill")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { journal.Close() })
	logPath := filepath.Join(dir, "drill.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logFile.Close() })
	log := slog.New(slog.NewTextHandler(logFile, nil))

	reg := steps.Builtin()
	book, err := runbooks.BuiltinNamed("compromised-account", reg)
	if err != nil {
		t.Fatal(err)
	}
	if len(target.skipRegions) > 0 {
		for _, step := range book.Steps {
			if a, ok := reg.Lookup(step.Action); ok {
				if _, takes := a.Spec().Param("skip_regions"); takes {
					if step.With == nil {
						step.With = steps.Params{}
					}
					step.With["skip_regions"] = target.skipRegions
				}
			}
		}
	}
	run, err := runbooks.NewRun(runbooks.Config{Runbook: book, Registry: reg, Journal: journal, Incident: "drill",
		Account: target.acct, Env: steps.Env{Since: target.since, Now: target.now, Log: log}})
	if err != nil {
		t.Fatal(err)
	}

	clock := &testClock{t: drillT0}
	ctx := NewContext(target.mode, target.since)
	ctx.Now = clock.now
	ctx.Log = log
	ctx.ExpectedAccount = target.expected
	patience := target.patience
	if patience == 0 {
		patience = backgroundPatience
	}
	d := &drillSession{t: t, wire: target.wire, url: target.url, acct: target.acct, run: run, journal: journal.Path(), logPath: logPath,
		clock: clock, m: New(ctx, run), msgs: make(chan tea.Msg, 64), done: make(chan struct{}), patience: patience}
	t.Cleanup(d.stop)
	d.deliver(tea.WindowSizeMsg{Width: 110, Height: 40})
	d.exec(d.m.Init())
	// The run settles the step before the interface hears of it: wait for both, so the test's
	// first key never meets the confirmation still running (and is refused as busy).
	d.until("the account is confirmed", func() bool {
		st := run.Status("confirm-account").State
		return d.m.task == nil && (st.Settled() || st == runbooks.StateFailed)
	})
	return d
}

// stop ends the interface and every command still waiting, as quitting the program would.
func (d *drillSession) stop() {
	d.m.release()
	select {
	case <-d.done:
	default:
		close(d.done)
	}
}

// exec runs a command in the background, as the Bubble Tea program does, and queues what it yields.
func (d *drillSession) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if msg == nil {
			return
		}
		select {
		case d.msgs <- msg:
		case <-d.done:
		}
	}()
}

// deliver hands one message to the model on the test's goroutine, so the model is never touched
// concurrently, and runs the command it returns.
func (d *drillSession) deliver(msg tea.Msg) {
	switch msg := msg.(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			d.exec(c)
		}
		return
	case tea.QuitMsg:
		d.quitting = true
		return
	}
	_, cmd := d.m.Update(msg)
	d.exec(cmd)
}

// press sends keys the way the operator types them: named keys by name, others by their text.
func (d *drillSession) press(keys ...string) {
	for _, k := range keys {
		d.deliver(keyMsg(k))
	}
}

// typeText types s one character at a time.
func (d *drillSession) typeText(s string) {
	for _, r := range s {
		d.deliver(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// until processes the results of background work until cond holds.
func (d *drillSession) until(what string, cond func() bool) {
	d.t.Helper()
	timeout := time.NewTimer(d.patience)
	defer timeout.Stop()
	for !cond() {
		select {
		case msg := <-d.msgs:
			d.deliver(msg)
		case <-timeout.C:
			d.t.Fatalf("timed out waiting until %s; screen:\n%s", what, d.screen())
		}
	}
}

// idle processes results until no action is running.
func (d *drillSession) idle(what string) {
	d.t.Helper()
	d.until(what, func() bool { return d.m.task == nil })
}

func (d *drillSession) screen() string { return screen(d.m) }

// goTo moves to a step with the step keys, leaving any input field the way the operator would
// (esc), and gives the step's panel the keyboard.
func (d *drillSession) goTo(stepID string) {
	d.t.Helper()
	move := "]"
	for i, st := range d.m.statuses {
		if st.Step.ID == stepID && i < d.m.list.cursor {
			move = "["
		}
	}
	for range len(d.m.statuses) {
		if d.m.Focused() == stepID {
			break
		}
		if d.m.focus == panePanel && d.m.current().capturing() {
			d.press("esc")
		}
		d.press(move)
	}
	if d.m.Focused() != stepID {
		d.t.Fatalf("could not reach step %q; at %q", stepID, d.m.Focused())
	}
	if d.m.focus != panePanel {
		d.press("enter")
	}
}

// inspect inspects the current step and waits for the inspection to finish.
func (d *drillSession) inspect() {
	d.t.Helper()
	id := d.m.Focused()
	d.idle("no other action runs before " + id + " is inspected")
	d.press("i")
	if d.m.task == nil || d.m.task.stepID != id {
		d.t.Fatalf("i did not start inspecting %s:\n%s", id, d.screen())
	}
	d.idle("step " + id + " is inspected")
	if st := d.run.Status(id); st.State == runbooks.StateFailed {
		d.t.Fatalf("inspecting %s failed: %s", id, st.Err)
	}
}

// plan plans the current selection and waits for the plan on screen.
func (d *drillSession) plan() {
	d.t.Helper()
	id := d.m.Focused()
	d.press("p")
	d.until("step "+id+" has a plan", func() bool {
		return d.m.panels[id].phase == phasePlan || d.run.Status(id).State == runbooks.StateFailed
	})
	if st := d.run.Status(id); st.State == runbooks.StateFailed {
		d.t.Fatalf("planning %s failed: %s", id, st.Err)
	}
}

// openConfirm presses A on the plan and lets the dialog's grace period pass, so the next keys are
// the operator's deliberate answer.
func (d *drillSession) openConfirm() {
	d.t.Helper()
	d.press("A")
	if d.m.confirm == nil {
		d.t.Fatalf("A on the plan did not open the confirmation dialog:\n%s", d.screen())
	}
	d.clock.advance(time.Second)
}

// clearTyped empties the confirmation field.
func (d *drillSession) clearTyped() {
	for range len(d.m.confirm.typed.Value()) {
		d.press("backspace")
	}
}

// mutations are the requests that could have changed the simulated account, as seen on the wire
// between lockdown and the simulator (EC2 dry runs excluded); the attacker's calls never cross it.
func (d *drillSession) mutations() []wiretest.Request { return d.wire.Changes() }

// mutationsOf are the mutating requests of one action.
func (d *drillSession) mutationsOf(action string) []wiretest.Request { return d.wire.ChangesOf(action) }

// keyAuthenticates asks STS who signs with keyID. The simulator, like AWS, refuses an inactive
// key with InvalidClientTokenId; it does not check the secret, so any will do.
func (d *drillSession) keyAuthenticates(keyID string) (bool, error) {
	d.t.Helper()
	return keyAuthenticates(d.t, d.url, keyID)
}

// keyAuthenticates asks the simulator at url whether keyID still signs requests.
func keyAuthenticates(t *testing.T, url, keyID string) (bool, error) {
	t.Helper()
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	acct, err := aws.Open(context.Background(), aws.Options{Region: "us-east-1", EndpointURL: url,
		AccessKeyID: keyID, SecretAccessKey: "any/secret/will/do", MaxAttempts: 1, HTTPClient: &http.Client{Transport: transport}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = acct.WhoAmI(context.Background())
	if aws.ErrorCode(err) == "InvalidClientTokenId" {
		return false, nil
	}
	return err == nil, err
}

// keyStatuses reads every user's access keys through the responder, key id to status.
func (d *drillSession) keyStatuses(users ...string) map[string]string {
	d.t.Helper()
	out := map[string]string{}
	for _, u := range users {
		keys, err := aws.ListAccessKeys(context.Background(), d.acct.IAM(), u, false)
		if err != nil {
			d.t.Fatalf("listing the keys of %s: %v", u, err)
		}
		for _, k := range keys {
			out[k.ID] = k.Status
		}
	}
	return out
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, got)
		}
	}
}
