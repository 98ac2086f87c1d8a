package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"lockdown/aws"
	"lockdown/steps"
)

// TraceCmd is `lockdown trace`: the attacker's CloudTrail timeline, followed from the leaked key to
// every credential it made or obtained. It only reads.
type TraceCmd struct {
	Key      string   `help:"The leaked access key id (AKIA… or ASIA…)." placeholder:"AKIA…" required:""`
	Regions  []string `help:"Trace only these regions (us-east-1, where IAM and STS are recorded, is always read)." sep:"," placeholder:"a,b"`
	JSON     bool     `name:"json" help:"Print one JSON document on stdout; progress goes to stderr."`
	OrgFlags `embed:""`
}

// TraceDocument is what `lockdown trace --json` prints.
type TraceDocument struct {
	Account string `json:"account"`
	*aws.Footprint
	// SessionRole is the role behind a leaked temporary key, when the trace shows it.
	SessionRole string `json:"session_role,omitempty"`
}

// Run traces and prints the timeline. It exits 3 when a region could not be read: a partial
// timeline must never look like a complete one to a script.
func (c *TraceCmd) Run(g *Globals) error {
	if err := steps.ValidateAccessKeyID(c.Key); err != nil {
		return usageError("--key: %v", err)
	}
	key := strings.ToUpper(strings.TrimSpace(c.Key))
	if err := c.check(); err != nil {
		return err
	}
	if c.Org {
		return c.runOrg(g, key) // cmd_trace_org.go
	}
	acct, since, err := g.readOnlyAccount()
	if err != nil {
		return err
	}
	id, err := acct.WhoAmI(g.Context())
	if err != nil {
		return err
	}
	if err := refuseWrongAccount(acct); err != nil {
		return err
	}
	f, err := acct.TraceAttacker(g.Context(), aws.TraceOptions{Key: key, Since: since, Regions: c.Regions}, func(r aws.TraceRegion) { traceProgress(g, r) })
	if f == nil {
		return err
	}
	doc := TraceDocument{Account: id.Account, Footprint: f, SessionRole: f.SessionRole()}
	if c.JSON {
		if werr := g.writeJSON(doc); werr != nil {
			return werr
		}
	} else {
		printTrace(g, doc)
	}
	if err != nil {
		return exitCode(exitPartial, fmt.Errorf("the trace stopped early: %w", err))
	}
	if failed := f.Failed(); len(failed) > 0 {
		var names []string
		for _, r := range failed {
			names = append(names, r.Region)
		}
		return exitCode(exitPartial, fmt.Errorf("%d regions could not be read (%s): the attacker's events there are unknown", len(failed), strings.Join(names, ", ")))
	}
	return nil
}

// startTrace traces key through CloudTrail alongside other work, for verdicts that follow the
// evidence. Without a key the channel yields nil at once; a trace that cannot run yields why.
func startTrace(ctx context.Context, acct *aws.Account, key string, since time.Time, skip ...string) <-chan *steps.TraceEvidence {
	out := make(chan *steps.TraceEvidence, 1)
	if key == "" {
		out <- nil
		return out
	}
	go func() {
		// No progress lines: the work it runs beside writes to stderr, and the trace's failures are
		// in the verdicts' evidence and the exit status.
		f, err := acct.TraceAttacker(ctx, aws.TraceOptions{Key: strings.ToUpper(strings.TrimSpace(key)), Since: since, Skip: skip}, nil)
		if f == nil {
			out <- &steps.TraceEvidence{Why: aws.ErrorMessage(err)}
			return
		}
		out <- &steps.TraceEvidence{Footprint: f}
	}()
	return out
}

// traceShortfall is exit 3 when the trace behind the verdicts was partial: some verdicts rest on
// timestamps only.
func traceShortfall(trace *steps.TraceEvidence) error {
	switch {
	case trace == nil:
		return nil
	case trace.Footprint == nil:
		return exitCode(exitPartial, fmt.Errorf("CloudTrail could not be traced (%s): verdicts rest on timestamps", trace.Why))
	case len(trace.Footprint.Failed()) > 0:
		return exitCode(exitPartial, fmt.Errorf("CloudTrail could not be read in %d regions: verdicts there rest on timestamps", len(trace.Footprint.Failed())))
	}
	return nil
}

// traceProgress tells stderr as each region finishes a round, so a long trace is visibly alive.
func traceProgress(g *Globals, r aws.TraceRegion) {
	switch r.Status {
	case aws.RegionOK:
		g.eprintf("%-16s ok      %3d lookups  %s\n", r.Region, r.Lookups, r.Duration.Round(time.Millisecond))
	case aws.RegionFailed:
		g.eprintf("%-16s FAILED  %s: %s\n", r.Region, r.Code, r.Message)
	}
}

func printTrace(g *Globals, doc TraceDocument) {
	g.printf("Account %s, key %s, events since %s\n", doc.Account, doc.Key, doc.Since.UTC().Format(time.RFC3339))
	if doc.SessionRole != "" {
		g.printf("The key is a session of role %s: revoke that role's sessions.\n", doc.SessionRole)
	}
	g.printf("\nAttacker credentials:\n")
	for _, c := range doc.Credentials {
		how := ""
		if c.By != "" {
			how = fmt.Sprintf("  made by %s (event %s)", c.By, c.EventID)
		}
		g.printf("  %-22s %-11s%s\n", c.ID, c.Kind, how)
	}
	g.printf("\n")
	w := tabwriter.NewWriter(g.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "TIME\tREGION\tEVENT\tCREDENTIAL\tSOURCE IP\tRESOURCES\tERROR\tUSER AGENT")
	for _, e := range doc.Timeline {
		agent := e.UserAgent
		if len(agent) > 40 {
			agent = agent[:39] + "…"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Time.UTC().Format("2006-01-02 15:04:05"), e.Region, e.EventName,
			e.Credential, e.SourceIP, strings.Join(e.Resources, " "), e.ErrorCode, agent)
	}
	_ = w.Flush()
	for _, r := range doc.Failed() {
		g.printf("\n%s could not be read (%s: %s): events there are missing above.\n", r.Region, r.Code, r.Message)
	}
}
