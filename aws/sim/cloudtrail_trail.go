package sim

import (
	"net"
	"net/http"
	"strings"
	"time"
)

// trail is the account's CloudTrail event history: the scenario's history before the drill and
// every call the simulated account serves afterwards, kept in time order.
type trail struct {
	account string
	// ids is the trail's own id source, so recording events never shifts the ids of resources.
	ids    *idSource
	events []*trailEvent
	// attackerIP is where the scenario's attacker calls from; attackerKeys are its credentials.
	attackerIP   string
	attackerKeys map[string]bool
	sessions     map[string]*roleSession
	limit        lookupLimit
}

// Addresses and agents the history uses when a scenario does not say.
const (
	defaultAttackerIP = "203.0.113.7"
	operatorIP        = "198.51.100.20"
	attackerAgent     = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22"
	consoleAgent      = "AWS Internal"
)

func newTrail(sc *Scenario) *trail {
	t := &trail{account: sc.Account.ID, ids: newIDSource(sc.Seed ^ 0xc10d7a11), attackerIP: sc.Attacker.SourceIP,
		attackerKeys: map[string]bool{}, sessions: map[string]*roleSession{}}
	if t.attackerIP == "" {
		t.attackerIP = defaultAttackerIP
	}
	t.limit.perSecond = sc.CloudTrail.LookupLimit
	return t
}

// add keeps the history in time order; live events arrive in order, history is sorted once.
func (t *trail) add(e *trailEvent) {
	t.events = append(t.events, e)
	for i := len(t.events) - 1; i > 0 && t.events[i].Time.Before(t.events[i-1].Time); i-- {
		t.events[i], t.events[i-1] = t.events[i-1], t.events[i]
	}
}

// recordCall records one served call as CloudTrail would. Calls that did not authenticate are not
// recorded: CloudTrail cannot attribute them to a principal of the account.
func (s *Server) recordCall(sc scope, c *Call, mutating bool, result any, err error) {
	if c.Caller == nil || s.trail == nil {
		return
	}
	who := s.actorOf(c.Caller, sc)
	var code, msg string
	if err != nil {
		code, msg = "InternalError", err.Error()
		if e, ok := err.(*APIError); ok {
			code, msg = e.Code, e.Message
		}
		if c.Service == "ec2" {
			code = "Client." + code
		}
	}
	var response any
	var resources []lookupResource
	if err == nil {
		response, resources = s.responseElements(c, result)
	}
	params := requestParameters(c.Action, c.Params)
	if r, ok := result.(recordedAsAWS); ok && err == nil {
		params, response = r.requestParameters(), r.responseElements()
	}
	e := s.trail.newTrailEvent(c.Now, c.Region, c.Service, c.Action, who, params,
		response, !mutating, resources, code, msg)
	s.trail.add(e)
}

// recordedAsAWS is a result that says how CloudTrail records its call, where the flat request
// parameters would not: nested selectors, a trail's settings.
type recordedAsAWS interface {
	requestParameters() any
	responseElements() any
}

// actorOf names the caller the way CloudTrail's userIdentity does.
func (s *Server) actorOf(p *principal, sc scope) actor {
	a := actor{SourceIP: sc.SourceIP, UserAgent: sc.UserAgent}
	if a.SourceIP == "" {
		a.SourceIP = operatorIP
	}
	if a.UserAgent == "" {
		a.UserAgent = consoleAgent
	}
	switch {
	case p.Session != nil && p.Session.Role != nil:
		a.Identity, a.Username = s.trail.roleIdentity(p.Session.Role, p.Session.Name, p.Session.Issued), p.Session.Name
		a.Identity.AccessKeyID = p.Session.AccessKeyID
	case p.User != nil:
		a.Identity = userIdentity{Type: "IAMUser", PrincipalID: p.User.ID, ARN: p.User.ARN, AccountID: s.Account(), UserName: p.User.Name}
		a.Username = p.User.Name
		if p.Key != nil {
			a.Identity.AccessKeyID = p.Key.ID
		}
		if p.Session != nil {
			a.Identity.AccessKeyID = p.Session.AccessKeyID
			a.Identity.SessionContext = &sessionContext{Attributes: sessionAttrs(p.Session.Issued)}
		}
	}
	return a
}

