package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"lockdown/aws"
	"lockdown/org"
)

// OrgFlags are the flags of a sweep over the organization, shared by scan, keys, trace, plan and
// verify.
type OrgFlags struct {
	Org           bool     `help:"Sweep the organization: every active account, each member through --org-role (needs the management account's credentials)."`
	OrgRole       string   `name:"org-role" default:"OrganizationAccountAccessRole" help:"The role lockdown assumes in each member account." placeholder:"NAME"`
	OrgExternalID string   `name:"org-external-id" help:"The sts:ExternalId the members' role asks for." placeholder:"ID"`
	Accounts      []string `sep:"," help:"With --org: sweep only these accounts." placeholder:"ID,ID"`
	OU            string   `name:"ou" help:"With --org: sweep only the accounts under this organizational unit (and the units under it)." placeholder:"ou-…"`
	OrgCalls      int      `name:"org-calls" default:"256" help:"With --org: AWS calls in flight at most, all accounts together." placeholder:"N"`
	AccountCalls  int      `name:"account-calls" default:"8" help:"With --org: AWS calls in flight at most in any one account." placeholder:"N"`
}

// check refuses sweep flags without --org: they would be ignored, and the operator would believe
// the organization was narrowed or reached.
func (f *OrgFlags) check() error {
	if f.Org {
		if f.OrgCalls < 1 || f.AccountCalls < 1 {
			return usageError("--org-calls and --account-calls must be 1 or more")
		}
		return nil
	}
	switch {
	case len(f.Accounts) > 0:
		return usageError("--accounts narrows an organization sweep: add --org")
	case f.OU != "":
		return usageError("--ou narrows an organization sweep: add --org")
	case f.OrgExternalID != "":
		return usageError("--org-external-id is for an organization sweep: add --org")
	}
	return nil
}

// orgSweep is an organization ready to sweep: its accounts, and the sweep that enters them.
type orgSweep struct {
	org   *org.Organization
	sweep *org.Sweep
	me    aws.Identity
}

// openOrg lists the organization with the management account's credentials and prepares the
// sweep, whose sessions are named lockdown-<incident>.
func (g *Globals) openOrg(acct *aws.Account, f OrgFlags, incident string) (*orgSweep, error) {
	ctx := g.Context()
	me, err := acct.WhoAmI(ctx)
	if err != nil {
		return nil, err
	}
	if err := refuseWrongAccount(acct); err != nil {
		return nil, err
	}
	o, err := org.List(ctx, acct.Organizations(), org.Selection{Accounts: f.Accounts, Unit: f.OU})
	var sel *org.SelectionError
	if errors.As(err, &sel) {
		return nil, usageError("%v", sel)
	}
	if err != nil {
		return nil, err
	}
	if me.Account != o.ManagementAccount {
		g.eprintf("Note: these credentials are in account %s, not the management account %s: members are entered through %s as this identity, where their trust allows it\n",
			me.Account, o.ManagementAccount, f.OrgRole)
	}
	sweep := &org.Sweep{Management: acct, Role: f.OrgRole, ExternalID: f.OrgExternalID,
		SessionName: sessionName(incident), Gate: aws.NewCallGate(f.OrgCalls, f.AccountCalls), Credentials: g.memberCredentials}
	g.eprintf("Organization %s: %d accounts to sweep, as %s; sessions named %s; at most %d calls in flight, %d in one account\n",
		o.ID, len(o.Members), me.ARN, sweep.SessionName, f.OrgCalls, f.AccountCalls)
	return &orgSweep{org: o, sweep: sweep, me: me}, nil
}

// sessionName is lockdown's role session name in the members' CloudTrail: lockdown-<incident>,
// within STS's 64 characters of [\w+=,.@-].
func sessionName(incident string) string {
	name := "lockdown-" + incident
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_+=,.@-", r) {
			return r
		}
		return '-'
	}, name)
	return name[:min(len(name), 64)]
}

// readOnlyIncident names a read-only command's sweep, which has no journal: the time and command.
func readOnlyIncident(command string) string {
	return time.Now().UTC().Format("20060102-150405") + "-" + command
}

// accountLine is one account's progress line on stderr.
func accountLine(o org.Outcome, done bool, summary string) string {
	switch {
	case !done:
		return fmt.Sprintf("%-12s %-28s entering…", o.ID, trimName(o.Name))
	case o.Status == org.Ok:
		return fmt.Sprintf("%-12s %-28s ok      %s", o.ID, trimName(o.Name), summary)
	case o.Status == org.Skipped:
		return fmt.Sprintf("%-12s %-28s SKIPPED %s", o.ID, trimName(o.Name), o.Cause)
	}
	return fmt.Sprintf("%-12s %-28s FAILED  %s", o.ID, trimName(o.Name), o.Cause)
}

func trimName(name string) string {
	if len(name) > 28 {
		return name[:27] + "…"
	}
	return name
}
