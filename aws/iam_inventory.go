package aws

import (
	"context"
	"fmt"
	"sync"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// InventoryAPI is every read the credential inventory makes.
type InventoryAPI interface {
	KeyReadAPI
	iam.ListUsersAPIClient
	iam.ListMFADevicesAPIClient
	iam.ListGroupsForUserAPIClient
	iam.ListAttachedUserPoliciesAPIClient
	iam.ListUserPoliciesAPIClient
	iam.ListAttachedGroupPoliciesAPIClient
	iam.ListGroupPoliciesAPIClient
	GetGroupPolicy(ctx context.Context, in *iam.GetGroupPolicyInput, optFns ...func(*iam.Options)) (*iam.GetGroupPolicyOutput, error)
	GetLoginProfile(ctx context.Context, in *iam.GetLoginProfileInput, optFns ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error)
	GetUserPolicy(ctx context.Context, in *iam.GetUserPolicyInput, optFns ...func(*iam.Options)) (*iam.GetUserPolicyOutput, error)
	GetAccountSummary(ctx context.Context, in *iam.GetAccountSummaryInput, optFns ...func(*iam.Options)) (*iam.GetAccountSummaryOutput, error)
}

// Inventory is every IAM user with its credentials and policies, and the root user's state.
type Inventory struct {
	Users []UserCredentials
	Root  RootSummary
	// RootErr says why the account summary could not be read, if it could not.
	RootErr error
}

// RootSummary is what GetAccountSummary says about the root user.
type RootSummary struct {
	AccessKeysPresent bool `json:"access_keys_present"`
	MFAEnabled        bool `json:"mfa_enabled"`
}

// UserCredentials is one user as the inventory found it.
type UserCredentials struct {
	Name    string
	ARN     string
	Created time.Time
	// Password is when the console password (login profile) was created; nil when there is none.
	Password         *time.Time
	PasswordLastUsed time.Time
	MFADevices       []MFADevice
	Groups           []string
	// Policies are the user's attached and inline policies, then those of its groups.
	Policies []Policy
	Keys     []AccessKey
	// Err is why this user could not be read completely.
	Err error
}

// MFADevice is an MFA device assigned to a user.
type MFADevice struct {
	Serial  string    `json:"serial"`
	Enabled time.Time `json:"enabled"`
}

// DefaultInventoryWorkers bounds the users read at once: enough to finish an account with hundreds
// of users in seconds, few enough to stay clear of IAM's request rate limits.
const DefaultInventoryWorkers = 8

// TakeInventory reads every user (paginated) with up to workers users at a time. A user that cannot
// be read is kept with its Err; only failing to list users at all is an error. done is called as
// each user finishes.
func TakeInventory(ctx context.Context, api InventoryAPI, workers int, done func(UserCredentials)) (*Inventory, error) {
	users, err := listUsers(ctx, api)
	if err != nil {
		return nil, err
	}
	if workers < 1 {
		workers = DefaultInventoryWorkers
	}
	inv := &Inventory{Users: users}
	inv.Root, inv.RootErr = ReadRootSummary(ctx, api)
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i := range inv.Users {
		wg.Add(1)
		sem <- struct{}{}
		go func(u *UserCredentials) {
			defer func() { <-sem; wg.Done() }()
			u.Err = readUser(ctx, api, u)
			if done != nil {
				done(*u)
			}
		}(&inv.Users[i])
	}
	wg.Wait()
	return inv, ctx.Err()
}

func listUsers(ctx context.Context, api iam.ListUsersAPIClient) ([]UserCredentials, error) {
	var users []UserCredentials
	p := iam.NewListUsersPaginator(api, &iam.ListUsersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListUsers: %w", err)
		}
		for _, u := range page.Users {
			users = append(users, UserCredentials{Name: sdk.ToString(u.UserName), ARN: sdk.ToString(u.Arn),
				Created: sdk.ToTime(u.CreateDate).UTC(), PasswordLastUsed: sdk.ToTime(u.PasswordLastUsed).UTC()})
		}
	}
	return users, nil
}

// AccountSummaryAPI reads the account summary.
type AccountSummaryAPI interface {
	GetAccountSummary(ctx context.Context, in *iam.GetAccountSummaryInput, optFns ...func(*iam.Options)) (*iam.GetAccountSummaryOutput, error)
}

// ReadRootSummary asks IAM's account summary whether the root user has access keys and MFA.
func ReadRootSummary(ctx context.Context, api AccountSummaryAPI) (RootSummary, error) {
	out, err := api.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		return RootSummary{}, fmt.Errorf("iam GetAccountSummary: %w", err)
	}
	return RootSummary{
		AccessKeysPresent: out.SummaryMap["AccountAccessKeysPresent"] > 0,
		MFAEnabled:        out.SummaryMap["AccountMFAEnabled"] > 0,
	}, nil
}

// readUser fills in one user's credentials and policies. Its reads do not depend on each other
// but for the groups' policies, so they are made at once: a user costs the round trips of its
// longest chain (groups, then their policies, then their documents), not of every read in turn —
// which is what throttling multiplies.
func readUser(ctx context.Context, api InventoryAPI, u *UserCredentials) error {
	var errs [5]error
	var own, viaGroups []Policy
	var wg sync.WaitGroup
	wg.Go(func() { u.Keys, errs[0] = ListAccessKeys(ctx, api, u.Name, true) })
	wg.Go(func() { u.Password, errs[1] = LoginProfile(ctx, api, u.Name) })
	wg.Go(func() { u.MFADevices, errs[2] = ListMFADevices(ctx, api, u.Name) })
	wg.Go(func() {
		if u.Groups, errs[3] = GroupsForUser(ctx, api, u.Name); errs[3] == nil {
			viaGroups, errs[3] = policiesOfGroups(ctx, api, u.Groups)
		}
	})
	wg.Go(func() { own, errs[4] = ownPolicies(ctx, api, u.Name) })
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	u.Policies = append(own, viaGroups...)
	return nil
}

// LoginProfile returns when the user's console password was created, or nil when it has none.
func LoginProfile(ctx context.Context, api interface {
	GetLoginProfile(ctx context.Context, in *iam.GetLoginProfileInput, optFns ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error)
}, user string) (*time.Time, error) {
	out, err := api.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: sdk.String(user)})
	if IsNoSuchEntity(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("iam GetLoginProfile %s: %w", user, err)
	}
	t := sdk.ToTime(out.LoginProfile.CreateDate).UTC()
	return &t, nil
}

// ListMFADevices returns the MFA devices assigned to user.
func ListMFADevices(ctx context.Context, api iam.ListMFADevicesAPIClient, user string) ([]MFADevice, error) {
	var out []MFADevice
	p := iam.NewListMFADevicesPaginator(api, &iam.ListMFADevicesInput{UserName: sdk.String(user)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListMFADevices %s: %w", user, err)
		}
		for _, d := range page.MFADevices {
			out = append(out, MFADevice{Serial: sdk.ToString(d.SerialNumber), Enabled: sdk.ToTime(d.EnableDate).UTC()})
		}
	}
	return out, nil
}

// GroupsForUser returns the names of the groups user belongs to.
func GroupsForUser(ctx context.Context, api iam.ListGroupsForUserAPIClient, user string) ([]string, error) {
	var out []string
	p := iam.NewListGroupsForUserPaginator(api, &iam.ListGroupsForUserInput{UserName: sdk.String(user)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListGroupsForUser %s: %w", user, err)
		}
		for _, g := range page.Groups {
			out = append(out, sdk.ToString(g.GroupName))
		}
	}
	return out, nil
}
