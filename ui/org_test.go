package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"lockdown/runbooks"
	"lockdown/steps"
)

// orgSession drives the organization view the way the program would: commands run in the
// background and their messages are delivered on the test's goroutine.
type orgSession struct {
	t      *testing.T
	m      *OrgModel
	msgs   chan tea.Msg
	done   chan struct{}
	quit   bool
	opened []string
	skips  []string
	runs   map[string]*fakeRunner
	mu     sync.Mutex
	// sweepEnded closes when the sweep returns.
	sweepEnded chan struct{}
}

func (s *orgSession) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		if msg := cmd(); msg != nil {
			select {
			case s.msgs <- msg:
			case <-s.done:
			}
		}
	}()
}

func (s *orgSession) deliver(msg tea.Msg) {
	switch msg := msg.(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			s.exec(c)
		}
		return
	case tea.QuitMsg:
		s.quit = true
		return
	}
	_, cmd := s.m.Update(msg)
	s.exec(cmd)
}

func (s *orgSession) press(keys ...string) {
	for _, k := range keys {
		s.deliver(keyMsg(k))
	}
}

func (s *orgSession) until(what string, cond func() bool) {
	s.t.Helper()
	timeout := time.NewTimer(backgroundPatience)
	defer timeout.Stop()
	for !cond() {
		select {
		case msg := <-s.msgs:
			s.deliver(msg)
		case <-timeout.C:
			s.t.Fatalf("timed out waiting until %s; screen:\n%s", what, s.screen())
		}
	}
}

func (s *orgSession) screen() string { return ansi.Strip(s.m.View().Content) }

// moveTo puts the cursor on an account's row.
func (s *orgSession) moveTo(id string) {
	s.t.Helper()
	for range len(s.m.accounts) {
		s.press("up")
	}
	for range len(s.m.accounts) {
		if s.m.accounts[s.m.cursor].ID == id {
			return
		}
		s.press("down")
	}
	s.t.Fatalf("no row for %s:\n%s", id, s.screen())
}

// verifiedBook is the test runbook with a verification step at its end.
func verifiedBook() *runbooks.Runbook {
	b := testBook()
	b.Steps = append(b.Steps, &runbooks.Step{ID: "verify", Title: "Verify: is the attacker out?", Action: "verify.contained"})
	return b
}

// startOrgSession opens the organization view on four accounts: the management account and a
// member the attacker entered, a clean member, and a member whose role could not be assumed. The
// sweep tells each account as it starts, then waits for release before telling how it ended.
func startOrgSession(t *testing.T, release <-chan struct{}) *orgSession {
	s := &orgSession{t: t, msgs: make(chan tea.Msg, 64), done: make(chan struct{}), runs: map[string]*fakeRunner{}, sweepEnded: make(chan struct{})}
	t.Cleanup(func() {
		s.m.release()
		close(s.done)
	})
	accounts := []OrgAccount{{ID: "111122223333", Name: "acme-root", Management: true}, {ID: "222233334444", Name: "payments"},
		{ID: "333344445555", Name: "sandbox"}, {ID: "444455556666", Name: "legacy"}}
	ended := map[string]OrgAccount{
		"111122223333": {ID: "111122223333", Name: "acme-root", Management: true, State: OrgAffected, Events: 12, Keys: 1, Roles: 1},
		"222233334444": {ID: "222233334444", Name: "payments", State: OrgAffected, Events: 7, Instances: 3},
		"333344445555": {ID: "333344445555", Name: "sandbox", State: OrgClean},
		"444455556666": {ID: "444455556666", Name: "legacy", State: OrgFailed, Cause: "could not assume OrganizationAccountAccessRole: AccessDenied"},
	}
	o := &Organization{ID: "o-exampleorg", Management: "111122223333", Accounts: accounts,
		Sweep: func(ctx context.Context, report func(OrgAccount)) {
			defer close(s.sweepEnded)
			for _, a := range accounts {
				report(OrgAccount{ID: a.ID, Name: a.Name, Management: a.Management, State: OrgSweeping})
			}
			select {
			case <-release:
			case <-ctx.Done():
				return
			}
			for _, a := range accounts {
				report(ended[a.ID])
			}
		},
		Open: func(account string) (Runner, map[string]string, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.opened = append(s.opened, account)
			r := newFakeRunner(verifiedBook(), testActions())
			s.runs[account] = r
			return r, map[string]string{"access_key_id": "AKIAEXAMPLEENTERED01"}, nil
		},
		Skip: func(account, reason string) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.skips = append(s.skips, account+": "+reason)
			return nil
		},
	}
	ctx := NewContext(steps.Live, time.Date(2026, 11, 28, 1, 30, 0, 0, time.UTC))
	s.m = NewOrg(ctx, o)
	s.deliver(tea.WindowSizeMsg{Width: 120, Height: 30})
	s.exec(s.m.Init())
	return s
}

// verified makes an account's runbook say what its verification found.
func (s *orgSession) verified(account string, contained bool) {
	s.runs[account].set("verify", func(st *runbooks.StepStatus) {
		st.State, st.Inspection = runbooks.StateDone, &steps.Inspection{Data: &steps.Verification{Contained: contained}}
	})
}

