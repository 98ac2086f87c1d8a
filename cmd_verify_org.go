package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"lockdown/org"
	"lockdown/runbooks"
	"lockdown/steps"
)

// OrgVerification is `verify --org --json`: the organization is contained only when every
// account the attacker entered passes its verification and no account is unknown.
type OrgVerification struct {
	Organization string                `json:"organization"`
	Key          string                `json:"key"`
	Contained    bool                  `json:"contained"`
	Accounts     []AccountVerification `json:"accounts"`
}

// AccountVerification is one account's part of the organization's verification.
type AccountVerification struct {
	Account string `json:"account"`
	Name    string `json:"name,omitempty"`
	// State is affected (the attacker acted there), clean, unknown (it could not be swept) or
	// skipped (by the operator, with a reason, or suspended in the organization).
	State        string              `json:"state"`
	Contained    bool                `json:"contained"`
	Cause        string              `json:"cause,omitempty"`
	SkipReason   string              `json:"skipped_reason,omitempty"`
	Verification *steps.Verification `json:"verification,omitempty"`
	summary      string
	// unswept is the leaked key's account left out of the sweep: swept, not skipped, decides it.
	unswept bool
}

// skipItem is how an account skipped from the organization's verification is journaled: a keep
// decision on the account itself.
func skipItem(account string) string { return "account/" + account }

// runOrg is verify --org: the attacker traced through the organization, then the verification run
// in every account they entered. It never changes anything. It exits 0 only when the organization
// is contained.
func (c *VerifyCmd) runOrg(g *Globals) error {
	if len(c.SkipAccounts) > 0 && strings.TrimSpace(c.Reason) == "" {
		return usageError("--skip-accounts needs --reason: whoever reads the record must see why an account was not checked")
	}
	key := strings.ToUpper(strings.TrimSpace(c.Key))
	acct, since, err := g.readOnlyAccount()
	if err != nil {
		return err
	}
	if key == "" {
		// The incident's journals name the key, as they do for one account's verification.
		if key = g.leakedKeyOfIncident(acct); key == "" {
			return exitCode(exitPartial, errors.New("the organization is not verified: the leaked key's trace finds the accounts the attacker entered; give --key"))
		}
	}
	found, err := g.followAttacker(acct, c.OrgFlags, key, readOnlyIncident("verify"), since)
	if err != nil {
		return err
	}
	skipped, err := g.skipAccounts(found, c.SkipAccounts, c.Reason)
	if err != nil {
		return err
	}
	doc := &OrgVerification{Organization: found.org.ID, Key: key, Contained: true}
	var affected []org.Member
	for _, o := range found.outcomes {
		av := AccountVerification{Account: o.ID, Name: o.Name, Cause: o.Cause, Contained: true}
		switch status := found.status(o); {
		case skipped[o.ID] != "":
			av.State, av.SkipReason = "skipped", skipped[o.ID]
		case status == "failed":
			av.State, av.Contained = "unknown", false
		case status == "skipped":
			av.State = "skipped"
		case status == "affected":
			av.State = "affected"
			affected = append(affected, o.Member)
		default:
			av.State = "clean"
		}
		doc.Accounts = append(doc.Accounts, av)
	}
	if unswept, ok := found.keyAccountUnswept(); ok {
		doc.Accounts = append(doc.Accounts, unswept)
	}
	g.verifyAffected(found, doc, affected, key, since)
	for _, a := range doc.Accounts {
		doc.Contained = doc.Contained && a.Contained
	}
	if c.JSON {
		if err := g.writeJSON(doc); err != nil {
			return err
		}
	} else {
		printOrgVerification(g, doc)
	}
	if !doc.Contained {
		return exitCode(exitPartial, fmt.Errorf("the organization is not contained: %s", remainingAccounts(doc)))
	}
	return nil
}

// verifyAffected runs the verification in each affected account, through its own session.
func (g *Globals) verifyAffected(found *orgFindings, doc *OrgVerification, affected []org.Member, key string, since time.Time) {
	byID := map[string]org.Outcome{}
	for _, o := range found.outcomes {
		byID[o.ID] = o
	}
	work := func(ctx context.Context, in org.Entered) (any, error) {
		o := byID[in.ID]
		env := &steps.Env{Account: in.Account.ReadOnly(), Since: since, Params: steps.Params{"skip_regions": g.skipRegions},
			// Every account checks the key: in another account of the organization it says whose
			// it is and leaves it to that account's verification.
			Inputs: map[string]string{"access_key_id": key}, OwnKeys: g.ownKeys, SecretsKept: g.keptSecrets, Organization: g.organization,
			Kept: func() map[string]string { return g.keptItems(in.ID) }}
		env.Trace = traceOf(o, found.entryKey(o))
		insp, err := steps.VerifyContained{}.Inspect(ctx, env, nil)
		if err != nil {
			return nil, err
		}
		return insp, nil
	}
	results := found.sweep.Run(g.Context(), affected, work, nil)
	for _, r := range results {
		i := slices.IndexFunc(doc.Accounts, func(a AccountVerification) bool { return a.Account == r.ID })
		a := &doc.Accounts[i]
		insp, _ := r.Value.(*steps.Inspection)
		if r.Status != org.Ok || insp == nil {
			a.State, a.Contained, a.Cause = "unknown", false, r.Cause
			continue
		}
		a.Verification, _ = insp.Data.(*steps.Verification)
		a.Contained, a.summary = a.Verification != nil && a.Verification.Contained, insp.Summary
	}
}

