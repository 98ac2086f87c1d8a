package main

import (
	"time"
)

// RespondCmd is the response TUI on a real account.
type RespondCmd struct {
	Resume string `help:"Continue the incident recorded in this journal (after a crash or a closed terminal): settled steps stay settled, ticks stay ticked, and changes are only allowed in the account it was recorded in." type:"existingfile" placeholder:"JOURNAL"`
}

// Run opens the TUI on the account from the standard credential chain; dry-run unless --live.
func (c *RespondCmd) Run(g *Globals) error {
	if c.Resume != "" {
		if err := g.readPriorIncident(c.Resume); err != nil {
			return err
		}
		// Two runs continuing one incident would each make its changes.
		lock, err := g.lockWork("incident-"+g.resumeFrom.incident, "continuing the incident "+g.resumeFrom.incident)
		if err != nil {
			return err
		}
		defer lock.Release()
	}
	since, err := g.SinceTime(time.Now())
	if err != nil {
		return err
	}
	if since.IsZero() && g.resumeFrom != nil {
		since = g.resumeFrom.since()
	}
	if err := g.readSessionInputs(); err != nil {
		return err
	}
	if err := requireTerminal(); err != nil {
		return err
	}
	acct, err := g.OpenInteractiveAccount(g.Context())
	if err != nil {
		return err
	}
	s, err := g.newSession(acct, since)
	if err != nil {
		return err
	}
	s.reconcileResumed(g)
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
