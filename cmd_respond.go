package main

import (
	"time"

	"lockdown/steps"
)

// RespondCmd is the response TUI on a real account.
type RespondCmd struct{}

// Run opens the TUI on the account from the standard credential chain; dry-run unless --live.
func (c *RespondCmd) Run(g *Globals) error {
	since, err := g.SinceTime(time.Now())
	if err != nil {
		return err
	}
	if err := requireTerminal(); err != nil {
		return err
	}
	acct, err := g.OpenAccount(g.Context())
	if err != nil {
		return err
	}
	mode := steps.DryRun
	if g.Live {
		mode = steps.Live
	}
	s, err := g.newSession(acct, mode, since)
	if err != nil {
		return err
	}
	uiErr := s.interact(g)
	if err := s.close(g); err != nil || uiErr != nil {
		return firstErr(uiErr, err)
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
