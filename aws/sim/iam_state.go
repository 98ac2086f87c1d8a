package sim

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

const (
	statusActive   = "Active"
	statusInactive = "Inactive"
	// maxKeysPerUser is IAM's hard limit; a third CreateAccessKey gets LimitExceeded.
	maxKeysPerUser  = 2
	awsPolicyPrefix = "arn:aws:iam::aws:policy/"
)

// iamState is the account's IAM: users, their credentials and policies, groups, roles, managed
// policies, and the access keys requests are signed with.
type iamState struct {
	aliases    []string
	root       RootSpec
	users      map[string]*iamUser
	keys       map[string]*accessKey
	groups     map[string]*iamGroup
	roles      map[string]*iamRole
	policies   map[string]*managedPolicy
	virtualMFA map[string]*mfaDevice
	// providers are the OIDC and SAML identity providers, by ARN.
	providers    map[string]*identityProvider
	responderKey *accessKey
	// breakGlassKey is the key of the scenario's break-glass identity, nil without one.
	breakGlassKey *accessKey
	// responderFullAccess is set when the scenario gives the responder no IAM policy at all.
	responderFullAccess bool
}

type iamUser struct {
	Name, ID, ARN, Path string
	Created             time.Time
	PasswordLastUsed    *time.Time
	Keys                []*accessKey
	Login               *time.Time
	// PasswordResetRequired asks for a new password at the next console sign-in.
	PasswordResetRequired bool
	MFA                   []*mfaDevice
	Certs                 []*uploaded
	SSHKeys               []*uploaded
	ServiceCreds          []*serviceCred
	Inline                map[string]string
	Attached              []string
	Groups                []string
	Boundary              string
	// By is the credential that created the user, or the scenario's `by`.
	By string
}

type accessKey struct {
	ID, Secret, User string
	Status           string
	Created          time.Time
	LastUsed         *keyUse
	// By is the credential that created the key, or the scenario's `by`.
	By string
}

type keyUse struct {
	Time            time.Time
	Service, Region string
}

type mfaDevice struct {
	Serial  string
	User    string
	Enabled time.Time
}

// uploaded is a signing certificate or an SSH public key.
type uploaded struct {
	ID, Status string
	Uploaded   time.Time
}

type serviceCred struct {
	ID, Service, ServiceUser, Status string
	Created                          time.Time
}

type iamGroup struct {
	Name, ID, ARN string
	Created       time.Time
	Attached      []string
	Inline        map[string]string
}

type iamRole struct {
	Name, ID, ARN, Path string
	Created             time.Time
	Inline              map[string]string
	Attached            []string
	ServiceLinked       bool
	// Trust is the role's trust policy (AssumeRolePolicyDocument).
	Trust string
	// By is the credential that created the role, or the scenario's `by`.
	By string
}

type managedPolicy struct {
	Name, ID, ARN, Path string
	// Document is the default version's, the one IAM evaluates.
	Document         string
	Created, Updated time.Time
	Versions         []*policyVersion
	DefaultVersion   string
	lastVersion      int
}

// principal is who signed a request.
type principal struct {
	User *iamUser
	Key  *accessKey
	// Session is set for temporary credentials; a role session has no User.
	Session *roleSession
}

func newIAMState(s *Server, sc *Scenario) (*iamState, error) {
	st := &iamState{
		root: sc.IAM.Root, users: map[string]*iamUser{}, keys: map[string]*accessKey{},
		groups: map[string]*iamGroup{}, roles: map[string]*iamRole{},
		policies: map[string]*managedPolicy{}, virtualMFA: map[string]*mfaDevice{},
		providers: map[string]*identityProvider{},
	}
	if sc.Account.Alias != "" {
		st.aliases = []string{sc.Account.Alias}
	}
	st.loadAWSManagedPolicies(s)
	for _, p := range sc.IAM.Policies {
		st.addPolicy(s, p.Name, fmt.Sprintf("arn:aws:iam::%s:policy/%s", s.Account(), p.Name), p.Document)
	}
	for i, g := range sc.IAM.Groups {
		if err := st.addGroup(s, g); err != nil {
			return nil, under(fmt.Sprintf("iam.groups[%d]", i), err)
		}
	}
	for i, spec := range sc.IAM.Users {
		if err := st.addUser(s, spec); err != nil {
			return nil, under(fmt.Sprintf("iam.users[%d]", i), err)
		}
	}
	for i, spec := range sc.IAM.Roles {
		if err := st.addRole(s, spec); err != nil {
			return nil, under(fmt.Sprintf("iam.roles[%d]", i), err)
		}
	}
	if err := st.loadIAMPersistence(s, sc.IAM); err != nil {
		return nil, err
	}
	if sc.member {
		return st, nil
	}
	return st, st.ensureResponder(s, sc.Responder)
}

func (st *iamState) addPolicy(s *Server, name, arn, doc string) {
	p := &managedPolicy{Name: name, ARN: arn, Path: "/", ID: s.ids.upper("ANPA", 17), Created: s.start.Add(-3 * 365 * 24 * time.Hour)}
	p.addVersion(doc, p.Created, true)
	st.policies[arn] = p
}

func (st *iamState) addGroup(s *Server, g GroupSpec) error {
	grp := &iamGroup{Name: g.Name, ID: s.ids.upper("AGPA", 17), Created: s.start.Add(-365 * 24 * time.Hour),
		ARN: fmt.Sprintf("arn:aws:iam::%s:group/%s", s.Account(), g.Name), Inline: copyMap(g.InlinePolicies)}
	for i, p := range g.AttachedPolicies {
		if st.policies[policyARN(p)] == nil {
			return missingPolicy(i, p)
		}
		grp.Attached = append(grp.Attached, policyARN(p))
	}
	st.groups[g.Name] = grp
	return nil
}

