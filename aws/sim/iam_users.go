package sim

import (
	"net/http"
	"regexp"
	"slices"
	"time"
)

func (s *Server) registerIAM() {
	s.handle("iam", "ListAccountAliases", false, s.listAccountAliases)
	s.handle("iam", "GetAccountSummary", false, s.getAccountSummary)
	s.handle("iam", "ListUsers", false, s.listUsers)
	s.handle("iam", "GetUser", false, s.getUser)
	s.handle("iam", "CreateUser", true, s.createUser)
	s.handle("iam", "DeleteUser", true, s.deleteUser)
	s.handle("iam", "ListGroupsForUser", false, s.listGroupsForUser)
	s.handle("iam", "AddUserToGroup", true, s.addUserToGroup)
	s.handle("iam", "RemoveUserFromGroup", true, s.removeUserFromGroup)
	s.handle("iam", "ListAttachedGroupPolicies", false, s.listAttachedGroupPolicies)
	s.handle("iam", "ListGroupPolicies", false, s.listGroupPolicies)
	s.handle("iam", "GetGroupPolicy", false, s.getGroupPolicy)
	s.handle("iam", "GetPolicy", false, s.getPolicy)
	s.handle("iam", "ListUserPolicies", false, s.listUserPolicies)
	s.handle("iam", "GetUserPolicy", false, s.getUserPolicy)
	s.handle("iam", "PutUserPolicy", true, s.putUserPolicy)
	s.handle("iam", "DeleteUserPolicy", true, s.deleteUserPolicy)
	s.handle("iam", "ListAttachedUserPolicies", false, s.listAttachedUserPolicies)
	s.handle("iam", "AttachUserPolicy", true, s.attachUserPolicy)
	s.handle("iam", "DetachUserPolicy", true, s.detachUserPolicy)
	s.handle("iam", "DeleteUserPermissionsBoundary", true, s.deleteUserPermissionsBoundary)
	s.handle("iam", "SimulatePrincipalPolicy", false, s.simulatePrincipalPolicy)
	s.registerIAMKeys()
	s.registerIAMCredentials()
	s.registerIAMRoles()
	s.registerIAMRoleChanges()
	s.registerIAMPolicyVersions()
	s.registerIAMProviders()
	s.registerIAMLoginAndGroups()
	s.registerIAMAttachments()
}

type listAccountAliasesResult struct {
	AccountAliases []string `xml:"AccountAliases>member"`
	IsTruncated    bool     `xml:"IsTruncated"`
}

func (s *Server) listAccountAliases(*Call) (any, error) {
	return listAccountAliasesResult{AccountAliases: s.iam.aliases}, nil
}

func (st *iamState) user(name string) (*iamUser, error) {
	u, ok := st.users[name]
	if !ok || name == "" {
		return nil, Errorf(http.StatusNotFound, "NoSuchEntity", "The user with name %s cannot be found.", name)
	}
	return u, nil
}

type userXML struct {
	UserName            string       `xml:"UserName"`
	UserID              string       `xml:"UserId"`
	Arn                 string       `xml:"Arn"`
	Path                string       `xml:"Path"`
	CreateDate          time.Time    `xml:"CreateDate"`
	PasswordLastUsed    *time.Time   `xml:"PasswordLastUsed,omitempty"`
	PermissionsBoundary *boundaryXML `xml:"PermissionsBoundary,omitempty"`
}

type boundaryXML struct {
	Type string `xml:"PermissionsBoundaryType"`
	Arn  string `xml:"PermissionsBoundaryArn"`
}

func (u *iamUser) xml(withBoundary bool) userXML {
	out := userXML{UserName: u.Name, UserID: u.ID, Arn: u.ARN, Path: u.Path, CreateDate: u.Created, PasswordLastUsed: u.PasswordLastUsed}
	if withBoundary && u.Boundary != "" {
		out.PermissionsBoundary = &boundaryXML{Type: "PermissionsBoundaryPolicy", Arn: u.Boundary}
	}
	return out
}

type listUsersResult struct {
	Users []userXML `xml:"Users>member"`
	page
}

func (s *Server) listUsers(c *Call) (any, error) {
	users, pg, err := paginate(c, s.iam.sortedUsers(), func(u *iamUser) string { return u.Name })
	if err != nil {
		return nil, err
	}
	out := listUsersResult{page: pg}
	for _, u := range users {
		// Like AWS, ListUsers leaves out the permissions boundary; GetUser has it.
		out.Users = append(out.Users, u.xml(false))
	}
	return out, nil
}

type getUserResult struct {
	User userXML `xml:"User"`
}

