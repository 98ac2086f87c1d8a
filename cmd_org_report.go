package main

import (
	"context"
	"time"

	"lockdown/org"
)

// OrgReport is the JSON document of a read-only command swept over the organization: every
// account with its status (ok, failed with the cause, skipped) and, when it was read, its report.
type OrgReport[T any] struct {
	Organization      string             `json:"organization"`
	ManagementAccount string             `json:"management_account"`
	Since             *time.Time         `json:"since"`
	Accounts          []AccountReport[T] `json:"accounts"`
	Summary           OrgSummary         `json:"summary"`
	Calls             OrgCallsInFlight   `json:"calls_in_flight"`
}

// AccountReport is one account's line of an OrgReport.
type AccountReport[T any] struct {
	org.Outcome
	Report *T `json:"report,omitempty"`
}

// OrgSummary counts the accounts by how the sweep left them.
type OrgSummary struct {
	Accounts int `json:"accounts"`
	Ok       int `json:"ok"`
	Failed   int `json:"failed"`
	Skipped  int `json:"skipped"`
}

// sweepReports runs work in every account of the sweep, streaming a line per account on stderr,
// and gathers the reports. line says what an account's report holds, for its progress line.
func sweepReports[T any](g *Globals, os *orgSweep, since time.Time, work func(context.Context, org.Entered) (*T, error), line func(*T) string) *OrgReport[T] {
	doc := &OrgReport[T]{Organization: os.org.ID, ManagementAccount: os.org.ManagementAccount, Accounts: []AccountReport[T]{}}
	if !since.IsZero() {
		doc.Since = &since
	}
	run := func(ctx context.Context, in org.Entered) (any, error) { return work(ctx, in) }
	outcomes := os.sweep.Run(g.Context(), os.org.Members, run, func(o org.Outcome, done bool) {
		if !done {
			return
		}
		rep, _ := o.Value.(*T)
		summary := ""
		if rep != nil {
			summary = line(rep)
		}
		g.eprintf("%s\n", accountLine(o, done, summary))
	})
	full := reportOf[T](os, outcomes)
	full.Since = doc.Since
	return full
}

// reportOf gathers the outcomes of a sweep into a report.
func reportOf[T any](os *orgSweep, outcomes []org.Outcome) *OrgReport[T] {
	doc := &OrgReport[T]{Organization: os.org.ID, ManagementAccount: os.org.ManagementAccount, Accounts: []AccountReport[T]{}}
	for _, o := range outcomes {
		ar := AccountReport[T]{Outcome: o}
		ar.Report, _ = o.Value.(*T)
		doc.Accounts = append(doc.Accounts, ar)
		doc.Summary.Accounts++
		switch o.Status {
		case org.Ok:
			doc.Summary.Ok++
		case org.Failed:
			doc.Summary.Failed++
		case org.Skipped:
			doc.Summary.Skipped++
		}
	}
	gate := os.sweep.Gate
	doc.Calls = OrgCallsInFlight{Most: gate.MostInFlight(), Global: gate.Global(), PerAccount: gate.PerAccount()}
	return doc
}
