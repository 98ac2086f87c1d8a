package aws

import (
	"errors"
	"fmt"
	"sync"
)

// Mode says whether a run may change the account it talks to. It is the one value that decides
// both what the operator is asked (prompts, typed confirmations) and what is sent: the guard holds
// it, and everything else reads it from there.
type Mode string

const (
	// DryRun inspects for real and plans every change, but changes nothing.
	DryRun Mode = "dry-run"
	// Live applies confirmed changes to a real account.
	Live Mode = "live"
	// Drill applies confirmed changes to the built-in simulated account.
	Drill Mode = "drill"
)

// Changes reports whether a run in this mode changes the account.
func (m Mode) Changes() bool { return m == Live || m == Drill }

// ErrDryRun is returned by a mutating call that was not sent because the run is a dry-run.
var ErrDryRun = errors.New("dry-run: nothing was changed")

// ErrIdentityUnknown is returned by a mutating call made before the account was confirmed.
var ErrIdentityUnknown = errors.New("refusing to change anything: the account has not been confirmed yet (run the identity step first)")

// WrongAccountError refuses a change in an account other than the one the operator named.
type WrongAccountError struct {
	Expected, Actual string
}

func (e *WrongAccountError) Error() string {
	return fmt.Sprintf("refusing to change account %s: --account says the compromised account is %s", e.Actual, e.Expected)
}

// Guard decides whether a mutating call may be sent. It is the single place that makes dry-run
// and --account structural: the live changes are handed out only when it allows them, and ask it
// again before every call. Only this package confirms the account (after STS said which it is).
type Guard struct {
	mu       sync.Mutex
	mode     Mode
	expected string
	actual   string
}

// newGuard returns a guard for a run that may change the account only in a mode that changes, and
// only in account expected when that is not empty. An unknown mode is a dry run.
func newGuard(mode Mode, expected string) *Guard {
	if !mode.Changes() {
		mode = DryRun
	}
	return &Guard{mode: mode, expected: expected}
}

// Mode is the run's mode.
func (g *Guard) Mode() Mode {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.mode
}

// Live reports whether the run may change anything at all.
func (g *Guard) Live() bool { return g.Mode().Changes() }

// Expected is the account named with --account, or "".
func (g *Guard) Expected() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.expected
}

// confirm records the account the credentials belong to, as STS said.
func (g *Guard) confirm(account string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.actual = account
}

// Account is the confirmed account, or "" before confirmation.
func (g *Guard) Account() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.actual
}

// Mismatch returns the wrong-account error when the confirmed account is not the expected one.
func (g *Guard) Mismatch() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.expected != "" && g.actual != "" && g.actual != g.expected {
		return &WrongAccountError{Expected: g.expected, Actual: g.actual}
	}
	return nil
}

// AllowChange returns nil only when a mutating call may really be sent: the run is live, the
// account is confirmed, and it is the expected one. Otherwise it says why not; ErrDryRun means the
// caller may still check the change without making it.
func (g *Guard) AllowChange() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.expected != "" && g.actual != "" && g.actual != g.expected {
		return &WrongAccountError{Expected: g.expected, Actual: g.actual}
	}
	if !g.mode.Changes() {
		return ErrDryRun
	}
	if g.actual == "" {
		return ErrIdentityUnknown
	}
	return nil
}
