package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Event history facts: 90 days of management events, at most 50 events a page.
const (
	historyRetention = 90 * 24 * time.Hour
	maxLookupPage    = 50
)

// CloudTrailSpec switches on CloudTrail's own limits in a scenario.
type CloudTrailSpec struct {
	// LookupLimit is LookupEvents' rate in requests per second per region (AWS: 2); 0 is unlimited.
	LookupLimit int `yaml:"lookup_limit"`
	// Trails are the account's trails (see logging.go).
	Trails []TrailSpec `yaml:"trails"`
}

// lookupLimit is LookupEvents' rate limit per region: a token bucket refilled at perSecond
// tokens a second and holding at most perSecond, as AWS's API rate limits work. It runs on real
// time, as requests arrive: the limit is about the wire, not the drill's clock.
type lookupLimit struct {
	perSecond int
	buckets   map[string]*tokenBucket
}

type tokenBucket struct {
	tokens float64
	at     time.Time
}

func (l *lookupLimit) allow(region string, now time.Time) bool {
	if l.perSecond <= 0 {
		return true
	}
	if l.buckets == nil {
		l.buckets = map[string]*tokenBucket{}
	}
	rate := float64(l.perSecond)
	b, ok := l.buckets[region]
	if !ok {
		b = &tokenBucket{tokens: rate, at: now}
		l.buckets[region] = b
	}
	if elapsed := now.Sub(b.at).Seconds(); elapsed > 0 {
		b.tokens, b.at = min(rate, b.tokens+elapsed*rate), now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// SetLookupLimit switches LookupEvents' per-region rate limit on (n > 0) or off, while serving.
func (s *Server) SetLookupLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trail.limit = lookupLimit{perSecond: n}
}

// serveJSON answers a JSON 1.1 request (CloudTrail), with the same authentication, faults,
// attacker timeline and request log as the query protocols.
func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request, target string) {
	arrived := time.Now() // the rate limit counts requests as they arrive, not as they are served
	sc, err := parseScope(r.Header.Get("Authorization"))
	sc.SourceIP, sc.UserAgent = clientAddress(r), r.UserAgent()
	body, rerr := io.ReadAll(r.Body)
	s.mu.Lock()
	requestID := s.trail.ids.requestID()
	s.mu.Unlock()
	if err == nil && rerr != nil {
		err = Errorf(http.StatusBadRequest, "SerializationException", "%v", rerr)
	}
	if err != nil {
		writeJSONError(w, requestID, err.(*APIError))
		return
	}
	// CloudTrail speaks JSON 1.1: X-Amz-Target is "CloudTrail_20131101.LookupEvents" (SDKs) or the
	// same with the service's full namespace in front.
	action := target[strings.LastIndex(target, ".")+1:]
	s.mu.Lock()
	s.fireAttacker()
	fault := s.faultFor(sc, action)
	s.mu.Unlock()
	if fault.hang {
		<-r.Context().Done() // a region that never answers, held only until the client gives up
		return
	}
	if fault.delay > 0 && !sleep(r.Context(), fault.delay) {
		return
	}
	s.mu.Lock()
	out, apiErr := s.callJSON(sc, action, body, fault.fail, arrived)
	s.mu.Unlock()
	if apiErr != nil {
		writeJSONError(w, requestID, apiErr)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-RequestId", requestID)
	_ = json.NewEncoder(w).Encode(out)
}

func (s *Server) callJSON(sc scope, action string, body []byte, fault *APIError, arrived time.Time) (any, *APIError) {
	now := s.clock.Now()
	entry := Request{Time: now, Region: sc.Region, Service: sc.Service, Action: action, AccessKeyID: sc.AccessKeyID}
	var out any
	var apiErr *APIError
	if sc.Service == "cloudtrail" && action != "LookupEvents" {
		out, apiErr = s.serveTrailCall(sc, action, body, fault, now, &entry)
	} else {
		out, apiErr = s.dispatchJSON(sc, action, body, fault, now, arrived)
	}
	if apiErr != nil {
		entry.Code, entry.Mutating = apiErr.Code, false
	}
	s.log = append(s.log, entry)
	s.opts.Log.Info("request", "region", sc.Region, "service", sc.Service, "action", action, "mutating", false, "error", entry.Code)
	return out, apiErr
}

func (s *Server) dispatchJSON(sc scope, action string, body []byte, fault *APIError, now, arrived time.Time) (any, *APIError) {
	if sc.Service != "cloudtrail" || action != "LookupEvents" {
		return nil, Errorf(http.StatusBadRequest, "UnknownOperationException", "%s is not an operation of the simulated %s", action, sc.Service)
	}
	caller, apiErr := s.authenticate(sc, now)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := s.regionEnabled(sc.Region); apiErr != nil {
		return nil, Errorf(http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid (region %s is not enabled).", sc.Region)
	}
	if fault != nil {
		return nil, fault
	}
	if apiErr := s.authorize(&Call{Service: sc.Service, Region: sc.Region, Action: action, Caller: caller, Now: now}); apiErr != nil {
		return nil, apiErr
	}
	if !s.trail.limit.allow(sc.Region, arrived) {
		return nil, Errorf(http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
	}
	var in lookupInput
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, Errorf(http.StatusBadRequest, "SerializationException", "%v", err)
	}
	out, apiErr := s.trail.lookup(sc.Region, in, now)
	if apiErr == nil {
		// CloudTrail records its own lookups, as read-only management events.
		s.trail.add(s.trail.newTrailEvent(now, sc.Region, sc.Service, action, s.actorOf(caller, sc), in.parameters(), nil, true, nil, "", ""))
	}
	return out, apiErr
}

type lookupInput struct {
	LookupAttributes []struct {
		AttributeKey, AttributeValue string
	}
	StartTime, EndTime *float64
	MaxResults         int
	NextToken          string
}

func (in lookupInput) parameters() any {
	p := map[string]any{}
	if len(in.LookupAttributes) > 0 {
		a := in.LookupAttributes[0]
		p["lookupAttributes"] = []any{map[string]any{"attributeKey": a.AttributeKey, "attributeValue": a.AttributeValue}}
	}
	return p
}

type lookupOutput struct {
	Events    []lookupEvent `json:"Events"`
	NextToken string        `json:"NextToken,omitempty"`
}

type lookupEvent struct {
	EventID         string               `json:"EventId"`
	EventName       string               `json:"EventName"`
	ReadOnly        string               `json:"ReadOnly"`
	AccessKeyID     string               `json:"AccessKeyId,omitempty"`
	EventTime       int64                `json:"EventTime"`
	EventSource     string               `json:"EventSource"`
	Username        string               `json:"Username,omitempty"`
	Resources       []lookupResourceJSON `json:"Resources"`
	CloudTrailEvent string               `json:"CloudTrailEvent"`
}

type lookupResourceJSON struct {
	ResourceType string `json:"ResourceType"`
	ResourceName string `json:"ResourceName"`
}

// lookup answers one page, newest first, as LookupEvents does. The token is the position in the
// history of the next event to consider, which stays valid while new events are appended.
func (t *trail) lookup(region string, in lookupInput, now time.Time) (any, *APIError) {
	if len(in.LookupAttributes) > 1 {
		return nil, Errorf(http.StatusBadRequest, "InvalidLookupAttributesException", "You cannot specify more than one lookup attribute.")
	}
	match, apiErr := lookupMatcher(in)
	if apiErr != nil {
		return nil, apiErr
	}
	size := in.MaxResults
	if size == 0 {
		size = maxLookupPage
	}
	if size < 1 || size > maxLookupPage {
		return nil, Errorf(http.StatusBadRequest, "InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
	}
	from, to := now.Add(-historyRetention), now
	if in.StartTime != nil {
		from = maxTime(from, epoch(*in.StartTime))
	}
	if in.EndTime != nil {
		to = epoch(*in.EndTime)
	}
	i := len(t.events) - 1
	if in.NextToken != "" {
		n, err := strconv.Atoi(in.NextToken)
		if err != nil || n < -1 || n >= len(t.events) {
			return nil, Errorf(http.StatusBadRequest, "InvalidNextTokenException", "Invalid NextToken.")
		}
		i = n
	}
	out := lookupOutput{Events: []lookupEvent{}}
	for ; i >= 0; i-- {
		e := t.events[i]
		if e.Time.Before(from) {
			i = -1
			break
		}
		if e.Region != region || e.Time.After(to) || !match(e) {
			continue
		}
		if len(out.Events) == size {
			out.NextToken = strconv.Itoa(i)
			break
		}
		out.Events = append(out.Events, e.lookupEvent())
	}
	return out, nil
}

func lookupMatcher(in lookupInput) (func(*trailEvent) bool, *APIError) {
	if len(in.LookupAttributes) == 0 {
		return func(*trailEvent) bool { return true }, nil
	}
	a := in.LookupAttributes[0]
	v := a.AttributeValue
	switch a.AttributeKey {
	case "AccessKeyId":
		return func(e *trailEvent) bool { return e.AccessKeyID == v }, nil
	case "Username":
		return func(e *trailEvent) bool { return e.Username == v }, nil
	case "EventName":
		return func(e *trailEvent) bool { return e.Name == v }, nil
	case "EventId":
		return func(e *trailEvent) bool { return e.ID == v }, nil
	case "EventSource":
		return func(e *trailEvent) bool { return e.Source == v }, nil
	case "ReadOnly":
		return func(e *trailEvent) bool { return strconv.FormatBool(e.ReadOnly) == v }, nil
	case "ResourceName", "ResourceType":
		byType := a.AttributeKey == "ResourceType"
		return func(e *trailEvent) bool {
			for _, r := range e.Resources {
				if (byType && r.Type == v) || (!byType && r.Name == v) {
					return true
				}
			}
			return false
		}, nil
	}
	return nil, Errorf(http.StatusBadRequest, "InvalidLookupAttributesException", "Unknown lookup attribute %q.", a.AttributeKey)
}

func (e *trailEvent) lookupEvent() lookupEvent {
	out := lookupEvent{EventID: e.ID, EventName: e.Name, ReadOnly: strconv.FormatBool(e.ReadOnly), AccessKeyID: e.AccessKeyID,
		EventTime: e.Time.Unix(), EventSource: e.Source, Username: e.Username, CloudTrailEvent: e.Record}
	for _, r := range e.Resources {
		out.Resources = append(out.Resources, lookupResourceJSON{r.Type, r.Name})
	}
	return out
}

func epoch(f float64) time.Time {
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// writeJSONError answers in JSON 1.1's error shape, translating the query protocols' codes for
// access denied and throttling into CloudTrail's.
func writeJSONError(w http.ResponseWriter, requestID string, err *APIError) {
	code := err.Code
	switch code {
	case "AccessDenied":
		code = "AccessDeniedException"
	case "Throttling":
		code = "ThrottlingException"
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-RequestId", requestID)
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(err.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": err.Message})
}
