package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"lockdown/aws"
	"lockdown/org"
	"lockdown/steps"
)

// OrgScanDocument is `scan --org --json`: every account of the sweep, each with its status and,
// when it was entered, its scan.
type OrgScanDocument struct {
	Organization      string            `json:"organization"`
	ManagementAccount string            `json:"management_account"`
	ScannedAt         time.Time         `json:"scanned_at"`
	Since             *time.Time        `json:"since"`
	Accounts          []AccountScan     `json:"accounts"`
	Summary           OrgScanSummary    `json:"summary"`
	Calls             OrgCallsInFlight  `json:"calls_in_flight"`
	byID              map[string]string // account → name, for the table
}

// AccountScan is one account of the organization's scan.
type AccountScan struct {
	org.Outcome
	Rogue      int                 `json:"rogue"`
	Suspicious int                 `json:"suspicious"`
	Scan       *steps.ScanDocument `json:"scan,omitempty"`
}

// OrgScanSummary counts the accounts by how the sweep left them, and names the affected ones:
// those with a rogue instance.
type OrgScanSummary struct {
	Accounts int      `json:"accounts"`
	Ok       int      `json:"ok"`
	Failed   int      `json:"failed"`
	Skipped  int      `json:"skipped"`
	Rogue    int      `json:"rogue"`
	Affected []string `json:"affected"`
}

// OrgCallsInFlight is the bound the sweep kept and the most it reached.
type OrgCallsInFlight struct {
	Most       int `json:"most"`
	Global     int `json:"global_cap"`
	PerAccount int `json:"per_account_cap"`
}

// runOrg is scan --org: the scan of every account of the organization, streamed account by
// account. It exits 3 when an account could not be entered or a region of one could not be read.
func (c *ScanCmd) runOrg(g *Globals) error {
	acct, since, err := g.readOnlyAccountFor(c.Key)
	if err != nil {
		return err
	}
	os, err := g.openOrg(acct, c.OrgFlags, readOnlyIncident("scan"))
	if err != nil {
		return err
	}
	ctx := g.Context()
	params := steps.Params{"concurrency": c.AccountCalls}
	if len(c.Regions) > 0 {
		params["regions"] = c.Regions
	}
	work := func(ctx context.Context, in org.Entered) (any, error) {
		return scanAccount(ctx, in, c.Key, since, params)
	}
	started := time.Now().UTC()
	outcomes := os.sweep.Run(ctx, os.org.Members, work, func(o org.Outcome, done bool) {
		if done {
			g.eprintf("%s\n", accountLine(o, done, scanLine(o)))
		}
	})
	doc := newOrgScanDocument(os, since, started, outcomes)
	if c.JSON {
		if err := g.writeJSON(doc); err != nil {
			return err
		}
	} else if err := doc.WriteTable(g.stdout); err != nil {
		return err
	}
	if n := doc.Summary.Failed; n > 0 {
		return exitCode(exitPartial, fmt.Errorf("%d of %d accounts could not be scanned whole: their instances are unknown", n, doc.Summary.Accounts))
	}
	return nil
}

// scanAccount scans one account of the organization, traced through CloudTrail when the key is
// given. Regions that could not be read fail the account, with the scan kept.
func scanAccount(ctx context.Context, in org.Entered, key string, since time.Time, params steps.Params) (*AccountScan, error) {
	traced := startTrace(ctx, in.Account, key, since)
	found, err := steps.ScanForRogueInstances(ctx, in.Account.ReadOnly(), since, params, nil)
	trace := <-traced
	if found == nil {
		return nil, err
	}
	found.WithEvidence(trace)
	doc := steps.NewScanDocument(in.Identity.Account, since, found)
	doc.NoteEvidence(trace)
	doc.Retries = in.Account.Calls().Total().Retries()
	as := &AccountScan{Scan: doc}
	for _, i := range doc.Instances {
		switch i.Verdict {
		case steps.VerdictRogue:
			as.Rogue++
		case steps.VerdictSuspicious:
			as.Suspicious++
		}
	}
	if failed := failedRegions(doc); len(failed) > 0 {
		return as, fmt.Errorf("%d regions could not be scanned: %s", len(failed), strings.Join(failed, "; "))
	}
	if err != nil {
		return as, fmt.Errorf("the scan stopped early: %w", err)
	}
	return as, nil
}

