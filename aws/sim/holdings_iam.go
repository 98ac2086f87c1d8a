package sim

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Kinds of Holding that are ways back into IAM without a key: what Remove IAM persistence undoes.
const (
	HoldingPolicyVersion = "policy version"
	HoldingProvider      = "identity provider"
	HoldingPassword      = "console password"
	HoldingMFA           = "MFA device"
	HoldingInlinePolicy  = "inline policy"
	HoldingTrust         = "trust policy"
)

// seedProvenance notes who made the scenario's IAM persistence, from the `by` of each item: the
// state keeps no author for a policy version, a provider, a password or an inline policy.
func (s *Server) seedProvenance(sc *Scenario) {
	made := s.ledger.made
	for _, ps := range sc.IAM.Policies {
		for i, vs := range ps.Versions {
			if vs.By != "" {
				made[HoldingKey(HoldingPolicyVersion, "", ps.Name+" v"+itoa(i+2))] = vs.By
			}
		}
	}
	for _, ps := range sc.IAM.IdentityProviders {
		if ps.By != "" {
			made[HoldingKey(HoldingProvider, "", providerID(ps.URL, ps.Name))] = ps.By
		}
	}
	for _, us := range sc.IAM.Users {
		if p := us.Password; p != nil && p.By != "" {
			made[HoldingKey(HoldingPassword, "", us.Name)] = p.By
		}
		for i, m := range us.MFADevices {
			if u := s.iam.users[us.Name]; m.By != "" && i < len(u.MFA) {
				made[HoldingKey(HoldingMFA, "", u.MFA[i].Serial)] = m.By
			}
		}
	}
	for _, gs := range sc.IAM.Groups {
		for _, pp := range gs.PutPolicies {
			made[HoldingKey(HoldingInlinePolicy, "", "group "+gs.Name+"/"+pp.Name)] = pp.By
		}
	}
	for _, rs := range sc.IAM.Roles {
		for _, pp := range rs.PutPolicies {
			made[HoldingKey(HoldingInlinePolicy, "", "role "+rs.Name+"/"+pp.Name)] = pp.By
		}
		if tc := rs.TrustChange; tc != nil {
			made[HoldingKey(HoldingTrust, "", rs.Name)] = tc.By
		}
	}
}

func providerID(rawURL, name string) string {
	if rawURL != "" {
		return strings.TrimPrefix(rawURL, "https://")
	}
	return name
}

// iamPersistenceHoldings are the account's default policy versions, identity providers, console
// passwords, MFA devices, inline policies of roles and groups, and the trust policies changed
// since the scenario began: each with who made it where that is known.
func (s *Server) iamPersistenceHoldings() []Holding {
	made := s.ledger.made
	var out []Holding
	for _, arn := range slices.Sorted(maps.Keys(s.iam.policies)) {
		if p := s.iam.policies[arn]; !p.awsManaged() {
			out = append(out, policyVersionHolding(p, made))
		}
	}
	for _, arn := range slices.Sorted(maps.Keys(s.iam.providers)) {
		out = append(out, providerHolding(s.iam.providers[arn], made))
	}
	for _, u := range s.iam.sortedUsers() {
		if u.Login != nil {
			out = append(out, passwordHolding(u, made))
		}
		for _, d := range u.MFA {
			out = append(out, mfaHolding(u, d, made))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.iam.groups)) {
		g := s.iam.groups[name]
		for _, policy := range slices.Sorted(maps.Keys(g.Inline)) {
			out = append(out, inlineHolding("group", g.Name, policy, made))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.iam.roles)) {
		r := s.iam.roles[name]
		if r.ServiceLinked {
			continue
		}
		for _, policy := range slices.Sorted(maps.Keys(r.Inline)) {
			out = append(out, inlineHolding("role", r.Name, policy, made))
		}
		if by, ok := made[HoldingKey(HoldingTrust, "", r.Name)]; ok {
			out = append(out, Holding{Kind: HoldingTrust, ID: r.Name, By: by, Via: HoldingKey(HoldingRole, "", r.Name)})
		}
	}
	return out
}

