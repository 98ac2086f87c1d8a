package org

import (
	"context"
	"fmt"
	"sync"

	"lockdown/aws"
)

// Status is how the sweep left an account.
type Status string

const (
	// Ok: lockdown entered the account and the work in it ran (its own results may still hold
	// failed regions or items).
	Ok Status = "ok"
	// Failed: the account's role could not be assumed, or the work in it failed: its state is
	// unknown, never clean.
	Failed Status = "failed"
	// Skipped: Organizations lists the account as not active (suspended, closing), or the
	// operator skipped it: nobody can work in it.
	Skipped Status = "skipped"
)

// Sweep enters the accounts of an organization and runs the same work in each: at most Workers
// accounts at once, their calls bounded together by the Gate (a global cap and a cap per account).
type Sweep struct {
	// Management is the management account, whose credentials assume the members' role.
	Management *aws.Account
	Role       string
	ExternalID string
	// SessionName names lockdown's session in every member's CloudTrail (lockdown-<incident>).
	SessionName string
	Gate        *aws.CallGate
	// Workers is how many accounts are entered and worked at once (default: twice the number of
	// accounts the gate can keep at their cap together).
	Workers int
	// Credentials, when set, may replace a member's role credentials (tests): its Credentials,
	// when not nil, are signed with instead, pinned to the member all the same.
	Credentials func(account string) aws.MemberOptions
}

// Entered is one account lockdown is in: its Account (pinned, gated), and who lockdown acts as.
type Entered struct {
	Member
	Account  *aws.Account
	Identity aws.Identity
}

// Outcome is what the sweep did in one account.
type Outcome struct {
	Member
	Status Status `json:"status"`
	// Cause says why an account failed or was skipped, in AWS's words where there are some.
	Cause string `json:"cause,omitempty"`
	// ActedAs is the identity lockdown acted as in the account.
	ActedAs string `json:"acted_as,omitempty"`
	// Value is what the work returned for the account.
	Value any `json:"-"`
}

// Work is what the sweep does in each account it entered. It returns the account's result; an
// error fails the account, with the error as its cause.
type Work func(ctx context.Context, in Entered) (any, error)

// Run enters each member and runs work there. report, when not nil, is called (never
// concurrently) as each account starts and as it ends, so results stream account by account. The
// outcomes come back in the members' order; no account is left out.
func (s *Sweep) Run(ctx context.Context, members []Member, work Work, report func(Outcome, bool)) []Outcome {
	workers := s.Workers
	if workers <= 0 {
		workers = 2 * max(s.Gate.Global()/s.Gate.PerAccount(), 1)
	}
	out := make([]Outcome, len(members))
	var mu sync.Mutex
	tell := func(o Outcome, done bool) {
		if report != nil {
			mu.Lock()
			defer mu.Unlock()
			report(o, done)
		}
	}
	slots := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, m := range members {
		if m.Status != "" && m.Status != "ACTIVE" {
			out[i] = Outcome{Member: m, Status: Skipped, Cause: fmt.Sprintf("the account is %s in the organization: nobody can work in it", m.Status)}
			tell(out[i], true)
			continue
		}
		wg.Go(func() {
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-ctx.Done():
				out[i] = Outcome{Member: m, Status: Failed, Cause: "cancelled before lockdown entered the account"}
				tell(out[i], true)
				return
			}
			tell(Outcome{Member: m}, false)
			out[i] = s.one(ctx, m, work)
			tell(out[i], true)
		})
	}
	wg.Wait()
	return out
}

// one enters an account and works in it.
func (s *Sweep) one(ctx context.Context, m Member, work Work) Outcome {
	in, err := s.Enter(ctx, m)
	if err != nil {
		return Outcome{Member: m, Status: Failed, Cause: enterCause(s.role(), m, err)}
	}
	o := Outcome{Member: m, Status: Ok, ActedAs: in.Identity.ARN}
	if o.Value, err = work(ctx, in); err != nil {
		o.Status, o.Cause = Failed, err.Error()
	}
	return o
}

// Enter enters one account: the management account with its own credentials, a member through
// the role. Both are pinned to their account and gated.
func (s *Sweep) Enter(ctx context.Context, m Member) (Entered, error) {
	opts := aws.MemberOptions{Account: m.ID, Role: s.role(), ExternalID: s.ExternalID, SessionName: s.SessionName, Gate: s.Gate}
	if s.Credentials != nil {
		opts.Credentials = s.Credentials(m.ID).Credentials
	}
	var acct *aws.Account
	var id aws.Identity
	var err error
	if m.Management {
		acct, id, err = s.Management.Gated(ctx, s.Gate)
	} else {
		acct, id, err = s.Management.AssumeMember(ctx, opts)
	}
	if err != nil {
		return Entered{}, err
	}
	return Entered{Member: m, Account: acct, Identity: id}, nil
}

func (s *Sweep) role() string {
	if s.Role == "" {
		return aws.DefaultOrgRole
	}
	return s.Role
}

// enterCause says why lockdown could not get into an account, in AWS's words.
func enterCause(role string, m Member, err error) string {
	if m.Management {
		return "the management account's own credentials failed: " + err.Error()
	}
	code := aws.ErrorCode(err)
	if code == "" {
		return fmt.Sprintf("could not assume %s: %v", role, err)
	}
	return fmt.Sprintf("could not assume %s: %s: %s", role, code, aws.ErrorMessage(err))
}
