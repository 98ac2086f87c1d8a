package sim

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Organization is an AWS Organization of simulated accounts behind one endpoint: each account is a
// Server of its own, exactly as a single account is simulated, and the organization routes every
// request to the account whose credential signed it, as AWS knows an access key's account. It
// serves Organizations from the management account and carries AssumeRole across accounts. Every
// account shares the organization's lock, so a call that crosses accounts never waits on a second.
type Organization struct {
	mu         *sync.Mutex
	spec       *OrganizationSpec
	id, root   string
	management *Server
	servers    map[string]*Server
	// accounts are Organizations' view of every account, the management account first.
	accounts []*orgAccount
	byID     map[string]*orgAccount
	units    []*orgUnit
	// owners remembers which account each access key seen so far belongs to.
	owners map[string]string
	// acceptUnknown sends a request signed with a key no account knows to the management account,
	// which then acts as its responder (sim serve's default, for the AWS CLI).
	acceptUnknown bool
}

// orgAccount is one account as Organizations describes it.
type orgAccount struct {
	ID, Name, Email, Status, JoinedMethod string
	Joined                                time.Time
	// Parent is the root's or the unit's id the account sits in.
	Parent string
}

// orgUnit is one organizational unit.
type orgUnit struct {
	ID, Name, Parent string
}

// NewOrganization builds the management account of sc and every member of its organization.
func NewOrganization(sc *Scenario, opts Options) (*Organization, error) {
	if sc.Organization == nil {
		return nil, fmt.Errorf("scenario %s describes one account, not an organization", sc.Name)
	}
	if opts.Clock == nil {
		opts.Clock = WallClock{}
	}
	o := &Organization{mu: &sync.Mutex{}, spec: sc.Organization, servers: map[string]*Server{},
		byID: map[string]*orgAccount{}, owners: map[string]string{}, acceptUnknown: opts.AcceptUnknownKeys}
	mgmt, err := newServer(sc, opts, o)
	if err != nil {
		return nil, err
	}
	o.management = mgmt
	o.servers[mgmt.Account()] = mgmt
	o.name(sc)
	members, err := sc.Organization.members()
	if err != nil {
		return nil, err
	}
	memberOpts := Options{Clock: opts.Clock, Log: opts.Log}
	for _, m := range members {
		msc := sc.Organization.memberScenario(sc, m)
		srv, err := newServer(msc, memberOpts, o)
		if err != nil {
			return nil, sc.placed(under(m.Path, err)) // the member's state is written under its place
		}
		o.servers[m.ID] = srv
		o.addMember(m, srv)
		if role := srv.iam.roles[sc.Organization.accessRole(m)]; role != nil && m.ExternalID != "" {
			role.Trust = fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},`+
				`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":%q}}}]}`, sc.Account.ID, m.ExternalID)
		}
		if err := o.echoSessions(srv, msc); err != nil {
			return nil, sc.placed(under(m.Path, err))
		}
	}
	if err := o.learnKeys(); err != nil {
		return nil, sc.placed(err)
	}
	return o, nil
}

// name mints the organization's ids and places the management account and the units.
func (o *Organization) name(sc *Scenario) {
	ids := newIDSource(sc.Seed ^ 0x0a9a41a7)
	o.id = sc.Organization.ID
	if o.id == "" {
		o.id = ids.hex("o-", 10)
	}
	o.root = ids.hex("r-", 4)
	byName := map[string]*orgUnit{}
	for _, u := range sc.Organization.Units {
		id := u.ID
		if id == "" {
			id = "ou-" + o.root[2:] + "-" + ids.hex("", 8)
		}
		unit := &orgUnit{ID: id, Name: u.Name}
		byName[u.Name] = unit
		o.units = append(o.units, unit)
	}
	for i, u := range sc.Organization.Units {
		o.units[i].Parent = o.root
		if u.Parent != "" {
			o.units[i].Parent = byName[u.Parent].ID
		}
	}
	mgmt := o.management
	name := sc.Account.Alias
	if name == "" {
		name = "management"
	}
	o.add(&orgAccount{ID: mgmt.Account(), Name: name, Email: "aws+" + name + "@example.com", Status: "ACTIVE",
		JoinedMethod: "INVITED", Joined: mgmt.start.Add(-3 * 365 * 24 * time.Hour), Parent: o.root})
}

