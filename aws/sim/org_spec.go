package sim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// OrganizationSpec puts the scenario's account at the head of an AWS Organization: the scenario's
// own account is the management account, and each member is an account of its own with its own
// IAM, EC2, CloudTrail and faults. Members listed one by one carry the story; `generate` adds
// many alike, so a forty-account organization is a few lines.
type OrganizationSpec struct {
	// ID is the organization's id (o-…); default derived from the seed.
	ID string `yaml:"id"`
	// AccessRole is the role Organizations creates in every account it creates, trusted by the
	// management account (default OrganizationAccountAccessRole).
	AccessRole string `yaml:"access_role"`
	// Units are the organizational units, each under the root or another unit.
	Units    []UnitSpec        `yaml:"units"`
	Members  []MemberSpec      `yaml:"members"`
	Generate []MemberFleetSpec `yaml:"generate"`
}

// UnitSpec is one organizational unit.
type UnitSpec struct {
	Name string `yaml:"name"`
	// ID is the unit's id (ou-…); default derived from its name.
	ID string `yaml:"id"`
	// Parent is another unit's name; default the root.
	Parent string `yaml:"parent"`
}

// MemberAccount is what Organizations knows of a member, whether listed or generated.
type MemberAccount struct {
	// Name is the account's name in the organization; default its alias, else "account-ID".
	Name  string `yaml:"name"`
	Email string `yaml:"email"`
	// Unit is the organizational unit's name; default the root.
	Unit string `yaml:"unit"`
	// Status is ACTIVE (default), SUSPENDED or PENDING_CLOSURE.
	Status string `yaml:"status"`
	Joined When   `yaml:"joined"`
	// Invited accounts joined by invitation: Organizations created no access role in them.
	Invited bool `yaml:"invited"`
	// AccessRole overrides the organization's access role for this account: another name, or
	// "none" when the role was removed (or never made), so the account cannot be assumed.
	AccessRole string `yaml:"access_role"`
	// ExternalID, when set, is the sts:ExternalId the access role's trust policy asks for.
	ExternalID string `yaml:"external_id"`
}

// AccountState is one member account's own state, in the same keys as the scenario's.
type AccountState struct {
	Alias              string          `yaml:"alias"`
	Regions            []RegionSpec    `yaml:"regions"`
	IAM                IAMSpec         `yaml:"iam"`
	EC2                EC2Spec         `yaml:"ec2"`
	AutoScaling        AutoScalingSpec `yaml:"autoscaling"`
	CloudTrail         CloudTrailSpec  `yaml:"cloudtrail"`
	GuardDuty          GuardDutySpec   `yaml:"guardduty"`
	Faults             []Fault         `yaml:"faults"`
	EnforcePermissions bool            `yaml:"enforce_permissions"`
	// Attacker is what the attacker did in this account: sessions obtained here (often with a
	// key of another account, through the access role), history, timed events. Its
	// access_key_id defaults to the scenario's leaked key.
	Attacker AttackerSpec `yaml:"attacker"`
}

// MemberSpec is one member account written out.
type MemberSpec struct {
	ID            string `yaml:"id"`
	MemberAccount `yaml:",inline"`
	AccountState  `yaml:",inline"`
}

// MemberFleetSpec is Count member accounts alike: ids counted up from FirstID, names NAME-01…
// (or account-ID without a name), each with the same state.
type MemberFleetSpec struct {
	Count         int    `yaml:"count"`
	FirstID       string `yaml:"first_id"`
	MemberAccount `yaml:",inline"`
	AccountState  `yaml:",inline"`
}

// DefaultAccessRole is the role Organizations creates in the accounts it creates.
const DefaultAccessRole = "OrganizationAccountAccessRole"

// MaxOrganizationAccounts bounds the members of a scenario's organization, listed and generated.
const MaxOrganizationAccounts = 1000

// Member statuses as Organizations reports them.
var memberStatuses = []string{"ACTIVE", "SUSPENDED", "PENDING_CLOSURE"}

// expandedMember is one member with its place in the scenario, listed or generated.
type expandedMember struct {
	ID string
	MemberAccount
	State *AccountState
	// Path is where the member is written, for messages: organization.members[2] or
	// organization.generate[0].
	Path string
	// IDPath is where its id is written: its own id, or its fleet's first_id.
	IDPath string
	// Index counts members in scenario order, for their seeds.
	Index int
}

