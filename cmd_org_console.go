package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"lockdown/aws"
	"lockdown/debrief"
	"lockdown/org"
	"lockdown/review"
	"lockdown/runbooks"
	"lockdown/ui"
)

// orgConsole is the command's side of the organization view: the sweep follows the leaked key
// through the organization, and each account the operator opens runs the runbook in a session of
// its own, entered through the account's role and pinned to it.
type orgConsole struct {
	g        *Globals
	found    *orgFindings
	since    time.Time
	incident string
	// dir keeps the incident's journals: one per account opened, and the skipped accounts'.
	dir string

	mu       sync.Mutex
	sessions map[string]*session
}

// interactOrg shows the organization first: every account with its state, live while the sweep
// runs, and each affected account's runbook one enter away.
func (g *Globals) interactOrg(acct *aws.Account, f OrgFlags, key string, since time.Time) error {
	_, err := g.interactOrgConsole(acct, f, key, since)
	return err
}

// interactOrgConsole is interactOrg, returning the console for what the drill reads afterwards.
func (g *Globals) interactOrgConsole(acct *aws.Account, f OrgFlags, key string, since time.Time) (*orgConsole, error) {
	c, o, err := g.newOrgConsole(acct, f, key, since)
	if err != nil {
		return nil, err
	}
	uctx := ui.NewContext(acct.Mode(), since)
	uctx.ExpectedAccount = acct.Guard().Expected()
	uctx.AccountNow = g.clock
	uiErr := ui.RunOrg(g.Context(), ui.NewOrg(uctx, o))
	return c, firstErr(uiErr, c.close())
}

// newOrgConsole lists the organization and prepares what its view needs; nothing is swept yet.
func (g *Globals) newOrgConsole(acct *aws.Account, f OrgFlags, key string, since time.Time) (*orgConsole, *ui.Organization, error) {
	incident := time.Now().UTC().Format("20060102-150405") + "-" + string(acct.Mode())
	os, err := g.openOrg(acct, f, incident)
	if err != nil {
		return nil, nil, err
	}
	keyAccount, err := acct.KeyAccount(g.Context(), key)
	if err != nil {
		keyAccount = "" // the trace decides where the attacker was
	}
	dir, err := g.journalDir()
	if err != nil {
		return nil, nil, err
	}
	g.organization = os.org.Names()
	c := &orgConsole{g: g, found: &orgFindings{orgSweep: os, key: key, keyAccount: keyAccount}, since: since,
		incident: incident, dir: dir, sessions: map[string]*session{}}
	accounts := make([]ui.OrgAccount, 0, len(os.org.Members))
	for _, m := range os.org.Members {
		a := ui.OrgAccount{ID: m.ID, Name: m.Name, Management: m.Management, State: ui.OrgNotSwept}
		if skipped := skippedAccount(dir, m.ID); skipped != "" {
			a.State, a.Cause = ui.OrgSkipped, "by the operator: "+skipped
		}
		accounts = append(accounts, a)
	}
	return c, &ui.Organization{ID: os.org.ID, Management: os.org.ManagementAccount, Accounts: accounts,
		Sweep: c.sweep, Open: c.open, Skip: func(account, reason string) error {
			_, err := journalSkippedAccounts(dir, []string{account}, reason, os.me.ARN)
			return err
		}}, nil
}

// skippedAccount is the reason journaled for leaving account out of the organization's
// verification, or "".
func skippedAccount(dir, account string) string {
	return runbooks.KeptItems(dir, account, "")[skipItem(account)]
}

// sweep follows the attacker through the organization, telling the view of each account as it
// starts and ends, then of every account again once the trace knows who entered where.
func (c *orgConsole) sweep(ctx context.Context, report func(ui.OrgAccount)) {
	f := c.found
	outcomes := f.sweep.Follow(ctx, f.org.Members, f.key, c.since, func(o org.Outcome, done bool) {
		if !done {
			report(ui.OrgAccount{ID: o.ID, Name: o.Name, Management: o.Management, State: ui.OrgSweeping})
			return
		}
		report(c.account(o))
	})
	c.mu.Lock()
	f.outcomes, f.entered = outcomes, org.EnteredFrom(outcomes)
	c.mu.Unlock()
	for _, o := range outcomes {
		report(c.account(o))
	}
}

