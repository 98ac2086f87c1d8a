package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"lockdown/aws"
	"lockdown/review"
	"lockdown/runbooks"
)

// ApplyCmd is `lockdown apply`: carry out exactly the plan a reviewer approved, and nothing the
// account has grown since.
type ApplyCmd struct {
	Plan        string        `arg:"" name:"PLAN" help:"The reviewed plan file written by 'lockdown plan -o'." type:"existingfile"`
	Confirm     string        `help:"The account id the plan was made for, typed out: the operator's consent to change it (an organization's plan: every account it changes, ID,ID,…)." placeholder:"ACCOUNT_ID"`
	PlanDigest  string        `name:"plan-digest" help:"The digest 'lockdown plan' printed for the reviewed plan: a plan file that differs from it in any way is refused." placeholder:"sha256:…"`
	SkipRegions []string      `name:"skip-regions" sep:"," help:"Leave these regions out too, on top of those the plan left out: their reviewed changes are not applied and count as failed." placeholder:"a,b"`
	SecretsFile string        `name:"secrets-file" help:"New file (mode 0600, AWS credentials format) for the secret access keys that key rotation creates; required when the plan rotates keys." placeholder:"FILE"`
	Deadline    time.Duration `default:"3m" help:"Give up on what is still unsettled this long after the start: it is reported and journaled unknown with its cause, and apply exits 3. The time is printed at the start." placeholder:"D"`
}

// Run refuses before anything is sent unless the command line names the plan's account (and its
// digest, when given), then re-plans each step and applies it only when the fresh changes are the
// reviewed ones. It exits 3 when a step drifted, failed or left something undone.
func (c *ApplyCmd) Run(g *Globals) error {
	if data, err := review.ReadPlanBytes(c.Plan); err == nil && review.IsOrgPlan(data) {
		return c.runOrg(g) // an organization's plan: cmd_apply_org.go
	}
	doc, err := c.checkConsent(g)
	if err != nil {
		return err
	}
	if err := firstErr(checkSkipRegions(c.SkipRegions), g.readSessionInputs()); err != nil {
		return usageError("%v; nothing was changed", err)
	}
	// One apply of a plan at a time: a second one would send every change again and take the
	// first one's new keys for someone else's. Nothing is sent, nor any file made, before it.
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
	// The secrets file exists before anything changes: a rotation must never create a key, then
	// find it has nowhere to keep the secret.
	secrets, err := review.CreateSecretsFile(c.SecretsFile)
	if err != nil {
		return usageError("%v; nothing was changed", err)
	}
	defer secrets.Close()
	// Rotation hands each new secret over here and switches the old key off only once it is
	// synced to the file.
	g.keepSecret = secrets.Keep
	g.reviewed = doc.Created
	since, err := doc.SinceTime()
	if err != nil {
		return exitCode(exitUsage, err)
	}
	acct, err := c.openPlanAccount(g, doc)
	if err != nil {
		return err
	}
	g.skipRegions = append(slices.Clone(doc.SkipRegions), c.SkipRegions...)
	if len(g.skipRegions) > 0 {
		g.eprintf("Regions left out: %s\n", strings.Join(g.skipRegions, ", "))
	}
	s, err := g.newSession(acct, since)
	if err != nil {
		return err
	}
	if err := doc.CheckSteps(s.run.Runbook()); err != nil {
		_ = s.close(g)
		return exitCode(exitUsage, err)
	}
	totals := review.Apply(g.Context(), s.run, doc, review.ApplyOptions{Out: g.stderr, Secrets: secrets,
		JournalDir: filepath.Dir(s.journal.Path())})
	closeErr := s.close(g)
	if cut := g.Context().Err(); cut != nil && totals.Undone > 0 {
		return exitCode(exitPartial, fmt.Errorf("%v: %d steps were cut short or not reached; what was unsettled is reported unknown above and in the journal — apply again to finish", context.Cause(g.Context()), totals.Undone))
	}
	if totals.Undone > 0 {
		return exitCode(exitPartial, fmt.Errorf("%d steps drifted, failed or left changes undone: see above and the journal", totals.Undone))
	}
	return closeErr
}

// startDeadline bounds the whole apply and says up front when it will give up.
func (c *ApplyCmd) startDeadline(g *Globals) (context.CancelFunc, error) {
	if c.Deadline <= 0 {
		return nil, usageError("--deadline %s: give a duration such as 3m; nothing was changed", c.Deadline)
	}
	at := time.Now().Add(c.Deadline)
	ctx, stop := context.WithDeadlineCause(g.Context(), at, &review.DeadlineError{At: at, After: c.Deadline})
	g.ctx = ctx
	g.eprintf("Deadline: will give up on what is unsettled at %s (--deadline %s)\n", at.Format("15:04:05"), c.Deadline)
	return stop, nil
}

// checkConsent reads the plan and refuses (bad usage, nothing sent) unless the command line is
// live, names the plan's account, and, when a digest is given, names this very plan.
func (c *ApplyCmd) checkConsent(g *Globals) (*review.PlanDocument, error) {
	if !g.Live {
		return nil, usageError("apply changes the account: add --live to go ahead (lockdown plan is the dry-run); nothing was changed")
	}
	if c.Confirm == "" {
		return nil, usageError("add --confirm ACCOUNT_ID, the id of the account the plan was made for; nothing was changed")
	}
	doc, err := review.ReadPlanFile(c.Plan)
	if err != nil {
		return nil, exitCode(exitUsage, err)
	}
	if err := c.checkDigest(g, doc.Digest()); err != nil {
		return nil, err
	}
	if c.Confirm != doc.Account {
		return nil, usageError("--confirm %s is not the plan's account %s; nothing was changed", c.Confirm, doc.Account)
	}
	if g.Account != "" && g.Account != doc.Account {
		return nil, usageError("--account %s is not the plan's account %s; nothing was changed", g.Account, doc.Account)
	}
	if c.SecretsFile == "" && doc.CreatesKeys() {
		return nil, usageError("the plan creates access keys: name a new file for their secrets with --secrets-file; nothing was changed")
	}
	return doc, nil
}

// openPlanAccount opens the account live, limited to the plan's account, and refuses up front when
// the credentials belong to another one.
func (c *ApplyCmd) openPlanAccount(g *Globals, doc *review.PlanDocument) (*aws.Account, error) {
	g.Account = doc.Account
	acct, err := g.OpenAccount(g.Context())
	if err != nil {
		return nil, err
	}
	id, err := acct.WhoAmI(g.Context())
	if err != nil {
		return nil, err
	}
	if err := acct.Guard().Mismatch(); err != nil {
		return nil, fmt.Errorf("the plan was made for account %s, but these credentials are in account %s (%s): %w; nothing was changed", doc.Account, id.Account, id.ARN, err)
	}
	g.eprintf("Applying %s to account %s%s as %s\n", c.Plan, id.Account, review.AliasSuffix(id.Alias), id.ARN)
	return acct, nil
}

// lockWork takes the lock of one piece of work in the journal directory, or says who holds it
// (exit 1, nothing sent).
func (g *Globals) lockWork(name, what string) (*runbooks.Lock, error) {
	dir, err := g.journalDir()
	if err != nil {
		return nil, err
	}
	lock, err := runbooks.TakeLock(dir, name, what)
	var held *runbooks.HeldError
	if errors.As(err, &held) {
		return nil, exitCode(exitFailed, fmt.Errorf("%w; nothing was sent", err))
	}
	return lock, err
}
