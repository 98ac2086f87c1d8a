package ui

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"lockdown/aws"
	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
	"lockdown/debrief"
	"lockdown/runbooks"
	"lockdown/steps"
)

// teatestDrill is a whole drill in the real program loop: a built-in scenario on a stopped clock
// the test moves, the real runbook and journal (on the simulated clock, as a drill's is), the
// scored debrief and the break-glass hand-over wired in as `lockdown drill` wires them.
type teatestDrill struct {
	t     *testing.T
	tm    *teatest.TestModel
	seen  *observedModel
	run   *runbooks.Run
	sim   *simtest.Sim
	watch *debrief.Drill
	// journal is the drill's journal file.
	journal string
}

func startTeatestDrill(t *testing.T) *teatestDrill { return startTeatestDrillOf(t, "crypto-miner") }

// startTeatestDrillOf is the same drill on another built-in scenario; opts may change the
// simulator's options.
func startTeatestDrillOf(t *testing.T, scenario string, opts ...func(*sim.Options)) *teatestDrill {
	s := simtest.Start(t, scenario, drillT0, opts...)
	acct := s.Account(t, aws.Options{Mode: steps.Drill, LookupInterval: time.Millisecond})
	journal, err := runbooks.OpenJournal(t.TempDir(), "drill")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { journal.Close() })
	journal.UseClock(s.Clock.Now)
	reg := steps.Builtin()
	book, err := runbooks.BuiltinNamed("compromised-account", reg)
	if err != nil {
		t.Fatal(err)
	}
	since := s.Server.IncidentStart()
	run, err := runbooks.NewRun(runbooks.Config{Runbook: book, Registry: reg, Journal: journal, Incident: "drill",
		Account: acct, Env: steps.Env{Since: since, Now: s.Clock.Now, Log: slog.New(slog.DiscardHandler)}})
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]string{}
	for _, st := range run.Statuses() {
		titles[st.Step.ID] = st.Step.Title
	}
	d := &teatestDrill{t: t, run: run, sim: s, watch: debrief.Watch(s.Server, 1, journal.Path(), titles), journal: journal.Path()}
	ctx := NewContext(steps.Drill, since)
	ctx.Grace = 0 // the test waits for each dialog before it types
	ctx.AccountNow = s.Clock.Now
	sc := s.Server.Scenario()
	responder, _ := s.Server.ResponderCredentials()
	ctx.Briefing = &Briefing{Scenario: sc.Name, Subject: sc.Alert.Subject, Text: sc.Alert.Text, KeyID: sc.Attacker.AccessKeyID,
		Goals: sc.Goals, OwnKey: responder == sc.Attacker.AccessKeyID}
	ctx.Known = map[string]string{"access_key_id": sc.Attacker.AccessKeyID}
	ctx.Debrief = func() []string { return d.watch.Debrief().Lines() }
	ctx.BreakGlass = testBreakGlass(t, s, run)
	d.seen = &observedModel{Model: New(ctx, run)}
	d.tm = teatest.NewTestModel(t, d.seen, teatest.WithInitialTermSize(120, 40))
	d.until("the account is confirmed", func() bool { return run.Status("confirm-account").State.Settled() })
	return d
}

// testBreakGlass hands the run over to the scenario's break-glass identity as `lockdown drill`
// does, or is nil when the scenario has none.
func testBreakGlass(t *testing.T, s *simtest.Sim, run *runbooks.Run) *BreakGlass {
	user, id, secret, ok := s.Server.BreakGlassCredentials()
	if !ok {
		return nil
	}
	return &BreakGlass{Who: "user " + user + ", key " + id, Switch: func(ctx context.Context) (*aws.Identity, error) {
		acct, err := aws.Open(ctx, aws.Options{Region: "us-east-1", EndpointURL: s.URL, AccessKeyID: id, SecretAccessKey: secret,
			Mode: steps.Drill, MaxBackoff: 20 * time.Millisecond, LookupInterval: time.Millisecond})
		if err != nil {
			return nil, err
		}
		who, err := acct.WhoAmI(ctx)
		if err != nil {
			return nil, err
		}
		return &who, run.UseAccount(acct, who.ARN)
	}}
}

// observedModel is the interface as the program runs it, telling the test — through atomics set
// on the program's goroutine — whether an action is running, whether a confirmation is open,
// which step is on screen and whether its field waits for typing, so the test types its next key
// when the operator would: after the screen has caught up.
type observedModel struct {
	*Model
	busy, asking, debriefShown, secretShown, wantsInput, capturing, switchAsked atomic.Bool
	focused                                                                     atomic.Value
}

func (o *observedModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := o.Model.Update(msg)
	o.busy.Store(o.task != nil)
	o.asking.Store(o.confirm != nil)
	o.debriefShown.Store(o.debrief != nil)
	o.secretShown.Store(o.secret != nil)
	o.switchAsked.Store(o.askSwitch)
	o.focused.Store(o.Focused())
	o.wantsInput.Store(o.current().wantsInput())
	o.capturing.Store(o.current().capturing() || o.reason != nil)
	return o, cmd
}

func (d *teatestDrill) press(ks ...string) { keys(d.tm, ks...) }

// until waits for cond and for the interface to be idle.
func (d *teatestDrill) until(what string, cond func() bool) {
	d.t.Helper()
	teatest.WaitFor(d.t, d.tm.Output(), func([]byte) bool { return cond() && !d.seen.busy.Load() },
		teatest.WithDuration(backgroundPatience), teatest.WithCheckInterval(5*time.Millisecond))
}

func (d *teatestDrill) typeText(s string) {
	for _, r := range s {
		d.press(string(r))
	}
}

