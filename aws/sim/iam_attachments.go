package sim

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// What an attacker adds to principals that were already there, to act through them later: a
// managed policy attached to a user, group or role, an inline policy put on a user, a user added to
// a group; and a role of their own. A scenario plants them with `at` and `by` (which writes the
// CloudTrail event); an attacker makes them during a drill through the calls below.

// AttachSpec is a managed policy (a name of an AWS-managed policy, or an ARN) attached at a known time.
type AttachSpec struct {
	Policy string `yaml:"policy"`
	At     When   `yaml:"at"`
	By     string `yaml:"by"`
}

// GroupAddSpec is a user added to a group at a known time.
type GroupAddSpec struct {
	Group string `yaml:"group"`
	At    When   `yaml:"at"`
	By    string `yaml:"by"`
}

// maxAttachedPolicies is IAM's default quota of managed policies on one user, group or role.
const maxAttachedPolicies = 10

func (s *Server) registerIAMAttachments() {
	s.handle("iam", "CreateRole", true, s.createRole)
	s.handle("iam", "AttachRolePolicy", true, s.attachRolePolicy)
	s.handle("iam", "AttachGroupPolicy", true, s.attachGroupPolicy)
	s.handle("iam", "DetachGroupPolicy", true, s.detachGroupPolicy)
	s.handle("iam", "DeletePolicy", true, s.deletePolicy)
}

type createRoleResult struct {
	Role roleXML `xml:"Role"`
}

// createRole refuses a taken or invalid name and a trust policy IAM would not take.
func (s *Server) createRole(c *Call) (any, error) {
	name := c.Params.Get("RoleName")
	if !validName.MatchString(name) {
		return nil, Errorf(http.StatusBadRequest, "ValidationError", "The specified value for roleName is invalid.")
	}
	if _, exists := s.iam.roles[name]; exists {
		return nil, Errorf(http.StatusConflict, "EntityAlreadyExists", "Role with name %s already exists.", name)
	}
	doc := c.Params.Get("AssumeRolePolicyDocument")
	if err := checkTrustDocument(doc); err != nil {
		return nil, err
	}
	path := c.Params.Get("Path")
	if path == "" {
		path = "/"
	}
	r := &iamRole{Name: name, Path: path, Created: c.Now.UTC(), ID: s.ids.upper("AROA", 17),
		ARN: fmt.Sprintf("arn:aws:iam::%s:role%s%s", s.Account(), path, name), Inline: map[string]string{}, Trust: doc}
	s.iam.roles[name] = r
	return createRoleResult{Role: r.xml()}, nil
}

func (r *iamRole) xml() roleXML {
	// IAM returns policy documents URL-encoded.
	return roleXML{RoleName: r.Name, RoleID: r.ID, Arn: r.ARN, Path: r.Path, CreateDate: r.Created, AssumeRolePolicyDocument: url.QueryEscape(r.Trust)}
}

func (s *Server) attachRolePolicy(c *Call) (any, error) {
	r, err := s.modifiableRole(c)
	if err != nil {
		return nil, err
	}
	r.Attached, err = s.attach(r.Attached, c.Params.Get("PolicyArn"), "PoliciesPerRole")
	return nil, err
}

func (s *Server) attachGroupPolicy(c *Call) (any, error) {
	g, err := s.iam.group(c.Params.Get("GroupName"))
	if err != nil {
		return nil, err
	}
	g.Attached, err = s.attach(g.Attached, c.Params.Get("PolicyArn"), "PoliciesPerGroup")
	return nil, err
}

func (s *Server) detachGroupPolicy(c *Call) (any, error) {
	g, err := s.iam.group(c.Params.Get("GroupName"))
	if err != nil {
		return nil, err
	}
	g.Attached, err = detach(g.Attached, c.Params.Get("PolicyArn"))
	return nil, err
}

// attach adds a managed policy to a principal's list, as IAM does: the policy must exist, attaching
// it again changes nothing, and a principal holds at most maxAttachedPolicies.
func (s *Server) attach(attached []string, arn, quota string) ([]string, error) {
	if arn == "" {
		return attached, Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at 'policyArn' failed to satisfy constraint: Member must not be null")
	}
	p, err := s.iam.policy(arn)
	if err != nil {
		return attached, err
	}
	if slices.Contains(attached, p.ARN) {
		return attached, nil
	}
	if len(attached) >= maxAttachedPolicies {
		return attached, Errorf(http.StatusConflict, "LimitExceeded", "Cannot exceed quota for %s: %d", quota, maxAttachedPolicies)
	}
	return append(attached, p.ARN), nil
}

