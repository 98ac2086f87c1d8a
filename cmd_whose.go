package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"lockdown/aws"
	"lockdown/steps"
)

// WhoseCmd is `lockdown whose KEY`: which account owns a key, and its place in the organization.
type WhoseCmd struct {
	Key  string `arg:"" name:"KEY" help:"An access key id, long-term (AKIA…) or temporary (ASIA…)."`
	JSON bool   `name:"json" help:"Print one JSON document on stdout."`
}

// whoseDocument is what whose prints: the key's owner, and who asked from which account.
type whoseDocument struct {
	*aws.KeyOwner
	AskedAs string `json:"asked_as"`
	// InThisAccount is true when the key belongs to the account the credentials are in.
	InThisAccount bool   `json:"in_this_account"`
	Reach         string `json:"reach,omitempty"`
}

// Run asks STS GetAccessKeyInfo, then Organizations for the account's name, unit and status. It
// reads only; a key that is not in the credentials' account is said to be so.
func (c *WhoseCmd) Run(g *Globals) error {
	key := strings.ToUpper(strings.TrimSpace(c.Key))
	if err := steps.ValidateAccessKeyID(key); err != nil {
		return usageError("%v", err)
	}
	acct, _, err := g.readOnlyAccount()
	if err != nil {
		return err
	}
	me, err := acct.WhoAmI(g.Context())
	if err != nil {
		return err
	}
	owner, err := acct.WhoseKey(g.Context(), key)
	if err != nil {
		return err
	}
	doc := whoseDocument{KeyOwner: owner, AskedAs: me.ARN, InThisAccount: owner.Account == me.Account, Reach: owner.Reach()}
	if c.JSON {
		return g.writeJSON(doc)
	}
	c.print(g, doc, me)
	return nil
}

func (c *WhoseCmd) print(g *Globals, doc whoseDocument, me aws.Identity) {
	name := ""
	if o := doc.Organization; o != nil && o.Name != "" {
		name = " (" + o.Name + ")"
	}
	g.printf("%s belongs to account %s%s\n", doc.Key, doc.Account, name)
	w := tabwriter.NewWriter(g.stdout, 2, 4, 2, ' ', 0)
	if doc.InThisAccount {
		fmt.Fprintf(w, "  this account\tyes: the account of %s\n", me.ARN)
	} else {
		fmt.Fprintf(w, "  this account\tno: you are in account %s as %s\n", me.Account, me.ARN)
	}
	switch o := doc.Organization; {
	case o == nil:
		fmt.Fprintf(w, "  organization\tunknown: %s\n", doc.OrgUnread)
	case o.Management:
		fmt.Fprintf(w, "  organization\t%s: its MANAGEMENT ACCOUNT\n", o.ID)
	case o.Member:
		fmt.Fprintf(w, "  organization\t%s (management account %s)\n", o.ID, o.ManagementAccount)
	default:
		fmt.Fprintf(w, "  organization\tnot in %s, the organization of the asking account\n", o.ID)
	}
	if o := doc.Organization; o != nil {
		if o.Unit != "" {
			fmt.Fprintf(w, "  unit\t%s (%s)\n", o.Unit, o.UnitID)
		}
		if o.Status != "" {
			fmt.Fprintf(w, "  status\t%s\n", o.Status)
		}
		if o.Email != "" {
			fmt.Fprintf(w, "  email\t%s\n", o.Email)
		}
		if o.Details != "" {
			fmt.Fprintf(w, "  note\t%s\n", o.Details)
		}
	}
	_ = w.Flush()
	if doc.Reach != "" {
		g.printf("! %s: contain it first, then sweep the members (lockdown scan --org, lockdown trace --org)\n", doc.Reach)
	}
}
