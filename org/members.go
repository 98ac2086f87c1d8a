// Package org sweeps an AWS Organization: it lists the member accounts, enters each through its
// role, and runs the single-account work in each, bounded over accounts and regions together.
package org

import (
	"context"
	"fmt"
	"slices"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"lockdown/aws"
)

// Member is one account of the organization as Organizations lists it.
type Member struct {
	ID     string `json:"account"`
	Name   string `json:"name,omitempty"`
	Email  string `json:"email,omitempty"`
	Status string `json:"account_status,omitempty"`
	// Management is true for the organization's management account.
	Management bool `json:"management,omitempty"`
}

// Label is the account as people say it: its id and name.
func (m Member) Label() string {
	if m.Name == "" {
		return m.ID
	}
	return m.ID + " (" + m.Name + ")"
}

// Organization is the organization lockdown sweeps: its id, management account and the accounts
// chosen for the sweep.
type Organization struct {
	ID                string   `json:"organization"`
	ManagementAccount string   `json:"management_account"`
	Members           []Member `json:"-"`
	// All are every account of the organization, chosen for the sweep or not.
	All []Member `json:"-"`
}

// Names maps every account of the organization to its name.
func (o *Organization) Names() map[string]string {
	out := make(map[string]string, len(o.All))
	for _, m := range o.All {
		out[m.ID] = m.Name
	}
	return out
}

// Selection narrows the sweep: these accounts only, or the accounts under one unit (and the
// units under it).
type Selection struct {
	Accounts []string
	Unit     string
}

// SelectionError is a --accounts or --ou that names nothing of the organization.
type SelectionError struct{ Msg string }

func (e *SelectionError) Error() string { return e.Msg }

// List reads the organization and its accounts, every page, then keeps the selected ones. It needs
// the management account's (or a delegated administrator's) permission to list accounts.
func List(ctx context.Context, api aws.OrgReader, sel Selection) (*Organization, error) {
	desc, err := api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		return nil, fmt.Errorf("organizations DescribeOrganization: %w", err)
	}
	o := &Organization{ID: sdk.ToString(desc.Organization.Id), ManagementAccount: sdk.ToString(desc.Organization.MasterAccountId)}
	var all []Member
	p := organizations.NewListAccountsPaginator(api, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("organizations ListAccounts: %w (--org needs the management account's credentials, or a delegated administrator's)", err)
		}
		for _, a := range page.Accounts {
			m := Member{ID: sdk.ToString(a.Id), Name: sdk.ToString(a.Name), Email: sdk.ToString(a.Email), Status: string(a.Status)}
			if a.State != "" {
				m.Status = string(a.State)
			}
			m.Management = m.ID == o.ManagementAccount
			all = append(all, m)
		}
	}
	o.All = all
	if sel.Unit != "" {
		under, err := accountsUnder(ctx, api, sel.Unit)
		if err != nil {
			return nil, err
		}
		all = slices.DeleteFunc(all, func(m Member) bool { return !under[m.ID] })
	}
	if len(sel.Accounts) > 0 {
		if all, err = chosen(all, sel.Accounts); err != nil {
			return nil, err
		}
	}
	o.Members = all
	return o, nil
}

// chosen keeps the named accounts, refusing a name the organization (or the unit) does not have:
// a typo must not read as a clean account.
func chosen(all []Member, ids []string) ([]Member, error) {
	var missing []string
	keep := map[string]bool{}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if !slices.ContainsFunc(all, func(m Member) bool { return m.ID == id }) {
			missing = append(missing, id)
		}
		keep[id] = true
	}
	if len(missing) > 0 {
		return nil, &SelectionError{fmt.Sprintf("--accounts: %s is not an account of the organization (or of the --ou unit)", strings.Join(missing, ", "))}
	}
	return slices.DeleteFunc(slices.Clone(all), func(m Member) bool { return !keep[m.ID] }), nil
}

// accountsUnder walks a unit and the units under it, every page, for the accounts in them.
func accountsUnder(ctx context.Context, api aws.OrgReader, unit string) (map[string]bool, error) {
	out := map[string]bool{}
	queue := []string{unit}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		accounts := organizations.NewListAccountsForParentPaginator(api, &organizations.ListAccountsForParentInput{ParentId: sdk.String(parent)})
		for accounts.HasMorePages() {
			page, err := accounts.NextPage(ctx)
			if aws.ErrorCode(err) == "ParentNotFoundException" {
				return nil, &SelectionError{fmt.Sprintf("--ou %s: the organization has no such unit (%s)", unit, aws.ErrorMessage(err))}
			}
			if err != nil {
				return nil, fmt.Errorf("organizations ListAccountsForParent %s: %w", parent, err)
			}
			for _, a := range page.Accounts {
				out[sdk.ToString(a.Id)] = true
			}
		}
		units := organizations.NewListOrganizationalUnitsForParentPaginator(api, &organizations.ListOrganizationalUnitsForParentInput{ParentId: sdk.String(parent)})
		for units.HasMorePages() {
			page, err := units.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("organizations ListOrganizationalUnitsForParent %s: %w", parent, err)
			}
			for _, u := range page.OrganizationalUnits {
				queue = append(queue, sdk.ToString(u.Id))
			}
		}
	}
	return out, nil
}