func policyVersionHolding(p *managedPolicy, made map[string]string) Holding {
	id := p.Name + " " + p.DefaultVersion
	h := Holding{Kind: HoldingPolicyVersion, ID: id, By: made[HoldingKey(HoldingPolicyVersion, "", id)], Type: "default"}
	if v, err := p.version(p.DefaultVersion); err == nil {
		h.Created = v.Created
	}
	return h
}

func providerHolding(p *identityProvider, made map[string]string) Holding {
	id := providerID(p.URL, p.Name)
	return Holding{Kind: HoldingProvider, ID: id, By: made[HoldingKey(HoldingProvider, "", id)], Created: p.Created}
}

func passwordHolding(u *iamUser, made map[string]string) Holding {
	return Holding{Kind: HoldingPassword, ID: u.Name, User: u.Name, By: made[HoldingKey(HoldingPassword, "", u.Name)],
		Created: *u.Login, Via: HoldingKey(HoldingUser, "", u.Name)}
}

func mfaHolding(u *iamUser, d *mfaDevice, made map[string]string) Holding {
	return Holding{Kind: HoldingMFA, ID: d.Serial, User: u.Name, By: made[HoldingKey(HoldingMFA, "", d.Serial)],
		Created: d.Enabled, Via: HoldingKey(HoldingUser, "", u.Name)}
}

func inlineHolding(kind, owner, policy string, made map[string]string) Holding {
	id := kind + " " + owner + "/" + policy
	via := HoldingKey(HoldingRole, "", owner)
	if kind == "group" {
		via = "" // a group has no author the simulator knows of
	}
	return Holding{Kind: HoldingInlinePolicy, ID: id, By: made[HoldingKey(HoldingInlinePolicy, "", id)], Via: via}
}

// iamBefore notes the IAM persistence a call is about to remove or replace.
func (s *Server) iamBefore(c *Call) ([]Holding, bool) {
	if c.Service != "iam" {
		return nil, false
	}
	made, p := s.ledger.made, c.Params
	switch c.Action {
	case "DeleteOpenIDConnectProvider", "DeleteSAMLProvider":
		arn := firstNonEmpty(p.Get("OpenIDConnectProviderArn"), p.Get("SAMLProviderArn"))
		if pr, ok := s.iam.providers[arn]; ok {
			return []Holding{providerHolding(pr, made)}, true
		}
	case "DeleteLoginProfile":
		if u := s.iam.users[p.Get("UserName")]; u != nil && u.Login != nil {
			return []Holding{passwordHolding(u, made)}, true
		}
	case "DeactivateMFADevice":
		if u := s.iam.users[p.Get("UserName")]; u != nil {
			for _, d := range u.MFA {
				if d.Serial == p.Get("SerialNumber") {
					return []Holding{mfaHolding(u, d, made)}, true
				}
			}
		}
	case "DeleteRolePolicy":
		if r := s.iam.roles[p.Get("RoleName")]; r != nil {
			if _, ok := r.Inline[p.Get("PolicyName")]; ok {
				return []Holding{inlineHolding("role", r.Name, p.Get("PolicyName"), made)}, true
			}
		}
	case "DeleteGroupPolicy":
		if g := s.iam.groups[p.Get("GroupName")]; g != nil {
			if _, ok := g.Inline[p.Get("PolicyName")]; ok {
				return []Holding{inlineHolding("group", g.Name, p.Get("PolicyName"), made)}, true
			}
		}
	case "SetDefaultPolicyVersion":
		if pol, ok := s.iam.policies[p.Get("PolicyArn")]; ok && pol.DefaultVersion != p.Get("VersionId") {
			h := policyVersionHolding(pol, made)
			h.State = "not default"
			return []Holding{h}, true
		}
	case "UpdateAssumeRolePolicy":
		if by, ok := made[HoldingKey(HoldingTrust, "", p.Get("RoleName"))]; ok {
			return []Holding{{Kind: HoldingTrust, ID: p.Get("RoleName"), By: by, State: "replaced",
				Via: HoldingKey(HoldingRole, "", p.Get("RoleName"))}}, true
		}
		return nil, true
	}
	return nil, false
}

