package sim

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// IAMSpec is the scenario's IAM: users with every kind of credential and policy, groups, roles,
// customer-managed policies and the root user's state.
type IAMSpec struct {
	Root     RootSpec     `yaml:"root"`
	Policies []PolicySpec `yaml:"policies"`
	Groups   []GroupSpec  `yaml:"groups"`
	Users    []UserSpec   `yaml:"users"`
	Roles    []RoleSpec   `yaml:"roles"`
	// IdentityProviders are the account's OIDC and SAML providers.
	IdentityProviders []ProviderSpec `yaml:"identity_providers"`
}

// RootSpec is what GetAccountSummary says about the root user.
type RootSpec struct {
	AccessKeysPresent bool `yaml:"access_keys_present"`
	MFAEnabled        bool `yaml:"mfa_enabled"`
}

// PolicySpec is a customer-managed policy.
type PolicySpec struct {
	Name     string `yaml:"name"`
	Document string `yaml:"document"`
	// Versions are added after the first (v1, the document above), in order.
	Versions []PolicyVersionSpec `yaml:"versions"`
}

// GroupSpec is an IAM group; members are named on the users.
type GroupSpec struct {
	Name             string            `yaml:"name"`
	AttachedPolicies []string          `yaml:"attached_policies"`
	InlinePolicies   map[string]string `yaml:"inline_policies"`
	PutPolicies      []PutPolicySpec   `yaml:"put_policies"`
	// AttachPolicies are managed policies attached at a known time (AttachGroupPolicy).
	AttachPolicies []AttachSpec `yaml:"attach_policies"`
}

// UserSpec is one IAM user. Attached policies are ARNs, or names of AWS-managed policies.
type UserSpec struct {
	Name                string            `yaml:"name"`
	Path                string            `yaml:"path"`
	Created             When              `yaml:"created"`
	AccessKeys          []KeySpec         `yaml:"access_keys"`
	Password            *PasswordSpec     `yaml:"password"`
	MFADevices          []MFASpec         `yaml:"mfa_devices"`
	SigningCertificates []UploadSpec      `yaml:"signing_certificates"`
	SSHPublicKeys       []UploadSpec      `yaml:"ssh_public_keys"`
	ServiceCredentials  []ServiceCredSpec `yaml:"service_credentials"`
	InlinePolicies      map[string]string `yaml:"inline_policies"`
	AttachedPolicies    []string          `yaml:"attached_policies"`
	Groups              []string          `yaml:"groups"`
	PermissionsBoundary string            `yaml:"permissions_boundary"`
	// AttachPolicies, PutPolicies and AddToGroups are what was attached, put or joined at a known
	// time, with who did it (AttachUserPolicy, PutUserPolicy, AddUserToGroup).
	AttachPolicies []AttachSpec    `yaml:"attach_policies"`
	PutPolicies    []PutPolicySpec `yaml:"put_policies"`
	AddToGroups    []GroupAddSpec  `yaml:"add_to_groups"`
	// By is who created the user, for its CloudTrail history: an access key id, role:NAME or user:NAME.
	By string `yaml:"by"`
}

// KeySpec is one access key; an empty ID or Secret is generated.
type KeySpec struct {
	ID       string   `yaml:"id"`
	Secret   string   `yaml:"secret"`
	Status   string   `yaml:"status"`
	Created  When     `yaml:"created"`
	LastUsed *UseSpec `yaml:"last_used"`
	By       string   `yaml:"by"`
}

// UseSpec is when and where a key was last used.
type UseSpec struct {
	At      When   `yaml:"at"`
	Service string `yaml:"service"`
	Region  string `yaml:"region"`
}

// PasswordSpec is a console password (login profile).
type PasswordSpec struct {
	Created       When   `yaml:"created"`
	LastUsed      When   `yaml:"last_used"`
	ResetRequired bool   `yaml:"reset_required"`
	By            string `yaml:"by"`
}