// The organization view shows every account while the sweep runs, then each one's state; the
// organization is contained only once every affected account's own verification passed and the
// account that could not be swept is skipped with a recorded reason.
func TestTheOrganizationViewIsContainedOnlyWhenEveryAffectedAccountIsVerified(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	s := startOrgSession(t, release)
	s.until("every account is being swept", func() bool { return strings.Count(s.screen(), "sweeping…") == 4 })
	mustContain(t, "the view while the sweep runs", s.screen(), "LIVE", "organization o-exampleorg", "sweeping: 0 of 4 accounts done")

	close(release)
	s.until("the sweep is done", func() bool { return !s.m.sweeping })
	got := s.screen()
	mustContain(t, "the swept organization", got, "NOT contained: 2 affected accounts not verified contained (111122223333, 222233334444)",
		"222233334444", "affected", "clean", "runbook not verified yet")

	s.moveTo("444455556666")
	mustContain(t, "the unreachable account's row", s.screen(), "444455556666 (legacy): failed — could not assume OrganizationAccountAccessRole: AccessDenied")
	// At 80×24 the verdict and the cursor's account wrap; nothing of them is cut.
	s.deliver(tea.WindowSizeMsg{Width: 80, Height: 24})
	mustContain(t, "the organization at 80×24", strings.Join(strings.Fields(s.screen()), " "),
		"NOT contained: 2 affected accounts not verified contained (111122223333, 222233334444)",
		"444455556666 (legacy): failed — could not assume OrganizationAccountAccessRole: AccessDenied", "? keys • q quit")
	s.moveTo("222233334444")
	mustContain(t, "an affected account's counts at 80×24", strings.Join(strings.Fields(s.screen()), " "),
		"7 attacker events, 3 instances, 0 keys and 0 roles made by the attacker")
	s.deliver(tea.WindowSizeMsg{Width: 50, Height: 12})
	mustContain(t, "the organization on a terminal too small", s.screen(), "terminal too small: need at least")
	s.deliver(tea.WindowSizeMsg{Width: 120, Height: 30})
	s.moveTo("444455556666")
	s.press("enter")
	if s.m.child != nil || len(s.opened) > 0 {
		t.Fatalf("enter opened an account lockdown could not enter:\n%s", s.screen())
	}
	mustContain(t, "enter on the unreachable account", s.screen(), "444455556666 cannot be entered")

	s.moveTo("222233334444")
	s.press("enter")
	if s.m.child == nil || len(s.opened) != 1 || s.opened[0] != "222233334444" {
		t.Fatalf("enter did not open the affected account's runbook (opened %v):\n%s", s.opened, s.screen())
	}
	mustContain(t, "the account's runbook", s.screen(), "Confirm the account", "back to the organization")
	if got := s.m.child.ctx.Known["access_key_id"]; got != "AKIAEXAMPLEENTERED01" {
		t.Errorf("the account's runbook starts with key %q, not the one the attacker entered it with", got)
	}
	s.until("the account is confirmed in its runbook", func() bool { return s.runs["222233334444"].Status("confirm").State.Settled() && s.m.child.task == nil })
	s.verified("222233334444", true)
	s.press("q")
	s.until("q comes back to the organization", func() bool { return s.m.child == nil })
	if s.quit {
		t.Fatal("q in an account's runbook ended lockdown instead of going back to the organization")
	}

	// The management account's runbook, verified not contained, then contained.
	for _, contained := range []bool{false, true} {
		s.moveTo("111122223333")
		s.press("enter")
		s.until("the management account's runbook opens", func() bool { return s.m.child != nil })
		s.until("the management account is confirmed", func() bool { return s.m.child.task == nil })
		s.verified("111122223333", contained)
		s.press("q")
		s.until("back to the organization", func() bool { return s.m.child == nil })
		if !contained {
			mustContain(t, "one account verified, the other not", s.screen(), "NOT contained: 1 affected account not verified contained (111122223333)", "not contained")
		}
	}
	if len(s.opened) != 2 {
		t.Errorf("the accounts' runbooks were started %d times (%v): opening one again must show the same run", len(s.opened), s.opened)
	}
	mustContain(t, "every affected account verified", s.screen(), "UNKNOWN: 1 account could not be swept (444455556666)")

	s.moveTo("444455556666")
	s.press("s")
	s.press("enter")
	if len(s.skips) > 0 {
		t.Fatalf("an account was skipped without a reason: %v", s.skips)
	}
	mustContain(t, "a skip without a reason", s.screen(), "needs a reason", "reason (enter records it, esc cancels)")
	for _, r := range "retired, checked by hand" {
		s.deliver(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	s.press("enter")
	if len(s.skips) != 1 || s.skips[0] != "444455556666: retired, checked by hand" {
		t.Fatalf("the skip was recorded as %v", s.skips)
	}
	mustContain(t, "every affected account verified, the unreachable one skipped", s.screen(),
		"CONTAINED: every affected account's verification passed", "by the operator: retired, checked by hand")

	s.press("q")
	s.until("q in the organization view ends lockdown", func() bool { return s.quit })
}

// Quitting while the sweep runs stops the sweep: nothing goes on reading the organization's
// accounts after the operator left.
func TestQuittingTheOrganizationViewStopsItsSweep(t *testing.T) {
	t.Parallel()
	s := startOrgSession(t, make(chan struct{}))
	s.until("the sweep runs", func() bool { return strings.Contains(s.screen(), "sweeping…") })
	s.press("q")
	s.until("q ends lockdown", func() bool { return s.quit })
	select {
	case <-s.sweepEnded:
	case <-time.After(backgroundPatience):
		t.Fatal("the sweep went on after the view ended")
	}
}