// iamAfter notes who made the IAM persistence a call added.
func (s *Server) iamAfter(c *Call, by string) {
	if c.Service != "iam" {
		return
	}
	made, p := s.ledger.made, c.Params
	switch c.Action {
	case "CreatePolicyVersion":
		if pol, ok := s.iam.policies[p.Get("PolicyArn")]; ok && len(pol.Versions) > 0 {
			made[HoldingKey(HoldingPolicyVersion, "", pol.Name+" "+pol.Versions[len(pol.Versions)-1].ID)] = by
		}
	case "CreateOpenIDConnectProvider", "CreateSAMLProvider":
		made[HoldingKey(HoldingProvider, "", providerID(p.Get("Url"), p.Get("Name")))] = by
	case "CreateLoginProfile":
		made[HoldingKey(HoldingPassword, "", p.Get("UserName"))] = by
	case "EnableMFADevice":
		made[HoldingKey(HoldingMFA, "", p.Get("SerialNumber"))] = by
	case "PutRolePolicy":
		made[HoldingKey(HoldingInlinePolicy, "", "role "+p.Get("RoleName")+"/"+p.Get("PolicyName"))] = by
	case "PutGroupPolicy":
		made[HoldingKey(HoldingInlinePolicy, "", "group "+p.Get("GroupName")+"/"+p.Get("PolicyName"))] = by
	case "UpdateAssumeRolePolicy":
		made[HoldingKey(HoldingTrust, "", p.Get("RoleName"))] = by
	}
}

// noteRefusals brings up to date when each credential began to be refused: an IAM change may
// have cut off a key or a session, or (a key made active again) given one back.
func (s *Server) noteRefusals(now time.Time) {
	seen := map[string]bool{}
	for id := range s.iam.keys {
		seen[id] = true
		s.noteRefusal(id, now)
	}
	for id := range s.trail.sessions {
		seen[id] = true
		s.noteRefusal(id, now)
	}
	for _, h := range s.ledger.gone {
		if h.Kind == HoldingAccessKey && !seen[h.ID] {
			if _, ok := s.ledger.refused[h.ID]; !ok {
				s.ledger.refused[h.ID] = refusal{h.Ended, "deleted"}
			}
		}
	}
}

func (s *Server) noteRefusal(id string, now time.Time) {
	why, refused := s.refusedNow(id, now)
	_, noted := s.ledger.refused[id]
	switch {
	case refused && !noted:
		s.ledger.refused[id] = refusal{now, why}
	case !refused && noted:
		delete(s.ledger.refused, id)
	}
}

// refusedNow says whether a call signed with the credential would be refused now, and why: what
// the attacker would meet on their next call. A key is refused once inactive or deleted; a session
// once expired, once its role (or user) denies tokens issued before a time after it, or once its
// role or user is deleted.
func (s *Server) refusedNow(id string, now time.Time) (string, bool) {
	if !strings.HasPrefix(id, "ASIA") {
		k, ok := s.iam.keys[id]
		switch {
		case !ok:
			return "deleted", true
		case k.Status != statusActive:
			return "deactivated", true
		}
		return "", false
	}
	sess, ok := s.trail.sessions[id]
	switch {
	case !ok:
		return "unknown", true
	case sess.Role != nil && s.iam.roles[sess.Role.Name] != sess.Role:
		return "its role " + sess.Role.Name + " was deleted", true
	case sess.User != nil && s.iam.users[sess.User.Name] != sess.User:
		return "its user " + sess.User.Name + " was deleted", true
	}
	policies, owner := map[string]string{}, ""
	if sess.Role != nil {
		policies, owner = sess.Role.Inline, "role "+sess.Role.Name
	} else if sess.User != nil {
		policies, owner = sess.User.Inline, "user "+sess.User.Name
	}
	for _, doc := range policies {
		if cutoff, ok := revokedBefore(doc); ok && sess.Issued.Before(cutoff) {
			return "its " + owner + " denies sessions issued before " + cutoff.UTC().Format("15:04:05"), true
		}
	}
	if now.After(sess.Expires) {
		return "expired", true
	}
	return "", false
}

// refusedSince is when a credential began to be refused, and why; ok is false while it still
// works. An expiry needs no call to happen, so it is worked out here.
func (s *Server) refusedSince(id string, now time.Time) (refusal, bool) {
	if r, ok := s.ledger.refused[id]; ok {
		return r, true
	}
	if sess, ok := s.trail.sessions[id]; ok && now.After(sess.Expires) {
		return refusal{sess.Expires, "expired"}, true
	}
	return refusal{}, false
}
