package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"lockdown/aws"
	"lockdown/steps"
)

// ScanCmd is the read-only rogue-instance scan, for scripts and for a first look before the TUI.
type ScanCmd struct {
	Regions     []string `help:"Scan only these regions (default: every enabled region)." sep:"," placeholder:"a,b"`
	JSON        bool     `name:"json" help:"Print one JSON document on stdout; progress goes to stderr."`
	Concurrency int      `help:"Regions scanned at once (default: every enabled region, up to 32)."`
	UsualRegion []string `name:"usual-regions" help:"Regions the account normally uses (default: inferred from instances older than T0)." sep:"," placeholder:"a,b"`
	Key         string   `help:"The leaked access key id: trace it through CloudTrail so verdicts follow who launched each instance." placeholder:"AKIA…"`
	OrgFlags    `embed:""`
}

// Run scans, prints the result, and exits 3 when any region could not be scanned: a partial scan
// must never look like a clean one to a script.
func (c *ScanCmd) Run(g *Globals) error {
	if err := c.check(); err != nil {
		return err
	}
	if c.Org {
		return c.runOrg(g) // cmd_scan_org.go
	}
	ctx := g.Context()
	acct, since, err := g.readOnlyAccountFor(c.Key)
	if err != nil {
		return err
	}
	// Who the credentials belong to is only needed for the report, so it is asked while the
	// regions are scanned rather than before: two round trips fewer.
	var id aws.Identity
	var idErr error
	identified := make(chan struct{})
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		defer close(identified)
		id, idErr = acct.WhoAmI(ctx)
		if idErr == nil && acct.Guard().Mismatch() != nil {
			stop() // no point reading an account the operator did not name
		}
	}()
	params := steps.Params{"concurrency": c.Concurrency}
	if len(c.Regions) > 0 {
		params["regions"] = c.Regions
	}
	if len(c.UsualRegion) > 0 {
		params["usual_regions"] = c.UsualRegion
	}
	traced := startTrace(ctx, acct, c.Key, since)
	found, err := steps.ScanForRogueInstances(ctx, acct.ReadOnly(), since, params, func(r aws.RegionScan) { c.progress(g, r) })
	trace := <-traced
	<-identified
	if idErr != nil && (found == nil || !errors.Is(idErr, aws.ErrIdentityTimeout)) {
		return idErr
	}
	if err := refuseWrongAccount(acct); err != nil {
		return err
	}
	if found == nil {
		return err
	}
	if err := c.unknownRegions(found.Scan); err != nil {
		return err
	}
	found.WithEvidence(trace)
	doc := steps.NewScanDocument(id.Account, since, found)
	doc.NoteEvidence(trace)
	doc.Retries = acct.Calls().Total().Retries()
	if err := c.print(g, doc); err != nil {
		return err
	}
	if idErr != nil {
		// STS never answered: the instances are printed (they are what the operator needs first),
		// but whose account they belong to is unconfirmed, and a script must not take it as done.
		return exitCode(exitPartial, fmt.Errorf("%w; the scan above is of the credentials' account, which could not be named", idErr))
	}
	if err != nil {
		return exitCode(exitPartial, fmt.Errorf("the scan stopped early: %w", err))
	}
	if n := found.Scan.Failed(); n > 0 {
		return exitCode(exitPartial, fmt.Errorf("%d regions could not be scanned: their instances are unknown", n))
	}
	return traceShortfall(trace)
}

// print writes the scan document as JSON or as a table.
func (c *ScanCmd) print(g *Globals, doc *steps.ScanDocument) error {
	if c.JSON {
		if werr := g.writeJSON(doc); werr != nil {
			return werr
		}
		return nil
	}
	return doc.WriteTable(g.stdout)
}

// progress tells stderr as each region finishes, so a long scan is visibly alive.
func (c *ScanCmd) progress(g *Globals, r aws.RegionScan) {
	switch r.Status {
	case aws.RegionOK:
		g.eprintf("%-16s ok      %5d instances  %s%s\n", r.Region, len(r.Instances), r.Duration.Round(time.Millisecond), retriesNote(r.Retries))
	case aws.RegionFailed:
		g.eprintf("%-16s FAILED  %s: %s%s\n", r.Region, r.Code, r.Message, retriesNote(r.Retries))
	}
}

// retriesNote says how many retries a region needed, when it needed any.
func retriesNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("  (%d retries)", n)
}

// unknownRegions refuses a --regions list naming a region the account does not have: a typo
// must not read as "no instances found" to a script.
func (c *ScanCmd) unknownRegions(scan *aws.InstanceScan) error {
	var unknown []string
	for _, r := range scan.Regions {
		if r.Code == "UnknownRegion" { // the scanner's code for a region DescribeRegions does not list
			unknown = append(unknown, r.Region)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	return usageError("--regions: %s is not a region of this account (DescribeRegions does not list it)", strings.Join(unknown, ", "))
}

// refuseWrongAccount stops a read-only command whose credentials belong to another account than
// --account names: its output would describe the wrong account as the compromised one.
func refuseWrongAccount(acct *aws.Account) error {
	var wrong *aws.WrongAccountError
	if errors.As(acct.Guard().Mismatch(), &wrong) {
		return exitCode(exitFailed, fmt.Errorf("refusing to report on account %s: --account names %s as the compromised account; use that account's credentials",
			wrong.Actual, wrong.Expected))
	}
	return nil
}
