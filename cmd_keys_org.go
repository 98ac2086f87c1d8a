package main

import (
	"context"
	"fmt"

	"lockdown/org"
	"lockdown/steps"
)

// runOrg is keys --org: the credential inventory of every account of the organization. Users that
// could not be read completely fail their account; any failed account exits 3.
func (c *KeysCmd) runOrg(g *Globals) error {
	acct, since, err := g.readOnlyAccountFor(c.Key)
	if err != nil {
		return err
	}
	os, err := g.openOrg(acct, c.OrgFlags, readOnlyIncident("keys"))
	if err != nil {
		return err
	}
	work := func(ctx context.Context, in org.Entered) (*steps.KeysReport, error) {
		traced := startTrace(ctx, in.Account, c.Key, since)
		rep, err := steps.BuildKeysReport(ctx, in.Account.ReadOnly(), since, c.Workers)
		trace := <-traced
		if err != nil {
			return nil, err
		}
		rep.NoteCreators(trace)
		if n := rep.Failed(); n > 0 {
			return rep, fmt.Errorf("%d of %d users could not be read completely", n, len(rep.Users))
		}
		return rep, nil
	}
	doc := sweepReports(g, os, since, work, func(rep *steps.KeysReport) string {
		return fmt.Sprintf("%d users, %d flagged", len(rep.Users), flaggedUsers(rep))
	})
	if c.JSON {
		if err := g.writeJSON(doc); err != nil {
			return err
		}
	} else {
		for _, a := range doc.Accounts {
			g.printf("== account %s — %s", a.Label(), a.Status)
			if a.Cause != "" {
				g.printf(": %s", a.Cause)
			}
			g.printf("\n")
			if a.Report != nil {
				printKeys(g, a.Report)
			}
			g.printf("\n")
		}
		g.printf("%d accounts: %d ok, %d failed, %d skipped\n", doc.Summary.Accounts, doc.Summary.Ok, doc.Summary.Failed, doc.Summary.Skipped)
	}
	if n := doc.Summary.Failed; n > 0 {
		return exitCode(exitPartial, fmt.Errorf("%d of %d accounts could not be read whole", n, doc.Summary.Accounts))
	}
	return nil
}

// flaggedUsers counts the users with a flag on themselves or one of their keys.
func flaggedUsers(rep *steps.KeysReport) int {
	n := 0
	for _, u := range rep.Users {
		flagged := len(u.Flags) > 0
		for _, k := range u.Keys {
			flagged = flagged || len(k.Flags) > 0
		}
		if flagged {
			n++
		}
	}
	return n
}
