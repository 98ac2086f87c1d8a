package sim

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Customer-managed policies keep up to five versions, one of them the default that IAM
// evaluates. An attacker with iam:CreatePolicyVersion rewrites a policy attached elsewhere by
// adding a version and making it the default; the responder sets an older version back and
// deletes the new one. IAM's rules: version ids are never reused, the default version cannot be
// deleted (DeleteConflict), a sixth version is refused (LimitExceeded), and AWS-managed
// policies cannot be changed by an account.
func (s *Server) registerIAMPolicyVersions() {
	s.handle("iam", "ListPolicies", false, s.listPolicies)
	s.handle("iam", "ListPolicyVersions", false, s.listPolicyVersions)
	s.handle("iam", "GetPolicyVersion", false, s.getPolicyVersion)
	s.handle("iam", "CreatePolicyVersion", true, s.createPolicyVersion)
	s.handle("iam", "SetDefaultPolicyVersion", true, s.setDefaultPolicyVersion)
	s.handle("iam", "DeletePolicyVersion", true, s.deletePolicyVersion)
}

// maxPolicyVersions is IAM's limit of versions per managed policy.
const maxPolicyVersions = 5

type policyVersion struct {
	ID       string
	Document string
	Created  time.Time
}

// addVersion adds the policy's next version; makeDefault makes IAM evaluate it from now on.
func (p *managedPolicy) addVersion(doc string, at time.Time, makeDefault bool) *policyVersion {
	p.lastVersion++
	v := &policyVersion{ID: fmt.Sprintf("v%d", p.lastVersion), Document: doc, Created: at}
	p.Versions = append(p.Versions, v)
	if makeDefault || p.DefaultVersion == "" {
		p.setDefault(v)
	}
	return v
}

func (p *managedPolicy) setDefault(v *policyVersion) {
	p.DefaultVersion, p.Document, p.Updated = v.ID, v.Document, v.Created
}

func (p *managedPolicy) version(id string) (*policyVersion, error) {
	i := slices.IndexFunc(p.Versions, func(v *policyVersion) bool { return v.ID == id })
	if i < 0 {
		return nil, Errorf(http.StatusNotFound, "NoSuchEntity", "Policy %s version %s does not exist or is not attachable.", p.ARN, id)
	}
	return p.Versions[i], nil
}

func (p *managedPolicy) awsManaged() bool { return strings.HasPrefix(p.ARN, awsPolicyPrefix) }

type policyXML struct {
	PolicyName       string    `xml:"PolicyName"`
	PolicyID         string    `xml:"PolicyId"`
	Arn              string    `xml:"Arn"`
	Path             string    `xml:"Path"`
	DefaultVersionID string    `xml:"DefaultVersionId"`
	AttachmentCount  int       `xml:"AttachmentCount"`
	IsAttachable     bool      `xml:"IsAttachable"`
	CreateDate       time.Time `xml:"CreateDate"`
	UpdateDate       time.Time `xml:"UpdateDate"`
}

type listPoliciesResult struct {
	Policies []policyXML `xml:"Policies>member"`
	page
}

// listPolicies honours Scope (All, AWS, Local) and OnlyAttached, and pages like every IAM list.
func (s *Server) listPolicies(c *Call) (any, error) {
	scope := c.Params.Get("Scope")
	if scope == "" {
		scope = "All"
	}
	if scope != "All" && scope != "AWS" && scope != "Local" {
		return nil, Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]", scope)
	}
	var list []*managedPolicy
	for _, p := range s.iam.policies {
		if (scope == "AWS" && !p.awsManaged()) || (scope == "Local" && p.awsManaged()) {
			continue
		}
		if c.Params.Get("OnlyAttached") == "true" && s.iam.attachments(p.ARN) == 0 {
			continue
		}
		list = append(list, p)
	}
	items, pg, err := paginate(c, list, func(p *managedPolicy) string { return p.ARN })
	if err != nil {
		return nil, err
	}
	out := listPoliciesResult{page: pg}
	for _, p := range items {
		out.Policies = append(out.Policies, s.policyXML(p))
	}
	return out, nil
}

func (s *Server) policyXML(p *managedPolicy) policyXML {
	return policyXML{PolicyName: p.Name, PolicyID: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionID: p.DefaultVersion,
		AttachmentCount: s.iam.attachments(p.ARN), IsAttachable: true, CreateDate: p.Created, UpdateDate: p.Updated}
}

