package sim

import (
	"encoding/json"
	"net/http"
)

// The calls that read one role, change its trust policy, or take it apart and delete it, with
// IAM's errors: NoSuchEntity, MalformedPolicyDocument, DeleteConflict and UnmodifiableEntity.
func (s *Server) registerIAMRoleChanges() {
	s.handle("iam", "GetRole", false, s.getRole)
	s.handle("iam", "UpdateAssumeRolePolicy", true, s.updateAssumeRolePolicy)
	s.handle("iam", "ListAttachedRolePolicies", false, s.listAttachedRolePolicies)
	s.handle("iam", "DetachRolePolicy", true, s.detachRolePolicy)
	s.handle("iam", "DeleteRolePolicy", true, s.deleteRolePolicy)
	s.handle("iam", "ListInstanceProfilesForRole", false, s.listInstanceProfilesForRole)
	s.handle("iam", "DeleteRole", true, s.deleteRole)
}

type getRoleResult struct {
	Role roleXML `xml:"Role"`
}

func (s *Server) getRole(c *Call) (any, error) {
	r, err := s.iam.role(c.Params.Get("RoleName"))
	if err != nil {
		return nil, err
	}
	return getRoleResult{Role: r.xml()}, nil
}

// modifiableRole is the named role unless only its AWS service may change it.
func (s *Server) modifiableRole(c *Call) (*iamRole, error) {
	r, err := s.iam.role(c.Params.Get("RoleName"))
	if err != nil {
		return nil, err
	}
	if r.ServiceLinked {
		return nil, Errorf(http.StatusBadRequest, "UnmodifiableEntity",
			"Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", r.Name)
	}
	return r, nil
}

// updateAssumeRolePolicy refuses a document that is not JSON or has no statement, as IAM does.
func (s *Server) updateAssumeRolePolicy(c *Call) (any, error) {
	r, err := s.modifiableRole(c)
	if err != nil {
		return nil, err
	}
	doc := c.Params.Get("PolicyDocument")
	if err := checkTrustDocument(doc); err != nil {
		return nil, err
	}
	r.Trust = doc
	return nil, nil
}

// checkTrustDocument refuses a trust policy that is not JSON or has no statement, as IAM does.
func checkTrustDocument(doc string) error {
	var parsed struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &parsed) != nil {
		return Errorf(http.StatusBadRequest, "MalformedPolicyDocument", "Syntax errors in policy.")
	}
	var list []json.RawMessage
	if len(parsed.Statement) == 0 || string(parsed.Statement) == "null" || (json.Unmarshal(parsed.Statement, &list) == nil && len(list) == 0) {
		return Errorf(http.StatusBadRequest, "MalformedPolicyDocument", "Policy statement must contain at least one statement.")
	}
	return nil
}

func (s *Server) listAttachedRolePolicies(c *Call) (any, error) {
	r, err := s.iam.role(c.Params.Get("RoleName"))
	if err != nil {
		return nil, err
	}
	return s.listAttached(c, r.Attached)
}

func (s *Server) detachRolePolicy(c *Call) (any, error) {
	r, err := s.modifiableRole(c)
	if err != nil {
		return nil, err
	}
	r.Attached, err = detach(r.Attached, c.Params.Get("PolicyArn"))
	return nil, err
}

func (s *Server) deleteRolePolicy(c *Call) (any, error) {
	r, err := s.modifiableRole(c)
	if err != nil {
		return nil, err
	}
	return nil, deleteInline(r.Inline, c.Params.Get("PolicyName"), "role")
}

type listInstanceProfilesResult struct {
	InstanceProfiles []struct{} `xml:"InstanceProfiles>member"`
	page
}

// listInstanceProfilesForRole: the simulator has no instance profiles, so every role is in none.
func (s *Server) listInstanceProfilesForRole(c *Call) (any, error) {
	if _, err := s.iam.role(c.Params.Get("RoleName")); err != nil {
		return nil, err
	}
	return listInstanceProfilesResult{}, nil
}

// deleteRole refuses a role that still has policies, as IAM does.
func (s *Server) deleteRole(c *Call) (any, error) {
	r, err := s.modifiableRole(c)
	if err != nil {
		return nil, err
	}
	if len(r.Attached) > 0 || len(r.Inline) > 0 {
		return nil, Errorf(http.StatusConflict, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	}
	delete(s.iam.roles, r.Name)
	return nil, nil
}
