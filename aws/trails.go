package aws

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// TrailReader is every CloudTrail call about trails that lockdown makes; none changes anything.
type TrailReader interface {
	DescribeTrails(ctx context.Context, in *cloudtrail.DescribeTrailsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error)
	GetTrailStatus(ctx context.Context, in *cloudtrail.GetTrailStatusInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
	GetEventSelectors(ctx context.Context, in *cloudtrail.GetEventSelectorsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error)
}

// Trail is one CloudTrail trail, read once from its home region.
type Trail struct {
	Name         string `json:"name"`
	ARN          string `json:"arn"`
	HomeRegion   string `json:"home_region"`
	MultiRegion  bool   `json:"multi_region"`
	Organization bool   `json:"organization"`
	// Owner is the account that owns the trail: another account for an organization trail
	// created in the management account, which only that account can start or stop.
	Owner string `json:"owner"`
	// Logging, StartedLogging and StoppedLogging are GetTrailStatus's; StatusErr says why it
	// could not be read (then Logging means nothing).
	Logging        bool      `json:"logging"`
	StartedLogging time.Time `json:"started_logging"`
	StoppedLogging time.Time `json:"stopped_logging"`
	StatusErr      string    `json:"status_error,omitempty"`
	// Management is what the event selectors record of management events: "all", "read-only",
	// "write-only" or "none"; SelectorsErr says why they could not be read.
	Management   string `json:"management"`
	SelectorsErr string `json:"selectors_error,omitempty"`
	// Excluded are event sources whose management events the selectors leave out.
	Excluded []string `json:"excluded,omitempty"`
	// Advanced is true when the trail's selectors are advanced event selectors.
	Advanced bool `json:"advanced,omitempty"`
	// S3Bucket and S3KeyPrefix are where the trail delivers its log files.
	S3Bucket    string `json:"s3_bucket,omitempty"`
	S3KeyPrefix string `json:"s3_key_prefix,omitempty"`
}

// AllManagement reports whether the trail records every management event, read and write, from
// every source.
func (t Trail) AllManagement() bool {
	return t.SelectorsErr == "" && (t.Management == "" || t.Management == ManagementAll) && len(t.Excluded) == 0
}

// Management-event coverage of a trail's selectors.
const (
	ManagementAll       = "all"
	ManagementReadOnly  = "read-only"
	ManagementWriteOnly = "write-only"
	ManagementNone      = "none"
)

// TrailSurvey is every trail the account can see, the regions listed, and, when T0 is known, the
// CloudTrail events since T0 that changed trails (DeleteTrail, StopLogging, event selectors).
type TrailSurvey struct {
	Trails  []Trail      `json:"trails"`
	Regions []RegionRead `json:"regions"`
	Events  []TrailEvent `json:"events,omitempty"`
	// HistoryUnread are the regions whose event history could not be read: a trail deleted there
	// cannot be known.
	HistoryUnread []RegionRead `json:"history_unread,omitempty"`
}

// trailEventNames are the events that turn a trail off or narrow it, looked up since T0.
var trailEventNames = []string{"DeleteTrail", "StopLogging", "PutEventSelectors", "PutAdvancedEventSelectors"}

// SurveyTrails lists the trails of every enabled region (a multi-region or organization trail is
// listed in every region, with its home region), then reads each trail once, from its home
// region: whether it logs and which management events it records. With since set, it also reads
// the events since T0 that stopped, deleted or narrowed a trail.
func (a *Account) SurveyTrails(ctx context.Context, opts RegionReadOptions, since time.Time) (*TrailSurvey, error) {
	var mu sync.Mutex
	byARN := map[string]Trail{}
	regions, err := a.readRegions(ctx, opts, func(ctx context.Context, region string) error {
		out, err := a.trailClient(region).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: sdk.Bool(true)})
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, t := range out.TrailList {
			tr := trailFrom(t, region)
			if _, seen := byARN[tr.ARN]; !seen {
				byARN[tr.ARN] = tr
			}
		}
		return nil
	})
	if regions == nil {
		return nil, err
	}
	s := &TrailSurvey{Regions: regions}
	for _, t := range byARN {
		s.Trails = append(s.Trails, t)
	}
	sort.Slice(s.Trails, func(i, j int) bool { return s.Trails[i].ARN < s.Trails[j].ARN })
	var wg sync.WaitGroup
	for i := range s.Trails {
		wg.Go(func() { a.readTrail(ctx, &s.Trails[i]) })
	}
	wg.Wait()
	if !since.IsZero() {
		s.Events, s.HistoryUnread = a.eventsNamed(ctx, regions, trailEventNames, since)
	}
	return s, err
}

// SurveyTrails reads every trail (see Account.SurveyTrails).
func (r *ReadOnly) SurveyTrails(ctx context.Context, opts RegionReadOptions, since time.Time) (*TrailSurvey, error) {
	return r.a.SurveyTrails(ctx, opts, since)
}

func trailFrom(t types.Trail, listedIn string) Trail {
	tr := Trail{Name: sdk.ToString(t.Name), ARN: sdk.ToString(t.TrailARN), HomeRegion: sdk.ToString(t.HomeRegion),
		MultiRegion: sdk.ToBool(t.IsMultiRegionTrail), Organization: sdk.ToBool(t.IsOrganizationTrail),
		S3Bucket: sdk.ToString(t.S3BucketName), S3KeyPrefix: sdk.ToString(t.S3KeyPrefix)}
	if tr.HomeRegion == "" {
		tr.HomeRegion = listedIn
	}
	if tr.ARN == "" {
		tr.ARN = tr.Name
	}
	if parts := strings.SplitN(tr.ARN, ":", 6); len(parts) == 6 {
		tr.Owner = parts[4]
	}
	return tr
}