// applyPlan plans what the step preselected and confirms it as the dialog asks, then its
// follow-up (deleting what was deactivated, cancelling what relaunches) when it offers one.
func (d *teatestDrill) applyPlan(stepID string) {
	d.t.Helper()
	d.press("p")
	d.until(stepID+" has a plan", func() bool { return d.run.Status(stepID).Plan != nil })
	d.confirm(d.run.Status(stepID).Plan.Confirm.Typed)
	d.until(stepID+" is applied", func() bool { return d.run.Status(stepID).Outcome != nil })
	if fu := d.run.Status(stepID).Outcome.FollowUp; fu != nil {
		d.confirm(fu.Confirm.Typed)
		d.until(stepID+"'s follow-up is applied", func() bool { return d.run.Status(stepID).Outcome.FollowUp != fu })
	}
	if st := d.run.Status(stepID); st.State != runbooks.StateDone {
		d.t.Fatalf("%s is %s (%s) after its confirmation", stepID, st.State, st.Err)
	}
}

func (d *teatestDrill) confirm(typed string) {
	d.press("A")
	d.until("the confirmation is open", d.seen.asking.Load)
	if typed == "" {
		d.press("y")
		return
	}
	d.typeText(typed)
	d.press("enter")
}

// inspect inspects the step the keyboard is on, from the step list or the panel alike.
func (d *teatestDrill) inspect(stepID string) {
	d.t.Helper()
	d.press("i")
	d.until(stepID+" is inspected", func() bool { return d.run.Status(stepID).Inspection != nil })
}

// next moves n steps down the runbook.
func (d *teatestDrill) next(n int) {
	for range n {
		d.press("]")
	}
}

// The acceptance drill: from the briefing to the debrief with the keyboard alone, the clock moved
// between steps, and the debrief's figures checked against that clock.
func TestAWholeDrillFromTheBriefingToTheScoredDebrief(t *testing.T) {
	t.Parallel()
	d := startTeatestDrill(t)
	clock := d.sim.Clock

	clock.Advance(2 * time.Minute)
	d.press("enter") // the briefing: straight to the leaked key, its id filled in
	d.press("enter")
	d.until("the leaked key is inspected", func() bool { return d.run.Status("contain-key").Inspection != nil })
	d.applyPlan("contain-key") // leaked key inactive at +2m

	clock.Advance(8 * time.Minute) // +10m
	d.next(1)                      // trace the attacker: its field opens with enter
	d.press("enter", "enter")
	d.until("the attacker is traced", func() bool { return d.run.Status("trace-attacker").Inspection != nil })
	d.next(2) // credential inventory
	d.inspect("credential-inventory")
	d.next(2) // remove rogue users
	d.inspect("remove-rogue-users")
	d.applyPlan("remove-rogue-users")
	d.next(1)
	d.inspect("disable-attacker-keys")
	d.applyPlan("disable-attacker-keys")
	d.next(1)
	d.inspect("revoke-sessions")
	d.applyPlan("revoke-sessions")
	d.next(2) // past Remove IAM persistence (nothing of that kind here) to the password resets
	d.inspect("require-password-reset")
	d.applyPlan("require-password-reset")

	clock.Advance(5 * time.Minute) // +15m
	d.next(1)
	d.inspect("find-rogue-instances")
	d.next(1)
	d.inspect("stop-respawners") // the spot requests behind the miners
	d.applyPlan("stop-respawners")
	d.next(1)
	d.inspect("terminate-instances")
	d.applyPlan("terminate-instances") // the last rogue instance terminated at +15m
	d.next(1)
	d.inspect("delete-key-pairs")
	d.applyPlan("delete-key-pairs")
	d.next(1)
	d.inspect("close-exposure") // the SSH rule the attacker's session opened, named by CloudTrail
	d.applyPlan("close-exposure")

	clock.Advance(10 * time.Minute) // +25m
	d.next(2)                       // the verification: its field opens with enter
	d.press("enter", "enter")
	d.until("the verification says contained", func() bool {
		in := d.run.Status("verify-contained").Inspection
		if in == nil {
			return false
		}
		v, ok := in.Data.(*steps.Verification)
		return ok && v.Contained
	})

	clock.Advance(time.Minute) // the debrief is drawn at +26m
	d.press("esc", "q")
	d.until("the debrief is on screen", func() bool { return d.seen.debriefShown.Load() })
	d.press("q")
	got := ansi.Strip(d.tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).View().Content)
	for _, want := range []string{
		"Drill debrief: crypto-miner at pace 1x, 26m00s from the briefing",
		"Score: 100/100 against the scenario's par times",
		"leaked key inactive             2m00s, par 5m00s  30/30",
		"last rogue instance terminated  15m00s, par 25m00s  30/30",
		"verified contained              25m00s, par 40m00s  40/40",
		// The leaked key's check at +2m worked; everything from +10m was refused, and the
		// backdoor key, deactivated at +10m, never worked again.
		"AKIAEXAMPLELEAKED001: 1 call worked (the last at +2m00s), 11 refused (from +10m00s)",
		"AKIAEXAMPLEBACKDOOR1: 0 calls worked, 1 refused (from +25m00s)",
		"milestones           │   K                       I                  C │",
		// Ten miners ran from the briefing to +15m: 2.5 instance-hours at their on-demand prices.
		"Rogue instances during the drill: 2.5 instance-hours on the attacker's clock, simulated cost $38.88",
		"Collateral (the account's own resources the response changed): none",
		// The role session the attacker opened with the leaked key before the drill outlives the
		// key; following the verdicts revokes deploy-role's older sessions, so nothing is left.
		"What the attacker still held at the end: nothing the simulator knows of",
		"Is the attacker out? contained: the verification (Verify: is the attacker out?) passed at +25m00s",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the debrief lacks %q:\n%s", want, got)
		}
	}
}
