package aws

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// DetectorReader is every GuardDuty call lockdown makes that only reads.
type DetectorReader interface {
	guardduty.ListDetectorsAPIClient
	GetDetector(ctx context.Context, in *guardduty.GetDetectorInput, optFns ...func(*guardduty.Options)) (*guardduty.GetDetectorOutput, error)
}

// Detector is one region's GuardDuty detector (a region has at most one).
type Detector struct {
	Region  string    `json:"region"`
	ID      string    `json:"id"`
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// Enabled reports whether the detector is on.
func (d Detector) Enabled() bool { return d.Status == "ENABLED" }

// DetectorSurvey is every region's detector, the regions read, and, when T0 is known, the
// DeleteDetector events since T0: the evidence of a detector that is gone.
type DetectorSurvey struct {
	Detectors     []Detector   `json:"detectors"`
	Regions       []RegionRead `json:"regions"`
	Events        []TrailEvent `json:"events,omitempty"`
	HistoryUnread []RegionRead `json:"history_unread,omitempty"`
}

// detectorEventNames are the events that turn GuardDuty off, looked up since T0.
var detectorEventNames = []string{"DeleteDetector"}

// SurveyDetectors reads every enabled region's GuardDuty detectors.
func (a *Account) SurveyDetectors(ctx context.Context, opts RegionReadOptions, since time.Time) (*DetectorSurvey, error) {
	var mu sync.Mutex
	var found []Detector
	regions, err := a.readRegions(ctx, opts, func(ctx context.Context, region string) error {
		ds, err := a.regionDetectors(ctx, region)
		mu.Lock()
		defer mu.Unlock()
		found = append(found, ds...)
		return err
	})
	if regions == nil {
		return nil, err
	}
	sort.Slice(found, func(i, j int) bool { return found[i].Region+found[i].ID < found[j].Region+found[j].ID })
	s := &DetectorSurvey{Detectors: found, Regions: regions}
	if !since.IsZero() {
		s.Events, s.HistoryUnread = a.eventsNamed(ctx, regions, detectorEventNames, since)
	}
	return s, err
}

// SurveyDetectors reads every region's detectors (see Account.SurveyDetectors).
func (r *ReadOnly) SurveyDetectors(ctx context.Context, opts RegionReadOptions, since time.Time) (*DetectorSurvey, error) {
	return r.a.SurveyDetectors(ctx, opts, since)
}

func (a *Account) regionDetectors(ctx context.Context, region string) ([]Detector, error) {
	api := a.guardDutyClient(region)
	var out []Detector
	p := guardduty.NewListDetectorsPaginator(api, &guardduty.ListDetectorsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return out, fmt.Errorf("guardduty ListDetectors: %w", err)
		}
		for _, id := range page.DetectorIds {
			d, err := a.DetectorStatus(ctx, region, id)
			if err != nil {
				return out, err
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// DetectorStatus reads one detector: the read-back of enabling it.
func (a *Account) DetectorStatus(ctx context.Context, region, id string) (Detector, error) {
	got, err := a.guardDutyClient(region).GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: sdk.String(id)})
	if err != nil {
		return Detector{}, fmt.Errorf("guardduty GetDetector %s: %w", id, err)
	}
	return Detector{Region: region, ID: id, Status: string(got.Status),
		Created: guardDutyTime(got.CreatedAt), Updated: guardDutyTime(got.UpdatedAt)}, nil
}

// DetectorStatus reads one detector (see Account.DetectorStatus).
func (r *ReadOnly) DetectorStatus(ctx context.Context, region, id string) (Detector, error) {
	return r.a.DetectorStatus(ctx, region, id)
}

// guardDutyTime reads GuardDuty's timestamps, which are ISO 8601 strings; an unreadable one is the
// zero time ("unknown"), never a guess.
func guardDutyTime(s *string) time.Time {
	v := sdk.ToString(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z07:00"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// guardDutyClient returns region's GuardDuty client. It never leaves this package.
func (a *Account) guardDutyClient(region string) *guardduty.Client {
	return regionClient(a, &a.persistence.guardDuty, region, func() *guardduty.Client {
		return guardduty.NewFromConfig(a.cfg, func(o *guardduty.Options) {
			o.Region = region
			o.BaseEndpoint = a.endpointOverride()
		})
	})
}

// regionClient returns the client of region cached in clients, building it once.
func regionClient[C any](a *Account, clients *map[string]*C, region string, build func() *C) *C {
	a.mu.Lock()
	defer a.mu.Unlock()
	if *clients == nil {
		*clients = map[string]*C{}
	}
	c, ok := (*clients)[region]
	if !ok {
		c = build()
		(*clients)[region] = c
	}
	return c
}

// persistenceClients are the clients of the services only the persistence hunt reads.
type persistenceClients struct {
	trails    map[string]*cloudtrail.Client
	guardDuty map[string]*guardduty.Client
	s3        map[string]*s3.Client
}

// RegionDetectors reads one region's detectors: the read-back of re-creating one.
func (r *ReadOnly) RegionDetectors(ctx context.Context, region string) ([]Detector, error) {
	return r.a.regionDetectors(ctx, region)
}
