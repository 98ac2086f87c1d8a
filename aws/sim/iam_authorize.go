package sim

import (
	"fmt"
	"net/http"
	"time"
)

// authorize checks a call against the caller's identity policies, as AWS does before any handler
// runs: an EC2 DryRun without the permission is UnauthorizedOperation, not DryRunOperation. The
// responder is always checked (with full access unless the scenario names their permissions);
// everyone else only when the scenario enforces permissions, because the built-in stories do not
// model what the leaked user was allowed to do.
func (s *Server) authorize(c *Call) *APIError {
	if c.Service == "sts" && c.Action == "GetCallerIdentity" {
		return nil // AWS answers it whatever the policies say
	}
	isResponder := s.iam.responderKey != nil && c.Caller.Key == s.iam.responderKey
	if !isResponder && !s.scenario.EnforcePermissions {
		return nil
	}
	policies, boundary, ctx := s.callerPolicies(c)
	if policies == nil && ctx == nil {
		return nil
	}
	action := c.Service + ":" + c.Action
	for _, res := range s.resourcesOf(c) {
		decision, _ := s.iam.decide(policies, boundary, request{Action: action, Resource: res, Context: ctx})
		if decision != decisionAllowed {
			return notAuthorized(c, s.Account(), action, res, decision)
		}
	}
	return nil
}

// callerPolicies are the policies and request context a call is authorized with: a user's own,
// or, for temporary credentials, those of the role (or user) that issued them, with the session's
// aws:TokenIssueTime so a revocation by issue time applies.
func (s *Server) callerPolicies(c *Call) (policies []sourcePolicy, boundary string, ctx map[string][]string) {
	ctx = map[string][]string{"aws:currenttime": {c.Now.UTC().Format(time.RFC3339)}}
	if sess := c.Caller.Session; sess != nil {
		ctx["aws:tokenissuetime"] = []string{sess.Issued.UTC().Format(time.RFC3339)}
		if sess.Role != nil {
			ctx["aws:principalarn"] = []string{sess.Role.ARN}
			return s.iam.policiesOfRole(sess.Role), "", ctx
		}
	}
	u := c.Caller.User
	if u == nil {
		return nil, "", nil
	}
	ctx["aws:username"], ctx["aws:principalarn"] = []string{u.Name}, []string{u.ARN}
	return s.iam.policiesOfUser(u), u.Boundary, ctx
}

func notAuthorized(c *Call, account, action, resource, decision string) *APIError {
	why := "because no identity-based policy allows the " + action + " action"
	if decision == decisionExplicitDeny {
		why = "with an explicit deny in an identity-based policy"
	}
	msg := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s %s", c.Caller.arn(account), action, resource, why)
	if c.Service == "ec2" {
		return Errorf(http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation. %s", msg)
	}
	return Errorf(http.StatusForbidden, "AccessDenied", "%s", msg)
}

// resourcesOf names the resources a call acts on, as IAM authorizes them: the user, role or group
// an IAM call names (the caller when it names none), each instance of an EC2 call, otherwise "*".
func (s *Server) resourcesOf(c *Call) []string {
	acct := s.Account()
	switch c.Service {
	case "iam":
		switch {
		case c.Params.Get("UserName") != "":
			name := c.Params.Get("UserName")
			if u := s.iam.users[name]; u != nil {
				return []string{u.ARN}
			}
			return []string{fmt.Sprintf("arn:aws:iam::%s:user/%s", acct, name)}
		case c.Params.Get("RoleName") != "":
			return []string{fmt.Sprintf("arn:aws:iam::%s:role/%s", acct, c.Params.Get("RoleName"))}
		case c.Params.Get("GroupName") != "":
			return []string{fmt.Sprintf("arn:aws:iam::%s:group/%s", acct, c.Params.Get("GroupName"))}
		case c.Params.Get("PolicyArn") != "":
			return []string{c.Params.Get("PolicyArn")}
		}
		return []string{"*"}
	case "ec2":
		ids := listParam(c.Params, "InstanceId")
		if len(ids) == 0 && c.Params.Get("InstanceId") != "" {
			ids = []string{c.Params.Get("InstanceId")}
		}
		var out []string
		for _, id := range ids {
			out = append(out, fmt.Sprintf("arn:aws:ec2:%s:%s:instance/%s", c.Region, acct, id))
		}
		if len(out) > 0 {
			return out
		}
	}
	return []string{"*"}
}
