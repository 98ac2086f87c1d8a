package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"lockdown/aws"
	"lockdown/org"
	"lockdown/review"
)

// orgFindings is what a sweep of the organization learnt before planning or verifying: each
// account's outcome and trace, which accounts the attacker entered, and the key's account.
type orgFindings struct {
	*orgSweep
	key        string
	keyAccount string
	outcomes   []org.Outcome
	entered    map[string][]org.Entry
}

// followAttacker traces the leaked key through the organization, streaming a line per account.
func (g *Globals) followAttacker(acct *aws.Account, f OrgFlags, key, incident string, since time.Time) (*orgFindings, error) {
	os, err := g.openOrg(acct, f, incident)
	if err != nil {
		return nil, err
	}
	ctx := g.Context()
	found := &orgFindings{orgSweep: os, key: key}
	if found.keyAccount, err = acct.KeyAccount(ctx, key); err != nil {
		g.eprintf("Which account owns %s could not be read (%v): the trace decides where the attacker was\n", key, err)
	}
	found.outcomes = os.sweep.Follow(ctx, os.org.Members, key, since, func(o org.Outcome, done bool) {
		if done {
			g.eprintf("%s\n", accountLine(o, done, traceLine(o)))
		}
	})
	found.entered = org.EnteredFrom(found.outcomes)
	g.organization = os.org.Names()
	return found, nil
}

// status is how the sweep left an account: affected when the attacker acted there (its own
// CloudTrail, another account's record of entering it, or the leaked key is its own).
func (f *orgFindings) status(o org.Outcome) review.OrgAccountStatus {
	switch {
	case o.Status == org.Skipped:
		return review.OrgSkipped
	case o.Status == org.Failed:
		return review.OrgFailed
	}
	t, _ := o.Value.(*org.AccountTrace)
	if (t != nil && t.Affected()) || len(f.entered[o.ID]) > 0 || o.ID == f.keyAccount {
		return review.OrgAffected
	}
	return review.OrgClean
}

// entryKey is the key an affected account's runbook traces: the leaked key when the account's
// CloudTrail shows it, else the credential the attacker entered it with from another account.
func (f *orgFindings) entryKey(o org.Outcome) string {
	t, _ := o.Value.(*org.AccountTrace)
	if t != nil {
		for i, fp := range t.Footprints {
			if len(fp.Timeline) > 0 {
				return t.Keys[i]
			}
		}
	}
	if e := f.entered[o.ID]; len(e) > 0 {
		return e[0].Credential
	}
	return f.key
}

// enteredWith lists the credentials the account was traced from, beyond the leaked key.
func (f *orgFindings) enteredWith(o org.Outcome) []string {
	var out []string
	for _, e := range f.entered[o.ID] {
		if !slices.Contains(out, e.Credential) {
			out = append(out, e.Credential)
		}
	}
	return out
}

// runOrg is plan --org: the attacker traced through the organization, then the whole runbook
// planned in dry-run in each account they entered, each plan naming its account, all in one
// document under one digest.
func (c *PlanCmd) runOrg(g *Globals) error {
	if c.Key == "" {
		return usageError("plan --org needs --key: the leaked key's trace finds the accounts the attacker entered")
	}
	if len(c.Choose)+len(c.Keep) > 0 {
		return usageError("--choose and --keep name rows of one account: plan that account alone (--accounts ID) without --org, or keep items at apply and verify time")
	}
	if c.Output != "" {
		if _, err := os.Lstat(c.Output); err == nil {
			return usageError("%s already exists: lockdown does not overwrite a plan; choose another name", c.Output)
		}
	}
	g.skipRegions = c.SkipRegions
	acct, since, err := g.readOnlyAccount()
	if err != nil {
		return err
	}
	incident := time.Now().UTC().Format("20060102-150405") + "-org-plan"
	key := strings.ToUpper(strings.TrimSpace(c.Key))
	found, err := g.followAttacker(acct, c.OrgFlags, key, incident, since)
	if err != nil {
		return err
	}
	doc := &review.OrgPlanDocument{Version: review.PlanVersion, Organization: found.org.ID, ManagementAccount: found.org.ManagementAccount,
		Principal: found.me.ARN, Created: time.Now().UTC().Truncate(time.Second), Key: key, KeyAccount: found.keyAccount,
		Role: c.OrgRole, ExternalID: c.OrgExternalID}
	if !since.IsZero() {
		doc.Since = since.Format(time.RFC3339)
	}
	doc.Accounts = c.planAccounts(g, found, incident, since)
	if err := c.writeOrg(g, doc); err != nil {
		return err
	}
	problems := printOrgPlan(g.stderr, doc)
	if problems > 0 {
		return exitCode(exitPartial, fmt.Errorf("%d accounts could not be planned whole, or their plans have failed steps or checks: fix them, or review the plan knowing they will fail", problems))
	}
	return nil
}

// planAccounts plans the affected accounts side by side, a few at a time, each writing its
// progress apart and printed whole when it is done.
func (c *PlanCmd) planAccounts(g *Globals, found *orgFindings, incident string, since time.Time) []review.OrgAccount {
	out := make([]review.OrgAccount, len(found.outcomes))
	var mu sync.Mutex
	slots := make(chan struct{}, orgPlanWorkers)
	var wg sync.WaitGroup
	for i, o := range found.outcomes {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			var buf bytes.Buffer
			own := *g
			own.stderr = &buf
			out[i] = c.planAccount(&own, found, o, incident, since)
			mu.Lock()
			defer mu.Unlock()
			_, _ = g.stderr.Write(buf.Bytes())
		})
	}
	wg.Wait()
	return out
}

