package sim

import (
	"fmt"
	"net/http"
	"strings"
)

// fullAccess is the responder's access when the scenario gives them no IAM policies: the drill's
// operator works through a break-glass path that IAM listings do not show (as an SSO permission set
// would not), so the built-in scenarios' inventories stay as they read.
var fullAccess = sourcePolicy{Type: "none", Document: adminDocument}

// policiesOf gathers the identity policies that apply to a user: inline, attached, and those of
// every group the user is in.
func (st *iamState) policiesOfUser(u *iamUser) []sourcePolicy {
	var out []sourcePolicy
	for _, name := range sortedKeys(u.Inline) {
		out = append(out, sourcePolicy{ID: name, Type: "user", Document: u.Inline[name]})
	}
	out = append(out, st.managed(u.Attached)...)
	for _, gname := range u.Groups {
		if g := st.groups[gname]; g != nil {
			out = append(out, st.policiesOfGroup(g)...)
		}
	}
	if len(out) == 0 && st.responderKey != nil && st.responderKey.User == u.Name && st.responderFullAccess {
		out = append(out, fullAccess)
	}
	return out
}

func (st *iamState) policiesOfGroup(g *iamGroup) []sourcePolicy {
	var out []sourcePolicy
	for _, name := range sortedKeys(g.Inline) {
		out = append(out, sourcePolicy{ID: name, Type: "group", Document: g.Inline[name]})
	}
	return append(out, st.managed(g.Attached)...)
}

func (st *iamState) policiesOfRole(r *iamRole) []sourcePolicy {
	var out []sourcePolicy
	for _, name := range sortedKeys(r.Inline) {
		out = append(out, sourcePolicy{ID: name, Type: "role", Document: r.Inline[name]})
	}
	return append(out, st.managed(r.Attached)...)
}

func (st *iamState) managed(arns []string) []sourcePolicy {
	var out []sourcePolicy
	for _, arn := range arns {
		p := st.policies[arn]
		if p == nil {
			continue
		}
		kind := "user-managed"
		if strings.HasPrefix(arn, awsPolicyPrefix) {
			kind = "aws-managed"
		}
		out = append(out, sourcePolicy{ID: arn, Type: kind, Document: p.Document})
	}
	return out
}

// decide evaluates identity policies and, when the principal has one, its permissions boundary:
// an action the boundary does not allow is denied however the identity policies read.
func (st *iamState) decide(policies []sourcePolicy, boundary string, r request) (string, []sourcePolicy) {
	decision, matched := evaluate(policies, r)
	if decision != decisionAllowed || boundary == "" {
		return decision, matched
	}
	p := st.policies[boundary]
	if p == nil {
		return decisionImplicitDeny, nil
	}
	if bd, bm := evaluate([]sourcePolicy{{ID: boundary, Type: "permissions-boundary", Document: p.Document}}, r); bd != decisionAllowed {
		return bd, bm
	}
	return decision, matched
}

type evaluationResult struct {
	EvalActionName    string             `xml:"EvalActionName"`
	EvalResourceName  string             `xml:"EvalResourceName"`
	EvalDecision      string             `xml:"EvalDecision"`
	MatchedStatements []matchedStatement `xml:"MatchedStatements>member"`
}

type matchedStatement struct {
	SourcePolicyID   string `xml:"SourcePolicyId"`
	SourcePolicyType string `xml:"SourcePolicyType"`
}

type simulatePolicyResult struct {
	EvaluationResults []evaluationResult `xml:"EvaluationResults>member"`
	page
}

