package sim

import (
	"fmt"
	"strings"
	"time"
)

// What a scenario plants in IAM beyond users and roles, for the persistence hunt: new versions of
// customer-managed policies, identity providers, inline policies put on roles and groups, and
// trust policies changed; each with a `by` gets the CloudTrail event that made it.

// PolicyVersionSpec is a version added to a customer-managed policy.
type PolicyVersionSpec struct {
	Document string `yaml:"document"`
	Created  When   `yaml:"created"`
	// Default makes it the version IAM evaluates, as CreatePolicyVersion SetAsDefault does.
	Default bool   `yaml:"default"`
	By      string `yaml:"by"`
}

// ProviderSpec is an OIDC provider (url) or a SAML provider (name).
type ProviderSpec struct {
	URL     string `yaml:"url"`
	Name    string `yaml:"name"`
	Created When   `yaml:"created"`
	By      string `yaml:"by"`
}

// PutPolicySpec is an inline policy put on a role or group at a known time.
type PutPolicySpec struct {
	Name     string `yaml:"name"`
	Document string `yaml:"document"`
	At       When   `yaml:"at"`
	By       string `yaml:"by"`
}

// TrustChangeSpec is a later UpdateAssumeRolePolicy: who may assume the role from then on.
type TrustChangeSpec struct {
	At    When     `yaml:"at"`
	By    string   `yaml:"by"`
	Trust []string `yaml:"trust"`
}

// loadIAMPersistence adds the planted items to the state, once users, groups and roles exist.
func (st *iamState) loadIAMPersistence(s *Server, sp IAMSpec) error {
	for i, ps := range sp.Policies {
		p := st.policies[fmt.Sprintf("arn:aws:iam::%s:policy/%s", s.Account(), ps.Name)]
		if len(ps.Versions)+1 > maxPolicyVersions {
			return fmt.Errorf("iam.policies[%d].versions: %d versions with the first, IAM allows %d", i, len(ps.Versions)+1, maxPolicyVersions)
		}
		for _, vs := range ps.Versions {
			p.addVersion(vs.Document, resolveChecked(vs.Created, s.start), vs.Default)
		}
	}
	for i, ps := range sp.IdentityProviders {
		if (ps.URL == "") == (ps.Name == "") {
			return fmt.Errorf("iam.identity_providers[%d]: give either url (OIDC) or name (SAML)", i)
		}
		if _, err := st.addProvider(s.Account(), ps.URL, ps.Name, resolveChecked(ps.Created, s.start)); err != nil {
			return fmt.Errorf("iam.identity_providers[%d]: %w", i, err)
		}
	}
	for _, us := range sp.Users {
		if us.Password != nil {
			st.users[us.Name].PasswordResetRequired = us.Password.ResetRequired
		}
	}
	for _, gs := range sp.Groups {
		for _, pp := range gs.PutPolicies {
			st.groups[gs.Name].Inline[pp.Name] = pp.Document
		}
	}
	for _, rs := range sp.Roles {
		r := st.roles[rs.Name]
		for _, pp := range rs.PutPolicies {
			r.Inline[pp.Name] = pp.Document
		}
		if tc := rs.TrustChange; tc != nil {
			r.Trust = trustDocument(s.Account(), RoleSpec{Trust: tc.Trust})
		}
	}
	return st.loadAttachments(s, sp)
}

// seedIAMPersistenceHistory writes the events behind the planted items that name who made them.
func (s *Server) seedIAMPersistenceHistory(sc *Scenario) error {
	var events []plantedEvent
	for _, ps := range sc.IAM.Policies {
		arn := fmt.Sprintf("arn:aws:iam::%s:policy/%s", s.Account(), ps.Name)
		for i, vs := range ps.Versions {
			v := s.iam.policies[arn].Versions[i+1]
			events = append(events, plantedEvent{vs.By, v.Created, "CreatePolicyVersion",
				map[string]any{"policyArn": arn, "policyDocument": vs.Document, "setAsDefault": vs.Default},
				map[string]any{"policyVersion": map[string]any{"versionId": v.ID, "isDefaultVersion": vs.Default, "createDate": iamDate(v.Created)}},
				[]lookupResource{{"AWS::IAM::Policy", arn}}})
		}
	}
	for _, ps := range sc.IAM.IdentityProviders {
		events = append(events, s.providerEvent(ps))
	}
	for _, us := range sc.IAM.Users {
		events = append(events, s.userCredentialEvents(us)...)
	}
	for _, gs := range sc.IAM.Groups {
		for _, pp := range gs.PutPolicies {
			at, _ := pp.At.Resolve(s.start)
			events = append(events, plantedEvent{pp.By, at, "PutGroupPolicy",
				map[string]any{"groupName": gs.Name, "policyName": pp.Name, "policyDocument": pp.Document}, nil,
				[]lookupResource{{"AWS::IAM::Group", gs.Name}, {"AWS::IAM::Policy", pp.Name}}})
		}
	}
	for _, rs := range sc.IAM.Roles {
		events = append(events, s.roleEvents(rs)...)
	}
	events = append(events, s.attachmentEvents(sc)...)
	for _, e := range events {
		if e.by == "" {
			continue
		}
		// Every by was checked at its place (checkActors).
		if err := s.historyEvent(e.by, e.at, "", "iam", e.action, e.params, e.response, e.resources); err != nil {
			return err
		}
	}
	return nil
}

