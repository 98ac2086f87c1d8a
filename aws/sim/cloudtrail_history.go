package sim

import (
	"fmt"
	"strings"
	"time"
)

// SessionSpec is temporary credentials the attacker obtained before the drill: AssumeRole on Role
// or, without a role, GetSessionToken; By is the key that asked (default: the leaked key). The
// credentials work in the drill until they expire or the role's sessions are revoked.
type SessionSpec struct {
	At          When   `yaml:"at"`
	By          string `yaml:"by"`
	Role        string `yaml:"role"`
	Name        string `yaml:"name"`
	AccessKeyID string `yaml:"access_key_id"`
	Duration    string `yaml:"duration"`
}

// seedHistory writes the CloudTrail events behind the scenario's seeded resources: each one whose
// `by` names who created it gets the event that created it, made by that principal.
func (s *Server) seedHistory(sc *Scenario) error {
	t := s.trail
	if k := sc.Attacker.AccessKeyID; k != "" {
		t.attackerKeys[k] = true
	}
	for _, e := range sc.Attacker.Events {
		if e.AccessKeyID != "" {
			t.attackerKeys[e.AccessKeyID] = true
		}
	}
	for i, ss := range sc.Attacker.Sessions {
		if err := s.seedSession(sc, ss); err != nil {
			return under(fmt.Sprintf("attacker.sessions[%d]", i), err)
		}
	}
	// Every `by` of the scenario names someone, checked at its place before any is recorded.
	if err := s.checkActors(sc); err != nil {
		return err
	}
	s.markAttackerKeys(sc)
	for _, us := range sc.IAM.Users {
		if err := s.seedUser(us); err != nil {
			return err
		}
	}
	for _, rs := range sc.IAM.Roles {
		if rs.By == "" {
			continue
		}
		r := s.iam.roles[rs.Name]
		err := s.historyEvent(rs.By, r.Created, "", "iam", "CreateRole", createRoleParams(r, trustDocument(s.Account(), rs)),
			map[string]any{"role": map[string]any{"roleName": r.Name, "roleId": r.ID, "arn": r.ARN, "createDate": iamDate(r.Created)}},
			[]lookupResource{{"AWS::IAM::Role", r.ARN}})
		if err != nil {
			return err
		}
	}
	if err := s.seedIAMPersistenceHistory(sc); err != nil {
		return err
	}
	if err := s.seedLoggingHistory(sc); err != nil {
		return err
	}
	if err := s.seedS3History(sc); err != nil {
		return err
	}
	if err := s.seedLaunches(sc.EC2); err != nil {
		return err
	}
	if err := s.seedKeyPairHistory(sc.EC2); err != nil {
		return err
	}
	if err := s.seedRespawnerHistory(); err != nil {
		return err
	}
	if err := s.seedPastCalls(sc); err != nil {
		return err
	}
	return s.seedExposureHistory()
}

// seedSession opens one of the attacker's sessions. Its errors start with the field they are
// about, for the caller to put after the session's place.
func (s *Server) seedSession(sc *Scenario, ss SessionSpec) error {
	at := resolveChecked(ss.At, s.start)
	by := ss.By
	if by == "" {
		by = sc.Attacker.AccessKeyID
	}
	d := time.Hour
	if ss.Duration != "" {
		var err error
		if d, err = time.ParseDuration(ss.Duration); err != nil || d <= 0 {
			return fmt.Errorf("duration: %q is not a positive duration such as 1h", ss.Duration)
		}
	}
	var sess *roleSession
	if ss.Role != "" {
		r, ok := s.iam.roles[ss.Role]
		if !ok {
			return fmt.Errorf("role: %q is not in iam.roles", ss.Role)
		}
		name := ss.Name
		if name == "" {
			name = "session"
		}
		sess = s.trail.openSession(r, nil, name, at, d)
	} else {
		k, ok := s.iam.keys[by]
		if !ok {
			return fmt.Errorf("by: %q is not an access key of the scenario, which a session without a role (GetSessionToken) needs", by)
		}
		sess = s.trail.openSession(nil, s.iam.users[k.User], k.User, at, d)
	}
	if ss.AccessKeyID != "" {
		delete(s.trail.sessions, sess.AccessKeyID)
		sess.AccessKeyID = ss.AccessKeyID
		s.trail.sessions[sess.AccessKeyID] = sess
	}
	s.trail.attackerKeys[sess.AccessKeyID] = true
	creds := sess.credentials().elements()
	if sess.Role == nil {
		return byError(s.historyEvent(by, at, "", "sts", "GetSessionToken", map[string]any{"durationSeconds": int(d.Seconds())},
			map[string]any{"credentials": creds}, []lookupResource{{"AWS::IAM::AccessKey", sess.AccessKeyID}}))
	}
	r := sess.Role
	params := map[string]any{"roleArn": r.ARN, "roleSessionName": sess.Name, "durationSeconds": int(d.Seconds())}
	response := map[string]any{"credentials": creds, "assumedRoleUser": map[string]any{
		"assumedRoleId": r.ID + ":" + sess.Name, "arn": "arn:aws:sts::" + s.Account() + ":assumed-role/" + r.Name + "/" + sess.Name}}
	return byError(s.historyEvent(by, at, "", "sts", "AssumeRole", params, response,
		[]lookupResource{{"AWS::IAM::AccessKey", sess.AccessKeyID}, {"AWS::IAM::Role", r.ARN}}))
}

