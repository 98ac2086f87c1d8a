package steps

import (
	"context"
	"time"

	"lockdown/aws"
)

// KeysReport is the credential inventory as `lockdown keys --json` prints it. It holds key ids and
// dates only: no secret ever passes through it.
type KeysReport struct {
	Account   string          `json:"account"`
	Since     *time.Time      `json:"since"`
	Root      aws.RootSummary `json:"root"`
	RootError string          `json:"root_error,omitempty"`
	Users     []UserReport    `json:"users"`
	// Evidence says whether created_by below comes from CloudTrail or why it could not.
	Evidence string `json:"evidence,omitempty"`
}

// UserReport is one user in the report.
type UserReport struct {
	Name               string          `json:"name"`
	ARN                string          `json:"arn"`
	Created            time.Time       `json:"created"`
	PasswordLastUsed   *time.Time      `json:"password_last_used"`
	HasConsolePassword bool            `json:"has_console_password"`
	PasswordCreated    *time.Time      `json:"password_created,omitempty"`
	MFADevices         []aws.MFADevice `json:"mfa_devices"`
	Groups             []string        `json:"groups"`
	Policies           []aws.Policy    `json:"policies"`
	Flags              []string        `json:"flags"`
	Keys               []KeyReport     `json:"keys"`
	Error              string          `json:"error,omitempty"`
	CreatedBy          *aws.Origin     `json:"created_by,omitempty"`
}

// KeyReport is one access key in the report.
type KeyReport struct {
	ID       string     `json:"id"`
	Status   string     `json:"status"`
	Created  time.Time  `json:"created"`
	LastUsed aws.KeyUse `json:"last_used"`
	Flags    []string   `json:"flags"`
	// CreatedBy is the CloudTrail event that created the key, when the trace found one.
	CreatedBy *aws.Origin `json:"created_by,omitempty"`
}

// Flagged reports whether the user or any of its keys has a flag.
func (u UserReport) Flagged() bool {
	if len(u.Flags) > 0 {
		return true
	}
	for _, k := range u.Keys {
		if len(k.Flags) > 0 {
			return true
		}
	}
	return false
}

// NewKeysReport flags an inventory against T0 (since; zero flags nothing by time).
func NewKeysReport(inv *aws.Inventory, account string, since time.Time) *KeysReport {
	rep := &KeysReport{Account: account, Root: inv.Root, Users: make([]UserReport, 0, len(inv.Users))}
	if !since.IsZero() {
		s := since.UTC()
		rep.Since = &s
	}
	if inv.RootErr != nil {
		rep.RootError = aws.ErrorMessage(inv.RootErr)
	}
	for _, u := range inv.Users {
		rep.Users = append(rep.Users, userReport(u, since))
	}
	return rep
}

func userReport(u aws.UserCredentials, since time.Time) UserReport {
	r := UserReport{Name: u.Name, ARN: u.ARN, Created: u.Created, HasConsolePassword: u.Password != nil,
		PasswordCreated: u.Password, MFADevices: nonNil(u.MFADevices), Groups: nonNil(u.Groups),
		Policies: nonNil(u.Policies), Flags: nonNil(UserFlags(u, since)), Keys: []KeyReport{}}
	if !u.PasswordLastUsed.IsZero() {
		t := u.PasswordLastUsed
		r.PasswordLastUsed = &t
	}
	if u.Err != nil {
		r.Error = u.Err.Error()
	}
	for _, k := range u.Keys {
		r.Keys = append(r.Keys, KeyReport{ID: k.ID, Status: k.Status, Created: k.Created, LastUsed: k.LastUsed, Flags: nonNil(KeyFlags(k, since))})
	}
	return r
}

// nonNil makes empty lists print as [] rather than null, so JSON consumers need no null checks.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Failed counts users that could not be read completely; `lockdown keys` exits 3 when it is not 0.
func (r *KeysReport) Failed() int {
	n := 0
	for _, u := range r.Users {
		if u.Error != "" {
			n++
		}
	}
	return n
}

// BuildKeysReport is `lockdown keys`: confirm the account, take the inventory read-only, and flag
// it against since.
func BuildKeysReport(ctx context.Context, acct *aws.ReadOnly, since time.Time, workers int) (*KeysReport, error) {
	id, err := acct.WhoAmI(ctx)
	if err != nil {
		return nil, err
	}
	inv, err := aws.TakeInventory(ctx, acct.IAM(), workers, nil)
	if err != nil {
		return nil, err
	}
	return NewKeysReport(inv, id.Account, since), nil
}
