package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"lockdown/aws"

	"lockdown/runbooks"
	"lockdown/steps"
)

// VerifyCmd is `lockdown verify`: is the attacker out? It re-reads the account and runs the
// checks of verify.contained.
type VerifyCmd struct {
	Key          string   `help:"The leaked access key id: check that it is inactive or deleted. Without it, the one an earlier journal of the incident names; if none does, the attacker is not said to be out." placeholder:"AKIA…"`
	JSON         bool     `name:"json" help:"Print one JSON document on stdout."`
	SkipRegions  []string `name:"skip-regions" sep:"," help:"Leave these regions out (denied by policy): not read, and said so." placeholder:"a,b"`
	OrgFlags     `embed:""`
	SkipAccounts []string `name:"skip-accounts" sep:"," help:"With --org: leave these accounts out of the organization's verification (accounts that could not be swept, checked by other means); journaled with --reason." placeholder:"ID,ID"`
	Reason       string   `help:"Why the --skip-accounts are left out; journaled." placeholder:"TEXT"`
}

// Run never changes anything, whatever --live says. It exits 0 only when every check passed;
// anything remaining, or anything that could not be read, exits 3.
func (c *VerifyCmd) Run(g *Globals) error {
	if err := firstErr(c.check(), checkSkipRegions(c.SkipRegions)); err != nil {
		return err
	}
	if !c.Org && (len(c.SkipAccounts) > 0 || c.Reason != "") {
		return usageError("--skip-accounts and --reason are for an organization's verification: add --org")
	}
	g.skipRegions = c.SkipRegions
	if len(c.SkipRegions) > 0 {
		g.eprintf("Regions left out (--skip-regions): %s — nothing there is read, so nothing there is verified\n", strings.Join(c.SkipRegions, ", "))
	}
	if c.Org {
		return c.runOrg(g) // cmd_verify_org.go
	}
	acct, since, err := g.readOnlyAccountFor(c.Key)
	if err != nil {
		return err
	}
	if werr := refuseWrongAccount(acct); werr != nil {
		return werr
	}
	key := c.Key
	if key == "" {
		key = g.leakedKeyOfIncident(acct)
	}
	env := &steps.Env{Account: acct.ReadOnly(), Since: since, Params: steps.Params{"skip_regions": g.skipRegions},
		Inputs: map[string]string{"access_key_id": key}, OwnKeys: g.ownKeys, SecretsKept: g.keptSecrets,
		Kept: func() map[string]string { return g.keptItems(acct.Guard().Account()) }}
	// With the key, CloudTrail names what the attacker changed that lockdown cannot undo, and who
	// launched each instance.
	env.Trace = <-startTrace(g.Context(), acct, key, since, g.skipRegions...)
	insp, err := steps.VerifyContained{}.Inspect(g.Context(), env, nil)
	if err != nil {
		return err
	}
	v := insp.Data.(*steps.Verification)
	if c.JSON {
		if err := g.writeJSON(v); err != nil {
			return err
		}
	} else {
		printVerification(g, insp, v)
	}
	if !v.Contained {
		return exitCode(exitPartial, fmt.Errorf("%s (%d unknown)", insp.Summary, v.Unknown))
	}
	return nil
}

// leakedKeyOfIncident is the leaked key an earlier journal of the account's incident names, said
// on stderr, or "" (said too) when none does or several do: the verification then cannot say the
// attacker is out.
func (g *Globals) leakedKeyOfIncident(acct *aws.Account) string {
	dir, err := g.journalDir()
	if err != nil {
		return ""
	}
	id, err := acct.WhoAmI(g.Context())
	if err != nil {
		return "" // the verification fails on the same call, with its reason
	}
	named := runbooks.LeakedKeysNamed(dir, id.Account)
	switch len(named) {
	case 0:
		g.eprintf("No --key given, and no journal in %s names the leaked key of account %s: the leaked key is not checked, so the attacker cannot be said to be out\n", dir, id.Account)
		return ""
	case 1:
		k := named[0]
		g.eprintf("No --key given: checking %s, the leaked key named in %s (step %s, %s)\n", k.Key, k.Journal, k.Step, k.Time.UTC().Format(time.RFC3339))
		return k.Key
	}
	var list []string
	for _, k := range named {
		list = append(list, fmt.Sprintf("%s (%s, step %s)", k.Key, k.Journal, k.Step))
	}
	g.eprintf("No --key given, and the journals of account %s name several leaked keys: %s; give --key: the leaked key is not checked\n", id.Account, strings.Join(list, "; "))
	return ""
}

// ownKeys are the access keys lockdown created, from the journals of the journal directory.
func (g *Globals) ownKeys() map[string]bool {
	dir, err := g.journalDir()
	if err != nil {
		return nil
	}
	return runbooks.CreatedKeys(dir)
}

// keptSecrets are the new keys whose secrets the journals of the journal directory record as kept.
func (g *Globals) keptSecrets() map[string]bool {
	dir, err := g.journalDir()
	if err != nil {
		return nil
	}
	return runbooks.KeptSecrets(dir)
}

// journalDir is --journal, or the default journal directory.
func (g *Globals) journalDir() (string, error) {
	if g.Journal != "" {
		return g.Journal, nil
	}
	return runbooks.DefaultJournalDir()
}

// keptItems are the operator's recorded decisions to keep an item of account, with the reasons,
// from the journals of the journal directory.
func (g *Globals) keptItems(account string) map[string]string {
	dir, err := g.journalDir()
	if err != nil {
		return nil
	}
	return runbooks.KeptItems(dir, account, "")
}

func printVerification(g *Globals, insp *steps.Inspection, v *steps.Verification) {
	for _, w := range insp.Warnings {
		g.printf("! %s\n", w)
	}
	w := tabwriter.NewWriter(g.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CHECK\tITEM\tRESULT\tEVIDENCE\tHANDLED BY")
	for _, c := range v.Checks {
		evidence, handledBy := c.Evidence, c.HandledBy
		if c.Kept != "" {
			evidence = "kept by the operator: " + c.Kept + " (" + c.Evidence + ")"
		}
		if c.Result == steps.VerifyPass {
			handledBy = "" // nothing left to do
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", c.Check, c.Item, c.Result, evidence, handledBy)
	}
	_ = w.Flush()
	g.printf("\n%s\n", insp.Summary)
}