func (s *Server) getUser(c *Call) (any, error) {
	name := c.Params.Get("UserName")
	if name == "" {
		if c.Caller.User == nil {
			return nil, errNotUser
		}
		name = c.Caller.User.Name
	}
	u, err := s.iam.user(name)
	if err != nil {
		return nil, err
	}
	return getUserResult{User: u.xml(true)}, nil
}

var validName = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

func (s *Server) createUser(c *Call) (any, error) {
	name := c.Params.Get("UserName")
	if !validName.MatchString(name) {
		return nil, Errorf(http.StatusBadRequest, "ValidationError", "The specified value for userName is invalid.")
	}
	if _, exists := s.iam.users[name]; exists {
		return nil, Errorf(http.StatusConflict, "EntityAlreadyExists", "User with name %s already exists.", name)
	}
	u := s.iam.newUser(s, name, c.Params.Get("Path"), c.Now)
	return getUserResult{User: u.xml(true)}, nil
}

// deleteUser refuses, like IAM, while the user still has any dependent.
func (s *Server) deleteUser(c *Call) (any, error) {
	u, err := s.iam.user(c.Params.Get("UserName"))
	if err != nil {
		return nil, err
	}
	if what := u.firstDependent(); what != "" {
		return nil, Errorf(http.StatusConflict, "DeleteConflict", "Cannot delete entity, must %s first.", what)
	}
	delete(s.iam.users, u.Name)
	return nil, nil
}

func (u *iamUser) firstDependent() string {
	switch {
	case len(u.Keys) > 0:
		return "delete access keys"
	case u.Login != nil:
		return "delete login profile"
	case len(u.MFA) > 0:
		return "delete MFA devices"
	case len(u.Certs) > 0:
		return "delete signing certificates"
	case len(u.SSHKeys) > 0:
		return "delete SSH public keys"
	case len(u.ServiceCreds) > 0:
		return "delete service-specific credentials"
	case len(u.Inline) > 0:
		return "delete policies"
	case len(u.Attached) > 0:
		return "detach all policies"
	case len(u.Groups) > 0:
		return "remove users from group"
	}
	return ""
}

type groupXML struct {
	GroupName  string    `xml:"GroupName"`
	GroupID    string    `xml:"GroupId"`
	Arn        string    `xml:"Arn"`
	Path       string    `xml:"Path"`
	CreateDate time.Time `xml:"CreateDate"`
}

type listGroupsResult struct {
	Groups []groupXML `xml:"Groups>member"`
	page
}

func (s *Server) listGroupsForUser(c *Call) (any, error) {
	u, err := s.iam.user(c.Params.Get("UserName"))
	if err != nil {
		return nil, err
	}
	names, pg, err := paginate(c, slices.Clone(u.Groups), self[string])
	if err != nil {
		return nil, err
	}
	out := listGroupsResult{page: pg}
	for _, n := range names {
		g := s.iam.groups[n]
		out.Groups = append(out.Groups, groupXML{GroupName: g.Name, GroupID: g.ID, Arn: g.ARN, Path: "/", CreateDate: g.Created})
	}
	return out, nil
}

func (st *iamState) group(name string) (*iamGroup, error) {
	g, ok := st.groups[name]
	if !ok {
		return nil, Errorf(http.StatusNotFound, "NoSuchEntity", "The group with name %s cannot be found.", name)
	}
	return g, nil
}

// userAndGroup finds the UserName and GroupName a membership call names.
func (s *Server) userAndGroup(c *Call) (*iamUser, *iamGroup, error) {
	u, err := s.iam.user(c.Params.Get("UserName"))
	if err != nil {
		return nil, nil, err
	}
	g, err := s.iam.group(c.Params.Get("GroupName"))
	return u, g, err
}

func (s *Server) addUserToGroup(c *Call) (any, error) {
	u, g, err := s.userAndGroup(c)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(u.Groups, g.Name) {
		u.Groups = append(u.Groups, g.Name)
	}
	return nil, nil
}

func (s *Server) removeUserFromGroup(c *Call) (any, error) {
	u, g, err := s.userAndGroup(c)
	if err != nil {
		return nil, err
	}
	i := slices.Index(u.Groups, g.Name)
	if i < 0 {
		return nil, Errorf(http.StatusNotFound, "NoSuchEntity", "User %s is not in group %s.", u.Name, g.Name)
	}
	u.Groups = slices.Delete(u.Groups, i, i+1)
	return nil, nil
}

func (s *Server) listAttachedGroupPolicies(c *Call) (any, error) {
	g, err := s.iam.group(c.Params.Get("GroupName"))
	if err != nil {
		return nil, err
	}
	return s.listAttached(c, g.Attached)
}

func (s *Server) listGroupPolicies(c *Call) (any, error) {
	g, err := s.iam.group(c.Params.Get("GroupName"))
	if err != nil {
		return nil, err
	}
	return listNames(c, g.Inline)
}
