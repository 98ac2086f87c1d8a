package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"
)

// registerPersistence serves the calls about what an attacker turns off or leaves behind: trails,
// GuardDuty detectors and key pairs.
func (s *Server) registerPersistence() {
	s.handle("cloudtrail", "DescribeTrails", false, s.describeTrails)
	s.handle("cloudtrail", "GetTrailStatus", false, s.getTrailStatus)
	s.handle("cloudtrail", "GetEventSelectors", false, s.getEventSelectors)
	s.handle("cloudtrail", "StartLogging", true, func(c *Call) (any, error) { return s.setLogging(c, true) })
	s.handle("cloudtrail", "StopLogging", true, func(c *Call) (any, error) { return s.setLogging(c, false) })
	s.handle("cloudtrail", "PutEventSelectors", true, s.putEventSelectors)
	s.handle("cloudtrail", "CreateTrail", true, s.createTrail)
	s.handle("cloudtrail", "DeleteTrail", true, s.deleteTrail)
	s.handle("guardduty", "ListDetectors", false, s.listDetectors)
	s.handle("guardduty", "GetDetector", false, s.getDetector)
	s.handle("guardduty", "UpdateDetector", true, s.updateDetector)
	s.handle("guardduty", "CreateDetector", true, s.createDetector)
	s.handle("guardduty", "DeleteDetector", true, s.deleteDetector)
	s.handle("ec2", "DeleteKeyPair", true, s.deleteKeyPair)
}

// serveTrailCall answers a CloudTrail JSON 1.1 call other than LookupEvents through the same
// handlers as the query protocols: the body's top-level members become the call's parameters.
func (s *Server) serveTrailCall(sc scope, action string, body []byte, fault *APIError, now time.Time, entry *Request) (any, *APIError) {
	form, err := jsonParams(body)
	if err != nil {
		return nil, Errorf(http.StatusBadRequest, "SerializationException", "%v", err)
	}
	out, apiErr := s.serve(sc, action, form, fault, false, now, entry)
	if apiErr != nil && apiErr.Code == "InvalidAction" {
		apiErr = Errorf(http.StatusBadRequest, "UnknownOperationException", "%s is not an operation of the simulated %s", action, sc.Service)
	}
	return out, apiErr
}

// jsonParams flattens a JSON object's top-level members into parameters: strings, numbers and
// booleans as they are, a list as Name.1, Name.2, ..., and an object (alone or in a list) as its
// JSON text, which the few handlers that take one decode.
func jsonParams(body []byte) (url.Values, error) {
	form := url.Values{}
	if len(body) == 0 {
		return form, nil
	}
	var members map[string]any
	if err := json.Unmarshal(body, &members); err != nil {
		return nil, err
	}
	for k, v := range members {
		switch v := v.(type) {
		case []any:
			for i, item := range v {
				form.Set(k+"."+strconv.Itoa(i+1), jsonValue(item))
			}
		case nil:
		default:
			form.Set(k, jsonValue(v))
		}
	}
	return form, nil
}

