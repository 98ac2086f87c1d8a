package sim

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

func (s *Server) registerIAMRoles() {
	s.handle("iam", "ListRoles", false, s.listRoles)
	s.handle("iam", "ListRolePolicies", false, s.listRolePolicies)
	s.handle("iam", "GetRolePolicy", false, s.getRolePolicy)
	s.handle("iam", "PutRolePolicy", true, s.putRolePolicy)
}

func (st *iamState) addRole(s *Server, spec RoleSpec) error {
	created := resolveChecked(spec.Created, s.start)
	path := spec.Path
	if spec.ServiceLinked != "" {
		path = "/aws-service-role/" + spec.ServiceLinked + "/"
	}
	if path == "" {
		path = "/"
	}
	r := &iamRole{Name: spec.Name, Path: path, Created: created, ID: s.ids.upper("AROA", 17),
		ARN:    fmt.Sprintf("arn:aws:iam::%s:role%s%s", s.Account(), path, spec.Name),
		Inline: copyMap(spec.InlinePolicies), ServiceLinked: spec.ServiceLinked != "", Trust: trustDocument(s.Account(), spec), By: spec.By}
	for i, p := range spec.AttachedPolicies {
		if st.policies[policyARN(p)] == nil {
			return missingPolicy(i, p)
		}
		r.Attached = append(r.Attached, policyARN(p))
	}
	st.roles[r.Name] = r
	return nil
}

func (st *iamState) role(name string) (*iamRole, error) {
	r, ok := st.roles[name]
	if !ok {
		return nil, Errorf(http.StatusNotFound, "NoSuchEntity", "The role with name %s cannot be found.", name)
	}
	return r, nil
}

type roleXML struct {
	RoleName                 string    `xml:"RoleName"`
	RoleID                   string    `xml:"RoleId"`
	Arn                      string    `xml:"Arn"`
	Path                     string    `xml:"Path"`
	CreateDate               time.Time `xml:"CreateDate"`
	AssumeRolePolicyDocument string    `xml:"AssumeRolePolicyDocument"`
}

type listRolesResult struct {
	Roles []roleXML `xml:"Roles>member"`
	page
}

func (s *Server) listRoles(c *Call) (any, error) {
	prefix := c.Params.Get("PathPrefix")
	var roles []*iamRole
	for _, r := range s.iam.roles {
		if strings.HasPrefix(r.Path, prefix) {
			roles = append(roles, r)
		}
	}
	roles, pg, err := paginate(c, roles, func(r *iamRole) string { return r.Name })
	if err != nil {
		return nil, err
	}
	out := listRolesResult{page: pg}
	for _, r := range roles {
		out.Roles = append(out.Roles, roleXML{RoleName: r.Name, RoleID: r.ID, Arn: r.ARN, Path: r.Path, CreateDate: r.Created,
			AssumeRolePolicyDocument: url.QueryEscape(r.Trust)}) // IAM returns policy documents URL-encoded
	}
	return out, nil
}

func (s *Server) listRolePolicies(c *Call) (any, error) {
	r, err := s.iam.role(c.Params.Get("RoleName"))
	if err != nil {
		return nil, err
	}
	return listNames(c, r.Inline)
}

func (s *Server) getRolePolicy(c *Call) (any, error) {
	r, err := s.iam.role(c.Params.Get("RoleName"))
	if err != nil {
		return nil, err
	}
	doc, err := inlineDocument(r.Inline, c.Params.Get("PolicyName"), "role")
	if err != nil {
		return nil, err
	}
	return policyDocumentResult{RoleName: r.Name, PolicyName: c.Params.Get("PolicyName"), PolicyDocument: doc}, nil
}

// putRolePolicy refuses service-linked roles, which only their AWS service may change.
func (s *Server) putRolePolicy(c *Call) (any, error) {
	r, err := s.iam.role(c.Params.Get("RoleName"))
	if err != nil {
		return nil, err
	}
	if r.ServiceLinked {
		return nil, Errorf(http.StatusBadRequest, "UnmodifiableEntity",
			"Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", r.Name)
	}
	return nil, putInline(r.Inline, c)
}

// trustDocument builds a role's trust policy from the scenario: its service for a service-linked
// role, the listed principals, or this account.
func trustDocument(account string, spec RoleSpec) string {
	principals := spec.Trust
	if spec.ServiceLinked != "" {
		principals = []string{spec.ServiceLinked}
	}
	if len(principals) == 0 {
		principals = []string{account}
	}
	var statements []string
	for _, p := range principals {
		switch {
		case strings.HasSuffix(p, ".amazonaws.com"):
			statements = append(statements, fmt.Sprintf(`{"Effect":"Allow","Principal":{"Service":%q},"Action":"sts:AssumeRole"}`, p))
		case len(p) == 12 && strings.Trim(p, "0123456789") == "":
			statements = append(statements, fmt.Sprintf(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"}`, p))
		default:
			statements = append(statements, fmt.Sprintf(`{"Effect":"Allow","Principal":{"AWS":%q},"Action":"sts:AssumeRole"}`, p))
		}
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}
