package sim

import (
	"net/http"
	"slices"
)

// The remaining calls of the IAM persistence hunt: requiring a new console password at next
// sign-in, listing groups, and putting or deleting a group's inline policy.
func (s *Server) registerIAMLoginAndGroups() {
	s.handle("iam", "UpdateLoginProfile", true, s.updateLoginProfile)
	s.handle("iam", "ListGroups", false, s.listGroups)
	s.handle("iam", "PutGroupPolicy", true, s.putGroupPolicy)
	s.handle("iam", "DeleteGroupPolicy", true, s.deleteGroupPolicy)
}

// updateLoginProfile sets a new password or the reset flag; a user without a console password
// gets NoSuchEntity, as from IAM.
func (s *Server) updateLoginProfile(c *Call) (any, error) {
	u, err := s.userOrCaller(c)
	if err != nil {
		return nil, err
	}
	if u.Login == nil {
		return nil, Errorf(http.StatusNotFound, "NoSuchEntity", "Login Profile for User %s cannot be found.", u.Name)
	}
	switch c.Params.Get("PasswordResetRequired") {
	case "true":
		u.PasswordResetRequired = true
	case "false":
		u.PasswordResetRequired = false
	}
	return nil, nil
}

func (s *Server) listGroups(c *Call) (any, error) {
	var all []*iamGroup
	for _, g := range s.iam.groups {
		all = append(all, g)
	}
	items, pg, err := paginate(c, slices.Clone(all), func(g *iamGroup) string { return g.Name })
	if err != nil {
		return nil, err
	}
	out := listGroupsResult{page: pg}
	for _, g := range items {
		out.Groups = append(out.Groups, groupXML{Path: "/", GroupName: g.Name, GroupID: g.ID, Arn: g.ARN, CreateDate: g.Created})
	}
	return out, nil
}

func (s *Server) putGroupPolicy(c *Call) (any, error) {
	g, err := s.iam.group(c.Params.Get("GroupName"))
	if err != nil {
		return nil, err
	}
	return nil, putInline(g.Inline, c)
}

func (s *Server) deleteGroupPolicy(c *Call) (any, error) {
	g, err := s.iam.group(c.Params.Get("GroupName"))
	if err != nil {
		return nil, err
	}
	return nil, deleteInline(g.Inline, c.Params.Get("PolicyName"), "group")
}