// MFASpec is a virtual MFA device assigned to the user.
type MFASpec struct {
	Name    string `yaml:"name"`
	Enabled When   `yaml:"enabled"`
	By      string `yaml:"by"`
}

// UploadSpec is a signing certificate or an SSH public key.
type UploadSpec struct {
	Uploaded When `yaml:"uploaded"`
}

// ServiceCredSpec is a service-specific credential (CodeCommit, Keyspaces).
type ServiceCredSpec struct {
	Service string `yaml:"service"`
	Created When   `yaml:"created"`
}

// RoleSpec is an IAM role. A service-linked role can only be changed by AWS.
type RoleSpec struct {
	Name             string            `yaml:"name"`
	Path             string            `yaml:"path"`
	Created          When              `yaml:"created"`
	ServiceLinked    string            `yaml:"service_linked"`
	InlinePolicies   map[string]string `yaml:"inline_policies"`
	AttachedPolicies []string          `yaml:"attached_policies"`
	// Trust lists who may assume the role: account ids, principal ARNs or service names
	// ("ec2.amazonaws.com"). Empty means this account.
	Trust []string `yaml:"trust"`
	By    string   `yaml:"by"`
	// TrustChange replaces the trust policy later (UpdateAssumeRolePolicy).
	TrustChange *TrustChangeSpec `yaml:"trust_change"`
	PutPolicies []PutPolicySpec  `yaml:"put_policies"`
	// AttachPolicies are managed policies attached at a known time (AttachRolePolicy).
	AttachPolicies []AttachSpec `yaml:"attach_policies"`
}

func (sp *IAMSpec) validate() error {
	groups := map[string]bool{}
	for i, g := range sp.Groups {
		if err := uniqueName("iam.groups", i, g.Name, groups); err != nil {
			return err
		}
	}
	users := map[string]bool{}
	for i, u := range sp.Users {
		if err := uniqueName("iam.users", i, u.Name, users); err != nil {
			return err
		}
		if err := u.validate(groups); err != nil {
			return under(fmt.Sprintf("iam.users[%d]", i), err)
		}
	}
	roles := map[string]bool{}
	for i, r := range sp.Roles {
		if err := uniqueName("iam.roles", i, r.Name, roles); err != nil {
			return err
		}
	}
	return nil
}

// uniqueName refuses the i-th entry of list when it has no name, or one an entry before it has.
func uniqueName(list string, i int, name string, seen map[string]bool) error {
	switch {
	case name == "":
		return fmt.Errorf("%s[%d]: the name is missing", list, i)
	case seen[name]:
		return fmt.Errorf("%s[%d].name: %s is listed twice", list, i, name)
	}
	seen[name] = true
	return nil
}

func (u UserSpec) validate(groups map[string]bool) error {
	if len(u.AccessKeys) > maxKeysPerUser {
		return fmt.Errorf("access_keys: %d access keys, IAM allows %d", len(u.AccessKeys), maxKeysPerUser)
	}
	for i, k := range u.AccessKeys {
		if k.Status != "" && k.Status != statusActive && k.Status != statusInactive {
			return fmt.Errorf("access_keys[%d].status: must be Active or Inactive, got %q", i, k.Status)
		}
	}
	for i, g := range u.Groups {
		if !groups[g] {
			return fmt.Errorf("groups[%d]: group %s is not in iam.groups", i, g)
		}
	}
	for i, a := range u.AddToGroups {
		switch {
		case !groups[a.Group]:
			return fmt.Errorf("add_to_groups[%d].group: group %q is not in iam.groups", i, a.Group)
		case slices.Contains(u.Groups, a.Group):
			return fmt.Errorf("add_to_groups[%d].group: the user is in group %s already (groups)", i, a.Group)
		}
	}
	return nil
}

// policyARN turns a name of an AWS-managed policy into its ARN; ARNs pass through.
func policyARN(nameOrARN string) string {
	if strings.HasPrefix(nameOrARN, "arn:") {
		return nameOrARN
	}
	return awsPolicyPrefix + nameOrARN
}

// sortedKeys returns a map's keys in order, for stable listings.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
