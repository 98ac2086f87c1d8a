package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
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
	acct, since, err := g.readOnlyAccountFor(c.Key)
	if err != nil {
		return err
	}
	// Who the credentials belong to is only needed for the report, so it is asked while the
	// regions are scanned rather than before: two round trips fewer.
	ctx, stop := context.WithCancel(g.Context())
	defer stop()
	r := &scanRun{cmd: c, g: g, acct: acct, since: since, identified: make(chan struct{}), stop: stop}
	go r.identify(ctx)
	r.trace = sync.OnceValue(func() *steps.TraceEvidence { return <-startTrace(ctx, acct, c.Key, since) })
	var found *steps.InstanceFindings
	if c.JSON {
		found, err = r.stream(ctx)
	} else {
		found, err = steps.ScanForRogueInstances(ctx, acct.ReadOnly(), since, c.params(), func(s aws.RegionScan) { c.progress(g, s) })
	}
	trace := r.trace()
	<-r.identified
	if r.idErr != nil && (found == nil || !errors.Is(r.idErr, aws.ErrIdentityTimeout)) {
		return r.idErr
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
	if err := r.print(found, trace); err != nil {
		return err
	}
	if r.idErr != nil {
		// STS never answered: the instances are printed (they are what the operator needs first),
		// but whose account they belong to is unconfirmed, and a script must not take it as done.
		return exitCode(exitPartial, fmt.Errorf("%w; the scan above is of the credentials' account, which could not be named", r.idErr))
	}
	if err != nil {
		return exitCode(exitPartial, fmt.Errorf("the scan stopped early: %w", err))
	}
	if n := found.Scan.Failed(); n > 0 {
		return exitCode(exitPartial, fmt.Errorf("%d regions could not be scanned: their instances are unknown", n))
	}
	return traceShortfall(trace)
}

func (c *ScanCmd) params() steps.Params {
	params := steps.Params{"concurrency": c.Concurrency}
	if len(c.Regions) > 0 {
		params["regions"] = c.Regions
	}
	if len(c.UsualRegion) > 0 {
		params["usual_regions"] = c.UsualRegion
	}
	return params
}

// scanRun is one scan command under way: the identity asked beside the scan, the trace, and, with
// --json, the document being written.
type scanRun struct {
	cmd   *ScanCmd
	g     *Globals
	acct  *aws.Account
	since time.Time
	stop  context.CancelFunc
	// identified closes once id and idErr are known.
	identified chan struct{}
	id         aws.Identity
	idErr      error
	trace      func() *steps.TraceEvidence
	out        *steps.ScanStream
	// unknown is set when --regions names a region the account does not have: nothing is written.
	unknown bool
}

func (r *scanRun) identify(ctx context.Context) {
	defer close(r.identified)
	r.id, r.idErr = r.acct.WhoAmI(ctx)
	if r.idErr == nil && r.acct.Guard().Mismatch() != nil {
		r.stop() // no point reading an account the operator did not name
	}
}

// stream scans with --json, writing each region's instances as the region finishes.
func (r *scanRun) stream(ctx context.Context) (*steps.InstanceFindings, error) {
	r.out = steps.NewScanStream(r.g.stdout)
	started := time.Now()
	return steps.StreamRogueInstances(ctx, r.acct.ReadOnly(), r.since, r.cmd.params(), r.trace,
		func(s aws.RegionScan) {
			r.cmd.progress(r.g, s)
			if s.Code == "UnknownRegion" {
				r.unknown = true
				r.stop()
			}
		},
		func(list []steps.RogueInstance) error {
			if err := r.begin(started); err != nil {
				return err
			}
			return r.out.Instances(list)
		})
}

// begin opens the document once the account is known to be the one to report on.
func (r *scanRun) begin(started time.Time) error {
	<-r.identified
	switch {
	case r.unknown:
		return errors.New("--regions names a region the account does not have")
	case r.idErr != nil && !errors.Is(r.idErr, aws.ErrIdentityTimeout):
		return r.idErr
	case r.acct.Guard().Mismatch() != nil:
		return r.acct.Guard().Mismatch()
	}
	return r.out.Begin(r.id.Account, started, r.since)
}

// print writes what the scan found: the end of the --json document, or the whole table.
func (r *scanRun) print(found *steps.InstanceFindings, trace *steps.TraceEvidence) error {
	if r.out == nil {
		found.WithEvidence(trace)
	}
	doc := steps.NewScanDocument(r.id.Account, r.since, found)
	doc.NoteEvidence(trace)
	doc.Retries = r.acct.Calls().Total().Retries()
	if r.out != nil {
		return r.out.End(doc)
	}
	return doc.WriteTable(r.g.stdout)
}

// progress tells stderr as each region finishes, so a long scan is visibly alive.
func (c *ScanCmd) progress(g *Globals, r aws.RegionScan) {
	switch r.Status {
	case aws.RegionOK:
		g.eprintf("%-16s ok      %5d instances  %s%s\n", r.Region, r.Count(), r.Duration.Round(time.Millisecond), retriesNote(r.Retries))
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
