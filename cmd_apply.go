package main

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"lockdown/aws"
	"lockdown/runbooks"
	"lockdown/steps"
)

// ApplyCmd is `lockdown apply`: carry out exactly the plan a reviewer approved, and nothing the
// account has grown since.
type ApplyCmd struct {
	Plan        string `arg:"" name:"PLAN" help:"The reviewed plan file written by 'lockdown plan -o'." type:"existingfile"`
	Confirm     string `help:"The account id the plan was made for, typed out: the operator's consent to change it." placeholder:"ACCOUNT_ID"`
	SecretsFile string `name:"secrets-file" help:"New file (mode 0600) for the secret access keys that key rotation creates; required when the plan rotates keys." placeholder:"FILE"`
}

// Run refuses before anything is sent unless the command line names the plan's account, then
// re-plans each step and applies it only when the fresh changes are the reviewed ones. It exits 3
// when a step drifted, failed or left something undone.
func (c *ApplyCmd) Run(g *Globals) error {
	doc, err := c.checkConsent(g)
	if err != nil {
		return err
	}
	// The secrets file exists before anything changes: a rotation must never create a key, then
	// find it has nowhere to keep the secret.
	secrets, err := openSecretsFile(c.SecretsFile)
	if err != nil {
		return usageError("%v; nothing was changed", err)
	}
	defer secrets.finish()
	since, err := planSince(doc)
	if err != nil {
		return err
	}
	acct, err := c.openPlanAccount(g, doc)
	if err != nil {
		return err
	}
	s, err := g.newSession(acct, steps.Live, since)
	if err != nil {
		return err
	}
	if err := samePlanSteps(s.run.Runbook(), doc); err != nil {
		_ = s.close(g)
		return exitCode(exitUsage, err)
	}
	a := &applier{g: g, run: s.run, doc: doc, secrets: secrets, blocked: map[string]string{}, log: &progressLog{g: g}}
	for _, step := range s.run.Runbook().Steps {
		a.applyStep(g.Context(), step)
	}
	a.printTotals()
	closeErr := s.close(g)
	if a.undone > 0 {
		return exitCode(exitPartial, fmt.Errorf("%d steps drifted, failed or left changes undone: see above and the journal", a.undone))
	}
	return closeErr
}

// checkConsent reads the plan and refuses (bad usage, nothing sent) unless the command line is
// live and names the plan's account.
func (c *ApplyCmd) checkConsent(g *Globals) (*runbooks.PlanDocument, error) {
	if !g.Live {
		return nil, usageError("apply changes the account: add --live to go ahead (lockdown plan is the dry-run); nothing was changed")
	}
	if c.Confirm == "" {
		return nil, usageError("add --confirm ACCOUNT_ID, the id of the account the plan was made for; nothing was changed")
	}
	doc, err := runbooks.ReadPlanFile(c.Plan)
	if err != nil {
		return nil, exitCode(exitUsage, err)
	}
	if c.Confirm != doc.Account {
		return nil, usageError("--confirm %s is not the plan's account %s; nothing was changed", c.Confirm, doc.Account)
	}
	if g.Account != "" && g.Account != doc.Account {
		return nil, usageError("--account %s is not the plan's account %s; nothing was changed", g.Account, doc.Account)
	}
	if c.SecretsFile == "" && planCreatesKeys(doc) {
		return nil, usageError("the plan creates access keys: name a new file for their secrets with --secrets-file; nothing was changed")
	}
	return doc, nil
}

// openPlanAccount opens the account live, limited to the plan's account, and refuses up front when
// the credentials belong to another one.
func (c *ApplyCmd) openPlanAccount(g *Globals, doc *runbooks.PlanDocument) (*aws.Account, error) {
	g.Account = doc.Account
	acct, err := g.OpenAccount(g.Context())
	if err != nil {
		return nil, err
	}
	id, err := acct.WhoAmI(g.Context())
	if err != nil {
		return nil, err
	}
	if err := acct.Guard.Mismatch(); err != nil {
		return nil, fmt.Errorf("the plan was made for account %s, but these credentials are in account %s (%s): %w; nothing was changed", doc.Account, id.Account, id.ARN, err)
	}
	g.eprintf("Applying %s to account %s%s as %s\n", c.Plan, id.Account, aliasSuffix(id.Alias), id.ARN)
	return acct, nil
}

// planSince is the plan's T0: verdicts depend on it, so re-planning must use the reviewed one.
func planSince(doc *runbooks.PlanDocument) (time.Time, error) {
	if doc.Since == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, doc.Since)
	if err != nil {
		return t, exitCode(exitUsage, fmt.Errorf("the plan's since %q is not an RFC 3339 time", doc.Since))
	}
	return t, nil
}

// samePlanSteps refuses a plan made from another runbook, or from another version of it.
func samePlanSteps(rb *runbooks.Runbook, doc *runbooks.PlanDocument) error {
	if rb.ID != doc.Runbook {
		return fmt.Errorf("the plan follows runbook %s, but this run loads %s: use the same --runbook as the plan", doc.Runbook, rb.ID)
	}
	var want, got []string
	for _, s := range rb.Steps {
		want = append(want, s.ID)
	}
	for _, ps := range doc.Steps {
		got = append(got, ps.Step)
	}
	if !slices.Equal(want, got) {
		return errors.New("the plan's steps are not this runbook's: the runbook changed since the plan was made; plan again")
	}
	return nil
}

func planCreatesKeys(doc *runbooks.PlanDocument) bool {
	for _, ps := range doc.Steps {
		for _, ch := range ps.Changes {
			if ch.Op == "iam:CreateAccessKey" {
				return true
			}
		}
	}
	return false
}