// members lists every member account, the listed ones first, then the generated ones.
func (o *OrganizationSpec) members() ([]expandedMember, error) {
	var out []expandedMember
	for i := range o.Members {
		m := &o.Members[i]
		path := fmt.Sprintf("organization.members[%d]", i)
		out = append(out, expandedMember{ID: m.ID, MemberAccount: m.MemberAccount, State: &m.AccountState,
			Path: path, IDPath: path + ".id", Index: len(out)})
	}
	for i := range o.Generate {
		f := &o.Generate[i]
		path := fmt.Sprintf("organization.generate[%d]", i)
		first, err := strconv.ParseUint(f.FirstID, 10, 64)
		if err != nil || len(f.FirstID) != 12 {
			return nil, fmt.Errorf("%s.first_id: must be 12 digits, got %q", path, f.FirstID)
		}
		if f.Count < 1 || f.Count > MaxOrganizationAccounts {
			return nil, fmt.Errorf("%s.count: must be 1 to %d, got %d", path, MaxOrganizationAccounts, f.Count)
		}
		if first+uint64(f.Count)-1 > 999_999_999_999 {
			return nil, fmt.Errorf("%s.count: %d accounts from %s run past the last account id", path, f.Count, f.FirstID)
		}
		for n := range f.Count {
			acct := f.MemberAccount
			id := fmt.Sprintf("%012d", first+uint64(n))
			if f.Name != "" {
				acct.Name = fmt.Sprintf("%s-%02d", f.Name, n+1)
			}
			out = append(out, expandedMember{ID: id, MemberAccount: acct, State: &f.AccountState, Path: path,
				IDPath: path + ".first_id", Index: len(out)})
		}
	}
	if len(out) > MaxOrganizationAccounts {
		return nil, fmt.Errorf("organization: %d member accounts is over the limit of %d", len(out), MaxOrganizationAccounts)
	}
	return out, nil
}

// validate checks the organization around a management account: ids, units, statuses, and each
// member's own state as a scenario would be checked.
func (o *OrganizationSpec) validate(sc *Scenario) error {
	if o.ID != "" && !validOrgID(o.ID) {
		return fmt.Errorf("organization.id: must be o- and 10 to 32 lowercase letters or digits, got %q", o.ID)
	}
	units := map[string]bool{}
	for i, u := range o.Units {
		if u.Name == "" || units[u.Name] {
			return fmt.Errorf("organization.units[%d].name: %q is empty or names another unit too", i, u.Name)
		}
		units[u.Name] = true
		if u.ID != "" && !strings.HasPrefix(u.ID, "ou-") {
			return fmt.Errorf("organization.units[%d].id: must start with ou-, got %q", i, u.ID)
		}
	}
	for i, u := range o.Units {
		if u.Parent != "" && !units[u.Parent] {
			return fmt.Errorf("organization.units[%d].parent: no unit is called %q", i, u.Parent)
		}
		if unitCycle(o.Units, u.Name) {
			return fmt.Errorf("organization.units[%d].parent: unit %s is its own ancestor", i, u.Name)
		}
	}
	members, err := o.members()
	if err != nil {
		return err
	}
	seen := map[string]string{sc.Account.ID: "the management account (account.id)"}
	for _, m := range members {
		if err := m.validate(units, seen); err != nil {
			return err
		}
		seen[m.ID] = m.Path
	}
	return o.validateStates(sc, members)
}

// validateStates checks each member's state as a scenario's, and bounds what the whole
// organization builds: instances and attacker calls of every account together.
func (o *OrganizationSpec) validateStates(sc *Scenario, members []expandedMember) error {
	instances, calls := sc.InstanceCount(), 0
	checked := map[*AccountState]bool{}
	for _, m := range members {
		msc := o.memberScenario(sc, m)
		instances += msc.InstanceCount()
		for _, e := range msc.Attacker.Events {
			calls += max(e.Times, 1)
		}
		if instances > MaxGeneratedInstances {
			return fmt.Errorf("%s: the organization's accounts hold more than %d instances in all", m.Path, MaxGeneratedInstances)
		}
		if calls > MaxAttackCalls {
			return fmt.Errorf("%s: the attacker's events of every account add up to more than %d calls", m.Path, MaxAttackCalls)
		}
		if checked[m.State] {
			continue // a generated fleet's members share one state: it is checked once
		}
		checked[m.State] = true
		if fe := msc.checkCounts(); fe != nil {
			return fmt.Errorf("%s.%s", m.Path, fe.Error())
		}
		if err := msc.validate(); err != nil {
			return fmt.Errorf("%s: %w", m.Path, err)
		}
	}
	return nil
}

