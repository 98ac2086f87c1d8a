package sim

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// TrailSpec is one CloudTrail trail of the scenario. An attacker who stopped, narrowed or deleted
// it is named by `by`, which writes the event that did it into the history.
type TrailSpec struct {
	Name string `yaml:"name"`
	// HomeRegion is where the trail was created and can be started or stopped (default us-east-1).
	HomeRegion  string `yaml:"home_region"`
	MultiRegion bool   `yaml:"multi_region"`
	// Organization marks an organization trail; OwnerAccount, when set, is the management account
	// that owns it: the simulated (member) account sees it but cannot start or stop it.
	Organization bool   `yaml:"organization"`
	OwnerAccount string `yaml:"owner_account"`
	Created      When   `yaml:"created"`
	// Stopped, when set, is when logging stopped: the trail does not log.
	Stopped When `yaml:"stopped"`
	// Deleted, when set, is when the trail was deleted: only the DeleteTrail event remains.
	Deleted When `yaml:"deleted"`
	// ManagementEvents is what the event selectors record: all (default), read-only, write-only
	// or none; SelectorsChanged is when they were last put.
	ManagementEvents string `yaml:"management_events"`
	SelectorsChanged When   `yaml:"selectors_changed"`
	// Selectors is basic (default) or advanced: how the selectors say it; ExcludedSources are
	// event sources whose management events are left out (kms.amazonaws.com, say).
	Selectors       string   `yaml:"selectors"`
	ExcludedSources []string `yaml:"excluded_sources"`
	// Bucket is the S3 bucket it delivers to (default aws-cloudtrail-logs-ACCOUNT-NAME), made in
	// the trail's account unless s3.buckets describes it; KeyPrefix is the prefix of its log files.
	Bucket    string `yaml:"bucket"`
	KeyPrefix string `yaml:"key_prefix"`
	By        string `yaml:"by"`
	// CreatedBy, when set, writes the CreateTrail event with the trail's settings (kept 90 days).
	CreatedBy string `yaml:"created_by"`
}

// GuardDutySpec is the scenario's GuardDuty detectors, at most one per region.
type GuardDutySpec struct {
	Detectors []DetectorSpec `yaml:"detectors"`
}

// DetectorSpec is one region's GuardDuty detector.
type DetectorSpec struct {
	Region  string `yaml:"region"`
	Created When   `yaml:"created"`
	// ID is the detector's id, for an attacker event to name (default: generated).
	ID string `yaml:"id"`
	// Disabled, when set, is when the detector was disabled (its UpdatedAt); Deleted, when set,
	// is when it was deleted: only the DeleteDetector event remains.
	Disabled When   `yaml:"disabled"`
	Deleted  When   `yaml:"deleted"`
	By       string `yaml:"by"`
}

// loggingState is the account's trails and GuardDuty detectors.
type loggingState struct {
	trails    []*simTrail
	detectors map[string]*detector // by region
}

type simTrail struct {
	Name, ARN, Home    string
	MultiRegion, Org   bool
	Owner              string
	Logging            bool
	Started, Stopped   time.Time
	Management         string
	Selectors          selectors
	SelectorsPut       time.Time
	Bucket, KeyPrefix  string
	deleted            bool
	deletedAt, created time.Time
}

type detector struct {
	ID               string
	Region           string
	Enabled          bool
	Created, Updated time.Time
}

func newLoggingState(s *Server, sc *Scenario) (*loggingState, error) {
	st := &loggingState{detectors: map[string]*detector{}}
	for i, ts := range sc.CloudTrail.Trails {
		t, err := s.newTrailFrom(ts)
		if err != nil {
			return nil, under(fmt.Sprintf("cloudtrail.trails[%d]", i), err)
		}
		st.trails = append(st.trails, t)
	}
	for i, ds := range sc.GuardDuty.Detectors {
		if ds.Region == "" {
			return nil, fmt.Errorf("guardduty.detectors[%d].region: a detector's region is required", i)
		}
		if st.detectors[ds.Region] != nil {
			return nil, fmt.Errorf("guardduty.detectors[%d].region: a region has at most one detector, %s has two", i, ds.Region)
		}
		created := resolveChecked(ds.Created, s.start)
		id := s.ids.hex("", 32)
		if ds.ID != "" {
			if len(ds.ID) != 32 || strings.Trim(ds.ID, "0123456789abcdef") != "" {
				return nil, fmt.Errorf("guardduty.detectors[%d].id: must be 32 lower-case hex digits, got %q", i, ds.ID)
			}
			id = ds.ID
		}
		d := &detector{ID: id, Region: ds.Region, Enabled: true, Created: created.UTC(), Updated: created.UTC()}
		if ds.Disabled != "" {
			d.Updated, d.Enabled = resolveChecked(ds.Disabled, s.start), false
		}
		if ds.Deleted == "" {
			st.detectors[ds.Region] = d
		}
	}
	return st, nil
}

