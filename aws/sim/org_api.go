package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Organizations speaks JSON 1.1 ("AWSOrganizationsV20161128.ListAccounts"). Its calls go through
// the account's authentication, faults, permissions, request log and CloudTrail like any other;
// only the encoding differs.
func (s *Server) registerOrganizations() {
	s.handle("sts", "GetAccessKeyInfo", false, s.getAccessKeyInfo)
	s.handle("organizations", "DescribeOrganization", false, s.describeOrganization)
	s.handle("organizations", "ListAccounts", false, s.listAccounts)
	s.handle("organizations", "ListAccountsForParent", false, s.listAccountsForParent)
	s.handle("organizations", "DescribeAccount", false, s.describeAccount)
	s.handle("organizations", "ListRoots", false, s.listRoots)
	s.handle("organizations", "ListOrganizationalUnitsForParent", false, s.listUnitsForParent)
	s.handle("organizations", "DescribeOrganizationalUnit", false, s.describeUnit)
	s.handle("organizations", "ListParents", false, s.listParents)
}

// serveOrganizations answers one Organizations request.
func (s *Server) serveOrganizations(w http.ResponseWriter, r *http.Request, sc scope) {
	sc.SourceIP, sc.UserAgent = clientAddress(r), r.UserAgent()
	body, rerr := io.ReadAll(r.Body)
	action := r.Header.Get("X-Amz-Target")
	action = action[strings.LastIndex(action, ".")+1:]
	s.mu.Lock()
	requestID := s.ids.requestID()
	s.fireAttacker()
	fault := s.faultFor(sc, action)
	s.mu.Unlock()
	form, ferr := jsonForm(body)
	if rerr != nil || ferr != nil {
		writeOrgError(w, requestID, Errorf(http.StatusBadRequest, "SerializationException", "the request body is not a JSON object"))
		return
	}
	if fault.hang {
		<-r.Context().Done()
		return
	}
	if fault.delay > 0 && !sleep(r.Context(), fault.delay) {
		return
	}
	s.mu.Lock()
	now := s.clock.Now()
	entry := Request{Time: now, Region: sc.Region, Service: sc.Service, Action: action, AccessKeyID: sc.AccessKeyID}
	out, apiErr := s.serve(sc, action, form, fault.fail, false, now, &entry)
	if apiErr != nil {
		entry.Code = apiErr.Code
	}
	s.log = append(s.log, entry)
	s.mu.Unlock()
	if apiErr != nil {
		writeOrgError(w, requestID, apiErr)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-RequestId", requestID)
	_ = json.NewEncoder(w).Encode(out)
}

// jsonForm turns a JSON request's top-level scalars into parameters, as handlers read them.
func jsonForm(body []byte) (url.Values, error) {
	form := url.Values{}
	if len(strings.TrimSpace(string(body))) == 0 {
		return form, nil
	}
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, err
	}
	for k, v := range in {
		switch v := v.(type) {
		case string:
			form.Set(k, v)
		case float64:
			form.Set(k, strconv.FormatFloat(v, 'f', -1, 64))
		case bool:
			form.Set(k, strconv.FormatBool(v))
		}
	}
	return form, nil
}

func writeOrgError(w http.ResponseWriter, requestID string, err *APIError) {
	e := *err
	switch e.Code {
	case "AccessDenied":
		e.Code = "AccessDeniedException"
	case "Throttling":
		e.Code = "TooManyRequestsException"
	}
	writeJSONError(w, requestID, &e)
}

type orgAccountJSON struct {
	ID              string  `json:"Id"`
	Arn             string  `json:"Arn"`
	Email           string  `json:"Email"`
	Name            string  `json:"Name"`
	Status          string  `json:"Status"`
	State           string  `json:"State"`
	JoinedMethod    string  `json:"JoinedMethod"`
	JoinedTimestamp float64 `json:"JoinedTimestamp"`
}

func (o *Organization) accountJSON(a *orgAccount) orgAccountJSON {
	state := a.Status
	return orgAccountJSON{ID: a.ID, Arn: fmt.Sprintf("arn:aws:organizations::%s:account/%s/%s", o.management.Account(), o.id, a.ID),
		Email: a.Email, Name: a.Name, Status: a.Status, State: state, JoinedMethod: a.JoinedMethod,
		JoinedTimestamp: float64(a.Joined.Unix())}
}