type plantedEvent struct {
	by               string
	at               time.Time
	action           string
	params, response map[string]any
	resources        []lookupResource
}

func (s *Server) providerEvent(ps ProviderSpec) plantedEvent {
	at, _ := ps.Created.Resolve(s.start)
	if ps.URL != "" {
		arn := s.iam.oidcARN(s.Account(), ps.URL)
		return plantedEvent{ps.By, at, "CreateOpenIDConnectProvider",
			map[string]any{"url": ps.URL, "clientIDList": []string{"sts.amazonaws.com"}},
			map[string]any{"openIDConnectProviderArn": arn}, []lookupResource{{"AWS::IAM::OIDCProvider", arn}}}
	}
	arn := fmt.Sprintf("arn:aws:iam::%s:saml-provider/%s", s.Account(), ps.Name)
	return plantedEvent{ps.By, at, "CreateSAMLProvider", map[string]any{"name": ps.Name, "sAMLMetadataDocument": "HIDDEN_DUE_TO_SECURITY_REASONS"},
		map[string]any{"sAMLProviderArn": arn}, []lookupResource{{"AWS::IAM::SAMLProvider", arn}}}
}

// userCredentialEvents are the console password and MFA devices someone put on a user.
func (s *Server) userCredentialEvents(us UserSpec) []plantedEvent {
	u := s.iam.users[us.Name]
	var out []plantedEvent
	if p := us.Password; p != nil && p.By != "" && u.Login != nil {
		out = append(out, plantedEvent{p.By, *u.Login, "CreateLoginProfile",
			map[string]any{"userName": u.Name, "passwordResetRequired": p.ResetRequired},
			map[string]any{"loginProfile": map[string]any{"userName": u.Name, "createDate": iamDate(*u.Login), "passwordResetRequired": p.ResetRequired}},
			[]lookupResource{{"AWS::IAM::User", u.Name}}})
	}
	for i, m := range us.MFADevices {
		if m.By == "" || i >= len(u.MFA) {
			continue
		}
		d := u.MFA[i]
		name := d.Serial[strings.LastIndex(d.Serial, "/")+1:]
		out = append(out,
			plantedEvent{m.By, d.Enabled.Add(-time.Minute), "CreateVirtualMFADevice", map[string]any{"virtualMFADeviceName": name, "path": "/"},
				map[string]any{"virtualMFADevice": map[string]any{"serialNumber": d.Serial}}, []lookupResource{{"AWS::IAM::MfaDevice", d.Serial}}},
			plantedEvent{m.By, d.Enabled, "EnableMFADevice", map[string]any{"userName": u.Name, "serialNumber": d.Serial}, nil,
				[]lookupResource{{"AWS::IAM::User", u.Name}, {"AWS::IAM::MfaDevice", d.Serial}}})
	}
	return out
}

// roleEvents are the inline policies put on a role and its trust policy's replacement.
func (s *Server) roleEvents(rs RoleSpec) []plantedEvent {
	r := s.iam.roles[rs.Name]
	var out []plantedEvent
	for _, pp := range rs.PutPolicies {
		at, _ := pp.At.Resolve(s.start)
		out = append(out, plantedEvent{pp.By, at, "PutRolePolicy",
			map[string]any{"roleName": r.Name, "policyName": pp.Name, "policyDocument": pp.Document}, nil,
			[]lookupResource{{"AWS::IAM::Role", r.ARN}, {"AWS::IAM::Policy", pp.Name}}})
	}
	if tc := rs.TrustChange; tc != nil {
		at, _ := tc.At.Resolve(s.start)
		out = append(out, plantedEvent{tc.By, at, "UpdateAssumeRolePolicy",
			map[string]any{"roleName": r.Name, "policyDocument": r.Trust}, nil, []lookupResource{{"AWS::IAM::Role", r.ARN}}})
	}
	return out
}

// createRoleParams are a CreateRole event's request parameters, with the trust policy the role
// was created with, which a responder restores when it was replaced later.
func createRoleParams(r *iamRole, firstTrust string) map[string]any {
	return map[string]any{"roleName": r.Name, "path": r.Path, "assumeRolePolicyDocument": firstTrust}
}