// keyAccountUnswept is the leaked key's own account when the sweep left it out (--accounts, --ou):
// the other accounts leave the key to its account's verification, so it is unknown, not passed.
func (f *orgFindings) keyAccountUnswept() (AccountVerification, bool) {
	if f.keyAccount == "" || slices.ContainsFunc(f.outcomes, func(o org.Outcome) bool { return o.ID == f.keyAccount }) {
		return AccountVerification{}, false
	}
	return AccountVerification{Account: f.keyAccount, Name: f.org.Names()[f.keyAccount], State: "unknown",
		Cause: "the leaked key's own account was left out of the sweep (--accounts, --ou): whether the key is off is not known", unswept: true}, true
}

// traceOf is the evidence an affected account's verification reads: its trace from the key the
// attacker entered it with.
func traceOf(o org.Outcome, key string) *steps.TraceEvidence {
	t, _ := o.Value.(*org.AccountTrace)
	if t == nil {
		return nil
	}
	for i, f := range t.Footprints {
		if t.Keys[i] == key {
			return &steps.TraceEvidence{Footprint: f}
		}
	}
	return nil
}

// skipAccounts journals the operator's decision to leave accounts out of the verification, with
// the reason, and returns every such decision journaled so far (this one included).
func (g *Globals) skipAccounts(found *orgFindings, ids []string, reason string) (map[string]string, error) {
	names := found.org.Names()
	for _, id := range ids {
		if _, ok := names[id]; !ok {
			return nil, usageError("--skip-accounts: %s is not an account of the organization", id)
		}
	}
	dir, err := g.journalDir()
	if err != nil {
		return nil, err
	}
	if len(ids) > 0 {
		path, err := journalSkippedAccounts(dir, ids, reason, found.me.ARN)
		if err != nil {
			return nil, err
		}
		g.eprintf("Journaled: %s skipped (%s) in %s\n", strings.Join(ids, ", "), reason, path)
	}
	out := map[string]string{}
	for id := range names {
		if r, ok := runbooks.KeptItems(dir, id, "")[skipItem(id)]; ok {
			out[id] = r
		}
	}
	return out, nil
}

// journalSkippedAccounts records, in a journal of its own in dir, the decision of the identity by to
// leave accounts out of the organization's verification, with the reason; it returns the journal.
func journalSkippedAccounts(dir string, ids []string, reason, by string) (string, error) {
	incident, err := runbooks.CreateIncident(dir, time.Now().UTC().Format("20060102-150405")+"-org-skip")
	if err != nil {
		return "", err
	}
	j, err := runbooks.OpenJournal(dir, incident)
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		e := runbooks.Entry{Time: time.Now().UTC(), Incident: incident, Account: id, Kind: runbooks.KindKeep, Mode: "dry-run",
			Message: "skipped account " + id + " from the organization's verification: " + reason,
			Data:    map[string]string{"item": skipItem(id), "reason": strings.TrimSpace(reason), "by": by}}
		if err := j.Record(e); err != nil {
			j.Close()
			return "", err
		}
	}
	return j.Path(), j.Close()
}

func printOrgVerification(g *Globals, doc *OrgVerification) {
	w := tabwriter.NewWriter(g.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ACCOUNT\tNAME\tSTATE\tRESULT\tWHY")
	for _, a := range doc.Accounts {
		result, why := "contained", a.summary
		switch {
		case a.State == "clean":
			result, why = "clean", "no attacker event in its CloudTrail"
		case a.State == "skipped" && a.SkipReason != "":
			result, why = "skipped", "by the operator: "+a.SkipReason
		case a.State == "skipped":
			result, why = "skipped", a.Cause
		case a.State == "unknown":
			result, why = "UNKNOWN", a.Cause
		case !a.Contained:
			result = "NOT CONTAINED"
		}
		if a.State == "clean" {
			continue
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", a.Account, a.Name, a.State, result, why)
	}
	_ = w.Flush()
	clean := 0
	for _, a := range doc.Accounts {
		if a.State == "clean" {
			clean++
		}
	}
	g.printf("%d more accounts clean.\n", clean)
	for _, a := range doc.Accounts {
		if a.Verification == nil || a.Contained {
			continue
		}
		g.printf("\n== %s (%s): what remains\n", a.Account, a.Name)
		for _, c := range a.Verification.Checks {
			if c.Result != steps.VerifyPass {
				g.printf("  %-16s %-36s %-8s %s  (%s)\n", c.Check, c.Item, c.Result, c.Evidence, c.HandledBy)
			}
		}
	}
	if doc.Contained {
		g.printf("\nThe organization is contained: every account the attacker entered passes its verification.\n")
	} else {
		g.printf("\nThe organization is NOT contained: %s\n", remainingAccounts(doc))
	}
}

// remainingAccounts names the accounts that keep the organization from being contained.
func remainingAccounts(doc *OrgVerification) string {
	var out []string
	for _, a := range doc.Accounts {
		switch {
		case a.unswept:
			out = append(out, a.Account+" ("+a.Name+") unknown: the leaked key's own account, left out of the sweep; add it to --accounts")
		case a.State == "unknown":
			out = append(out, a.Account+" ("+a.Name+") unknown: could not be swept; skip it with --skip-accounts ID --reason TEXT once checked by other means")
		case !a.Contained && a.Verification != nil:
			out = append(out, fmt.Sprintf("%s (%s) has %d items remaining", a.Account, a.Name, a.Verification.Remaining))
		}
	}
	return strings.Join(out, "; ")
}
