package aws

import (
	"errors"
	"fmt"
	"sync"
)

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
// and --account structural: every mutator in this package asks it first.
type Guard struct {
	mu       sync.Mutex
	live     bool
	expected string
	actual   string
}

// NewGuard returns a guard for a run that may change the account only when live is true, and only
// in account expected when that is not empty.
func NewGuard(live bool, expected string) *Guard {
	return &Guard{live: live, expected: expected}
}

// Live reports whether the run may change anything at all.
func (g *Guard) Live() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.live
}

// Expected is the account named with --account, or "".
func (g *Guard) Expected() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.expected
}

// SetAccount records the account the credentials belong to, as confirmed by STS.
func (g *Guard) SetAccount(account string) {
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
// caller may still send an AWS DryRun request to prove permissions.
func (g *Guard) AllowChange() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.expected != "" && g.actual != "" && g.actual != g.expected {
		return &WrongAccountError{Expected: g.expected, Actual: g.actual}
	}
	if !g.live {
		return ErrDryRun
	}
	if g.actual == "" {
		return ErrIdentityUnknown
	}
	return nil
}