func (s *Server) newTrailFrom(ts TrailSpec) (*simTrail, error) {
	if ts.Name == "" {
		return nil, fmt.Errorf("name: a trail's name is required")
	}
	home := ts.HomeRegion
	if home == "" {
		home = globalRegion
	}
	owner := s.Account()
	if ts.OwnerAccount != "" {
		owner = ts.OwnerAccount
	}
	created := resolveChecked(ts.Created, s.start)
	t := &simTrail{Name: ts.Name, ARN: fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/%s", home, owner, ts.Name), Home: home,
		MultiRegion: ts.MultiRegion || ts.Organization, Org: ts.Organization, Owner: owner, Logging: true,
		Started: created.UTC(), created: created.UTC(), Management: ts.ManagementEvents}
	switch t.Management {
	case "":
		t.Management = "all"
	case "all", "read-only", "write-only", "none":
	default:
		return nil, fmt.Errorf("management_events: must be all, read-only, write-only or none, got %q", t.Management)
	}
	switch ts.Selectors {
	case "", "basic", "advanced":
	default:
		return nil, fmt.Errorf("selectors: must be basic or advanced, got %q", ts.Selectors)
	}
	for _, src := range ts.ExcludedSources {
		if ts.Selectors != "advanced" && src != "kms.amazonaws.com" && src != "rdsdata.amazonaws.com" {
			return nil, fmt.Errorf("excluded_sources: basic selectors can leave out only kms.amazonaws.com or rdsdata.amazonaws.com, not %q", src)
		}
	}
	t.Selectors = selectorsFor(t.Management, ts.Selectors, ts.ExcludedSources)
	t.Bucket, t.KeyPrefix = ts.Bucket, ts.KeyPrefix
	if t.Bucket == "" {
		t.Bucket = "aws-cloudtrail-logs-" + owner + "-" + strings.ToLower(ts.Name)
	}
	if ts.Stopped != "" {
		t.Stopped, t.Logging = resolveChecked(ts.Stopped, s.start), false
	}
	if ts.SelectorsChanged != "" {
		t.SelectorsPut = resolveChecked(ts.SelectorsChanged, s.start)
	}
	if ts.Deleted != "" {
		t.deletedAt, t.deleted = resolveChecked(ts.Deleted, s.start), true
	}
	return t, nil
}

// seedLoggingHistory writes the events of whoever stopped, narrowed or deleted a trail, or
// disabled or deleted a detector, when the scenario names them.
func (s *Server) seedLoggingHistory(sc *Scenario) error {
	for i, ts := range sc.CloudTrail.Trails {
		t := s.logging.trails[i]
		if ts.CreatedBy != "" {
			settings := map[string]any{"name": t.Name, "s3BucketName": t.Bucket, "isMultiRegionTrail": t.MultiRegion,
				"includeGlobalServiceEvents": true, "enableLogFileValidation": true}
			if t.KeyPrefix != "" {
				settings["s3KeyPrefix"] = t.KeyPrefix
			}
			response := map[string]any{"trailARN": t.ARN}
			for k, v := range settings {
				response[k] = v
			}
			if err := s.historyEvent(ts.CreatedBy, t.created, t.Home, "cloudtrail", "CreateTrail", settings, response,
				[]lookupResource{{"AWS::CloudTrail::Trail", t.ARN}}); err != nil {
				return err // every by was checked at its place (checkActors)
			}
		}
		if ts.By == "" {
			continue
		}
		res := []lookupResource{{"AWS::CloudTrail::Trail", t.ARN}}
		events := []struct {
			at     time.Time
			action string
			params map[string]any
		}{
			{t.Stopped, "StopLogging", map[string]any{"name": t.ARN}},
			{t.SelectorsPut, "PutEventSelectors", selectorsResult{trail: t, put: true}.requestParameters().(map[string]any)},
			{t.deletedAt, "DeleteTrail", map[string]any{"name": t.Name}},
		}
		for _, e := range events {
			if e.at.IsZero() {
				continue
			}
			if err := s.historyEvent(ts.By, e.at, t.Home, "cloudtrail", e.action, e.params, nil, res); err != nil {
				return err // every by was checked at its place (checkActors)
			}
		}
	}
	for _, ds := range sc.GuardDuty.Detectors {
		if ds.By == "" {
			continue
		}
		if err := s.seedDetectorHistory(ds); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) seedDetectorHistory(ds DetectorSpec) error {
	id := ""
	if d := s.logging.detectors[ds.Region]; d != nil {
		id = d.ID
	} else {
		id = s.trail.ids.hex("", 32) // a deleted detector's id survives only in its events
	}
	res := []lookupResource{{"AWS::GuardDuty::Detector", id}}
	if ds.Disabled != "" {
		at, _ := ds.Disabled.Resolve(s.start)
		if err := s.historyEvent(ds.By, at, ds.Region, "guardduty", "UpdateDetector", map[string]any{"detectorId": id, "enable": false}, nil, res); err != nil {
			return err
		}
	}
	if ds.Deleted != "" {
		at, _ := ds.Deleted.Resolve(s.start)
		return s.historyEvent(ds.By, at, ds.Region, "guardduty", "DeleteDetector", map[string]any{"detectorId": id}, nil, res)
	}
	return nil
}

// regionEnabledFor refuses a call to a region the account has not enabled, with the error each
// service answers: EC2's AuthFailure, and an invalid security token for the JSON services.
func (s *Server) regionEnabledFor(sc scope) *APIError {
	switch sc.Service {
	case "ec2":
		return s.regionEnabled(sc.Region)
	case "autoscaling":
		if s.regionEnabled(sc.Region) != nil {
			return Errorf(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
		}
	case "cloudtrail", "guardduty", "access-analyzer":
		if s.regionEnabled(sc.Region) != nil {
			return Errorf(http.StatusForbidden, "UnrecognizedClientException", "The security token included in the request is invalid (region %s is not enabled).", sc.Region)
		}
	}
	return nil
}

// trailNamed finds a live trail by name or ARN, as seen from region: a trail by name only in its
// home region, a multi-region trail's shadow by ARN anywhere.
func (st *loggingState) trailNamed(name, region string) *simTrail {
	for _, t := range st.trails {
		if t.deleted {
			continue
		}
		if t.ARN == name && (t.Home == region || t.MultiRegion) {
			return t
		}
		if t.Name == name && t.Home == region && !strings.HasPrefix(name, "arn:") {
			return t
		}
	}
	return nil
}