// readTrail reads a trail's status and selectors from its home region, by ARN.
func (a *Account) readTrail(ctx context.Context, t *Trail) {
	api := a.trailClient(t.HomeRegion)
	st, err := api.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: sdk.String(t.ARN)})
	if err != nil {
		t.StatusErr = strings.TrimSpace(ErrorCode(err) + " " + ErrorMessage(err))
	} else {
		t.Logging = sdk.ToBool(st.IsLogging)
		t.StartedLogging, t.StoppedLogging = sdk.ToTime(st.StartLoggingTime).UTC(), sdk.ToTime(st.StopLoggingTime).UTC()
	}
	sel, err := api.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: sdk.String(t.ARN)})
	if err != nil {
		t.SelectorsErr = strings.TrimSpace(ErrorCode(err) + " " + ErrorMessage(err))
		return
	}
	t.Management, t.Excluded = managementCoverage(sel)
	t.Advanced = len(sel.AdvancedEventSelectors) > 0
}

// managementCoverage reads which management events the selectors record, and the event sources
// they leave out. A trail records all management events unless its selectors say otherwise.
func managementCoverage(out *cloudtrail.GetEventSelectorsOutput) (string, []string) {
	var read, write bool
	var excluded []string
	if len(out.EventSelectors) == 0 && len(out.AdvancedEventSelectors) == 0 {
		return ManagementAll, nil
	}
	for _, s := range out.EventSelectors {
		if s.IncludeManagementEvents != nil && !*s.IncludeManagementEvents {
			continue
		}
		excluded = append(excluded, s.ExcludeManagementEventSources...)
		switch s.ReadWriteType {
		case types.ReadWriteTypeReadOnly:
			read = true
		case types.ReadWriteTypeWriteOnly:
			write = true
		default:
			read, write = true, true
		}
	}
	for _, s := range out.AdvancedEventSelectors {
		r, w, left, management := advancedCoverage(s)
		if management {
			read, write = read || r, write || w
			excluded = append(excluded, left...)
		}
	}
	coverage := ManagementNone
	switch {
	case read && write:
		coverage = ManagementAll
	case read:
		coverage = ManagementReadOnly
	case write:
		coverage = ManagementWriteOnly
	}
	slices.Sort(excluded)
	return coverage, slices.Compact(excluded)
}

// advancedCoverage reads one advanced selector: whether it selects management events, which of
// read and write, and the sources it leaves out. Any other condition on management events
// (an event name, a user) narrows them too, and counts as leaving its field out.
func advancedCoverage(s types.AdvancedEventSelector) (read, write bool, excluded []string, management bool) {
	read, write = true, true
	for _, f := range s.FieldSelectors {
		switch field := sdk.ToString(f.Field); field {
		case "eventCategory":
			management = slices.Contains(f.Equals, "Management")
		case "readOnly":
			read, write = slices.Contains(f.Equals, "true"), slices.Contains(f.Equals, "false")
		case "eventSource":
			excluded = append(excluded, f.NotEquals...)
			excluded = append(excluded, f.NotStartsWith...)
			if len(f.Equals)+len(f.StartsWith) > 0 {
				excluded = append(excluded, "every source but "+strings.Join(append(f.Equals, f.StartsWith...), ", "))
			}
		default:
			excluded = append(excluded, "events filtered by "+field)
		}
	}
	return read, write, excluded, management
}

// TrailStatus reads whether a trail logs now, from its home region: the read-back of StartLogging.
func (a *Account) TrailStatus(ctx context.Context, homeRegion, arn string) (bool, error) {
	st, err := a.trailClient(homeRegion).GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: sdk.String(arn)})
	if err != nil {
		return false, fmt.Errorf("cloudtrail GetTrailStatus %s: %w", arn, err)
	}
	return sdk.ToBool(st.IsLogging), nil
}

// TrailStatus reads whether a trail logs now (see Account.TrailStatus).
func (r *ReadOnly) TrailStatus(ctx context.Context, homeRegion, arn string) (bool, error) {
	return r.a.TrailStatus(ctx, homeRegion, arn)
}

// trailClient returns region's CloudTrail client for trail calls. It is not the paced client of
// LookupEvents: trail calls have their own, higher limits.
func (a *Account) trailClient(region string) *cloudtrail.Client {
	return regionClient(a, &a.persistence.trails, region, func() *cloudtrail.Client {
		return cloudtrail.NewFromConfig(a.cfg, func(o *cloudtrail.Options) {
			o.Region = region
			o.BaseEndpoint = a.endpointOverride()
		})
	})
}

// TrailHistory returns the events of CloudTrail's history (90 days) in region that created or
// changed the trail called name: CreateTrail, UpdateTrail and its selectors, oldest first. A
// deleted trail's settings survive only there.
func (r *ReadOnly) TrailHistory(ctx context.Context, region, name string) ([]TrailEvent, error) {
	names := []string{"CreateTrail", "UpdateTrail", "PutEventSelectors", "PutAdvancedEventSelectors"}
	events, unread := r.a.eventsNamed(ctx, []RegionRead{{Region: region, Status: RegionOK}}, names, time.Now().Add(-HistoryRetention))
	if len(unread) > 0 {
		return nil, &historyUnreadError{region: region, code: unread[0].Code, message: unread[0].Message}
	}
	var out []TrailEvent
	for _, e := range events {
		if !e.Succeeded() {
			continue
		}
		t := firstOf(e.RequestField("name"), e.RequestField("trailName"))
		if t == name || strings.HasSuffix(t, ":trail/"+name) {
			out = append(out, e)
		}
	}
	return out, nil
}
