package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"lockdown/aws"
	"lockdown/org"
	"lockdown/review"
)

// runOrg applies an organization plan: every changed account confirmed on the command line, the
// whole document checked against the reviewed digest, then each account's plan applied through
// its own session, pinned to that account, the key's own account first (contain it before the
// members). It exits 3 when an account drifted, failed or was left undone.
func (c *ApplyCmd) runOrg(g *Globals) error {
	doc, err := c.checkOrgConsent(g)
	if err != nil {
		return err
	}
	// One apply of a plan at a time, as for one account's plan; nothing is sent, nor any file
	// made, before it.
	lock, err := g.lockWork("apply-"+strings.TrimPrefix(doc.Digest(), "sha256:"), "applying the plan "+doc.Digest())
	if err != nil {
		return err
	}
	defer lock.Release()
	if err := checkNewFile("--secrets-file", c.SecretsFile, "secrets file"); err != nil {
		return usageError("%v; nothing was changed", err)
	}
	stop, err := c.startDeadline(g)
	if err != nil {
		return err
	}
	defer stop()
	secrets, err := review.CreateSecretsFile(c.SecretsFile)
	if err != nil {
		return usageError("%v; nothing was changed", err)
	}
	defer secrets.Close()
	g.keepSecret = secrets.Keep
	since, err := doc.SinceTime()
	if err != nil {
		return exitCode(exitUsage, err)
	}
	g.skipRegions = c.SkipRegions
	acct, err := g.OpenAccount(g.Context())
	if err != nil {
		return err
	}
	me, err := acct.WhoAmI(g.Context())
	if err != nil {
		return err
	}
	incident := time.Now().UTC().Format("20060102-150405") + "-org-live"
	sweep := &org.Sweep{Management: acct, Role: doc.Role, ExternalID: doc.ExternalID, SessionName: sessionName(incident),
		Gate: aws.NewCallGate(256, 8), Credentials: g.memberCredentials}
	g.organization = organizationNames(g, acct, doc)
	g.eprintf("Applying %s to organization %s as %s; sessions named %s\n", c.Plan, doc.Organization, me.ARN, sweep.SessionName)
	undone := 0
	for _, a := range applyOrder(doc) {
		if !c.applyAccount(g, sweep, doc, a, me, incident, since, secrets) {
			undone++
		}
	}
	if cut := g.Context().Err(); cut != nil && undone > 0 {
		return exitCode(exitPartial, fmt.Errorf("%v: %d accounts were cut short or not reached; what was unsettled is reported unknown above and in their journals — apply again to finish", context.Cause(g.Context()), undone))
	}
	if undone > 0 {
		return exitCode(exitPartial, fmt.Errorf("%d accounts drifted, failed or were left undone: see above and their journals", undone))
	}
	return nil
}

// applyOrder puts the leaked key's account first: the key is contained before its reach is
// cleaned up, so the attacker cannot come back into a member while it is being cleaned.
func applyOrder(doc *review.OrgPlanDocument) []review.OrgAccount {
	out := slices.Clone(doc.Accounts)
	slices.SortStableFunc(out, func(a, b review.OrgAccount) int {
		switch {
		case a.Account == doc.KeyAccount && b.Account != doc.KeyAccount:
			return -1
		case b.Account == doc.KeyAccount && a.Account != doc.KeyAccount:
			return 1
		}
		return 0
	})
	return out
}

