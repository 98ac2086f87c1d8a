package sim

import (
	"net/http"
	"net/url"
	"slices"
)

const (
	adminDocument      = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	quarantineDocument = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["iam:AttachUserPolicy","iam:CreateAccessKey","iam:CreateLoginProfile","iam:CreateUser","iam:PutUserPolicy","ec2:RunInstances","lambda:CreateFunction"],"Resource":"*"}]}`
)

// loadAWSManagedPolicies adds the AWS-managed policies lockdown looks for, including the quarantine
// policies AWS attaches to users whose keys it finds exposed.
func (st *iamState) loadAWSManagedPolicies(s *Server) {
	for _, p := range []struct{ name, doc string }{
		{"AdministratorAccess", adminDocument},
		{"PowerUserAccess", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"}]}`},
		{"IAMFullAccess", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`},
		{"ReadOnlyAccess", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*:Describe*","*:List*","*:Get*"],"Resource":"*"}]}`},
		{"AWSCompromisedKeyQuarantineV2", quarantineDocument},
		{"AWSCompromisedKeyQuarantineV3", quarantineDocument},
	} {
		st.addPolicy(s, p.name, awsPolicyPrefix+p.name, p.doc)
	}
}

type policyResult struct {
	Policy policyXML `xml:"Policy"`
}

func (s *Server) getPolicy(c *Call) (any, error) {
	p, err := s.iam.policy(c.Params.Get("PolicyArn"))
	if err != nil {
		return nil, err
	}
	return policyResult{Policy: s.policyXML(p)}, nil
}

func (st *iamState) policy(arn string) (*managedPolicy, error) {
	p, ok := st.policies[arn]
	if !ok {
		return nil, Errorf(http.StatusNotFound, "NoSuchEntity", "Policy %s does not exist or is not attachable.", arn)
	}
	return p, nil
}

func (st *iamState) attachments(arn string) int {
	n := 0
	for _, u := range st.users {
		if slices.Contains(u.Attached, arn) {
			n++
		}
	}
	for _, g := range st.groups {
		if slices.Contains(g.Attached, arn) {
			n++
		}
	}
	for _, r := range st.roles {
		if slices.Contains(r.Attached, arn) {
			n++
		}
	}
	return n
}

type attachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type listAttachedResult struct {
	AttachedPolicies []attachedPolicy `xml:"AttachedPolicies>member"`
	page
}

type listPolicyNamesResult struct {
	PolicyNames []string `xml:"PolicyNames>member"`
	page
}