func failedRegions(doc *steps.ScanDocument) []string {
	var out []string
	if doc.RegionsError != "" {
		out = append(out, "regions unlisted: "+doc.RegionsError)
	}
	for _, r := range doc.Regions {
		if r.Status == string(aws.RegionFailed) {
			out = append(out, r.Region+" ("+r.Error+")")
		}
	}
	return out
}

// scanLine is an account's progress line once scanned.
func scanLine(o org.Outcome) string {
	as, ok := o.Value.(*AccountScan)
	if !ok || as == nil || as.Scan == nil {
		return ""
	}
	n := 0
	for _, r := range as.Scan.Regions {
		if r.Status == string(aws.RegionOK) {
			n++
		}
	}
	return fmt.Sprintf("%d regions, %d instances: %d rogue, %d suspicious", n, len(as.Scan.Instances), as.Rogue, as.Suspicious)
}

func newOrgScanDocument(os *orgSweep, since, started time.Time, outcomes []org.Outcome) *OrgScanDocument {
	doc := &OrgScanDocument{Organization: os.org.ID, ManagementAccount: os.org.ManagementAccount, ScannedAt: started,
		Accounts: []AccountScan{}, byID: map[string]string{}}
	if !since.IsZero() {
		doc.Since = &since
	}
	for _, o := range outcomes {
		as := AccountScan{Outcome: o}
		if v, ok := o.Value.(*AccountScan); ok && v != nil {
			as.Rogue, as.Suspicious, as.Scan = v.Rogue, v.Suspicious, v.Scan
		}
		doc.add(as)
	}
	gate := os.sweep.Gate
	doc.Calls = OrgCallsInFlight{Most: gate.MostInFlight(), Global: gate.Global(), PerAccount: gate.PerAccount()}
	return doc
}

func (d *OrgScanDocument) add(as AccountScan) {
	d.Accounts = append(d.Accounts, as)
	d.byID[as.ID] = as.Name
	s := &d.Summary
	s.Accounts++
	switch as.Status {
	case org.Ok:
		s.Ok++
	case org.Failed:
		s.Failed++
	case org.Skipped:
		s.Skipped++
	}
	s.Rogue += as.Rogue
	if as.Rogue > 0 {
		s.Affected = append(s.Affected, as.ID)
	}
	if s.Affected == nil {
		s.Affected = []string{}
	}
}

// WriteTable prints the organization's scan for a person: every account with its status, then
// the rogue and suspicious instances account by account.
func (d *OrgScanDocument) WriteTable(w io.Writer) error {
	since := "not set (nothing can be judged rogue; use --since)"
	if d.Since != nil {
		since = d.Since.Format(time.RFC3339)
	}
	fmt.Fprintf(w, "Organization %s (management account %s), scanned %s, incident start %s\n\n", d.Organization, d.ManagementAccount,
		d.ScannedAt.Format(time.RFC3339), since)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tNAME\tSTATUS\tINSTANCES\tROGUE\tSUSPICIOUS\tCAUSE")
	for _, a := range d.Accounts {
		n := "-"
		if a.Scan != nil {
			n = fmt.Sprint(len(a.Scan.Instances))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\n", a.ID, a.Name, a.Status, n, a.Rogue, a.Suspicious, dash(a.Cause))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%d accounts: %d ok, %d failed, %d skipped; %d rogue instances in %d accounts",
		d.Summary.Accounts, d.Summary.Ok, d.Summary.Failed, d.Summary.Skipped, d.Summary.Rogue, len(d.Summary.Affected))
	if len(d.Summary.Affected) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(d.Summary.Affected, ", "))
	}
	fmt.Fprintf(w, "\nCalls in flight at most: %d (caps: %d in all, %d in one account)\n", d.Calls.Most, d.Calls.Global, d.Calls.PerAccount)
	for _, a := range d.Accounts {
		if a.Scan == nil || a.Rogue+a.Suspicious == 0 {
			continue
		}
		fmt.Fprintf(w, "\n== account %s (%s)\n", a.ID, a.Name)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "VERDICT\tREGION\tINSTANCE\tTYPE\tSTATE\tWHY")
		for _, i := range a.Scan.Instances {
			if i.Verdict != steps.VerdictRogue && i.Verdict != steps.VerdictSuspicious {
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", i.Verdict, i.Region, i.ID, i.Type, i.State, strings.Join(i.Reasons, "; "))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
