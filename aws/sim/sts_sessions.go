package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// roleSession is a set of temporary credentials (ASIA…): a role session from AssumeRole, or a
// user's own session from GetSessionToken (Role nil).
type roleSession struct {
	AccessKeyID, Secret, Token string
	Role                       *iamRole
	User                       *iamUser
	Name                       string
	Issued, Expires            time.Time
	// By is the credential that opened the session, when a call did.
	By string
}

func (s *Server) registerSessions() {
	s.handle("sts", "AssumeRole", false, s.assumeRole)
	s.handle("sts", "GetSessionToken", false, s.getSessionToken)
}

type credentialsXML struct {
	AccessKeyID     string    `xml:"AccessKeyId"`
	SecretAccessKey string    `xml:"SecretAccessKey"`
	SessionToken    string    `xml:"SessionToken"`
	Expiration      time.Time `xml:"Expiration"`
}

// elements is the credentials as CloudTrail keeps them: the secret is never recorded.
func (c credentialsXML) elements() map[string]any {
	return map[string]any{"accessKeyId": c.AccessKeyID, "sessionToken": c.SessionToken,
		"expiration": c.Expiration.UTC().Format("Jan 2, 2006, 3:04:05 PM")}
}

type assumeRoleResult struct {
	Credentials     credentialsXML `xml:"Credentials"`
	AssumedRoleUser struct {
		AssumedRoleID string `xml:"AssumedRoleId"`
		Arn           string `xml:"Arn"`
	} `xml:"AssumedRoleUser"`
}

func (r assumeRoleResult) elements() map[string]any {
	return map[string]any{"credentials": r.Credentials.elements(),
		"assumedRoleUser": map[string]any{"assumedRoleId": r.AssumedRoleUser.AssumedRoleID, "arn": r.AssumedRoleUser.Arn}}
}

type sessionTokenResult struct {
	Credentials credentialsXML `xml:"Credentials"`
}

