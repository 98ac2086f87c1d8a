package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// arnAccount is the account field of an ARN ("arn:aws:iam::ACCOUNT:role/NAME"), or "".
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// assumeRoleAcross assumes a role of another account of the organization, with the lock held. The
// role's trust policy decides, as in AWS: it must name the caller or the caller's account, and an
// sts:ExternalId condition must match. The role's account records the call in its CloudTrail,
// naming the caller from this account; this account records it as any call it serves.
func (s *Server) assumeRoleAcross(c *Call, account string) (any, error) {
	arn, name := c.Params.Get("RoleArn"), c.Params.Get("RoleSessionName")
	caller := c.Caller.arn(s.Account())
	denied := Errorf(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", caller, arn)
	if s.org == nil {
		return nil, denied
	}
	target := s.org.servers[account]
	if target == nil || s.org.byID[account].Status != "ACTIVE" {
		return nil, denied
	}
	r, ok := target.iam.roles[arn[strings.LastIndex(arn, "/")+1:]]
	if !ok || r.ARN != arn || r.ServiceLinked || !trustAdmits(r.Trust, caller, s.Account(), c.Params.Get("ExternalId")) {
		return nil, denied
	}
	d, apiErr := sessionDuration(c.Params)
	if apiErr != nil {
		return nil, apiErr
	}
	sess := target.trail.openSession(r, nil, name, c.Now, d)
	s.org.owners[sess.AccessKeyID] = account
	var out assumeRoleResult
	out.Credentials = sess.credentials()
	out.AssumedRoleUser.AssumedRoleID = r.ID + ":" + name
	out.AssumedRoleUser.Arn = "arn:aws:sts::" + account + ":assumed-role/" + r.Name + "/" + name
	who := s.actorOf(c.Caller, c.from)
	target.trail.add(target.trail.newTrailEvent(c.Now, c.Region, "sts", "AssumeRole", who,
		requestParameters("AssumeRole", c.Params), out.elements(), true,
		[]lookupResource{{"AWS::IAM::AccessKey", sess.AccessKeyID}, {"AWS::IAM::Role", r.ARN}}, "", ""))
	return out, nil
}

// trustAdmits is trustAllows with the trust policy's conditions on an external id: a statement
// that asks for sts:ExternalId admits only a request that carries that value.
func trustAdmits(doc, caller, account, externalID string) bool {
	if !trustAllows(doc, caller, account) {
		return false
	}
	type trustStatement struct {
		Effect    string
		Action    stringList
		Principal json.RawMessage
		Condition map[string]map[string]stringList
	}
	for _, st := range decodeStatements[trustStatement](doc) {
		if st.Effect != "Allow" || !anyMatch(st.Action, "sts:AssumeRole", true) || !principalNames(st.Principal, caller, account) {
			continue
		}
		wanted, asks := conditionValues(st.Condition, "StringEquals", "sts:externalid")
		if !asks || slices.Contains(wanted, externalID) {
			return true
		}
	}
	return false
}

// conditionValues reads one condition key (case-insensitively) under one operator.
func conditionValues(cond map[string]map[string]stringList, op, key string) ([]string, bool) {
	for k, v := range cond[op] {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// foreignActor names, for a member's history, a key of another account of the organization: the
// attacker's key of the management account assuming a member's role, say.
func (s *Server) foreignActor(by string) (actor, bool) {
	if s.org == nil {
		return actor{}, false
	}
	for _, a := range s.org.accounts {
		other := s.org.servers[a.ID]
		if other == nil || other == s {
			continue
		}
		p := &principal{}
		if sess, ok := other.trail.sessions[by]; ok {
			p.User, p.Session = sess.User, sess
		} else if k, ok := other.iam.keys[by]; ok {
			p.User, p.Key = other.iam.users[k.User], k
		} else {
			continue
		}
		from := scope{SourceIP: operatorIP, UserAgent: "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0"}
		if s.trail.attackerKeys[by] || other.trail.attackerKeys[by] {
			from = scope{SourceIP: s.trail.attackerIP, UserAgent: attackerAgent}
		}
		return other.actorOf(p, from), true
	}
	return actor{}, false
}

// echoSessions writes into the caller's account the AssumeRole events of a member's sessions
// obtained with a key of another account: CloudTrail records a cross-account AssumeRole in both.
func (o *Organization) echoSessions(member *Server, sc *Scenario) error {
	for _, ss := range sc.Attacker.Sessions {
		by := ss.By
		if by == "" {
			by = sc.Attacker.AccessKeyID
		}
		if ss.Role == "" || member.holdsKey(by) {
			continue
		}
		caller := o.ownerServer(by)
		if caller == nil {
			continue // seedSession already refused a key no account has
		}
		sess := member.sessionNamed(ss)
		if sess == nil {
			return fmt.Errorf("attacker.sessions: the session of role %s was not opened", ss.Role)
		}
		who, err := caller.historyActor(by, sess.Issued)
		if err != nil {
			return err
		}
		r := sess.Role
		d := sess.Expires.Sub(sess.Issued)
		params := map[string]any{"roleArn": r.ARN, "roleSessionName": sess.Name, "durationSeconds": int(d.Seconds())}
		response := map[string]any{"credentials": sess.credentials().elements(), "assumedRoleUser": map[string]any{
			"assumedRoleId": r.ID + ":" + sess.Name, "arn": "arn:aws:sts::" + member.Account() + ":assumed-role/" + r.Name + "/" + sess.Name}}
		caller.trail.add(caller.trail.newTrailEvent(sess.Issued, globalRegion, "sts", "AssumeRole", who, params, response, true,
			[]lookupResource{{"AWS::IAM::AccessKey", sess.AccessKeyID}, {"AWS::IAM::Role", r.ARN}}, "", ""))
	}
	return nil
}

// ownerServer is the account that holds a key now, without remembering it.
func (o *Organization) ownerServer(key string) *Server {
	for _, a := range o.accounts {
		if s := o.servers[a.ID]; s != nil && s.holdsKey(key) {
			return s
		}
	}
	return nil
}

// sessionNamed finds the session a scenario's session spec opened.
func (s *Server) sessionNamed(ss SessionSpec) *roleSession {
	if ss.AccessKeyID != "" {
		return s.trail.sessions[ss.AccessKeyID]
	}
	name := ss.Name
	if name == "" {
		name = "session"
	}
	at, _ := ss.At.Resolve(s.start)
	for _, sess := range s.trail.sessions {
		if sess.Role != nil && sess.Role.Name == ss.Role && sess.Name == name && sess.Issued.Equal(at.UTC().Truncate(time.Second)) {
			return sess
		}
	}
	return nil
}