type policyDocumentResult struct {
	UserName       string `xml:"UserName,omitempty"`
	RoleName       string `xml:"RoleName,omitempty"`
	GroupName      string `xml:"GroupName,omitempty"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

// listAttached pages through attached policy ARNs.
func (s *Server) listAttached(c *Call, arns []string) (any, error) {
	list := make([]attachedPolicy, 0, len(arns))
	for _, arn := range arns {
		name := arn
		if p := s.iam.policies[arn]; p != nil {
			name = p.Name
		}
		list = append(list, attachedPolicy{PolicyName: name, PolicyArn: arn})
	}
	items, pg, err := paginate(c, list, func(p attachedPolicy) string { return p.PolicyName })
	if err != nil {
		return nil, err
	}
	return listAttachedResult{AttachedPolicies: items, page: pg}, nil
}

func listNames(c *Call, m map[string]string) (any, error) {
	items, pg, err := paginate(c, sortedKeys(m), self[string])
	if err != nil {
		return nil, err
	}
	return listPolicyNamesResult{PolicyNames: items, page: pg}, nil
}

// inlineDocument returns an inline policy URL-encoded, as IAM does.
func inlineDocument(m map[string]string, name, owner string) (string, error) {
	doc, ok := m[name]
	if !ok {
		return "", Errorf(http.StatusNotFound, "NoSuchEntity", "The %s policy with name %s cannot be found.", owner, name)
	}
	return url.QueryEscape(doc), nil
}

func (s *Server) listUserPolicies(c *Call) (any, error) {
	u, err := s.iam.user(c.Params.Get("UserName"))
	if err != nil {
		return nil, err
	}
	return listNames(c, u.Inline)
}

func (s *Server) getUserPolicy(c *Call) (any, error) {
	u, err := s.iam.user(c.Params.Get("UserName"))
	if err != nil {
		return nil, err
	}
	doc, err := inlineDocument(u.Inline, c.Params.Get("PolicyName"), "user")
	if err != nil {
		return nil, err
	}
	return policyDocumentResult{UserName: u.Name, PolicyName: c.Params.Get("PolicyName"), PolicyDocument: doc}, nil
}

func (s *Server) getGroupPolicy(c *Call) (any, error) {
	g, err := s.iam.group(c.Params.Get("GroupName"))
	if err != nil {
		return nil, err
	}
	doc, err := inlineDocument(g.Inline, c.Params.Get("PolicyName"), "group")
	if err != nil {
		return nil, err
	}
	return policyDocumentResult{GroupName: g.Name, PolicyName: c.Params.Get("PolicyName"), PolicyDocument: doc}, nil
}

func (s *Server) putUserPolicy(c *Call) (any, error) {
	u, err := s.iam.user(c.Params.Get("UserName"))
	if err != nil {
		return nil, err
	}
	return nil, putInline(u.Inline, c)
}

func putInline(m map[string]string, c *Call) error {
	name, doc := c.Params.Get("PolicyName"), c.Params.Get("PolicyDocument")
	if name == "" || doc == "" {
		return Errorf(http.StatusBadRequest, "ValidationError", "PolicyName and PolicyDocument are required")
	}
	if doc[0] != '{' {
		return Errorf(http.StatusBadRequest, "MalformedPolicyDocument", "Syntax errors in policy.")
	}
	m[name] = doc
	return nil
}

func (s *Server) deleteUserPolicy(c *Call) (any, error) {
	u, err := s.iam.user(c.Params.Get("UserName"))
	if err != nil {
		return nil, err
	}
	return nil, deleteInline(u.Inline, c.Params.Get("PolicyName"), "user")
}

// deleteInline deletes an inline policy of a user or role, NoSuchEntity when it has none by that name.
func deleteInline(m map[string]string, name, owner string) error {
	if _, err := inlineDocument(m, name, owner); err != nil {
		return err
	}
	delete(m, name)
	return nil
}

func (s *Server) listAttachedUserPolicies(c *Call) (any, error) {
	u, err := s.iam.user(c.Params.Get("UserName"))
	if err != nil {
		return nil, err
	}
	return s.listAttached(c, u.Attached)
}

func (s *Server) attachUserPolicy(c *Call) (any, error) {
	u, err := s.iam.user(c.Params.Get("UserName"))
	if err != nil {
		return nil, err
	}
	u.Attached, err = s.attach(u.Attached, c.Params.Get("PolicyArn"), "PoliciesPerUser")
	return nil, err
}

func (s *Server) detachUserPolicy(c *Call) (any, error) {
	u, err := s.iam.user(c.Params.Get("UserName"))
	if err != nil {
		return nil, err
	}
	u.Attached, err = detach(u.Attached, c.Params.Get("PolicyArn"))
	return nil, err
}

// detach removes arn from a user's or role's attached policies, NoSuchEntity when it is not there.
func detach(attached []string, arn string) ([]string, error) {
	i := slices.Index(attached, arn)
	if i < 0 {
		return attached, Errorf(http.StatusNotFound, "NoSuchEntity", "Policy %s was not found.", arn)
	}
	return slices.Delete(attached, i, i+1), nil
}

func (s *Server) deleteUserPermissionsBoundary(c *Call) (any, error) {
	u, err := s.iam.user(c.Params.Get("UserName"))
	if err != nil {
		return nil, err
	}
	u.Boundary = ""
	return nil, nil
}

type summaryEntry struct {
	Key   string `xml:"key"`
	Value int    `xml:"value"`
}

type accountSummaryResult struct {
	Entries []summaryEntry `xml:"SummaryMap>entry"`
}

func (s *Server) getAccountSummary(*Call) (any, error) {
	b := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	return accountSummaryResult{Entries: []summaryEntry{
		{"AccountAccessKeysPresent", b(s.iam.root.AccessKeysPresent)},
		{"AccountMFAEnabled", b(s.iam.root.MFAEnabled)},
		{"Users", len(s.iam.users)},
		{"Groups", len(s.iam.groups)},
		{"Roles", len(s.iam.roles)},
		{"AccessKeysPerUserQuota", maxKeysPerUser},
	}}, nil
}