func (m expandedMember) validate(units map[string]bool, seen map[string]string) error {
	if len(m.ID) != 12 || strings.Trim(m.ID, "0123456789") != "" {
		return fmt.Errorf("%s: must be 12 digits, got %q", m.IDPath, m.ID)
	}
	if other, dup := seen[m.ID]; dup {
		return fmt.Errorf("%s: account %s is also %s", m.IDPath, m.ID, other)
	}
	if m.Unit != "" && !units[m.Unit] {
		return fmt.Errorf("%s.unit: no unit is called %q (organization.units)", m.Path, m.Unit)
	}
	if m.Status != "" && !slices.Contains(memberStatuses, m.Status) {
		return fmt.Errorf("%s.status: must be one of %s, got %q", m.Path, strings.Join(memberStatuses, ", "), m.Status)
	}
	return nil // joined, as every time of the scenario, was checked by checkTimes
}

func unitCycle(units []UnitSpec, name string) bool {
	parent := map[string]string{}
	for _, u := range units {
		parent[u.Name] = u.Parent
	}
	seen := map[string]bool{}
	for at := parent[name]; at != ""; at = parent[at] {
		if at == name || seen[at] {
			return true
		}
		seen[at] = true
	}
	return false
}

func validOrgID(id string) bool {
	rest, ok := strings.CutPrefix(id, "o-")
	return ok && len(rest) >= 10 && len(rest) <= 32 && strings.Trim(rest, "abcdefghijklmnopqrstuvwxyz0123456789") == ""
}

// accessRole is the role in the member that trusts the management account, or "" when none.
func (o *OrganizationSpec) accessRole(m expandedMember) string {
	switch {
	case m.AccessRole == "none":
		return ""
	case m.AccessRole != "":
		return m.AccessRole
	case m.Invited:
		return ""
	case o.AccessRole != "":
		return o.AccessRole
	}
	return DefaultAccessRole
}

// memberScenario is one member as a scenario of its own: the management account's seed, T0 and
// attacker key, the member's state, and the access role the management account may assume.
func (o *OrganizationSpec) memberScenario(mgmt *Scenario, m expandedMember) *Scenario {
	st := m.State
	sc := &Scenario{
		Name: mgmt.Name + "/" + m.ID, Seed: mgmt.Seed ^ (uint64(m.Index+1) * 0x9e3779b97f4a7c15),
		Account: AccountSpec{ID: m.ID, Alias: st.Alias}, IncidentStart: mgmt.IncidentStart,
		Regions: st.Regions, IAM: st.IAM, EC2: st.EC2, AutoScaling: st.AutoScaling, CloudTrail: st.CloudTrail,
		GuardDuty: st.GuardDuty, Faults: st.Faults, EnforcePermissions: st.EnforcePermissions, Attacker: st.Attacker,
		member: true,
	}
	// The management account's organization trails record every member too: each member sees
	// them, owned by the management account.
	for _, t := range mgmt.CloudTrail.Trails {
		if t.Organization && t.OwnerAccount == "" && !slices.ContainsFunc(st.CloudTrail.Trails, func(m TrailSpec) bool { return m.Name == t.Name }) {
			t.OwnerAccount = mgmt.Account.ID
			sc.CloudTrail.Trails = append(slices.Clone(sc.CloudTrail.Trails), t)
		}
	}
	if sc.Attacker.AccessKeyID == "" {
		sc.Attacker.AccessKeyID = mgmt.Attacker.AccessKeyID
	}
	if sc.Attacker.SourceIP == "" {
		sc.Attacker.SourceIP = mgmt.Attacker.SourceIP
	}
	if role := o.accessRole(m); role != "" && !slices.ContainsFunc(st.IAM.Roles, func(r RoleSpec) bool { return r.Name == role }) {
		joined := m.Joined
		if joined == "" {
			joined = "-400d"
		}
		sc.IAM.Roles = append(slices.Clone(st.IAM.Roles), RoleSpec{Name: role, Created: joined,
			AttachedPolicies: []string{"AdministratorAccess"}, Trust: []string{mgmt.Account.ID}})
	}
	return sc
}