// applyAccount applies one account's plan; it reports whether the account was left done.
func (c *ApplyCmd) applyAccount(g *Globals, sweep *org.Sweep, doc *review.OrgPlanDocument, a review.OrgAccount, me aws.Identity, incident string, since time.Time, secrets *review.SecretsFile) bool {
	label := a.Account
	if a.Name != "" {
		label += " (" + a.Name + ")"
	}
	switch {
	case a.Status == review.OrgFailed:
		g.eprintf("\n== %s: NOT APPLIED — it failed in review (%s): its state is unknown\n", label, a.Cause)
		return false
	case a.Plan == nil:
		return true // clean or skipped: nothing was planned there
	case a.Plan.Changes() == 0:
		g.eprintf("\n== %s: nothing to change\n", label)
		return true
	}
	g.eprintf("\n== applying account %s\n", label)
	m := org.Member{ID: a.Account, Name: a.Name, Management: a.Account == me.Account}
	in, err := sweep.Enter(g.Context(), m)
	if err != nil {
		g.eprintf("%s: NOT APPLIED — could not enter it: %v\n", label, err)
		return false
	}
	if in.Identity.Account != a.Account {
		g.eprintf("%s: NOT APPLIED — the session is in account %s\n", label, in.Identity.Account)
		return false
	}
	g.eprintf("as %s\n", in.Identity.ARN)
	s, err := g.newAccountSession(in.Account, since, incident+"-"+a.Account, a.Plan.Created)
	if err != nil {
		g.eprintf("%s: NOT APPLIED — %v\n", label, err)
		return false
	}
	if err := a.Plan.CheckSteps(s.run.Runbook()); err != nil {
		_ = s.close(g)
		g.eprintf("%s: NOT APPLIED — %v\n", label, err)
		return false
	}
	totals := review.Apply(g.Context(), s.run, a.Plan, review.ApplyOptions{Out: linePrefixed(g.stderr, a.Account), Secrets: secrets,
		JournalDir: filepath.Dir(s.journal.Path())})
	closeErr := s.close(g)
	return totals.Undone == 0 && closeErr == nil
}

// checkOrgConsent refuses (bad usage, nothing sent) unless the command line is live, confirms
// exactly the accounts the plan changes, and, when a digest is given, names this very plan.
func (c *ApplyCmd) checkOrgConsent(g *Globals) (*review.OrgPlanDocument, error) {
	if !g.Live {
		return nil, usageError("apply changes the accounts: add --live to go ahead (lockdown plan is the dry-run); nothing was changed")
	}
	doc, err := review.ReadOrgPlanFile(c.Plan)
	if err != nil {
		return nil, exitCode(exitUsage, err)
	}
	if err := c.checkDigest(g, doc.Digest()); err != nil {
		return nil, err
	}
	if g.Account != "" {
		return nil, usageError("--account names one account; an organization plan's accounts are confirmed with --confirm ID,ID,…; nothing was changed")
	}
	changed := doc.Changed()
	confirmed := splitList(c.Confirm)
	var missing, extra []string
	for _, id := range changed {
		if !slices.Contains(confirmed, id) {
			missing = append(missing, id)
		}
	}
	for _, id := range confirmed {
		if !slices.Contains(changed, id) {
			extra = append(extra, id)
		}
	}
	switch {
	case len(missing) > 0:
		return nil, usageError("--confirm must name every account the plan changes (%d: %s); missing %s; nothing was changed",
			len(changed), strings.Join(changed, ","), strings.Join(missing, ","))
	case len(extra) > 0:
		return nil, usageError("--confirm names %s, which the plan does not change; nothing was changed", strings.Join(extra, ","))
	}
	if c.SecretsFile == "" && slices.ContainsFunc(doc.Accounts, func(a review.OrgAccount) bool { return a.Plan != nil && a.Plan.CreatesKeys() }) {
		return nil, usageError("the plan creates access keys: name a new file for their secrets with --secrets-file; nothing was changed")
	}
	return doc, nil
}

// checkDigest refuses a plan file whose digest is not the reviewed one, when it is given, and
// says when it is not.
func (c *ApplyCmd) checkDigest(g *Globals, digest string) error {
	switch {
	case c.PlanDigest == "":
		g.eprintf("Plan digest: %s — NOT checked: pass --plan-digest with the digest the reviewer approved to refuse any other plan\n", digest)
	case !review.SameDigest(c.PlanDigest, digest):
		return usageError("%s has digest %s, not the reviewed %s: the plan changed since review; nothing was changed", c.Plan, digest, c.PlanDigest)
	default:
		g.eprintf("Plan digest: %s — matches the reviewed plan\n", digest)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// organizationNames are every account of the organization, read again (the plan may cover a
// narrowed sweep), else the plan's own.
func organizationNames(g *Globals, acct *aws.Account, doc *review.OrgPlanDocument) map[string]string {
	if o, err := org.List(g.Context(), acct.Organizations(), org.Selection{}); err == nil {
		return o.Names()
	}
	out := map[string]string{doc.ManagementAccount: ""}
	for _, a := range doc.Accounts {
		out[a.Account] = a.Name
	}
	return out
}
