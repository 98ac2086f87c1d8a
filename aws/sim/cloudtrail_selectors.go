package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// A trail's event selectors say which events it records. Basic selectors name management events
// read, write or all (and may leave out KMS or RDS Data API events); advanced selectors filter on
// fields (eventCategory, readOnly, eventSource, ...). A trail has one kind or the other: putting
// one replaces the other, as in CloudTrail.

// basicSelector is one of a trail's basic event selectors, as CloudTrail's API spells it.
type basicSelector struct {
	ReadWriteType                 string   `json:"ReadWriteType"`
	IncludeManagementEvents       bool     `json:"IncludeManagementEvents"`
	DataResources                 []any    `json:"DataResources"`
	ExcludeManagementEventSources []string `json:"ExcludeManagementEventSources"`
}

// fieldSelector is one condition of an advanced event selector.
type fieldSelector struct {
	Field         string   `json:"Field"`
	Equals        []string `json:"Equals,omitempty"`
	NotEquals     []string `json:"NotEquals,omitempty"`
	StartsWith    []string `json:"StartsWith,omitempty"`
	NotStartsWith []string `json:"NotStartsWith,omitempty"`
	EndsWith      []string `json:"EndsWith,omitempty"`
	NotEndsWith   []string `json:"NotEndsWith,omitempty"`
}

// advancedSelector is one of a trail's advanced event selectors.
type advancedSelector struct {
	Name           string          `json:"Name,omitempty"`
	FieldSelectors []fieldSelector `json:"FieldSelectors"`
}

// selectors are a trail's event selectors: basic or advanced, never both.
type selectors struct {
	Basic    []basicSelector
	Advanced []advancedSelector
}

// selectorsFor builds the selectors a scenario describes: what management events they record,
// as basic or advanced selectors, leaving out the named event sources.
func selectorsFor(management, kind string, excluded []string) selectors {
	if kind == "advanced" {
		if management == "none" {
			return selectors{Advanced: []advancedSelector{{Name: "Data events only", FieldSelectors: []fieldSelector{
				{Field: "eventCategory", Equals: []string{"Data"}}, {Field: "resources.type", Equals: []string{"AWS::S3::Object"}}}}}}
		}
		fs := []fieldSelector{{Field: "eventCategory", Equals: []string{"Management"}}}
		switch management {
		case "read-only":
			fs = append(fs, fieldSelector{Field: "readOnly", Equals: []string{"true"}})
		case "write-only":
			fs = append(fs, fieldSelector{Field: "readOnly", Equals: []string{"false"}})
		}
		if len(excluded) > 0 {
			fs = append(fs, fieldSelector{Field: "eventSource", NotEquals: excluded})
		}
		return selectors{Advanced: []advancedSelector{{Name: "Management events", FieldSelectors: fs}}}
	}
	sel := basicSelector{ReadWriteType: "All", IncludeManagementEvents: management != "none", DataResources: []any{},
		ExcludeManagementEventSources: append([]string{}, excluded...)}
	switch management {
	case "read-only":
		sel.ReadWriteType = "ReadOnly"
	case "write-only":
		sel.ReadWriteType = "WriteOnly"
	}
	return selectors{Basic: []basicSelector{sel}}
}

// narrowed reports whether the selectors record less than every management event.
func (s selectors) narrowed() bool {
	if len(s.Basic) == 1 && len(s.Advanced) == 0 {
		b := s.Basic[0]
		return !b.IncludeManagementEvents || b.ReadWriteType != "All" || len(b.ExcludeManagementEventSources) > 0
	}
	return true
}

// record is the selectors as CloudTrail writes them into an event: camel-case member names.
func (s selectors) record() map[string]any {
	var out map[string]any
	b, _ := json.Marshal(s.json())
	_ = json.Unmarshal(b, &out)
	return lowerKeys(out).(map[string]any)
}

func (s selectors) json() map[string]any {
	if len(s.Advanced) > 0 {
		return map[string]any{"AdvancedEventSelectors": s.Advanced}
	}
	return map[string]any{"EventSelectors": s.Basic}
}

// lowerKeys lower-cases the first letter of every member name, at every depth.
func lowerKeys(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			out[lowerFirst(k)] = lowerKeys(x)
		}
		return out
	case []any:
		for i := range v {
			v[i] = lowerKeys(v[i])
		}
	}
	return v
}

