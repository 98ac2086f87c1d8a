package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// IAM Access Analyzer speaks REST-JSON: GET /analyzer lists analyzers, POST /finding and POST
// /findingv2 list an analyzer's findings, PUT /finding archives or reopens them. The simulator
// serves them through the same handlers, authentication, faults and CloudTrail recording as every
// other call; the JSON body travels as the call's "body" parameter.
func (s *Server) serveAccessAnalyzer(w http.ResponseWriter, r *http.Request, sc scope) {
	sc.SourceIP, sc.UserAgent = clientAddress(r), r.UserAgent()
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	requestID := s.ids.requestID()
	s.mu.Unlock()
	action := analyzerAction(r.Method, strings.TrimSuffix(r.URL.Path, "/"))
	if action == "" {
		writeJSONError(w, requestID, Errorf(http.StatusNotFound, "ResourceNotFoundException", "No operation at %s %s", r.Method, r.URL.Path))
		return
	}
	form := r.URL.Query()
	form.Set("body", string(body))
	s.answerREST(w, r, sc, requestID, action, form, "ValidationException")
}

func analyzerAction(method, path string) string {
	switch {
	case path == "/analyzer" && method == http.MethodGet:
		return "ListAnalyzers"
	case path == "/finding" && method == http.MethodPost:
		return "ListFindings"
	case path == "/findingv2" && method == http.MethodPost:
		return "ListFindingsV2"
	case path == "/finding" && method == http.MethodPut:
		return "UpdateFindings"
	}
	return ""
}

func (s *Server) registerAccessAnalyzer() {
	s.handle("access-analyzer", "ListAnalyzers", false, s.listAnalyzers)
	s.handle("access-analyzer", "ListFindings", false, s.listFindings)
	s.handle("access-analyzer", "ListFindingsV2", false, s.listFindings)
	s.handle("access-analyzer", "UpdateFindings", true, s.updateFindings)
}