// loadAttachments adds what the scenario says was attached, put or joined at a known time.
func (st *iamState) loadAttachments(s *Server, sp IAMSpec) error {
	// owner is the path of the user, group or role ("iam.users[2]"); the times were checked by
	// checkTimes.
	attach := func(owner string, list []string, specs []AttachSpec) ([]string, error) {
		for i, a := range specs {
			arn := policyARN(a.Policy)
			if st.policies[arn] == nil {
				return nil, fmt.Errorf("%s.attach_policies[%d].policy: policy %s does not exist", owner, i, a.Policy)
			}
			if slices.Contains(list, arn) {
				return nil, fmt.Errorf("%s.attach_policies[%d].policy: %s is attached already (attached_policies)", owner, i, a.Policy)
			}
			list = append(list, arn)
		}
		return list, nil
	}
	var err error
	for i, us := range sp.Users {
		u := st.users[us.Name]
		owner := fmt.Sprintf("iam.users[%d]", i)
		if u.Attached, err = attach(owner, u.Attached, us.AttachPolicies); err != nil {
			return err
		}
		for j, pp := range us.PutPolicies {
			if pp.Name == "" || pp.Document == "" {
				return fmt.Errorf("%s.put_policies[%d]: name and document are required", owner, j)
			}
			u.Inline[pp.Name] = pp.Document
		}
		for _, g := range us.AddToGroups {
			u.Groups = append(u.Groups, g.Group)
		}
	}
	for i, gs := range sp.Groups {
		g := st.groups[gs.Name]
		if g.Attached, err = attach(fmt.Sprintf("iam.groups[%d]", i), g.Attached, gs.AttachPolicies); err != nil {
			return err
		}
	}
	for i, rs := range sp.Roles {
		r := st.roles[rs.Name]
		if r.Attached, err = attach(fmt.Sprintf("iam.roles[%d]", i), r.Attached, rs.AttachPolicies); err != nil {
			return err
		}
	}
	return nil
}

// attachmentEvents are the CloudTrail events behind the planted attachments, memberships and
// inline policies of users, and the managed policies attached to groups and roles.
func (s *Server) attachmentEvents(sc *Scenario) []plantedEvent {
	at := func(w When) time.Time {
		t, _ := w.Resolve(s.start)
		return t
	}
	var out []plantedEvent
	for _, us := range sc.IAM.Users {
		user := []lookupResource{{"AWS::IAM::User", us.Name}}
		for _, a := range us.AttachPolicies {
			arn := policyARN(a.Policy)
			out = append(out, plantedEvent{a.By, at(a.At), "AttachUserPolicy", map[string]any{"userName": us.Name, "policyArn": arn}, nil,
				append(user, lookupResource{"AWS::IAM::Policy", arn})})
		}
		for _, pp := range us.PutPolicies {
			out = append(out, plantedEvent{pp.By, at(pp.At), "PutUserPolicy",
				map[string]any{"userName": us.Name, "policyName": pp.Name, "policyDocument": pp.Document}, nil,
				append(user, lookupResource{"AWS::IAM::Policy", pp.Name})})
		}
		for _, g := range us.AddToGroups {
			out = append(out, plantedEvent{g.By, at(g.At), "AddUserToGroup", map[string]any{"groupName": g.Group, "userName": us.Name}, nil,
				append(user, lookupResource{"AWS::IAM::Group", g.Group})})
		}
	}
	for _, gs := range sc.IAM.Groups {
		for _, a := range gs.AttachPolicies {
			arn := policyARN(a.Policy)
			out = append(out, plantedEvent{a.By, at(a.At), "AttachGroupPolicy", map[string]any{"groupName": gs.Name, "policyArn": arn}, nil,
				[]lookupResource{{"AWS::IAM::Group", gs.Name}, {"AWS::IAM::Policy", arn}}})
		}
	}
	for _, rs := range sc.IAM.Roles {
		for _, a := range rs.AttachPolicies {
			arn := policyARN(a.Policy)
			out = append(out, plantedEvent{a.By, at(a.At), "AttachRolePolicy", map[string]any{"roleName": rs.Name, "policyArn": arn}, nil,
				[]lookupResource{{"AWS::IAM::Role", s.iam.roles[rs.Name].ARN}, {"AWS::IAM::Policy", arn}}})
		}
	}
	return out
}

// deletePolicy deletes a customer-managed policy, as IAM does: not while it is attached, not
// while it has versions besides the default, never an AWS-managed one.
func (s *Server) deletePolicy(c *Call) (any, error) {
	p, err := s.iam.policy(c.Params.Get("PolicyArn"))
	if err != nil {
		return nil, err
	}
	switch {
	case p.awsManaged():
		return nil, Errorf(http.StatusForbidden, "AccessDenied", "An AWS-managed policy cannot be deleted: %s", p.ARN)
	case s.iam.attachments(p.ARN) > 0:
		return nil, Errorf(http.StatusConflict, "DeleteConflict", "Cannot delete a policy attached to entities.")
	case len(p.Versions) > 1:
		return nil, Errorf(http.StatusConflict, "DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	}
	delete(s.iam.policies, p.ARN)
	return nil, nil
}