// advancedFields are the fields an advanced event selector may filter on.
var advancedFields = []string{"eventCategory", "readOnly", "eventSource", "eventName", "eventType", "resources.type", "resources.ARN",
	"userIdentity.arn", "errorCode", "sessionCredentialFromConsole", "vpcEndpointId"}

// parseSelectors reads PutEventSelectors' parameters, refusing what CloudTrail refuses.
func parseSelectors(c *Call) (selectors, error) {
	basic, advanced := listParam(c.Params, "EventSelectors"), listParam(c.Params, "AdvancedEventSelectors")
	var out selectors
	switch {
	case len(basic) > 0 && len(advanced) > 0:
		return out, Errorf(http.StatusBadRequest, "InvalidParameterCombinationException", "You cannot use EventSelectors and AdvancedEventSelectors in the same request.")
	case len(basic) == 0 && len(advanced) == 0:
		return out, Errorf(http.StatusBadRequest, "InvalidEventSelectorsException", "Specify EventSelectors or AdvancedEventSelectors.")
	case len(basic) > 5:
		return out, Errorf(http.StatusBadRequest, "InvalidEventSelectorsException", "A trail can have at most 5 event selectors.")
	}
	for _, raw := range basic {
		sel := basicSelector{ReadWriteType: "All", IncludeManagementEvents: true, DataResources: []any{}, ExcludeManagementEventSources: []string{}}
		if err := json.Unmarshal([]byte(raw), &sel); err != nil {
			return out, Errorf(http.StatusBadRequest, "InvalidEventSelectorsException", "An event selector is not valid: %v", err)
		}
		if !slices.Contains([]string{"ReadOnly", "WriteOnly", "All"}, sel.ReadWriteType) {
			return out, Errorf(http.StatusBadRequest, "InvalidEventSelectorsException", "ReadWriteType must be ReadOnly, WriteOnly or All, not %q.", sel.ReadWriteType)
		}
		for _, src := range sel.ExcludeManagementEventSources {
			if src != "kms.amazonaws.com" && src != "rdsdata.amazonaws.com" {
				return out, Errorf(http.StatusBadRequest, "InvalidEventSelectorsException", "ExcludeManagementEventSources takes kms.amazonaws.com or rdsdata.amazonaws.com, not %q.", src)
			}
		}
		out.Basic = append(out.Basic, sel)
	}
	for _, raw := range advanced {
		var sel advancedSelector
		if err := json.Unmarshal([]byte(raw), &sel); err != nil || len(sel.FieldSelectors) == 0 {
			return out, Errorf(http.StatusBadRequest, "InvalidEventSelectorsException", "An advanced event selector needs field selectors.")
		}
		for _, f := range sel.FieldSelectors {
			if !slices.Contains(advancedFields, f.Field) {
				return out, Errorf(http.StatusBadRequest, "InvalidEventSelectorsException", "Field %q is not a valid field of an advanced event selector.", f.Field)
			}
		}
		out.Advanced = append(out.Advanced, sel)
	}
	return out, nil
}

// selectorsResult is what Get- and PutEventSelectors answer; it records itself in CloudTrail as
// AWS does, with the selectors in the event.
type selectorsResult struct {
	trail *simTrail
	put   bool
}

func (r selectorsResult) MarshalJSON() ([]byte, error) {
	out := r.trail.Selectors.json()
	out["TrailARN"] = r.trail.ARN
	return json.Marshal(out)
}

func (r selectorsResult) requestParameters() any {
	if !r.put {
		return map[string]any{"trailName": r.trail.Name}
	}
	out := r.trail.Selectors.record()
	out["trailName"] = r.trail.Name
	return out
}

func (r selectorsResult) responseElements() any {
	if !r.put {
		return nil
	}
	out := r.trail.Selectors.record()
	out["trailARN"] = r.trail.ARN
	return out
}

func (s *Server) getEventSelectors(c *Call) (any, error) {
	t, err := s.trailFor(c, "TrailName")
	if err != nil {
		return nil, err
	}
	return selectorsResult{trail: t}, nil
}

// putEventSelectors replaces a trail's selectors, from its home region and in the account that
// owns it only, as CloudTrail does.
func (s *Server) putEventSelectors(c *Call) (any, error) {
	t, err := s.ownTrail(c, "TrailName")
	if err != nil {
		return nil, err
	}
	sel, err := parseSelectors(c)
	if err != nil {
		return nil, err
	}
	t.Selectors, t.SelectorsPut = sel, c.Now.UTC()
	return selectorsResult{trail: t, put: true}, nil
}

