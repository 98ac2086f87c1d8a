package main

import (
	"fmt"
	"time"

	"lockdown/review"
	"lockdown/steps"
)

// PlanCmd is `lockdown plan`: the dry-run a reviewer approves before anything changes.
type PlanCmd struct {
	Key         string   `help:"The leaked access key id, for the containment step; without it that step and those after it are not planned." placeholder:"AKIA…"`
	Output      string   `short:"o" name:"output" help:"Write the plan to this new file (mode 0600, never overwritten) instead of stdout." placeholder:"FILE"`
	SkipRegions []string `name:"skip-regions" sep:"," help:"Leave these regions out (denied by policy): not inspected, nothing there is changed; recorded in the plan." placeholder:"a,b"`
	Choose      []string `sep:"none" help:"Select a row lockdown does not propose (an instance judged ok, a user not flagged), with the reason; the plan and apply show it as the operator's choice. Repeatable." placeholder:"STEP:ID:REASON"`
	Keep        []string `sep:"none" help:"Keep an item, with the reason: a row of a step that would change it (a key made after T0, an instance), or an item the verification counts against containment (verify-contained:ROLE for a role an outside account may assume). Apply leaves it alone and records the decision; the verification shows it as kept. Repeatable." placeholder:"STEP:ID:REASON"`
	OrgFlags    `embed:""`
}

// Run walks the runbook in dry-run, whatever --live says, writes the plan document and prints
// the summary with the plan's digest. It exits 3 when a step failed or a check did not pass.
func (c *PlanCmd) Run(g *Globals) error {
	if c.Key != "" {
		// Checked before anything else: a secret pasted by mistake must not reach the plan
		// document that is handed to a reviewer.
		if err := steps.ValidateAccessKeyID(c.Key); err != nil {
			return usageError("--key: %v", err)
		}
	}
	if err := c.check(); err != nil {
		return err
	}
	if c.Org {
		return c.runOrg(g) // cmd_plan_org.go
	}
	opts := review.PlanOptions{Out: g.stderr, Inputs: map[string]string{}, Choices: map[string][]review.Choice{}, Keeps: map[string][]review.Kept{}}
	for _, s := range c.Choose {
		step, choice, err := review.ParseChoice(s)
		if err != nil {
			return usageError("%v", err)
		}
		opts.Choices[step] = append(opts.Choices[step], choice)
	}
	for _, s := range c.Keep {
		step, kept, err := review.ParseKeep(s)
		if err != nil {
			return usageError("%v", err)
		}
		opts.Keeps[step] = append(opts.Keeps[step], kept)
	}
	if c.Key != "" {
		opts.Inputs["access_key_id"] = c.Key
	}
	if err := checkNewFile("-o", c.Output, "plan"); err != nil {
		return err
	}
	if err := checkSkipRegions(c.SkipRegions); err != nil {
		return err
	}
	g.skipRegions = c.SkipRegions
	if err := g.readSessionInputs(); err != nil {
		return err
	}
	acct, since, err := g.readOnlyAccount()
	if err != nil {
		return err
	}
	ctx := g.Context()
	id, err := acct.WhoAmI(ctx)
	if err != nil {
		return err
	}
	s, err := g.newSession(acct, since)
	if err != nil {
		return err
	}
	if err := checkChoiceSteps(s, opts.Choices, opts.Keeps); err != nil {
		_ = s.close(g)
		return err
	}
	doc := &review.PlanDocument{Version: review.PlanVersion, Account: id.Account, Alias: id.Alias,
		Principal: id.ARN, Created: time.Now().UTC().Truncate(time.Second), Runbook: s.run.Runbook().ID, SkipRegions: c.SkipRegions}
	if !since.IsZero() {
		doc.Since = since.Format(time.RFC3339)
	}
	review.MakePlan(ctx, s.run, doc, opts)
	if err := c.write(g, doc); err != nil {
		_ = s.close(g)
		return err
	}
	review.PrintSummary(g.stderr, doc)
	closeErr := s.close(g)
	if n := review.Problems(doc); n > 0 {
		return exitCode(exitPartial, fmt.Errorf("the plan has %d failed steps or checks: fix them, or review the plan knowing they will fail", n))
	}
	return closeErr
}

// checkChoiceSteps refuses --choose and --keep for a step the runbook does not have: a typo must
// not leave the operator believing a choice or a decision was planned.
func checkChoiceSteps(s *session, choices map[string][]review.Choice, keeps map[string][]review.Kept) error {
	for step := range choices {
		if _, ok := s.run.Action(step); !ok {
			return usageError("--choose %s:…: the runbook has no action step %q", step, step)
		}
	}
	for step := range keeps {
		if _, ok := s.run.Action(step); !ok {
			return usageError("--keep %s:…: the runbook has no action step %q", step, step)
		}
	}
	return nil
}

// write puts the document in -o FILE, or on stdout.
func (c *PlanCmd) write(g *Globals, doc *review.PlanDocument) error {
	if c.Output == "" {
		return review.WritePlan(g.stdout, doc)
	}
	if err := review.CreatePlanFile(c.Output, doc); err != nil {
		return err
	}
	g.eprintf("Plan written to %s\n", c.Output)
	return nil
}
