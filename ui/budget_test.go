package ui

import (
	"bytes"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"lockdown/aws"
	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
	"lockdown/runbooks"
	"lockdown/steps"
)

// keyCounter sends keys to the program and counts them: the budget is in keystrokes.
type keyCounter struct {
	tm *teatest.TestModel
	n  int
}

func (c *keyCounter) press(ks ...string) {
	for _, k := range ks {
		c.tm.Send(keyMsg(k))
		c.n++
	}
}

func (c *keyCounter) typeText(s string) {
	for _, r := range s {
		c.press(string(r))
	}
}

// startBriefedDrill is the built-in scenario on a simulator whose clock runs, with the interface
// on its briefing screen as `lockdown drill` opens it.
func startBriefedDrill(t *testing.T) (*sim.Server, string, *runbooks.Run, *keyCounter) {
	t.Helper()
	s := simtest.Start(t, "crypto-miner", drillT0)
	srv, url := s.Server, s.URL
	// The simulated clock keeps pace with the wall clock, as in `lockdown drill`.
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	go func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		last := time.Now()
		for {
			select {
			case <-stop:
				return
			case now := <-tick.C:
				s.Clock.Advance(now.Sub(last))
				last = now
			}
		}
	}()
	acct := s.Account(t, aws.Options{Mode: steps.Drill})
	sc := srv.Scenario()
	journal, err := runbooks.OpenJournal(t.TempDir(), "drill")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { journal.Close() })
	reg := steps.Builtin()
	book, err := runbooks.BuiltinNamed("compromised-account", reg)
	if err != nil {
		t.Fatal(err)
	}
	run, err := runbooks.NewRun(runbooks.Config{Runbook: book, Registry: reg, Journal: journal, Incident: "drill",
		Account: acct, Env: steps.Env{Since: srv.IncidentStart(), Now: srv.Now}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := NewContext(steps.Drill, srv.IncidentStart())
	leaked := sc.Attacker.AccessKeyID
	ctx.Briefing = &Briefing{Scenario: sc.Name, Subject: sc.Alert.Subject, Text: sc.Alert.Text, KeyID: leaked, Goals: sc.Goals}
	ctx.Known = map[string]string{"access_key_id": leaked}
	tm := teatest.NewTestModel(t, New(ctx, run), teatest.WithInitialTermSize(80, 24))
	t.Cleanup(func() {
		// Quitting the way the operator does ends the interface's timers too.
		// An action still finishing asks first: y answers it.
		tm.Send(keyMsg("ctrl+c"))
		tm.Send(keyMsg("y"))
		tm.WaitFinished(t, teatest.WithFinalTimeout(15*time.Second))
	})
	return srv, url, run, &keyCounter{tm: tm}
}

// waitFor polls cond; it reads only what is safe from another goroutine (the run, the simulator).
func waitFor(t *testing.T, tm *teatest.TestModel, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// await waits until the screen shows text: the interface has caught up with the run, so the
// next key reaches the screen the operator would be looking at.
func (c *keyCounter) await(t *testing.T, text string) {
	t.Helper()
	teatest.WaitFor(t, c.tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(text)) },
		teatest.WithDuration(backgroundPatience), teatest.WithCheckInterval(5*time.Millisecond))
}

// confirmWhenOpen waits out the dialog's grace period, then types what it asks for and enter.
func (c *keyCounter) confirmWhenOpen(typed string) {
	time.Sleep(DefaultGrace + 200*time.Millisecond)
	c.typeText(typed)
	c.press("enter")
}

// runningRogue counts the attacker's instances that are still running or pending.
func runningRogue(srv *sim.Server) int {
	n := 0
	for _, in := range srv.EC2Instances("") {
		if attackers(srv, in) && (in.State == "running" || in.State == "pending") {
			n++
		}
	}
	return n
}

func TestFromTheBriefingTheLeakedKeyIsInactiveInTenKeysAndNoRogueInstanceRunsInForty(t *testing.T) {
	srv, url, run, c := startBriefedDrill(t)
	start := srv.Now()
	leaked := srv.Scenario().Attacker.AccessKeyID
	waitFor(t, c.tm, "the account is confirmed", func() bool { return run.Status("confirm-account").State.Settled() })
	c.await(t, "acme-prod")

	c.press("enter") // the briefing: straight to containment, the key filled in
	c.press("enter") // inspect the key
	c.await(t, "belongs to ci-deploy")
	c.press("p")
	c.await(t, "Plan:")
	c.press("A")
	c.confirmWhenOpen(leaked[len(leaked)-4:])
	waitFor(t, c.tm, "the containment", func() bool { return run.Status("contain-key").State.Finished() })
	toInactive, keysToInactive := srv.Now().Sub(start), c.n
	if works, err := keyAuthenticates(t, url, leaked); works || err != nil {
		t.Fatalf("the leaked key still authenticates after containment (%v)", err)
	}
	c.await(t, "Results:")
	if keysToInactive > 10 {
		t.Errorf("the leaked key took %d keystrokes from the briefing to be inactive, budget 10", keysToInactive)
	}

	c.press("]", "enter", "enter") // trace the attacker, the key filled in
	waitFor(t, c.tm, "the trace", func() bool { return run.Status("trace-attacker").State.Finished() })
	for range stepsBetween(t, run, "trace-attacker", "find-rogue-instances") {
		c.press("]") // to "Find rogue EC2 instances in every region"
	}
	c.press("i")
	c.await(t, "rogue, ")
	for range stepsBetween(t, run, "find-rogue-instances", "terminate-instances") {
		c.press("]") // past the respawners, to "Terminate rogue instances"
	}
	c.press("i") // terminate scans again and preselects the rogue instances
	c.await(t, " selected ·")
	c.press("p")
	c.await(t, "Plan:")
	plan := run.Status("terminate-instances").Plan
	c.press("A")
	c.confirmWhenOpen(plan.Confirm.Typed)
	c.await(t, "Results:")
	if fu := run.Status("terminate-instances").Outcome.FollowUp; fu != nil { // termination protection
		c.press("A")
		c.confirmWhenOpen(fu.Confirm.Typed)
		waitFor(t, c.tm, "the protected instances", func() bool { return run.Status("terminate-instances").State.Finished() })
	}
	waitFor(t, c.tm, "no rogue instance running", func() bool { return runningRogue(srv) == 0 })
	toClean, keysToClean := srv.Now().Sub(start), c.n
	if keysToClean > 40 {
		t.Errorf("no rogue instance running took %d keystrokes from the briefing, budget 40", keysToClean)
	}
	t.Logf("leaked key inactive: %d keys, %s simulated; no rogue instance running: %d keys, %s simulated",
		keysToInactive, toInactive.Round(100*time.Millisecond), keysToClean, toClean.Round(100*time.Millisecond))
}

// stepsBetween counts the "next step" keys from one step of the run's runbook to a later one, so
// the budget follows the runbook as steps are added.
func stepsBetween(t *testing.T, run *runbooks.Run, from, to string) int {
	t.Helper()
	index := map[string]int{}
	for i, s := range run.Runbook().Steps {
		index[s.ID] = i
	}
	i, okFrom := index[from]
	j, okTo := index[to]
	if !okFrom || !okTo || j <= i {
		t.Fatalf("the runbook has no step %s before a step %s", from, to)
	}
	return j - i
}