// orgOf is the caller's organization; manage asks that the caller be its management account, as
// listing and describing accounts needs.
func (s *Server) orgOf(manage bool) (*Organization, error) {
	if s.org == nil {
		return nil, Errorf(http.StatusBadRequest, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
	}
	if manage && s != s.org.management {
		return nil, Errorf(http.StatusBadRequest, "AccessDenied", "You don't have permissions to access this resource.")
	}
	return s.org, nil
}

func (s *Server) describeOrganization(*Call) (any, error) {
	o, err := s.orgOf(false)
	if err != nil {
		return nil, err
	}
	mgmt := o.byID[o.management.Account()]
	type orgJSON struct {
		ID                 string `json:"Id"`
		Arn                string `json:"Arn"`
		FeatureSet         string `json:"FeatureSet"`
		MasterAccountArn   string `json:"MasterAccountArn"`
		MasterAccountID    string `json:"MasterAccountId"`
		MasterAccountEmail string `json:"MasterAccountEmail"`
	}
	return map[string]any{"Organization": orgJSON{ID: o.id, Arn: fmt.Sprintf("arn:aws:organizations::%s:organization/%s", mgmt.ID, o.id),
		FeatureSet: "ALL", MasterAccountArn: o.accountJSON(mgmt).Arn, MasterAccountID: mgmt.ID, MasterAccountEmail: mgmt.Email}}, nil
}

// maxOrgPage is Organizations' largest page for accounts, units and parents.
const maxOrgPage = 20

// orgPage cuts one page of n items: MaxResults (1 to 20, default 20) from NextToken's offset.
func orgPage(c *Call, n int) (from, to int, next string, err error) {
	size := maxOrgPage
	if v := c.Params.Get("MaxResults"); v != "" {
		size, err = strconv.Atoi(v)
		if err != nil || size < 1 || size > maxOrgPage {
			return 0, 0, "", Errorf(http.StatusBadRequest, "InvalidInputException", "MaxResults must be between 1 and %d.", maxOrgPage)
		}
	}
	if tok := c.Params.Get("NextToken"); tok != "" {
		off, ok := strings.CutPrefix(tok, "orgpage-")
		if from, err = strconv.Atoi(off); !ok || err != nil || from < 0 || from > n {
			return 0, 0, "", Errorf(http.StatusBadRequest, "InvalidInputException", "You provided a value that does not match the required pattern (INVALID_NEXT_TOKEN).")
		}
	}
	to = min(from+size, n)
	if to < n {
		next = "orgpage-" + strconv.Itoa(to)
	}
	return from, to, next, nil
}

func (s *Server) listAccounts(c *Call) (any, error) {
	o, err := s.orgOf(true)
	if err != nil {
		return nil, err
	}
	return o.accountPage(c, o.accounts)
}

func (o *Organization) accountPage(c *Call, list []*orgAccount) (any, error) {
	from, to, next, err := orgPage(c, len(list))
	if err != nil {
		return nil, err
	}
	out := []orgAccountJSON{}
	for _, a := range list[from:to] {
		out = append(out, o.accountJSON(a))
	}
	return pageJSON("Accounts", out, next), nil
}

func pageJSON(key string, items any, next string) map[string]any {
	m := map[string]any{key: items}
	if next != "" {
		m["NextToken"] = next
	}
	return m
}

func (s *Server) listAccountsForParent(c *Call) (any, error) {
	o, parent, err := s.parentOf(c)
	if err != nil {
		return nil, err
	}
	var list []*orgAccount
	for _, a := range o.accounts {
		if a.Parent == parent {
			list = append(list, a)
		}
	}
	return o.accountPage(c, list)
}

// parentOf reads the call's ParentId, the root or a unit, for the management account.
func (s *Server) parentOf(c *Call) (*Organization, string, error) {
	o, err := s.orgOf(true)
	if err != nil {
		return nil, "", err
	}
	id := c.Params.Get("ParentId")
	if id == o.root {
		return o, id, nil
	}
	for _, u := range o.units {
		if u.ID == id {
			return o, id, nil
		}
	}
	return nil, "", Errorf(http.StatusBadRequest, "ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
}

func (s *Server) describeAccount(c *Call) (any, error) {
	o, err := s.orgOf(true)
	if err != nil {
		return nil, err
	}
	a, ok := o.byID[c.Params.Get("AccountId")]
	if !ok {
		return nil, Errorf(http.StatusBadRequest, "AccountNotFoundException", "You specified an account that doesn't exist.")
	}
	return map[string]any{"Account": o.accountJSON(a)}, nil
}

func (s *Server) listRoots(c *Call) (any, error) {
	o, err := s.orgOf(true)
	if err != nil {
		return nil, err
	}
	type rootJSON struct {
		ID          string `json:"Id"`
		Arn         string `json:"Arn"`
		Name        string `json:"Name"`
		PolicyTypes []any  `json:"PolicyTypes"`
	}
	return map[string]any{"Roots": []rootJSON{{ID: o.root, Arn: fmt.Sprintf("arn:aws:organizations::%s:root/%s/%s", o.management.Account(), o.id, o.root),
		Name: "Root", PolicyTypes: []any{}}}}, nil
}

type unitJSON struct {
	ID   string `json:"Id"`
	Arn  string `json:"Arn"`
	Name string `json:"Name"`
}

func (o *Organization) unitJSON(u *orgUnit) unitJSON {
	return unitJSON{ID: u.ID, Name: u.Name, Arn: fmt.Sprintf("arn:aws:organizations::%s:ou/%s/%s", o.management.Account(), o.id, u.ID)}
}

func (s *Server) listUnitsForParent(c *Call) (any, error) {
	o, parent, err := s.parentOf(c)
	if err != nil {
		return nil, err
	}
	var list []*orgUnit
	for _, u := range o.units {
		if u.Parent == parent {
			list = append(list, u)
		}
	}
	from, to, next, err := orgPage(c, len(list))
	if err != nil {
		return nil, err
	}
	out := []unitJSON{}
	for _, u := range list[from:to] {
		out = append(out, o.unitJSON(u))
	}
	return pageJSON("OrganizationalUnits", out, next), nil
}

func (s *Server) describeUnit(c *Call) (any, error) {
	o, err := s.orgOf(true)
	if err != nil {
		return nil, err
	}
	for _, u := range o.units {
		if u.ID == c.Params.Get("OrganizationalUnitId") {
			return map[string]any{"OrganizationalUnit": o.unitJSON(u)}, nil
		}
	}
	return nil, Errorf(http.StatusBadRequest, "OrganizationalUnitNotFoundException", "We can't find an OU with the OrganizationalUnitId that you specified.")
}

func (s *Server) listParents(c *Call) (any, error) {
	o, err := s.orgOf(true)
	if err != nil {
		return nil, err
	}
	child := c.Params.Get("ChildId")
	parent := ""
	if a, ok := o.byID[child]; ok {
		parent = a.Parent
	}
	for _, u := range o.units {
		if u.ID == child {
			parent = u.Parent
		}
	}
	if parent == "" {
		return nil, Errorf(http.StatusBadRequest, "ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
	}
	kind := "ORGANIZATIONAL_UNIT"
	if parent == o.root {
		kind = "ROOT"
	}
	type parentJSON struct {
		ID   string `json:"Id"`
		Type string `json:"Type"`
	}
	return map[string]any{"Parents": []parentJSON{{ID: parent, Type: kind}}}, nil
}

type accessKeyInfoResult struct {
	Account string `xml:"Account"`
}

// getAccessKeyInfo names the account a key belongs to, whoever asks: any key the organization
// has seen, including keys since deleted (CloudTrail remembers them).
func (s *Server) getAccessKeyInfo(c *Call) (any, error) {
	id := c.Params.Get("AccessKeyId")
	if len(id) < 16 || len(id) > 128 {
		return nil, Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'accessKeyId' failed to satisfy constraint: Member must have length between 16 and 128")
	}
	accounts := []*Server{s}
	if s.org != nil {
		accounts = nil
		for _, a := range s.org.accounts {
			accounts = append(accounts, s.org.servers[a.ID])
		}
	}
	for _, acct := range accounts {
		if acct.holdsKey(id) {
			return accessKeyInfoResult{Account: acct.Account()}, nil
		}
	}
	for _, acct := range accounts {
		if owner, ok := acct.trail.keyOwner(id); ok {
			return accessKeyInfoResult{Account: owner}, nil
		}
	}
	return nil, Errorf(http.StatusBadRequest, "InvalidParameterValue", "The simulated accounts have never had the access key %s.", id)
}

// keyOwner reads in CloudTrail which account a key no longer held was made in: a CreateAccessKey
// or GetSessionToken here, or an AssumeRole whose session belongs to the role's account.
func (t *trail) keyOwner(id string) (string, bool) {
	for _, e := range t.events {
		made := false
		role := ""
		for _, r := range e.Resources {
			made = made || r.Type == "AWS::IAM::AccessKey" && r.Name == id
			if r.Type == "AWS::IAM::Role" {
				role = r.Name
			}
		}
		switch {
		case !made:
		case e.Name == "AssumeRole" && arnAccount(role) != "":
			return arnAccount(role), true
		case e.Name == "CreateAccessKey" || e.Name == "GetSessionToken":
			return t.account, true
		}
	}
	return "", false
}