// ownTrail finds a trail the caller may change: called from its home region, in its account.
func (s *Server) ownTrail(c *Call, param string) (*simTrail, error) {
	t, err := s.trailFor(c, param)
	if err != nil {
		return nil, err
	}
	if t.Home != c.Region {
		return nil, Errorf(http.StatusBadRequest, "InvalidHomeRegionException", "This operation must be called from the trail's home region, %s.", t.Home)
	}
	if t.Owner != s.Account() {
		return nil, Errorf(http.StatusBadRequest, "NotOrganizationMasterAccountException",
			"The trail %s belongs to the organization's management account %s: only it can change the trail.", t.Name, t.Owner)
	}
	return t, nil
}

// validTrailName is CloudTrail's rule for a trail's name.
func validTrailName(name string) bool {
	if len(name) < 3 || len(name) > 128 || strings.Trim(name[:1], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		return false
	}
	return strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == ""
}

// trailSettings is what CreateTrail takes and records.
func trailSettings(c *Call) map[string]any {
	out := map[string]any{"name": c.Params.Get("Name"), "s3BucketName": c.Params.Get("S3BucketName")}
	for _, k := range []string{"S3KeyPrefix", "IsMultiRegionTrail", "IncludeGlobalServiceEvents", "EnableLogFileValidation", "IsOrganizationTrail", "KmsKeyId", "CloudWatchLogsLogGroupArn"} {
		if v := c.Params.Get(k); v != "" {
			out[lowerFirst(k)] = v
		}
	}
	return out
}

// createTrail creates a trail that does not log until StartLogging, as CloudTrail does; its bucket
// must exist in this account.
func (s *Server) createTrail(c *Call) (any, error) {
	name, bucket := c.Params.Get("Name"), c.Params.Get("S3BucketName")
	switch {
	case !validTrailName(name):
		return nil, Errorf(http.StatusBadRequest, "InvalidTrailNameException", "Trail name %q is not valid.", name)
	case bucket == "":
		return nil, Errorf(http.StatusBadRequest, "InvalidS3BucketNameException", "S3BucketName is required.")
	case s.logging.trailNamed(name, c.Region) != nil:
		return nil, Errorf(http.StatusBadRequest, "TrailAlreadyExistsException", "Trail %s already exists for customer: %s", name, s.Account())
	case s.s3.bucket(bucket) == nil:
		return nil, Errorf(http.StatusBadRequest, "S3BucketDoesNotExistException", "S3 bucket %s does not exist.", bucket)
	}
	t := &simTrail{Name: name, ARN: fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/%s", c.Region, s.Account(), name), Home: c.Region,
		MultiRegion: c.Params.Get("IsMultiRegionTrail") == "true", Owner: s.Account(), Bucket: bucket, KeyPrefix: c.Params.Get("S3KeyPrefix"),
		Management: "all", Selectors: selectorsFor("all", "basic", nil), created: c.Now.UTC()}
	s.logging.trails = append(s.logging.trails, t)
	return trailCreated{t: t, settings: trailSettings(c)}, nil
}

// trailCreated is CreateTrail's answer, recorded with its settings.
type trailCreated struct {
	t        *simTrail
	settings map[string]any
}

func (r trailCreated) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"Name": r.t.Name, "TrailARN": r.t.ARN, "S3BucketName": r.t.Bucket, "S3KeyPrefix": r.t.KeyPrefix,
		"IsMultiRegionTrail": r.t.MultiRegion, "IncludeGlobalServiceEvents": true, "IsOrganizationTrail": false})
}

func (r trailCreated) requestParameters() any { return r.settings }

func (r trailCreated) responseElements() any {
	out := map[string]any{"trailARN": r.t.ARN}
	for k, v := range r.settings {
		out[k] = v
	}
	return out
}

// deleteTrail deletes a trail, from its home region and in its account only.
func (s *Server) deleteTrail(c *Call) (any, error) {
	t, err := s.ownTrail(c, "Name")
	if err != nil {
		return nil, err
	}
	t.deleted, t.deletedAt, t.Logging = true, c.Now.UTC(), false
	return struct{}{}, nil
}
