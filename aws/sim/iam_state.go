package sim

import (
	"fmt"
	"net/http"
	"sort"
	"time"
)

// IAMSpec is the scenario's IAM users and their credentials.
type IAMSpec struct {
	Users []UserSpec `yaml:"users"`
}

// UserSpec is one IAM user.
type UserSpec struct {
	Name       string    `yaml:"name"`
	Path       string    `yaml:"path"`
	Created    When      `yaml:"created"`
	AccessKeys []KeySpec `yaml:"access_keys"`
}

// KeySpec is one access key; an empty ID or Secret is generated.
type KeySpec struct {
	ID       string   `yaml:"id"`
	Secret   string   `yaml:"secret"`
	Status   string   `yaml:"status"`
	Created  When     `yaml:"created"`
	LastUsed *UseSpec `yaml:"last_used"`
}

// UseSpec is when and where a key was last used.
type UseSpec struct {
	At      When   `yaml:"at"`
	Service string `yaml:"service"`
	Region  string `yaml:"region"`
}

func (sp *IAMSpec) validate() error {
	seen := map[string]bool{}
	for _, u := range sp.Users {
		if u.Name == "" {
			return fmt.Errorf("a user has no name")
		}
		if seen[u.Name] {
			return fmt.Errorf("user %s is listed twice", u.Name)
		}
		seen[u.Name] = true
		for _, k := range u.AccessKeys {
			if k.Status != "" && k.Status != "Active" && k.Status != "Inactive" {
				return fmt.Errorf("user %s: key status must be Active or Inactive, got %q", u.Name, k.Status)
			}
		}
	}
	return nil
}

// iamState is the account's IAM: users and the access keys requests are signed with.
type iamState struct {
	aliases      []string
	users        map[string]*iamUser
	keys         map[string]*accessKey
	responderKey *accessKey
}

type iamUser struct {
	Name, ID, ARN, Path string
	Created             time.Time
	Keys                []*accessKey
}

type accessKey struct {
	ID, Secret, User string
	Status           string
	Created          time.Time
	LastUsed         *keyUse
}

type keyUse struct {
	Time            time.Time
	Service, Region string
}

// principal is who signed a request.
type principal struct {
	User *iamUser
	Key  *accessKey
}

func newIAMState(s *Server, sc *Scenario) (*iamState, error) {
	st := &iamState{users: map[string]*iamUser{}, keys: map[string]*accessKey{}}
	if sc.Account.Alias != "" {
		st.aliases = []string{sc.Account.Alias}
	}
	for _, spec := range sc.IAM.Users {
		if err := st.addUser(s, spec); err != nil {
			return nil, err
		}
	}
	return st, st.ensureResponder(s, sc.Responder)
}

func (st *iamState) addUser(s *Server, spec UserSpec) error {
	created, err := spec.Created.Resolve(s.start)
	if err != nil {
		return fmt.Errorf("user %s: created: %w", spec.Name, err)
	}
	u := st.newUser(s, spec.Name, spec.Path, created)
	for _, ks := range spec.AccessKeys {
		if _, err := st.addKey(s, u, ks); err != nil {
			return fmt.Errorf("user %s: %w", spec.Name, err)
		}
	}
	return nil
}

func (st *iamState) newUser(s *Server, name, path string, created time.Time) *iamUser {
	if path == "" {
		path = "/"
	}
	u := &iamUser{Name: name, Path: path, Created: created, ID: s.ids.upper("AIDA", 17),
		ARN: fmt.Sprintf("arn:aws:iam::%s:user%s%s", s.Account(), path, name)}
	st.users[name] = u
	return u
}

func (st *iamState) addKey(s *Server, u *iamUser, ks KeySpec) (*accessKey, error) {
	created, err := ks.Created.Resolve(s.start)
	if err != nil {
		return nil, fmt.Errorf("key created: %w", err)
	}
	k := &accessKey{ID: ks.ID, Secret: ks.Secret, User: u.Name, Status: ks.Status, Created: created}
	if k.ID == "" {
		k.ID = s.ids.upper("AKIA", 16)
	}
	if k.Secret == "" {
		k.Secret = s.ids.secret()
	}
	if k.Status == "" {
		k.Status = "Active"
	}
	if _, dup := st.keys[k.ID]; dup {
		return nil, fmt.Errorf("access key %s is listed twice", k.ID)
	}
	if ks.LastUsed != nil {
		at, err := ks.LastUsed.At.Resolve(s.start)
		if err != nil {
			return nil, fmt.Errorf("key %s last_used: %w", k.ID, err)
		}
		k.LastUsed = &keyUse{Time: at, Service: ks.LastUsed.Service, Region: ks.LastUsed.Region}
	}
	u.Keys = append(u.Keys, k)
	st.keys[k.ID] = k
	return k, nil
}

// ensureResponder makes sure the drill's responder exists with a usable key.
func (st *iamState) ensureResponder(s *Server, r ResponderSpec) error {
	name := r.User
	if name == "" {
		name = "oncall-responder"
	}
	if k, ok := st.keys[r.AccessKeyID]; ok && r.AccessKeyID != "" {
		st.responderKey = k
		return nil
	}
	u, ok := st.users[name]
	if !ok {
		u = st.newUser(s, name, "/", s.start.Add(-365*24*time.Hour))
	}
	k, err := st.addKey(s, u, KeySpec{ID: r.AccessKeyID, Secret: r.SecretAccessKey, Created: "-90d"})
	if err != nil {
		return fmt.Errorf("responder: %w", err)
	}
	st.responderKey = k
	return nil
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
	k, ok := s.iam.keys[sc.AccessKeyID]
	if !ok && s.opts.AcceptUnknownKeys {
		k, ok = s.iam.responderKey, true
	}
	if !ok || k.Status != "Active" {
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

func (s *Server) registerIAM() {
	s.handle("iam", "ListAccountAliases", false, s.listAccountAliases)
}

type listAccountAliasesResult struct {
	AccountAliases []string `xml:"AccountAliases>member"`
	IsTruncated    bool     `xml:"IsTruncated"`
}

func (s *Server) listAccountAliases(*Call) (any, error) {
	return listAccountAliasesResult{AccountAliases: s.iam.aliases}, nil
}