func (t *trail) roleIdentity(r *iamRole, session string, issued time.Time) userIdentity {
	return userIdentity{Type: "AssumedRole", PrincipalID: r.ID + ":" + session,
		ARN: "arn:aws:sts::" + t.account + ":assumed-role/" + r.Name + "/" + session, AccountID: t.account,
		SessionContext: &sessionContext{
			SessionIssuer: &sessionIssuer{Type: "Role", PrincipalID: r.ID, ARN: r.ARN, AccountID: t.account, UserName: r.Name},
			WebIDFed:      &struct{}{}, Attributes: sessionAttrs(issued)}}
}

func sessionAttrs(issued time.Time) sessionAttrsRec {
	return sessionAttrsRec{CreationDate: issued.UTC().Format(time.RFC3339), MFAAuthenticated: "false"}
}

// clientAddress is the source address CloudTrail would record for a request.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// responseElements is what CloudTrail keeps of an answer: the ids of what was created (never a
// secret), plus the resources the event names for lookups.
func (s *Server) responseElements(c *Call, result any) (any, []lookupResource) {
	if response, resources, ok := s.exposureElements(c, result); ok {
		return response, resources
	}
	if k, ok := result.(createKeyPairXML); ok {
		return keyPairElements(k)
	}
	switch r := result.(type) {
	case createAccessKeyResult:
		k := r.AccessKey
		return map[string]any{"accessKey": map[string]any{"accessKeyId": k.AccessKeyID, "status": k.Status,
				"userName": k.UserName, "createDate": iamDate(k.CreateDate)}},
			[]lookupResource{{"AWS::IAM::AccessKey", k.AccessKeyID}, {"AWS::IAM::User", k.UserName}}
	case getUserResult:
		if c.Action != "CreateUser" {
			return nil, nil
		}
		return userElements(r.User), []lookupResource{{"AWS::IAM::User", r.User.UserName}}
	case createRoleResult:
		role := r.Role
		return map[string]any{"role": map[string]any{"path": role.Path, "roleName": role.RoleName, "roleId": role.RoleID,
				"arn": role.Arn, "createDate": iamDate(role.CreateDate), "assumeRolePolicyDocument": role.AssumeRolePolicyDocument}},
			[]lookupResource{{"AWS::IAM::Role", role.Arn}}
	case reservationXML:
		return s.reservationElements(r)
	case assumeRoleResult:
		return r.elements(), []lookupResource{{"AWS::IAM::AccessKey", r.Credentials.AccessKeyID},
			{"AWS::IAM::Role", c.Params.Get("RoleArn")}}
	case sessionTokenResult:
		return map[string]any{"credentials": r.Credentials.elements()},
			[]lookupResource{{"AWS::IAM::AccessKey", r.Credentials.AccessKeyID}}
	}
	var resources []lookupResource
	if name := c.Params.Get("UserName"); name != "" && c.Service == "iam" {
		resources = append(resources, lookupResource{"AWS::IAM::User", name})
	}
	if id := c.Params.Get("AccessKeyId"); id != "" && c.Service == "iam" {
		resources = append(resources, lookupResource{"AWS::IAM::AccessKey", id})
	}
	for k, v := range c.Params {
		if strings.HasPrefix(k, "InstanceId") && len(v) > 0 {
			resources = append(resources, lookupResource{"AWS::EC2::Instance", v[0]})
		}
	}
	return nil, resources
}

func userElements(u userXML) map[string]any {
	return map[string]any{"user": map[string]any{"path": u.Path, "userName": u.UserName, "userId": u.UserID,
		"arn": u.Arn, "createDate": iamDate(u.CreateDate)}}
}

func (s *Server) reservationElements(r reservationXML) (any, []lookupResource) {
	var items []any
	var resources []lookupResource
	for _, in := range r.Instances {
		item := map[string]any{"instanceId": in.InstanceID, "imageId": in.ImageID, "instanceType": in.InstanceType,
			"instanceState": map[string]any{"code": 0, "name": "pending"}, "placement": map[string]any{"availabilityZone": in.AvailabilityZone}}
		if in.KeyName != "" {
			item["keyName"] = in.KeyName
		}
		if t, err := time.Parse(time.RFC3339, in.LaunchTime); err == nil {
			item["launchTime"] = t.UnixMilli()
		}
		if in.SpotInstanceRequestID != "" {
			item["spotInstanceRequestId"] = in.SpotInstanceRequestID
		}
		items = append(items, item)
		resources = append(resources, lookupResource{"AWS::EC2::Instance", in.InstanceID})
	}
	return map[string]any{"reservationId": r.ReservationID, "ownerId": r.OwnerID, "groupSet": map[string]any{},
		"instancesSet": map[string]any{"items": items}}, resources
}