// addUser adds a user of the scenario; its errors start with the field they are about, for the
// caller to put after the user's place (so do those of the functions below).
func (st *iamState) addUser(s *Server, spec UserSpec) error {
	u := st.newUser(s, spec.Name, spec.Path, resolveChecked(spec.Created, s.start))
	u.By = spec.By
	for i, ks := range spec.AccessKeys {
		if _, err := st.addKey(s, u, ks); err != nil {
			return under(fmt.Sprintf("access_keys[%d]", i), err)
		}
	}
	return st.loadUserExtras(s, u, spec)
}

// missingPolicy refuses the i-th of attached_policies, which names no policy of the account.
func missingPolicy(i int, name string) error {
	return fmt.Errorf("attached_policies[%d]: policy %s does not exist (an AWS managed policy or one of iam.policies)", i, name)
}

// loadUserExtras adds everything but access keys: the dependents IAM makes you remove before
// deleting a user.
func (st *iamState) loadUserExtras(s *Server, u *iamUser, spec UserSpec) error {
	at := func(w When) time.Time { return resolveChecked(w, s.start) }
	if p := spec.Password; p != nil {
		created := at(p.Created)
		u.Login = &created
		if p.LastUsed != "" {
			used := at(p.LastUsed)
			u.PasswordLastUsed = &used
		}
	}
	for i, m := range spec.MFADevices {
		enabled := at(m.Enabled)
		name := m.Name
		if name == "" {
			name = fmt.Sprintf("%s-mfa-%d", u.Name, i+1)
		}
		u.MFA = append(u.MFA, &mfaDevice{Serial: fmt.Sprintf("arn:aws:iam::%s:mfa/%s", s.Account(), name), User: u.Name, Enabled: enabled})
	}
	for _, c := range spec.SigningCertificates {
		u.Certs = append(u.Certs, &uploaded{ID: s.ids.upper("", 32), Status: statusActive, Uploaded: at(c.Uploaded)})
	}
	for _, k := range spec.SSHPublicKeys {
		u.SSHKeys = append(u.SSHKeys, &uploaded{ID: s.ids.upper("APKA", 16), Status: statusActive, Uploaded: at(k.Uploaded)})
	}
	for _, c := range spec.ServiceCredentials {
		when := at(c.Created)
		u.ServiceCreds = append(u.ServiceCreds, &serviceCred{ID: s.ids.upper("ACCA", 17), Service: c.Service,
			ServiceUser: u.Name + "-at-" + s.Account(), Status: statusActive, Created: when})
	}
	u.Inline = copyMap(spec.InlinePolicies)
	for i, p := range spec.AttachedPolicies {
		if st.policies[policyARN(p)] == nil {
			return missingPolicy(i, p)
		}
		u.Attached = append(u.Attached, policyARN(p))
	}
	u.Groups = append(u.Groups, spec.Groups...)
	u.Boundary = spec.PermissionsBoundary
	return nil
}

func (st *iamState) newUser(s *Server, name, path string, created time.Time) *iamUser {
	if path == "" {
		path = "/"
	}
	u := &iamUser{Name: name, Path: path, Created: created, ID: s.ids.upper("AIDA", 17),
		ARN: fmt.Sprintf("arn:aws:iam::%s:user%s%s", s.Account(), path, name), Inline: map[string]string{}}
	st.users[name] = u
	return u
}

func (st *iamState) addKey(s *Server, u *iamUser, ks KeySpec) (*accessKey, error) {
	k := &accessKey{ID: ks.ID, Secret: ks.Secret, User: u.Name, Status: ks.Status, Created: resolveChecked(ks.Created, s.start), By: ks.By}
	if k.ID == "" {
		// Shaped like AWS's documentation keys: a drill's journal, report or screenshot never
		// holds a string a secret scanner takes for a real key.
		k.ID = s.ids.upper(exampleKeyPrefix("AKIA"), 9)
	}
	if k.Secret == "" {
		k.Secret = s.ids.secret()
	}
	if k.Status == "" {
		k.Status = statusActive
	}
	if _, dup := st.keys[k.ID]; dup {
		return nil, fmt.Errorf("id: access key %s is listed twice", k.ID)
	}
	if ks.LastUsed != nil {
		k.LastUsed = &keyUse{Time: resolveChecked(ks.LastUsed.At, s.start), Service: ks.LastUsed.Service, Region: ks.LastUsed.Region}
	}
	u.Keys = append(u.Keys, k)
	st.keys[k.ID] = k
	return k, nil
}

// sortedUsers returns users in name order, for stable listings.
func (st *iamState) sortedUsers() []*iamUser {
	out := make([]*iamUser, 0, len(st.users))
	for _, u := range st.users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// authenticate finds who signed a request. Like AWS, an unknown or inactive key is refused, and a
// successful use is recorded for GetAccessKeyLastUsed.
func (s *Server) authenticate(sc scope, now time.Time) (*principal, *APIError) {
	if strings.HasPrefix(sc.AccessKeyID, "ASIA") {
		return s.authenticateSession(sc, now)
	}
	k, ok := s.iam.keys[sc.AccessKeyID]
	if !ok && s.opts.AcceptUnknownKeys {
		k, ok = s.iam.responderKey, true
	}
	if !ok || k.Status != statusActive {
		if sc.Service == "ec2" {
			return nil, Errorf(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
		}
		return nil, Errorf(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
	}
	region := sc.Region
	if sc.Service == "iam" {
		region = "us-east-1"
	}
	k.LastUsed = &keyUse{Time: now, Service: sc.Service, Region: region}
	return &principal{User: s.iam.users[k.User], Key: k}, nil
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