type policyVersionXML struct {
	Document         string    `xml:"Document,omitempty"`
	VersionID        string    `xml:"VersionId"`
	IsDefaultVersion bool      `xml:"IsDefaultVersion"`
	CreateDate       time.Time `xml:"CreateDate"`
}

type listPolicyVersionsResult struct {
	Versions []policyVersionXML `xml:"Versions>member"`
	page
}

// listPolicyVersions lists the versions newest first, as IAM does, without their documents.
func (s *Server) listPolicyVersions(c *Call) (any, error) {
	p, err := s.iam.policy(c.Params.Get("PolicyArn"))
	if err != nil {
		return nil, err
	}
	// Newest first: the key sorts later versions before earlier ones.
	items, pg, err := paginate(c, slices.Clone(p.Versions), func(v *policyVersion) string {
		var n int
		fmt.Sscanf(v.ID, "v%d", &n)
		return fmt.Sprintf("%09d", 1_000_000_000-n)
	})
	if err != nil {
		return nil, err
	}
	out := listPolicyVersionsResult{page: pg}
	for _, v := range items {
		out.Versions = append(out.Versions, policyVersionXML{VersionID: v.ID, IsDefaultVersion: v.ID == p.DefaultVersion, CreateDate: v.Created})
	}
	return out, nil
}

type policyVersionResult struct {
	PolicyVersion policyVersionXML `xml:"PolicyVersion"`
}

func (s *Server) getPolicyVersion(c *Call) (any, error) {
	p, err := s.iam.policy(c.Params.Get("PolicyArn"))
	if err != nil {
		return nil, err
	}
	v, err := p.version(c.Params.Get("VersionId"))
	if err != nil {
		return nil, err
	}
	return policyVersionResult{PolicyVersion: policyVersionXML{Document: url.QueryEscape(v.Document), VersionID: v.ID,
		IsDefaultVersion: v.ID == p.DefaultVersion, CreateDate: v.Created}}, nil
}

// customerPolicy is the named policy when the account may change it.
func (s *Server) customerPolicy(c *Call) (*managedPolicy, error) {
	p, err := s.iam.policy(c.Params.Get("PolicyArn"))
	if err != nil {
		return nil, err
	}
	if p.awsManaged() {
		return nil, Errorf(http.StatusForbidden, "AccessDenied", "Policy %s is an AWS managed policy: only AWS can change it.", p.ARN)
	}
	return p, nil
}

func (s *Server) createPolicyVersion(c *Call) (any, error) {
	p, err := s.customerPolicy(c)
	if err != nil {
		return nil, err
	}
	doc := c.Params.Get("PolicyDocument")
	if doc == "" || doc[0] != '{' {
		return nil, Errorf(http.StatusBadRequest, "MalformedPolicyDocument", "Syntax errors in policy.")
	}
	if len(p.Versions) >= maxPolicyVersions {
		return nil, Errorf(http.StatusConflict, "LimitExceeded",
			"A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
	}
	v := p.addVersion(doc, c.Now, c.Params.Get("SetAsDefault") == "true")
	return policyVersionResult{PolicyVersion: policyVersionXML{VersionID: v.ID, IsDefaultVersion: v.ID == p.DefaultVersion, CreateDate: v.Created}}, nil
}

// customerPolicyVersion is the named version of a policy the account may change.
func (s *Server) customerPolicyVersion(c *Call) (*managedPolicy, *policyVersion, error) {
	p, err := s.customerPolicy(c)
	if err != nil {
		return nil, nil, err
	}
	v, err := p.version(c.Params.Get("VersionId"))
	return p, v, err
}

func (s *Server) setDefaultPolicyVersion(c *Call) (any, error) {
	p, v, err := s.customerPolicyVersion(c)
	if err != nil {
		return nil, err
	}
	p.setDefault(v)
	p.Updated = c.Now
	return nil, nil
}

func (s *Server) deletePolicyVersion(c *Call) (any, error) {
	p, v, err := s.customerPolicyVersion(c)
	if err != nil {
		return nil, err
	}
	if v.ID == p.DefaultVersion {
		return nil, Errorf(http.StatusConflict, "DeleteConflict", "Cannot delete the default version of a policy.")
	}
	p.Versions = slices.DeleteFunc(p.Versions, func(x *policyVersion) bool { return x == v })
	return nil, nil
}