// byError places an error of historyEvent, which is about who made the call, at the field "by".
func byError(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("by: %w", err)
}

// markAttackerKeys adds to the attacker's credentials every key an attacker credential created.
func (s *Server) markAttackerKeys(sc *Scenario) {
	for changed := true; changed; {
		changed = false
		for _, us := range sc.IAM.Users {
			for i, ks := range us.AccessKeys {
				id := s.iam.users[us.Name].Keys[i].ID
				if s.trail.attackerKeys[ks.By] && !s.trail.attackerKeys[id] {
					s.trail.attackerKeys[id], changed = true, true
				}
			}
		}
	}
}

func (s *Server) seedUser(us UserSpec) error {
	u := s.iam.users[us.Name]
	if us.By != "" {
		x := u.xml(false)
		if err := s.historyEvent(us.By, u.Created, "", "iam", "CreateUser", map[string]any{"userName": u.Name},
			userElements(x), []lookupResource{{"AWS::IAM::User", u.Name}}); err != nil {
			return err
		}
	}
	for i, ks := range us.AccessKeys {
		if ks.By == "" {
			continue
		}
		k := u.Keys[i]
		response := map[string]any{"accessKey": map[string]any{"accessKeyId": k.ID, "status": statusActive,
			"userName": u.Name, "createDate": iamDate(k.Created)}}
		if err := s.historyEvent(ks.By, k.Created, "", "iam", "CreateAccessKey", map[string]any{"userName": u.Name}, response,
			[]lookupResource{{"AWS::IAM::AccessKey", k.ID}, {"AWS::IAM::User", u.Name}}); err != nil {
			return err
		}
	}
	return nil
}

