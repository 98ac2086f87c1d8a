package steps

import (
	"context"
	"fmt"
	"strings"
	"time"

	"lockdown/aws"
)

// The IAM persistence hunt reads what an attacker leaves in IAM besides users, keys and roles
// and judges each item by who made it: CloudTrail's event for it, weighed against the trace's
// attacker credentials when there is a trace, or its timestamp alone otherwise. The removal
// step plans from the hunt and the verification checks with the same hunt, so what one would
// change is exactly what the other counts as left.

// Kinds of IAM persistence, as the table and the verification name them.
const (
	kindPolicyVersion = "policy version"
	kindProvider      = "identity provider"
	kindLoginProfile  = "console password"
	kindMFADevice     = "MFA device"
	kindRolePolicy    = "role inline policy"
	kindGroupPolicy   = "group inline policy"
	kindTrust         = "trust policy"
)

// iamPersistenceEvents are the IAM events that make or change the items the hunt looks for.
var iamPersistenceEvents = append([]string{"CreatePolicyVersion", "CreateOpenIDConnectProvider", "CreateSAMLProvider",
	"CreateLoginProfile", "UpdateLoginProfile", "EnableMFADevice", "PutRolePolicy", "PutGroupPolicy", "UpdateAssumeRolePolicy"}, grantEvents...)

// iamFinding is one item the hunt found. Flagged items are what the removal step proposes.
type iamFinding struct {
	Kind    string    `json:"kind"`
	RowID   string    `json:"row"`
	Item    string    `json:"item"`
	When    time.Time `json:"when"`
	Reason  string    `json:"reason"`
	Flagged bool      `json:"flagged"`
	// What the change needs, by kind.
	PolicyARN, Version, Previous string
	User, Serial                 string
	Owner, PolicyName            string
	ProviderARN                  string
	TrustBefore, TrustAfter      string
	// Grant is the managed policy, inline policy or group membership a grant finding removes.
	Grant *aws.Grant `json:",omitempty"`
}

// iamHunt is everything the hunt read.
type iamHunt struct {
	Findings []iamFinding
	Warnings []string
	// Shown are inline policies of roles and groups that nothing flags, for the record.
	Shown []aws.InlinePolicy
	// Undone are grants made since T0 that no longer stand, each with the read that says so.
	Undone []iamFinding
	// History says why CloudTrail's event history could not be read; "" when it was. Without it
	// the changes IAM keeps no date for cannot be seen.
	History string
}

// hunter holds what judging needs: T0, the events since, the responder and the trace.
type hunter struct {
	env     *Env
	me      string
	events  []aws.TrailEvent
	traced  bool
	history string
}

// huntIAMPersistence reads the account and judges every item.
func huntIAMPersistence(ctx context.Context, env *Env) (*iamHunt, error) {
	api := env.Account.IAM()
	h := &hunter{env: env, traced: env.Trace != nil && env.Trace.Footprint != nil}
	me, err := responder(ctx, env)
	if err != nil {
		return nil, err
	}
	h.me = me.ARN
	out := &iamHunt{}
	if env.Since.IsZero() {
		out.Warnings = append(out.Warnings, "No incident start (T0) is set: nothing can be told apart as the attacker's. Set --since.")
		return out, nil
	}
	if h.events, err = env.Account.IAMEvents(ctx, iamPersistenceEvents, env.Since); err != nil {
		h.history, out.History = err.Error(), err.Error()
		out.Warnings = append(out.Warnings, err.Error()+": "+undatedChanges+" after T0 cannot be found; the rest is judged by its timestamps.")
	}
	policies, err := aws.ListCustomerPolicies(ctx, api)
	if err != nil {
		return nil, err
	}
	providers, err := aws.ListIdentityProviders(ctx, api)
	if err != nil {
		return nil, err
	}
	inv, err := aws.TakeInventory(ctx, api, aws.DefaultInventoryWorkers, nil)
	if err != nil {
		return nil, err
	}
	inline, err := aws.ListRoleAndGroupInlinePolicies(ctx, api)
	if err != nil {
		return nil, err
	}
	roles, err := aws.ListRoles(ctx, api)
	if err != nil {
		return nil, err
	}
	h.policyVersions(out, policies)
	h.providers(out, providers, roles)
	h.userCredentials(out, inv)
	h.inlinePolicies(out, inline, roles)
	if err := h.trustChanges(ctx, out, roles); err != nil {
		return nil, err
	}
	newUser, newRole := map[string]bool{}, map[string]bool{}
	for _, u := range inv.Users {
		newUser[u.Name] = after(u.Created, env.Since) && goesWhole(env.Trace, u.Name)
	}
	for _, r := range roles {
		newRole[r.Name] = after(r.Created, env.Since) && goesWhole(env.Trace, r.ARN, r.Name)
	}
	if err := h.grants(ctx, out, newUser, newRole); err != nil {
		return nil, err
	}
	return out, nil
}

