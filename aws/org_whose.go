package aws

import (
	"context"
	"errors"
	"fmt"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// OrgReader is every Organizations call lockdown makes; all of them read.
type OrgReader interface {
	organizations.ListAccountsAPIClient
	organizations.ListAccountsForParentAPIClient
	organizations.ListOrganizationalUnitsForParentAPIClient
	organizations.ListRootsAPIClient
	organizations.ListParentsAPIClient
	DescribeOrganization(ctx context.Context, in *organizations.DescribeOrganizationInput, optFns ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	DescribeAccount(ctx context.Context, in *organizations.DescribeAccountInput, optFns ...func(*organizations.Options)) (*organizations.DescribeAccountOutput, error)
	DescribeOrganizationalUnit(ctx context.Context, in *organizations.DescribeOrganizationalUnitInput, optFns ...func(*organizations.Options)) (*organizations.DescribeOrganizationalUnitOutput, error)
}

// KeyInfoAPI asks STS which account owns an access key.
type KeyInfoAPI interface {
	GetAccessKeyInfo(ctx context.Context, in *sts.GetAccessKeyInfoInput, optFns ...func(*sts.Options)) (*sts.GetAccessKeyInfoOutput, error)
}

type orgReader struct{ OrgReader }

// Organizations returns a reader of AWS Organizations, a global service called in the home region.
func (a *Account) Organizations() OrgReader {
	return orgReader{organizations.NewFromConfig(a.cfg, func(o *organizations.Options) { o.BaseEndpoint = a.endpointOverride() })}
}

// Organizations returns a reader of AWS Organizations.
func (r *ReadOnly) Organizations() OrgReader { return r.a.Organizations() }

// KeyAccount names the account that owns an access key (STS GetAccessKeyInfo): any key id, of any
// account, long-term or temporary, whoever asks.
func (a *Account) KeyAccount(ctx context.Context, keyID string) (string, error) {
	return keyAccount(ctx, a.stsClient(), keyID)
}

// KeyAccount names the account that owns an access key.
func (r *ReadOnly) KeyAccount(ctx context.Context, keyID string) (string, error) {
	return r.a.KeyAccount(ctx, keyID)
}

func keyAccount(ctx context.Context, api KeyInfoAPI, keyID string) (string, error) {
	out, err := api.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: sdk.String(keyID)})
	if err != nil {
		return "", fmt.Errorf("sts GetAccessKeyInfo %s: %w", keyID, err)
	}
	return sdk.ToString(out.Account), nil
}

// KeyOwner is where an access key belongs: its account and, when Organizations can be read, the
// account's place in the organization.
type KeyOwner struct {
	Key     string `json:"key"`
	Account string `json:"account"`
	// Organization is the account's organization as the asking account sees it, or nil when it
	// is in none or Organizations could not be read (OrgUnread says why).
	Organization *KeyOrganization `json:"organization,omitempty"`
	OrgUnread    string           `json:"organization_unread,omitempty"`
}

// KeyOrganization is the key's account in its organization.
type KeyOrganization struct {
	ID                string `json:"id"`
	ManagementAccount string `json:"management_account"`
	// Management is true when the key's account is the management account itself.
	Management bool `json:"management"`
	// Member is false when the key's account is not in the asking account's organization.
	Member bool   `json:"member"`
	Name   string `json:"name,omitempty"`
	Email  string `json:"email,omitempty"`
	Status string `json:"status,omitempty"`
	// Unit and UnitID are the organizational unit the account sits in ("Root" at the top).
	Unit   string `json:"unit,omitempty"`
	UnitID string `json:"unit_id,omitempty"`
	// Details says why name, unit and status are missing: only the management account (or a
	// delegated administrator) may describe accounts.
	Details string `json:"details_unread,omitempty"`
}

// Whose names the account of a key and its place in the organization. Only GetAccessKeyInfo must
// answer; what Organizations does not tell is said, never guessed.
func Whose(ctx context.Context, keys KeyInfoAPI, org OrgReader, keyID string) (*KeyOwner, error) {
	account, err := keyAccount(ctx, keys, keyID)
	if err != nil {
		return nil, err
	}
	owner := &KeyOwner{Key: keyID, Account: account}
	desc, err := org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	switch {
	case ErrorCode(err) == "AWSOrganizationsNotInUseException":
		owner.OrgUnread = "the asking account is in no organization"
		return owner, nil
	case err != nil:
		owner.OrgUnread = "Organizations could not be read: " + ErrorMessage(err)
		return owner, nil
	}
	o := desc.Organization
	ko := &KeyOrganization{ID: sdk.ToString(o.Id), ManagementAccount: sdk.ToString(o.MasterAccountId)}
	ko.Management = account == ko.ManagementAccount
	owner.Organization = ko
	a, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: sdk.String(account)})
	switch {
	case ErrorCode(err) == "AccountNotFoundException":
		ko.Details = "not an account of this organization"
		return owner, nil
	case err != nil:
		ko.Member = ko.Management
		ko.Details = "name, unit and status unread: " + ErrorMessage(err) + " (ask from the management account)"
		return owner, nil
	}
	ko.Member = true
	ko.Name, ko.Email, ko.Status = sdk.ToString(a.Account.Name), sdk.ToString(a.Account.Email), string(a.Account.Status)
	if a.Account.State != "" {
		ko.Status = string(a.Account.State)
	}
	ko.UnitID, ko.Unit, err = unitOf(ctx, org, account)
	if err != nil {
		ko.Details = "unit unread: " + ErrorMessage(err)
	}
	return owner, nil
}

// unitOf is the organizational unit an account sits in, or the root.
func unitOf(ctx context.Context, org OrgReader, account string) (id, name string, err error) {
	parents, err := org.ListParents(ctx, &organizations.ListParentsInput{ChildId: sdk.String(account)})
	if err != nil {
		return "", "", err
	}
	if len(parents.Parents) == 0 {
		return "", "", errors.New("ListParents named no parent")
	}
	p := parents.Parents[0]
	id = sdk.ToString(p.Id)
	if p.Type == "ROOT" {
		return id, "Root", nil
	}
	ou, err := org.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: p.Id})
	if err != nil {
		return id, "", err
	}
	return id, sdk.ToString(ou.OrganizationalUnit.Name), nil
}

// WhoseKey is Whose through this account's readers.
func (a *Account) WhoseKey(ctx context.Context, keyID string) (*KeyOwner, error) {
	return Whose(ctx, a.stsClient(), a.Organizations(), keyID)
}

// WhoseKey is Whose through the account's readers.
func (r *ReadOnly) WhoseKey(ctx context.Context, keyID string) (*KeyOwner, error) {
	return r.a.WhoseKey(ctx, keyID)
}

// Reach says what holding the key reaches beyond its account: the management account's keys
// reach every member through the access role Organizations creates there.
func (o *KeyOwner) Reach() string {
	if o.Organization != nil && o.Organization.Management {
		return "this key can reach every member account through OrganizationAccountAccessRole"
	}
	return ""
}
