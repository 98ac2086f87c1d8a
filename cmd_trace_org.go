package main

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"lockdown/org"
)

// OrgTraceDocument is `trace --org --json`: every account's trace, which accounts the attacker
// acted in, and who entered which account from where.
type OrgTraceDocument struct {
	*OrgReport[org.AccountTrace]
	Key string `json:"key"`
	// Affected are the accounts the attacker acted in, by their own CloudTrail or by another
	// account's record of an AssumeRole into them.
	Affected []string `json:"affected"`
	// EnteredFrom names, for each account, the AssumeRole calls into it other accounts recorded.
	EnteredFrom map[string][]org.Entry `json:"entered_from,omitempty"`
}

// runOrg is trace --org: the attacker followed from the leaked key through every account, and from
// account to account through the roles they assumed.
func (c *TraceCmd) runOrg(g *Globals, key string) error {
	acct, since, err := g.readOnlyAccount()
	if err != nil {
		return err
	}
	os, err := g.openOrg(acct, c.OrgFlags, readOnlyIncident("trace"))
	if err != nil {
		return err
	}
	outcomes := os.sweep.Follow(g.Context(), os.org.Members, key, since, func(o org.Outcome, done bool) {
		if done {
			g.eprintf("%s\n", accountLine(o, done, traceLine(o)))
		}
	})
	doc := newOrgTraceDocument(os, key, outcomes)
	if c.JSON {
		if err := g.writeJSON(doc); err != nil {
			return err
		}
	} else {
		printOrgTrace(g, doc)
	}
	if n := doc.Summary.Failed; n > 0 {
		return exitCode(exitPartial, fmt.Errorf("%d of %d accounts could not be traced whole: what the attacker did there is unknown", n, doc.Summary.Accounts))
	}
	return nil
}

func traceLine(o org.Outcome) string {
	t, _ := o.Value.(*org.AccountTrace)
	if t == nil {
		return ""
	}
	if !t.Affected() {
		return "no attacker event"
	}
	return fmt.Sprintf("AFFECTED: %d attacker events", t.Events())
}

func newOrgTraceDocument(os *orgSweep, key string, outcomes []org.Outcome) *OrgTraceDocument {
	rep := reportOf[org.AccountTrace](os, outcomes)
	doc := &OrgTraceDocument{OrgReport: rep, Key: key, EnteredFrom: org.EnteredFrom(outcomes), Affected: []string{}}
	for _, a := range rep.Accounts {
		if (a.Report != nil && a.Report.Affected()) || len(doc.EnteredFrom[a.ID]) > 0 {
			doc.Affected = append(doc.Affected, a.ID)
		}
	}
	return doc
}

func printOrgTrace(g *Globals, doc *OrgTraceDocument) {
	g.printf("Organization %s, key %s\n\n", doc.Organization, doc.Key)
	w := tabwriter.NewWriter(g.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ACCOUNT\tNAME\tSTATUS\tATTACKER EVENTS\tENTERED FROM\tCAUSE")
	for _, a := range doc.Accounts {
		events := "-"
		if a.Report != nil {
			events = fmt.Sprint(a.Report.Events())
		}
		var from []string
		for _, e := range doc.EnteredFrom[a.ID] {
			from = append(from, e.Credential)
		}
		sort.Strings(from)
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Name, a.Status, events, dash(strings.Join(from, " ")), dash(a.Cause))
	}
	_ = w.Flush()
	g.printf("\nThe attacker acted in %d accounts: %s\n", len(doc.Affected), dash(strings.Join(doc.Affected, ", ")))
	for _, a := range doc.Accounts {
		if a.Report == nil || !a.Report.Affected() {
			continue
		}
		for _, f := range a.Report.Footprints {
			if len(f.Timeline) == 0 {
				continue
			}
			g.printf("\n== account %s\n", a.Label())
			printTrace(g, TraceDocument{Account: a.ID, Footprint: f, SessionRole: f.SessionRole()})
		}
	}
}