// simulatePrincipalPolicy answers iam:SimulatePrincipalPolicy: for every action and resource, the
// decision the principal's identity policies (plus any given in PolicyInputList) reach. Nothing
// changes; results page like any IAM list.
func (s *Server) simulatePrincipalPolicy(c *Call) (any, error) {
	source := c.Params.Get("PolicySourceArn")
	if source == "" {
		return nil, Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at 'policySourceArn' failed to satisfy constraint: Member must not be null")
	}
	policies, boundary, err := s.iam.policiesOfARN(s.Account(), source)
	if err != nil {
		return nil, err
	}
	for i, doc := range listParam(c.Params, "PolicyInputList.member") {
		if parseStatements(doc) == nil {
			return nil, Errorf(http.StatusBadRequest, "MalformedPolicyDocument", "PolicyInputList.%d: Syntax errors in policy.", i+1)
		}
		policies = append(policies, sourcePolicy{ID: fmt.Sprintf("PolicyInputList.%d", i+1), Type: "none", Document: doc})
	}
	actions := listParam(c.Params, "ActionNames.member")
	if len(actions) == 0 {
		return nil, Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null")
	}
	resources := listParam(c.Params, "ResourceArns.member")
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	ctx, apiErr := contextEntries(c.Params)
	if apiErr != nil {
		return nil, apiErr
	}
	var results []evaluationResult
	for _, action := range actions {
		if !strings.Contains(action, ":") {
			return nil, Errorf(http.StatusBadRequest, "InvalidInput", "Action %s is not valid: an action is service:Operation.", action)
		}
		for _, res := range resources {
			decision, matched := s.iam.decide(policies, boundary, request{Action: action, Resource: res, Context: ctx})
			r := evaluationResult{EvalActionName: action, EvalResourceName: res, EvalDecision: decision}
			for _, m := range matched {
				if m.ID != "" {
					r.MatchedStatements = append(r.MatchedStatements, matchedStatement{SourcePolicyID: m.ID, SourcePolicyType: m.Type})
				}
			}
			results = append(results, r)
		}
	}
	// Results keep the order of the request; the paging key is their position.
	indexed := make([]int, len(results))
	for i := range indexed {
		indexed[i] = i
	}
	page, pg, err := paginate(c, indexed, func(i int) string { return fmt.Sprintf("%08d", i) })
	if err != nil {
		return nil, err
	}
	out := simulatePolicyResult{page: pg}
	for _, i := range page {
		out.EvaluationResults = append(out.EvaluationResults, results[i])
	}
	return out, nil
}

// policiesOfARN finds the user, group or role an ARN names in this account.
func (st *iamState) policiesOfARN(account, arn string) ([]sourcePolicy, string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" {
		return nil, "", Errorf(http.StatusBadRequest, "InvalidInput", "Invalid ARN %s.", arn)
	}
	kind, rest, _ := strings.Cut(parts[5], "/")
	name := rest[strings.LastIndex(rest, "/")+1:]
	missing := Errorf(http.StatusNotFound, "NoSuchEntity", "The %s with name %s cannot be found.", kind, name)
	if parts[4] != account {
		return nil, "", missing
	}
	switch kind {
	case "user":
		if u := st.users[name]; u != nil {
			return st.policiesOfUser(u), u.Boundary, nil
		}
	case "group":
		if g := st.groups[name]; g != nil {
			return st.policiesOfGroup(g), "", nil
		}
	case "role":
		if r := st.roles[name]; r != nil {
			return st.policiesOfRole(r), "", nil
		}
	default:
		return nil, "", Errorf(http.StatusBadRequest, "InvalidInput", "Invalid ARN %s: the policy source must be a user, group or role.", arn)
	}
	return nil, "", missing
}

// contextEntries reads ContextEntries.member.N.{ContextKeyName,ContextKeyValues.member.M}.
func contextEntries(p map[string][]string) (map[string][]string, *APIError) {
	ctx := map[string][]string{}
	for i := 1; ; i++ {
		prefix := "ContextEntries.member." + itoa(i) + "."
		name, ok := p[prefix+"ContextKeyName"]
		if !ok || len(name) == 0 {
			return ctx, nil
		}
		values := listParam(p, prefix+"ContextKeyValues.member")
		if len(values) == 0 {
			return nil, Errorf(http.StatusBadRequest, "InvalidInput", "Context key %s has no values.", name[0])
		}
		ctx[strings.ToLower(name[0])] = values
	}
}