// undatedChanges are the IAM changes only CloudTrail dates.
const undatedChanges = "managed policies attached, inline policies put, group memberships added, console passwords changed and trust policies replaced"

// judge says whether an item made at t (by event ev, when found) is the attacker's, and why.
// skip is true for lockdown's own changes, which are never findings.
func (h *hunter) judge(what string, t time.Time, ev *aws.TrailEvent) (flag, skip bool, why string) {
	if ev != nil && ev.Principal == h.me && h.me != "" {
		return false, true, ""
	}
	stamp := what
	if !t.IsZero() {
		stamp += " " + when(t)
	}
	stamp += ", after T0"
	switch {
	case ev != nil && h.traced && h.attacker(ev.Credential):
		return true, false, stamp + " — by the attacker: " + evidence(*ev)
	case ev != nil && h.traced:
		return false, false, stamp + " — by " + firstOr(ev.Principal, "someone") + ", not a credential the trace follows: select it if nobody vouches for it"
	case ev != nil:
		return true, false, stamp + " — " + evidence(*ev) + " (CloudTrail was not traced: whose credential that is was not judged)"
	case h.traced:
		return true, false, stamp + " (CloudTrail has no event for it: judged by its time)"
	}
	return true, false, stamp + " (by its timestamp: CloudTrail was not traced)"
}

func (h *hunter) attacker(credential string) bool {
	for _, c := range h.env.Trace.Footprint.Credentials {
		if c.ID == credential && credential != "" {
			return true
		}
	}
	return false
}

// latest is the newest event named one of names whose request matches, nil when none. lockdown's
// own changes (a password reset it required, a trust policy it fixed) never count.
func (h *hunter) latest(match func(aws.TrailEvent) bool, names ...string) *aws.TrailEvent {
	var found *aws.TrailEvent
	for i, e := range h.events {
		if !e.Succeeded() || !contains(names, e.EventName) || e.Principal == h.me || !match(e) {
			continue
		}
		if found == nil || e.Time.After(found.Time) {
			found = &h.events[i]
		}
	}
	return found
}

func (h *hunter) add(out *iamHunt, f iamFinding, what string, t time.Time, ev *aws.TrailEvent) {
	flag, skip, why := h.judge(what, t, ev)
	if skip {
		return
	}
	f.Flagged, f.Reason, f.When = flag, why, t
	out.Findings = append(out.Findings, f)
}

// policyVersions: a version created after T0 of a policy that had one before.
func (h *hunter) policyVersions(out *iamHunt, policies []aws.CustomerPolicy) {
	for _, p := range policies {
		prev, hadOne := p.VersionBefore(h.env.Since)
		for _, v := range p.Versions {
			if !after(v.Created, h.env.Since) {
				continue
			}
			if !hadOne {
				out.Warnings = append(out.Warnings, fmt.Sprintf("%s was created after T0 (%s): it has no earlier version to restore; detach and delete it by hand if nobody vouches for it", p.ARN, when(v.Created)))
				break
			}
			ev := h.latest(func(e aws.TrailEvent) bool {
				return e.RequestField("policyArn") == p.ARN && e.ResponseField("policyVersion", "versionId") == v.ID
			}, "CreatePolicyVersion")
			what := "version " + v.ID + " created"
			if v.Default {
				what = "default version " + v.ID + " created"
			}
			h.add(out, iamFinding{Kind: kindPolicyVersion, RowID: PolicyVersionChangeID(p.ARN, v.ID), Item: p.Name + " " + v.ID,
				PolicyARN: p.ARN, Version: v.ID, Previous: prev.ID}, what, v.Created, ev)
		}
	}
}

// providers: an identity provider created after T0, and the roles that trust it.
func (h *hunter) providers(out *iamHunt, providers []aws.IdentityProvider, roles []aws.Role) {
	for _, p := range providers {
		if !after(p.Created, h.env.Since) {
			continue
		}
		ev := h.latest(func(e aws.TrailEvent) bool {
			return e.ResponseField("openIDConnectProviderArn") == p.ARN || e.ResponseField("sAMLProviderArn") == p.ARN
		}, "CreateOpenIDConnectProvider", "CreateSAMLProvider")
		h.add(out, iamFinding{Kind: kindProvider, RowID: ProviderChangeID(p.ARN), Item: p.Kind + " " + p.Name(), ProviderARN: p.ARN},
			p.Kind+" provider created", p.Created, ev)
		for _, r := range roles {
			if strings.Contains(r.Trust, p.ARN) {
				out.Warnings = append(out.Warnings, fmt.Sprintf("Role %s trusts the %s provider %s, created after T0: deleting the provider stops those sign-ins; check the role's trust policy and CloudTrail before keeping it", r.Name, p.Kind, p.Name()))
			}
		}
	}
}