// sessionDuration reads DurationSeconds within STS's bounds (15 minutes to 12 hours, default 1 h).
func sessionDuration(p url.Values) (time.Duration, *APIError) {
	v := p.Get("DurationSeconds")
	if v == "" {
		return time.Hour, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 900 || n > 43200 {
		return 0, Errorf(http.StatusBadRequest, "ValidationError", "The requested DurationSeconds exceeds the allowed range (900 to 43200 seconds).")
	}
	return time.Duration(n) * time.Second, nil
}

func (s *Server) assumeRole(c *Call) (any, error) {
	arn, name := c.Params.Get("RoleArn"), c.Params.Get("RoleSessionName")
	if arn == "" || name == "" {
		return nil, Errorf(http.StatusBadRequest, "ValidationError", "RoleArn and RoleSessionName are required.")
	}
	if account := arnAccount(arn); account != s.Account() {
		return s.assumeRoleAcross(c, account) // a role of another account: org_assume.go
	}
	r, err := s.iam.role(arn[strings.LastIndex(arn, "/")+1:])
	if err != nil || r.ARN != arn || r.ServiceLinked || !trustAllows(r.Trust, c.Caller.arn(s.Account()), s.Account()) {
		return nil, Errorf(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.Caller.arn(s.Account()), arn)
	}
	d, apiErr := sessionDuration(c.Params)
	if apiErr != nil {
		return nil, apiErr
	}
	sess := s.trail.openSession(r, nil, name, c.Now, d)
	sess.By = c.callerKeyID()
	var out assumeRoleResult
	out.Credentials = sess.credentials()
	out.AssumedRoleUser.AssumedRoleID = r.ID + ":" + name
	out.AssumedRoleUser.Arn = "arn:aws:sts::" + s.Account() + ":assumed-role/" + r.Name + "/" + name
	return out, nil
}

func (s *Server) getSessionToken(c *Call) (any, error) {
	if c.Caller.User == nil || c.Caller.Session != nil {
		return nil, Errorf(http.StatusForbidden, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	}
	d, apiErr := sessionDuration(c.Params)
	if apiErr != nil {
		return nil, apiErr
	}
	sess := s.trail.openSession(nil, c.Caller.User, c.Caller.User.Name, c.Now, d)
	sess.By = c.callerKeyID()
	return sessionTokenResult{Credentials: sess.credentials()}, nil
}

func (t *trail) openSession(r *iamRole, u *iamUser, name string, now time.Time, d time.Duration) *roleSession {
	sess := &roleSession{AccessKeyID: t.ids.upper(exampleKeyPrefix("ASIA"), 9), Secret: t.ids.secret(), Token: "FwoGZXIvYXdzE" + t.ids.hex("", 64),
		Role: r, User: u, Name: name, Issued: now.UTC().Truncate(time.Second), Expires: now.Add(d).UTC().Truncate(time.Second)}
	t.sessions[sess.AccessKeyID] = sess
	return sess
}

func (sess *roleSession) credentials() credentialsXML {
	return credentialsXML{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.Secret, SessionToken: sess.Token, Expiration: sess.Expires}
}

// authenticateSession accepts temporary credentials until they expire, and refuses them once the
// role (or user) carries a deny on tokens issued before a cutoff — how sessions are revoked.
func (s *Server) authenticateSession(sc scope, now time.Time) (*principal, *APIError) {
	sess, ok := s.trail.sessions[sc.AccessKeyID]
	switch {
	case !ok:
		return nil, invalidToken(sc.Service, "The security token included in the request is invalid.")
	case now.After(sess.Expires):
		return nil, invalidToken(sc.Service, "The security token included in the request is expired")
	case sess.Role != nil && s.iam.roles[sess.Role.Name] != sess.Role, sess.User != nil && s.iam.users[sess.User.Name] != sess.User:
		// The role or user is gone: nothing allows the session anything any more.
		return nil, denied(sc.Service, "*")
	}
	policies := map[string]string{}
	if sess.Role != nil {
		policies = sess.Role.Inline
	} else if sess.User != nil {
		policies = sess.User.Inline
	}
	for _, doc := range policies {
		if cutoff, ok := revokedBefore(doc); ok && sess.Issued.Before(cutoff) {
			return nil, denied(sc.Service, "*")
		}
	}
	return &principal{User: sess.User, Session: sess}, nil
}

func invalidToken(service, msg string) *APIError {
	if service == "ec2" {
		return Errorf(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
	}
	code := "InvalidClientTokenId"
	if strings.Contains(msg, "expired") {
		code = "ExpiredToken"
	}
	return Errorf(http.StatusForbidden, code, "%s", msg)
}

// revokedBefore reads the cutoff of a Deny on tokens issued before a time (DateLessThan on
// aws:TokenIssueTime), the way AWS's "revoke sessions" policy is written. The simulator reads it
// on its own rather than with lockdown's parser, so a mistake there cannot agree with itself.
func revokedBefore(doc string) (time.Time, bool) {
	if dec, err := url.QueryUnescape(doc); err == nil {
		doc = dec
	}
	var policy map[string]any
	if json.Unmarshal([]byte(doc), &policy) != nil {
		return time.Time{}, false
	}
	statements, _ := policy["Statement"].([]any)
	if one, ok := policy["Statement"].(map[string]any); ok {
		statements = []any{one}
	}
	for _, raw := range statements {
		st, _ := raw.(map[string]any)
		cond, _ := st["Condition"].(map[string]any)
		less, _ := cond["DateLessThan"].(map[string]any)
		v, _ := less["aws:TokenIssueTime"].(string)
		if t, err := time.Parse(time.RFC3339, v); err == nil && st["Effect"] == "Deny" {
			return t, true
		}
	}
	return time.Time{}, false
}

// arn is the caller's ARN as STS GetCallerIdentity names it.
func (p *principal) arn(account string) string {
	if p.Session != nil && p.Session.Role != nil {
		return "arn:aws:sts::" + account + ":assumed-role/" + p.Session.Role.Name + "/" + p.Session.Name
	}
	return p.User.ARN
}

// userID is the caller's unique id as STS GetCallerIdentity names it.
func (p *principal) userID() string {
	if p.Session != nil && p.Session.Role != nil {
		return p.Session.Role.ID + ":" + p.Session.Name
	}
	return p.User.ID
}

// errNotUser is IAM's answer to a user operation without a user name, called with role credentials.
var errNotUser = Errorf(http.StatusBadRequest, "ValidationError", "Must specify userName when calling with non-User credentials")
