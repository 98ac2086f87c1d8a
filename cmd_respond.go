package main

import (
	"strings"
	"time"

	"lockdown/steps"
)

// RespondCmd is the response TUI on a real account.
type RespondCmd struct {
	Key      string `help:"With --org: the leaked access key id the sweep follows through the organization." placeholder:"AKIA…"`
	OrgFlags `embed:""`
	Resume   string `help:"Continue the incident recorded in this journal (after a crash or a closed terminal): settled steps stay settled, ticks stay ticked, and changes are only allowed in the account it was recorded in." type:"existingfile" placeholder:"JOURNAL"`
}

// Run opens the TUI on the account from the standard credential chain; dry-run unless --live.
func (c *RespondCmd) Run(g *Globals) error {
	if err := c.check(); err != nil {
		return err
	}
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
	if c.Org {
		return g.interactOrg(acct, c.OrgFlags, c.Key, since)
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

// check refuses flags that do not go together before anything is read.
func (c *RespondCmd) check() error {
	if err := c.OrgFlags.check(); err != nil {
		return err
	}
	switch {
	case c.Org && c.Resume != "":
		return usageError("--resume continues one account's incident; open the organization again with --org and enter the account")
	case c.Org && c.Key == "":
		return usageError("--org needs --key: the sweep follows the leaked key through the organization")
	case !c.Org && c.Key != "":
		return usageError("--key is for --org; the runbook asks for the key in its containment step")
	case c.Key != "":
		if err := steps.ValidateAccessKeyID(strings.ToUpper(strings.TrimSpace(c.Key))); err != nil {
			return usageError("--key: %v", err)
		}
		c.Key = strings.ToUpper(strings.TrimSpace(c.Key))
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