// userCredentials: console passwords created or changed, and MFA devices enabled, after T0 on
// users that existed before T0 (users created after T0 go whole with Remove rogue IAM users).
func (h *hunter) userCredentials(out *iamHunt, inv *aws.Inventory) {
	for _, u := range inv.Users {
		if u.Err != nil {
			out.Warnings = append(out.Warnings, fmt.Sprintf("%s could not be read completely: %v", u.Name, u.Err))
		}
		if after(u.Created, h.env.Since) {
			continue
		}
		if u.Password != nil {
			ev := h.latest(func(e aws.TrailEvent) bool { return e.RequestField("userName") == u.Name }, "CreateLoginProfile", "UpdateLoginProfile")
			created, what := *u.Password, "console password created"
			if ev != nil && ev.EventName == "UpdateLoginProfile" {
				created, what = ev.Time, "console password changed"
			}
			if after(created, h.env.Since) {
				h.add(out, iamFinding{Kind: kindLoginProfile, RowID: loginProfileChangeID(u.Name), Item: u.Name, User: u.Name}, what, created, ev)
			}
		}
		for _, d := range u.MFADevices {
			if !after(d.Enabled, h.env.Since) {
				continue
			}
			ev := h.latest(func(e aws.TrailEvent) bool { return e.RequestField("serialNumber") == d.Serial }, "EnableMFADevice")
			h.add(out, iamFinding{Kind: kindMFADevice, RowID: mfaChangeID(u.Name, d.Serial), Item: u.Name + " " + d.Serial, User: u.Name, Serial: d.Serial},
				"MFA device enabled", d.Enabled, ev)
		}
	}
}

// inlinePolicies: every inline policy of a role or group is shown; one that CloudTrail shows put
// after T0 is flagged. IAM keeps no date for inline policies: without the history, none is.
func (h *hunter) inlinePolicies(out *iamHunt, inline []aws.InlinePolicy, roles []aws.Role) {
	newRole := map[string]bool{}
	for _, r := range roles {
		newRole[r.Name] = after(r.Created, h.env.Since)
	}
	for _, p := range inline {
		if p.Name == aws.RevokeSessionsPolicy || (p.OwnerKind == "role" && newRole[p.Owner]) {
			continue // lockdown's own revocation, or a role Revoke role sessions deletes whole
		}
		event, kind, rowID := "PutGroupPolicy", kindGroupPolicy, GroupPolicyChangeID(p.Owner, p.Name)
		if p.OwnerKind == "role" {
			event, kind, rowID = "PutRolePolicy", kindRolePolicy, RolePartID(p.Owner, aws.RolePart{Kind: aws.RolePartInlinePolicy, ID: p.Name})
		}
		ev := h.latest(func(e aws.TrailEvent) bool {
			return e.RequestField(p.OwnerKind+"Name") == p.Owner && e.RequestField("policyName") == p.Name
		}, event)
		if ev == nil {
			out.Shown = append(out.Shown, p)
			continue
		}
		h.add(out, iamFinding{Kind: kind, RowID: rowID, Item: p.OwnerKind + " " + p.Owner + ": " + p.Name, Owner: p.Owner, PolicyName: p.Name},
			"inline policy put", ev.Time, ev)
	}
}

func firstOr(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

// The change ids of the hunt's changes, shared with the journal.

// PolicyVersionChangeID names the deletion of one policy version.
func PolicyVersionChangeID(arn, version string) string {
	return "policy-version/" + arn + "/" + version
}

// ProviderChangeID names the deletion of one identity provider.
func ProviderChangeID(arn string) string { return "identity-provider/" + arn }

// GroupPolicyChangeID names the deletion of one inline policy of a group.
func GroupPolicyChangeID(group, policy string) string { return "group-policy/" + group + "/" + policy }

// PasswordResetChangeID names requiring one user's password reset.
func PasswordResetChangeID(user string) string { return "password-reset/" + user }

func loginProfileChangeID(user string) string {
	return "remove/" + user + "/console-password/" + user
}

func mfaChangeID(user, serial string) string { return "remove/" + user + "/MFA-device/" + serial }