func jsonValue(v any) string {
	switch v.(type) {
	case map[string]any, []any:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return fmt.Sprint(v)
}

type trailJSON struct {
	Name                       string `json:"Name"`
	S3BucketName               string `json:"S3BucketName"`
	S3KeyPrefix                string `json:"S3KeyPrefix,omitempty"`
	IncludeGlobalServiceEvents bool   `json:"IncludeGlobalServiceEvents"`
	IsMultiRegionTrail         bool   `json:"IsMultiRegionTrail"`
	HomeRegion                 string `json:"HomeRegion"`
	TrailARN                   string `json:"TrailARN"`
	LogFileValidationEnabled   bool   `json:"LogFileValidationEnabled"`
	HasCustomEventSelectors    bool   `json:"HasCustomEventSelectors"`
	IsOrganizationTrail        bool   `json:"IsOrganizationTrail"`
}

// describeTrails lists the trails visible from the region: those created there and, unless
// includeShadowTrails is false, the multi-region and organization trails of other home regions.
func (s *Server) describeTrails(c *Call) (any, error) {
	names := listParam(c.Params, "trailNameList")
	shadows := c.Params.Get("includeShadowTrails") != "false"
	out := struct {
		TrailList []trailJSON `json:"trailList"`
	}{TrailList: []trailJSON{}}
	for _, t := range s.logging.trails {
		if t.deleted || (t.Home != c.Region && !(shadows && t.MultiRegion)) {
			continue
		}
		if len(names) > 0 && !contains(names, t.Name) && !contains(names, t.ARN) {
			continue
		}
		out.TrailList = append(out.TrailList, trailJSON{Name: t.Name, S3BucketName: t.Bucket, S3KeyPrefix: t.KeyPrefix, IncludeGlobalServiceEvents: true,
			IsMultiRegionTrail: t.MultiRegion, HomeRegion: t.Home, TrailARN: t.ARN, LogFileValidationEnabled: true,
			HasCustomEventSelectors: t.Selectors.narrowed(), IsOrganizationTrail: t.Org})
	}
	sort.Slice(out.TrailList, func(i, j int) bool { return out.TrailList[i].TrailARN < out.TrailList[j].TrailARN })
	return out, nil
}

func (s *Server) trailFor(c *Call, param string) (*simTrail, error) {
	name := c.Params.Get(param)
	if name == "" {
		return nil, Errorf(http.StatusBadRequest, "InvalidTrailNameException", "Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).")
	}
	t := s.logging.trailNamed(name, c.Region)
	if t == nil {
		return nil, Errorf(http.StatusBadRequest, "TrailNotFoundException", "Unknown trail: %s for the user: %s", name, s.Account())
	}
	return t, nil
}

// epochSeconds is a JSON 1.1 timestamp: seconds since the epoch.
func epochSeconds(t time.Time) *float64 {
	if t.IsZero() {
		return nil
	}
	v := float64(t.UnixMilli()) / 1000
	return &v
}

func (s *Server) getTrailStatus(c *Call) (any, error) {
	t, err := s.trailFor(c, "Name")
	if err != nil {
		return nil, err
	}
	out := struct {
		IsLogging        bool     `json:"IsLogging"`
		StartLoggingTime *float64 `json:"StartLoggingTime,omitempty"`
		StopLoggingTime  *float64 `json:"StopLoggingTime,omitempty"`
	}{IsLogging: t.Logging, StartLoggingTime: epochSeconds(t.Started), StopLoggingTime: epochSeconds(t.Stopped)}
	return out, nil
}

// setLogging starts or stops a trail. As in AWS, only the trail's home region can, and only the
// account that owns it: an organization trail is the management account's.
func (s *Server) setLogging(c *Call, on bool) (any, error) {
	t, err := s.ownTrail(c, "Name")
	if err != nil {
		return nil, err
	}
	if on && !t.Logging {
		t.Logging, t.Started = true, c.Now.UTC()
	}
	if !on && t.Logging {
		t.Logging, t.Stopped = false, c.Now.UTC()
	}
	return struct{}{}, nil
}

// deleteKeyPair deletes by id or by name. As in EC2, an unknown id is InvalidKeyPair.NotFound,
// while an unknown name is not an error.
func (s *Server) deleteKeyPair(c *Call) (any, error) {
	r := s.ec2.region(c.Region)
	id, name := c.Params.Get("KeyPairId"), c.Params.Get("KeyName")
	if id == "" && name == "" {
		return nil, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter KeyName or KeyPairId")
	}
	at := -1
	for i, k := range r.keyPairs {
		if (id != "" && k.ID == id) || (id == "" && k.Name == name) {
			at = i
		}
	}
	if at < 0 && id != "" {
		return nil, Errorf(http.StatusBadRequest, "InvalidKeyPair.NotFound", "The key pair ID '%s' does not exist", id)
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	out := struct {
		Return    bool   `xml:"return"`
		KeyPairID string `xml:"keyPairId,omitempty"`
	}{Return: true}
	if at >= 0 {
		out.KeyPairID = r.keyPairs[at].ID
		r.keyPairs = append(r.keyPairs[:at], r.keyPairs[at+1:]...)
	}
	return out, nil
}