// orgPlanWorkers is how many accounts are planned at once: each plan is a whole runbook's
// dry-run, its calls bounded by the sweep's gate besides.
const orgPlanWorkers = 4

// planAccount plans one account of the organization: an affected account gets the whole runbook
// in dry-run, through its own pinned session; the others are recorded as the sweep left them.
func (c *PlanCmd) planAccount(g *Globals, found *orgFindings, o org.Outcome, incident string, since time.Time) review.OrgAccount {
	a := review.OrgAccount{Account: o.ID, Name: o.Name, Status: found.status(o), Cause: o.Cause, EnteredWith: found.enteredWith(o)}
	if a.Status != review.OrgAffected {
		return a
	}
	ctx := g.Context()
	g.eprintf("\n== planning account %s\n", o.Label())
	in, err := found.sweep.Enter(ctx, o.Member)
	if err != nil {
		a.Status, a.Cause = review.OrgFailed, "could not enter it again to plan: "+err.Error()
		return a
	}
	s, err := g.newAccountSession(in.Account, since, incident+"-"+o.ID, g.reviewed)
	if err != nil {
		a.Status, a.Cause = review.OrgFailed, err.Error()
		return a
	}
	pdoc := &review.PlanDocument{Version: review.PlanVersion, Account: in.Identity.Account, Alias: in.Identity.Alias,
		Principal: in.Identity.ARN, Created: time.Now().UTC().Truncate(time.Second), Runbook: s.run.Runbook().ID, SkipRegions: c.SkipRegions}
	if !since.IsZero() {
		pdoc.Since = since.Format(time.RFC3339)
	}
	opts := review.PlanOptions{Out: linePrefixed(g.stderr, o.ID), Inputs: map[string]string{"access_key_id": found.entryKey(o)}}
	review.MakePlan(ctx, s.run, pdoc, opts)
	_ = s.close(g) // failures are in the plan itself
	a.Plan = pdoc
	return a
}

func (c *PlanCmd) writeOrg(g *Globals, doc *review.OrgPlanDocument) error {
	if c.Output == "" {
		return review.WriteOrgPlan(g.stdout, doc)
	}
	if err := review.CreateOrgPlanFile(c.Output, doc); err != nil {
		return err
	}
	g.eprintf("Plan written to %s\n", c.Output)
	return nil
}

// printOrgPlan prints every account's line, each affected account's plan, and the digest apply
// checks; it returns how many accounts are failed or have failed steps or checks.
func printOrgPlan(w io.Writer, doc *review.OrgPlanDocument) int {
	problems := 0
	for _, a := range doc.Accounts {
		if a.Plan == nil {
			continue
		}
		fmt.Fprintf(w, "\n======== account %s (%s) ========", a.Account, a.Name)
		printSection(w, a.Plan)
		if review.Problems(a.Plan) > 0 {
			problems++
		}
	}
	fmt.Fprintf(w, "\nOrganization %s, key %s", doc.Organization, doc.Key)
	if doc.KeyAccount != "" {
		fmt.Fprintf(w, " (of account %s)", doc.KeyAccount)
	}
	fmt.Fprintln(w)
	for _, a := range doc.Accounts {
		line := fmt.Sprintf("  %s %-28s %s", a.Account, a.Name, strings.ToUpper(string(a.Status)))
		switch {
		case a.Plan != nil:
			line += fmt.Sprintf(": %d changes", a.Plan.Changes())
		case a.Cause != "":
			line += ": " + a.Cause
		}
		if a.Status == review.OrgFailed {
			problems++
		}
		if a.Status != review.OrgClean {
			fmt.Fprintln(w, line)
		}
	}
	clean := 0
	for _, a := range doc.Accounts {
		if a.Status == review.OrgClean {
			clean++
		}
	}
	fmt.Fprintf(w, "  %d more accounts clean: the trace found no attacker event in them\n", clean)
	if changed := doc.Changed(); len(changed) > 0 {
		fmt.Fprintf(w, "Apply needs every changed account confirmed: --confirm %s\n", strings.Join(changed, ","))
	}
	fmt.Fprintf(w, "Organization plan digest: %s (what apply --plan-digest checks; it covers every account's plan)\n", doc.Digest())
	return problems
}

// printSection is one account's plan summary, without its own digest and apply line: the
// organization plan is applied, and checked, whole.
func printSection(w io.Writer, doc *review.PlanDocument) {
	var b strings.Builder
	review.PrintSummary(&b, doc)
	for _, line := range strings.SplitAfter(b.String(), "\n") {
		if !strings.HasPrefix(line, "Plan digest: ") && !strings.HasPrefix(line, "Apply with: ") {
			fmt.Fprint(w, line)
		}
	}
}

// linePrefixed writes each line with the account in front, so accounts' progress can be told apart.
func linePrefixed(w io.Writer, account string) io.Writer {
	return &prefixWriter{w: w, prefix: "[" + account + "] ", start: true}
}

type prefixWriter struct {
	w      io.Writer
	prefix string
	start  bool
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	var out []byte
	for _, c := range b {
		if p.start {
			out = append(out, p.prefix...)
		}
		out = append(out, c)
		p.start = c == '\n'
	}
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}
