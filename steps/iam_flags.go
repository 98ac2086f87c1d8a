package steps

import (
	"encoding/json"
	"strings"
	"time"

	"lockdown/aws"
)

// Flags mark what in the IAM inventory needs a human look. The codes appear in `lockdown keys
// --json`; the words are what the operator reads.
const (
	FlagUserCreatedAfterT0     = "user-created-after-t0"
	FlagKeyCreatedAfterT0      = "key-created-after-t0"
	FlagKeyUsedAfterT0         = "key-used-after-t0"
	FlagPasswordCreatedAfterT0 = "password-created-after-t0"
	FlagMFAEnabledAfterT0      = "mfa-enabled-after-t0"
	FlagAdminPolicy            = "admin-policy"
)

// FlagWords explains a flag code in the operator's words.
func FlagWords(code string) string {
	switch code {
	case FlagUserCreatedAfterT0:
		return "user created after T0"
	case FlagKeyCreatedAfterT0:
		return "access key created after T0"
	case FlagKeyUsedAfterT0:
		return "access key used after T0"
	case FlagPasswordCreatedAfterT0:
		return "console password created after T0"
	case FlagMFAEnabledAfterT0:
		return "MFA device enabled after T0"
	case FlagAdminPolicy:
		return "has an admin-like policy"
	}
	return code
}

// after reports t strictly after since; an unknown T0 flags nothing.
func after(t, since time.Time) bool { return !since.IsZero() && !t.IsZero() && t.After(since) }

// KeyFlags returns the flags of one access key.
func KeyFlags(k aws.AccessKey, since time.Time) []string {
	var flags []string
	if after(k.Created, since) {
		flags = append(flags, FlagKeyCreatedAfterT0)
	}
	if after(k.LastUsed.Date, since) {
		flags = append(flags, FlagKeyUsedAfterT0)
	}
	return flags
}

// UserFlags returns the flags of a user itself (its keys have their own).
func UserFlags(u aws.UserCredentials, since time.Time) []string {
	var flags []string
	if after(u.Created, since) {
		flags = append(flags, FlagUserCreatedAfterT0)
	}
	if u.Password != nil && after(*u.Password, since) {
		flags = append(flags, FlagPasswordCreatedAfterT0)
	}
	for _, d := range u.MFADevices {
		if after(d.Enabled, since) {
			flags = append(flags, FlagMFAEnabledAfterT0)
			break
		}
	}
	for _, p := range u.Policies {
		if AdminLike(p) {
			flags = append(flags, FlagAdminPolicy)
			break
		}
	}
	return flags
}

// AdminLike reports a policy that allows everything, or all of IAM (which lets the holder give
// itself everything).
func AdminLike(p aws.Policy) bool {
	switch p.ARN {
	case "arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/IAMFullAccess":
		return true
	}
	return p.Document != "" && documentAllowsAll(p.Document)
}

// documentAllowsAll looks for an Allow of "*" or "iam:*" on every resource.
func documentAllowsAll(doc string) bool {
	var parsed struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &parsed) != nil {
		return false
	}
	type statement struct {
		Effect   string
		Action   json.RawMessage
		Resource json.RawMessage
	}
	var list []statement
	if json.Unmarshal(parsed.Statement, &list) != nil {
		var one statement
		if json.Unmarshal(parsed.Statement, &one) != nil {
			return false
		}
		list = []statement{one}
	}
	for _, st := range list {
		if st.Effect != "Allow" || !contains(stringsOf(st.Resource), "*") {
			continue
		}
		for _, a := range stringsOf(st.Action) {
			if a == "*" || strings.EqualFold(a, "iam:*") {
				return true
			}
		}
	}
	return false
}

// stringsOf reads a policy element that may be one string or a list of them.
func stringsOf(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
