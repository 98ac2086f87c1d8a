package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// GuardDuty speaks REST-JSON: the operation is the method and the path (GET /detector lists,
// GET /detector/{id} reads, POST /detector/{id} updates, POST /detector creates, DELETE deletes).
// The simulator turns the path and the body into the call's parameters and serves it through the
// same handlers, authentication, faults and CloudTrail recording as every other call.
func (s *Server) serveGuardDuty(w http.ResponseWriter, r *http.Request, sc scope) {
	sc.SourceIP, sc.UserAgent = clientAddress(r), r.UserAgent()
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	requestID := s.ids.requestID()
	s.mu.Unlock()
	action, id := guardDutyAction(r.Method, r.URL.Path)
	if action == "" {
		writeJSONError(w, requestID, Errorf(http.StatusNotFound, "BadRequestException", "No operation at %s %s", r.Method, r.URL.Path))
		return
	}
	form, err := jsonParams(body)
	if err != nil {
		writeJSONError(w, requestID, Errorf(http.StatusBadRequest, "BadRequestException", "%v", err))
		return
	}
	if id != "" {
		form.Set("detectorId", id)
	}
	s.answerREST(w, r, sc, requestID, action, form, "BadRequestException")
}

// answerREST serves one call of a REST-JSON service (GuardDuty, Access Analyzer) through the same
// handlers, faults, request log and CloudTrail recording as the query protocols, and answers it
// in JSON; an error code the service does not have is answered as its generic one (fallback).
func (s *Server) answerREST(w http.ResponseWriter, r *http.Request, sc scope, requestID, action string, form url.Values, fallback string) {
	out, apiErr, answered := s.serveREST(r, sc, action, form)
	if !answered {
		return
	}
	if apiErr != nil {
		if apiErr.Code != "AccessDenied" && apiErr.Code != "Throttling" && apiErr.Code != "UnrecognizedClientException" && !strings.HasSuffix(apiErr.Code, "Exception") {
			apiErr = &APIError{Status: apiErr.Status, Code: fallback, Message: apiErr.Message}
		}
		writeJSONError(w, requestID, apiErr)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", requestID)
	_ = json.NewEncoder(w).Encode(out)
}

// guardDutyAction names the operation a method and path ask for, and the detector id in the path.
func guardDutyAction(method, path string) (action, id string) {
	rest, ok := strings.CutPrefix(strings.TrimSuffix(path, "/"), "/detector")
	if !ok {
		return "", ""
	}
	id = strings.TrimPrefix(rest, "/")
	if strings.Contains(id, "/") {
		return "", ""
	}
	switch {
	case id == "" && method == http.MethodGet:
		return "ListDetectors", ""
	case id == "" && method == http.MethodPost:
		return "CreateDetector", ""
	case method == http.MethodGet:
		return "GetDetector", id
	case method == http.MethodPost:
		return "UpdateDetector", id
	case method == http.MethodDelete:
		return "DeleteDetector", id
	}
	return "", ""
}

func (s *Server) listDetectors(c *Call) (any, error) {
	out := struct {
		DetectorIDs []string `json:"detectorIds"`
	}{DetectorIDs: []string{}}
	if d := s.logging.detectors[c.Region]; d != nil {
		out.DetectorIDs = append(out.DetectorIDs, d.ID)
	}
	sort.Strings(out.DetectorIDs)
	return out, nil
}

// detectorFor finds the region's detector by the id in the path, as GuardDuty refuses an id the
// account does not own in that region.
func (s *Server) detectorFor(c *Call) (*detector, error) {
	id := c.Params.Get("detectorId")
	d := s.logging.detectors[c.Region]
	if d == nil || d.ID != id {
		return nil, Errorf(http.StatusBadRequest, "BadRequestException", "The request is rejected because the input detectorId is not owned by the current account.")
	}
	return d, nil
}

// guardDutyTime is GuardDuty's timestamp: an ISO 8601 string with milliseconds.
func guardDutyTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (s *Server) getDetector(c *Call) (any, error) {
	d, err := s.detectorFor(c)
	if err != nil {
		return nil, err
	}
	status := "ENABLED"
	if !d.Enabled {
		status = "DISABLED"
	}
	return map[string]any{"createdAt": guardDutyTime(d.Created), "updatedAt": guardDutyTime(d.Updated), "status": status,
		"serviceRole":                "arn:aws:iam::" + s.Account() + ":role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
		"findingPublishingFrequency": "SIX_HOURS", "tags": map[string]string{}}, nil
}

func (s *Server) updateDetector(c *Call) (any, error) {
	d, err := s.detectorFor(c)
	if err != nil {
		return nil, err
	}
	if v := c.Params.Get("enable"); v != "" {
		d.Enabled, d.Updated = v == "true", c.Now.UTC()
	}
	return map[string]any{}, nil
}

func (s *Server) createDetector(c *Call) (any, error) {
	if c.Params.Get("enable") == "" {
		return nil, Errorf(http.StatusBadRequest, "BadRequestException", "The request is rejected because a required parameter, enable, is missing.")
	}
	if s.logging.detectors[c.Region] != nil {
		return nil, Errorf(http.StatusBadRequest, "BadRequestException", "The request is rejected because a detector already exists for the current account.")
	}
	d := &detector{ID: s.ids.hex("", 32), Region: c.Region, Enabled: c.Params.Get("enable") == "true", Created: c.Now.UTC(), Updated: c.Now.UTC()}
	s.logging.detectors[c.Region] = d
	return map[string]any{"detectorId": d.ID}, nil
}

func (s *Server) deleteDetector(c *Call) (any, error) {
	if _, err := s.detectorFor(c); err != nil {
		return nil, err
	}
	delete(s.logging.detectors, c.Region)
	return map[string]any{}, nil
}

// serveREST runs one call of a REST protocol through the scenario's faults, the same handlers as
// every call, and the request log; answered is false when the fault says nothing answers.
func (s *Server) serveREST(r *http.Request, sc scope, action string, form url.Values) (out any, apiErr *APIError, answered bool) {
	fault, answer := s.awaitFault(r, sc, action)
	if !answer {
		return nil, nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	entry := Request{Time: now, Region: sc.Region, Service: sc.Service, Action: action, AccessKeyID: sc.AccessKeyID}
	out, apiErr = s.serve(sc, action, form, fault.fail, false, now, &entry)
	if apiErr != nil {
		entry.Code, entry.Mutating = apiErr.Code, false
	}
	s.log = append(s.log, entry)
	return out, apiErr, true
}

// awaitFault runs the attacker's due events and the scenario's fault for one request, holding it
// as long as the fault says; answer is false when the request must get no answer at all.
func (s *Server) awaitFault(r *http.Request, sc scope, action string) (f faultOutcome, answer bool) {
	s.mu.Lock()
	s.fireAttacker()
	f = s.faultFor(sc, action)
	s.mu.Unlock()
	if f.hang {
		<-r.Context().Done() // a region that never answers, held only until the client gives up
		return f, false
	}
	if f.delay > 0 && !sleep(r.Context(), f.delay) {
		return f, false
	}
	return f, true
}