// analyzerTime is Access Analyzer's timestamp, an ISO 8601 string.
func analyzerTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func (s *Server) listAnalyzers(c *Call) (any, error) {
	kind := c.Params.Get("type")
	if kind != "" && !slices.Contains(analyzerTypes, kind) {
		return nil, Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value '%s' at 'type' failed to satisfy constraint", kind)
	}
	var list []map[string]any
	for _, a := range s.analyzers.analyzers {
		if a.Region != c.Region || (kind != "" && a.Type != kind) {
			continue
		}
		list = append(list, map[string]any{"arn": a.ARN, "name": a.Name, "type": a.Type, "status": a.Status,
			"createdAt": analyzerTime(a.Created), "tags": map[string]string{}})
	}
	start, end, next, err := analyzerPage(c.Params.Get("maxResults"), c.Params.Get("nextToken"), len(list))
	if err != nil {
		return nil, err
	}
	out := map[string]any{"analyzers": append([]map[string]any{}, list[start:end]...)}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

// findingsRequest is the body of ListFindings, ListFindingsV2 and UpdateFindings.
type findingsRequest struct {
	AnalyzerArn string                         `json:"analyzerArn"`
	Filter      map[string]map[string][]string `json:"filter"`
	MaxResults  *int                           `json:"maxResults"`
	NextToken   string                         `json:"nextToken"`
	IDs         []string                       `json:"ids"`
	Status      string                         `json:"status"`
}

func (s *Server) analyzerFor(c *Call) (*analyzer, findingsRequest, error) {
	var in findingsRequest
	if err := json.Unmarshal([]byte(c.Params.Get("body")), &in); err != nil {
		return nil, in, Errorf(http.StatusBadRequest, "ValidationException", "the request body is not JSON: %v", err)
	}
	for _, a := range s.analyzers.analyzers {
		if a.ARN == in.AnalyzerArn && a.Region == c.Region {
			return a, in, nil
		}
	}
	return nil, in, Errorf(http.StatusNotFound, "ResourceNotFoundException", "Analyzer %s not found", in.AnalyzerArn)
}

func (s *Server) listFindings(c *Call) (any, error) {
	a, in, err := s.analyzerFor(c)
	if err != nil {
		return nil, err
	}
	if !a.external() {
		return nil, Errorf(http.StatusBadRequest, "ValidationException", "%s is an analyzer of unused access: list its findings with ListFindingsV2", a.Name)
	}
	var list []map[string]any
	for _, f := range s.regionFindings(c.Region) {
		ok, err := findingMatches(f, in.Filter)
		if err != nil {
			return nil, err
		}
		if ok {
			list = append(list, s.findingJSON(f, c.Action == "ListFindingsV2"))
		}
	}
	size := ""
	if in.MaxResults != nil {
		size = strconv.Itoa(*in.MaxResults)
	}
	start, end, next, err := analyzerPage(size, in.NextToken, len(list))
	if err != nil {
		return nil, err
	}
	out := map[string]any{"findings": append([]map[string]any{}, list[start:end]...)}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

func (s *Server) findingJSON(f *finding, v2 bool) map[string]any {
	out := map[string]any{"id": f.ID, "resource": f.Resource, "resourceType": f.ResourceType, "resourceOwnerAccount": s.Account(),
		"status": f.Status, "createdAt": analyzerTime(f.Created), "analyzedAt": analyzerTime(f.Created), "updatedAt": analyzerTime(f.Created)}
	if v2 {
		out["findingType"] = "ExternalAccess"
		return out
	}
	out["principal"] = map[string]string{"AWS": f.Principal}
	out["isPublic"] = f.Principal == "*"
	out["action"] = append([]string{}, f.Actions...)
	out["condition"] = map[string]string{}
	return out
}

// findingMatches applies ListFindings' filter: eq and neq on status, resourceType, resource and
// isPublic; any other key or operator is refused, as Access Analyzer refuses one it does not know.
func findingMatches(f *finding, filter map[string]map[string][]string) (bool, error) {
	for key, criteria := range filter {
		var value string
		switch key {
		case "status":
			value = f.Status
		case "resourceType":
			value = f.ResourceType
		case "resource":
			value = f.Resource
		case "isPublic":
			value = strconv.FormatBool(f.Principal == "*")
		default:
			return false, Errorf(http.StatusBadRequest, "ValidationException", "Invalid filter key: %s", key)
		}
		for op, values := range criteria {
			switch op {
			case "eq":
				if !slices.Contains(values, value) {
					return false, nil
				}
			case "neq":
				if slices.Contains(values, value) {
					return false, nil
				}
			default:
				return false, Errorf(http.StatusBadRequest, "ValidationException", "Invalid filter criterion %s for %s", op, key)
			}
		}
	}
	return true, nil
}

func (s *Server) updateFindings(c *Call) (any, error) {
	_, in, err := s.analyzerFor(c)
	if err != nil {
		return nil, err
	}
	if in.Status != "ARCHIVED" && in.Status != "ACTIVE" {
		return nil, Errorf(http.StatusBadRequest, "ValidationException", "status must be ARCHIVED or ACTIVE, got %q", in.Status)
	}
	for _, id := range in.IDs {
		s.analyzers.status[id] = in.Status
	}
	return map[string]any{}, nil
}

// analyzerPage pages a list: maxResults 1 to 1000 (default 100), nextToken an index.
func analyzerPage(size, token string, n int) (start, end int, next string, err error) {
	limit := 100
	if size != "" {
		if limit, err = strconv.Atoi(size); err != nil || limit < 1 || limit > 1000 {
			return 0, 0, "", Errorf(http.StatusBadRequest, "ValidationException", "maxResults must be between 1 and 1000, got %s", size)
		}
	}
	if token != "" {
		if start, err = strconv.Atoi(token); err != nil || start < 0 {
			return 0, 0, "", Errorf(http.StatusBadRequest, "ValidationException", "Invalid nextToken %q", token)
		}
	}
	start = min(start, n)
	end = min(start+limit, n)
	if end < n {
		next = strconv.Itoa(end)
	}
	return start, end, next, nil
}