func (o *Organization) addMember(m expandedMember, srv *Server) {
	a := &orgAccount{ID: m.ID, Name: m.Name, Email: m.Email, Status: m.Status, JoinedMethod: "CREATED", Parent: o.root}
	if a.Name == "" {
		a.Name = m.State.Alias
	}
	if a.Name == "" {
		a.Name = "account-" + m.ID
	}
	if a.Email == "" {
		a.Email = "aws+" + a.Name + "@example.com"
	}
	if a.Status == "" {
		a.Status = "ACTIVE"
	}
	if m.Invited {
		a.JoinedMethod = "INVITED"
	}
	a.Joined = srv.start.Add(-400 * 24 * time.Hour)
	if m.Joined != "" {
		a.Joined, _ = m.Joined.Resolve(srv.start) // checked when the scenario was read
	}
	for _, u := range o.units {
		if u.Name == m.Unit {
			a.Parent = u.ID
		}
	}
	o.add(a)
}

func (o *Organization) add(a *orgAccount) {
	o.accounts = append(o.accounts, a)
	o.byID[a.ID] = a
}

// learnKeys records the owner of every key the accounts start with, and refuses a key two
// accounts claim: AWS knows one account for each key.
func (o *Organization) learnKeys() error {
	for _, a := range o.accounts {
		s := o.servers[a.ID]
		for id := range s.iam.keys {
			if err := o.learn(id, a.ID); err != nil {
				return err
			}
		}
		for id := range s.trail.sessions {
			if err := o.learn(id, a.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

func (o *Organization) learn(key, account string) error {
	if other, ok := o.owners[key]; ok && other != account {
		return fmt.Errorf("access key %s is in account %s and in account %s: a key belongs to one account", key, other, account)
	}
	o.owners[key] = account
	return nil
}

// ServeHTTP sends the request to the account whose credential signed it; Organizations is
// answered by that account too (only the management account may list the organization).
func (o *Organization) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sc, err := parseScope(r.Header.Get("Authorization"))
	if err != nil {
		o.management.ServeHTTP(w, r) // it answers the malformed request as AWS would
		return
	}
	o.mu.Lock()
	srv := o.serverFor(sc.AccessKeyID)
	o.mu.Unlock()
	srv.ServeHTTP(w, r)
}

// serverFor finds the account of a key, with the lock held: one learnt already, or one an
// account knows now (a key or session made since). A key nobody knows goes to the management
// account, which refuses it as AWS would (or, for sim serve, takes it for the responder's).
func (o *Organization) serverFor(key string) *Server {
	if id, ok := o.owners[key]; ok {
		return o.servers[id]
	}
	for _, a := range o.accounts {
		s := o.servers[a.ID]
		if s.holdsKey(key) {
			o.owners[key] = a.ID
			return s
		}
	}
	return o.management
}

// holdsKey reports whether a key signs for this account now: an access key or a session.
func (s *Server) holdsKey(key string) bool {
	_, user := s.iam.keys[key]
	_, session := s.trail.sessions[key]
	return user || session
}

// Management is the management account.
func (o *Organization) Management() *Server { return o.management }

// Account is the account with this id, or nil.
func (o *Organization) Account(id string) *Server { return o.servers[id] }

// ID is the organization's id (o-…).
func (o *Organization) ID() string { return o.id }

// AccountIDs lists every account of the organization, the management account first, then the
// members in the scenario's order.
func (o *Organization) AccountIDs() []string {
	out := make([]string, 0, len(o.accounts))
	for _, a := range o.accounts {
		out = append(out, a.ID)
	}
	return out
}

// Requests returns the request log of every account, in time order.
func (o *Organization) Requests() []Request {
	var out []Request
	for _, id := range o.AccountIDs() {
		out = append(out, o.servers[id].Requests()...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// UnitID is the id of the organizational unit with this name, or "".
func (o *Organization) UnitID(name string) string {
	for _, u := range o.units {
		if u.Name == name {
			return u.ID
		}
	}
	return ""
}
