package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"lockdown/aws"
	"lockdown/steps"
)

// KeysCmd is `lockdown keys`: the read-only IAM credential inventory, flagged against --since.
type KeysCmd struct {
	JSON     bool   `name:"json" help:"Print one JSON document on stdout."`
	Workers  int    `help:"Users read at once." default:"8"`
	Key      string `help:"The leaked access key id: trace it through CloudTrail so each user and key says who created it." placeholder:"AKIA…"`
	OrgFlags `embed:""`
}

// Run takes the inventory. It never changes anything, whatever --live says, and no secret can
// appear in its output: the report holds key ids and dates only. Users that could not be read
// completely make it exit 3.
func (c *KeysCmd) Run(g *Globals) error {
	if err := c.check(); err != nil {
		return err
	}
	if c.Org {
		return c.runOrg(g) // cmd_keys_org.go
	}
	acct, since, err := g.readOnlyAccountFor(c.Key)
	if err != nil {
		return err
	}
	traced := startTrace(g.Context(), acct, c.Key, since)
	rep, err := steps.BuildKeysReport(g.Context(), acct.ReadOnly(), since, c.Workers)
	trace := <-traced
	if werr := refuseWrongAccount(acct); werr != nil {
		return werr
	}
	if err != nil {
		return err
	}
	rep.NoteCreators(trace)
	if c.JSON {
		if err := g.writeJSON(rep); err != nil {
			return err
		}
	} else {
		printKeys(g, rep)
	}
	if n := rep.Failed(); n > 0 {
		return exitCode(exitPartial, fmt.Errorf("%d of %d users could not be read completely", n, len(rep.Users)))
	}
	return traceShortfall(trace)
}

func printKeys(g *Globals, rep *steps.KeysReport) {
	since := "not set (use --since to flag what changed after the incident started)"
	if rep.Since != nil {
		since = rep.Since.Format(time.RFC3339)
	}
	g.printf("Account %s, T0 %s\n", rep.Account, since)
	if rep.RootError == "" {
		g.printf("Root: access keys present %v, MFA enabled %v\n\n", rep.Root.AccessKeysPresent, rep.Root.MFAEnabled)
	}
	w := tabwriter.NewWriter(g.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "USER / KEY\tSTATUS\tCREATED\tLAST USED\tWHERE\tFLAGS")
	for _, u := range rep.Users {
		status := "password:" + yesNo(u.HasConsolePassword) + fmt.Sprintf(" mfa:%d", len(u.MFADevices))
		if u.Error != "" {
			status = "UNREAD: " + u.Error
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t\t\t%s\n", u.Name, status, stamp(u.Created), strings.Join(append(u.Flags, createdBy(u.CreatedBy)...), " "))
		for _, k := range u.Keys {
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Status, stamp(k.Created), stamp(k.LastUsed.Date), where(k.LastUsed), strings.Join(append(k.Flags, createdBy(k.CreatedBy)...), " "))
		}
	}
	_ = w.Flush()
}

// createdBy names who created a user or key, when CloudTrail says.
func createdBy(o *aws.Origin) []string {
	if o == nil {
		return nil
	}
	return []string{"created " + o.By()}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func where(u aws.KeyUse) string {
	if !u.Used() {
		return ""
	}
	return u.Service + " " + u.Region
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