// account is how the view shows an account the sweep is done with.
func (c *orgConsole) account(o org.Outcome) ui.OrgAccount {
	c.mu.Lock()
	status := c.found.status(o)
	c.mu.Unlock()
	a := ui.OrgAccount{ID: o.ID, Name: o.Name, Management: o.Management, Cause: o.Cause}
	switch status {
	case review.OrgAffected:
		a.State = ui.OrgAffected
	case review.OrgFailed:
		a.State = ui.OrgFailed
	case review.OrgSkipped:
		a.State = ui.OrgSkipped
	default:
		a.State = ui.OrgClean
	}
	if t, _ := o.Value.(*org.AccountTrace); t != nil {
		a.Events, a.Unknown = t.Events(), t.Failed
		for _, f := range t.Footprints {
			for id, origin := range f.Origins {
				if !origin.Attacker {
					continue
				}
				switch {
				case strings.HasPrefix(id, "i-"):
					a.Instances++
				case strings.HasPrefix(id, "AKIA"), strings.HasPrefix(id, "ASIA"):
					a.Keys++
				case strings.Contains(id, ":role/"):
					a.Roles++
				}
			}
		}
	}
	return a
}

// open enters one account through its role and starts its runbook in a session of its own, the
// key the attacker entered it with already filled in.
func (c *orgConsole) open(account string) (ui.Runner, map[string]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.found
	i := slices.IndexFunc(f.outcomes, func(o org.Outcome) bool { return o.ID == account })
	if i < 0 {
		return nil, nil, fmt.Errorf("%s is not swept yet", account)
	}
	o := f.outcomes[i]
	in, err := f.sweep.Enter(c.g.Context(), o.Member)
	if err != nil {
		return nil, nil, fmt.Errorf("could not enter it: %w", err)
	}
	if in.Identity.Account != account {
		return nil, nil, fmt.Errorf("the session entered account %s, not %s: nothing will be done there", in.Identity.Account, account)
	}
	s, err := c.g.newAccountSession(in.Account, c.since, c.incident+"-"+account, c.g.reviewed)
	if err != nil {
		return nil, nil, err
	}
	c.sessions[account] = s
	return s.run, map[string]string{"access_key_id": f.entryKey(o)}, nil
}

// close closes every account's session, and says where each journal is.
func (c *orgConsole) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, s := range c.sessions {
		errs = append(errs, s.close(c.g))
	}
	return errors.Join(errs...)
}

// containment is the organization's, from its accounts' journals: every affected account's last
// verification, and every account that could not be swept and is not skipped with a reason.
func (c *orgConsole) containment() runbooks.Containment {
	c.mu.Lock()
	defer c.mu.Unlock()
	accounts := map[string]runbooks.Containment{}
	var unknown []string
	for _, o := range c.found.outcomes {
		switch c.found.status(o) {
		case review.OrgAffected:
			s := c.sessions[o.ID]
			if s == nil {
				accounts[o.ID] = runbooks.Containment{Verdict: runbooks.NotVerified, Step: "its runbook was never opened"}
				continue
			}
			entries, _ := runbooks.ReadJournal(s.journal.Path()) // an unreadable journal reads as no verification
			accounts[o.ID] = runbooks.ContainmentOf(entries, stepTitles(s.run.Statuses()))
		case review.OrgFailed:
			if skippedAccount(c.dir, o.ID) == "" {
				unknown = append(unknown, o.ID)
			}
		}
	}
	if len(c.found.outcomes) == 0 {
		unknown = append(unknown, "the organization was not swept")
	}
	return debrief.OrgContainment(accounts, unknown)
}