// seedLaunches writes RunInstances (or RequestSpotInstances) for seeded instances with a `by`.
// Seeded instances sit in their region's list in scenario order, which is how they are found.
func (s *Server) seedLaunches(spec EC2Spec) error {
	next := map[string]int{}
	take := func(region string, n int) []*instance {
		r := s.ec2.region(region)
		out := r.instances[next[region] : next[region]+n]
		next[region] += n
		return out
	}
	for _, in := range spec.Instances {
		insts := take(in.Region, 1)
		if err := s.seedLaunch(in, insts); err != nil {
			return err
		}
	}
	for _, f := range spec.Generate {
		insts := take(f.Region, f.Count)
		if err := s.seedLaunch(f.InstanceSpec, insts); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) seedLaunch(in InstanceSpec, insts []*instance) error {
	if in.By == "" || len(insts) == 0 {
		return nil
	}
	at := insts[0].Launched
	if in.Spot != nil {
		r := s.ec2.region(in.Region)
		var items []any
		var resources []lookupResource
		for _, inst := range insts {
			sr := r.spotByID[inst.SpotRequest]
			items = append(items, map[string]any{"spotInstanceRequestId": sr.ID, "type": sr.Type, "state": "open"})
			resources = append(resources, lookupResource{"AWS::EC2::SpotInstanceRequest", sr.ID})
			at = sr.Created
		}
		return s.historyEvent(in.By, at, in.Region, "ec2", "RequestSpotInstances",
			map[string]any{"instanceCount": len(insts), "type": items[0].(map[string]any)["type"],
				"launchSpecification": map[string]any{"instanceType": in.Type, "keyName": in.KeyName}},
			map[string]any{"spotInstanceRequestSet": map[string]any{"items": items}}, resources)
	}
	res := reservationXML{ReservationID: insts[0].Reservation, OwnerID: s.Account()}
	for _, inst := range insts {
		res.Instances = append(res.Instances, s.instanceXML(inst))
	}
	response, resources := s.reservationElements(res)
	params := map[string]any{"instancesSet": map[string]any{"items": []any{map[string]any{
		"imageId": insts[0].Image, "minCount": len(insts), "maxCount": len(insts), "keyName": in.KeyName}}},
		"instanceType": insts[0].Type}
	return s.historyEvent(in.By, at, in.Region, "ec2", "RunInstances", params, response, resources)
}

// historyEvent records one event of the scenario's past, made by `by`: an access key of the
// scenario (long-term or a session), "role:NAME" for a service acting through its role,
// "service:NAME" for a service acting on its own behalf, or "user:NAME" for an operator in the
// console.
func (s *Server) historyEvent(by string, at time.Time, region, service, action string, params, response any, resources []lookupResource) error {
	who, err := s.historyActor(by, at)
	if err != nil {
		return err
	}
	if region == "" {
		region = globalRegion
	}
	s.trail.add(s.trail.newTrailEvent(at, region, service, action, who, params, response, readsOnly(action), resources, "", ""))
	return nil
}

// knownActor says why by names nobody the simulated account has; nil when it names someone.
func (s *Server) knownActor(by string) error {
	if name, ok := strings.CutPrefix(by, "role:"); ok {
		if s.iam.roles[name] == nil {
			return fmt.Errorf("role %q is not in iam.roles", name)
		}
		return nil
	}
	if _, ok := strings.CutPrefix(by, "service:"); ok {
		return nil
	}
	if name, ok := strings.CutPrefix(by, "user:"); ok {
		if s.iam.users[name] == nil {
			return fmt.Errorf("user %q is not in iam.users", name)
		}
		return nil
	}
	if s.trail.sessions[by] != nil || s.iam.keys[by] != nil {
		return nil
	}
	if _, ok := s.foreignActor(by); ok {
		return nil
	}
	return fmt.Errorf("%q is neither an access key of the scenario nor role:NAME, service:NAME or user:NAME", by)
}

// readsOnly tells a past call that only read (ListAccounts, DescribeInstances) by its verb, as
// CloudTrail marks it readOnly.
func readsOnly(action string) bool {
	for _, verb := range []string{"Describe", "Get", "List", "Lookup"} {
		if rest, ok := strings.CutPrefix(action, verb); ok && (rest == "" || rest[0] >= 'A' && rest[0] <= 'Z') {
			return true
		}
	}
	return false
}

func (s *Server) historyActor(by string, at time.Time) (actor, error) {
	if err := s.knownActor(by); err != nil {
		return actor{}, err
	}
	t := s.trail
	if name, ok := strings.CutPrefix(by, "role:"); ok {
		r := s.iam.roles[name]
		service := r.Path
		service = strings.TrimSuffix(strings.TrimPrefix(service, "/aws-service-role/"), "/")
		if !r.ServiceLinked {
			service = "ec2.amazonaws.com"
		}
		session := serviceSessionName(service)
		id := t.roleIdentity(r, session, at)
		id.InvokedBy = service
		return actor{Identity: id, Username: session, SourceIP: service, UserAgent: service}, nil
	}
	if name, ok := strings.CutPrefix(by, "service:"); ok {
		// An AWS service acting on its own behalf, such as EC2 obtaining an instance role's
		// credentials: CloudTrail names only the service.
		return actor{Identity: userIdentity{Type: "AWSService", InvokedBy: name}, SourceIP: name, UserAgent: name}, nil
	}
	if name, ok := strings.CutPrefix(by, "user:"); ok {
		return s.actorOf(&principal{User: s.iam.users[name]}, scope{SourceIP: operatorIP, UserAgent: consoleAgent}), nil
	}
	p := &principal{}
	if sess, ok := t.sessions[by]; ok {
		p.User, p.Session = sess.User, sess
	} else if k, ok := s.iam.keys[by]; ok {
		p.User, p.Key = s.iam.users[k.User], k
	} else if a, ok := s.foreignActor(by); ok {
		return a, nil // a key of another account of the organization: org_assume.go
	}
	from := scope{SourceIP: operatorIP, UserAgent: "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0"}
	if t.attackerKeys[by] {
		from = scope{SourceIP: t.attackerIP, UserAgent: attackerAgent}
	}
	return s.actorOf(p, from), nil
}

// serviceSessionName is the session name a service uses in its role ("AutoScaling").
func serviceSessionName(service string) string {
	name := strings.TrimSuffix(service, ".amazonaws.com")
	if name == "autoscaling" {
		return "AutoScaling"
	}
	if name == "" {
		return "service"
	}
	return strings.ToUpper(name[:1]) + name[1:]
}
