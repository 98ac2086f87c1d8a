package aws

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// RespawnerKind is what brings terminated instances back: an Auto Scaling group, a spot request,
// a spot fleet request, an EC2 fleet, or a launch template (from which a group is made again).
type RespawnerKind string

const (
	KindScalingGroup   RespawnerKind = "auto-scaling-group"
	KindSpotRequest    RespawnerKind = "spot-request"
	KindSpotFleet      RespawnerKind = "spot-fleet"
	KindEC2Fleet       RespawnerKind = "ec2-fleet"
	KindLaunchTemplate RespawnerKind = "launch-template"
)

// The tags AWS puts on the instances a group or a fleet launched.
const (
	TagScalingGroup = "aws:autoscaling:groupName"
	TagSpotFleet    = "aws:ec2spot:fleet-request-id"
	TagEC2Fleet     = "aws:ec2:fleet-id"
)

// Respawner is one of a region's respawners, as read.
type Respawner struct {
	Region string        `json:"region"`
	Kind   RespawnerKind `json:"kind"`
	// ID is the group's name, or the request's, fleet's or template's id.
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// ARN is a group's ARN.
	ARN     string    `json:"arn,omitempty"`
	Created time.Time `json:"created"`
	// State is AWS's state of a request or fleet ("open", "active", "cancelled_running", ...).
	State string `json:"state,omitempty"`
	// Type is a request's or fleet's type: one-time or persistent, maintain, request or instant.
	Type string `json:"type,omitempty"`
	// Min, Max and Desired are a group's sizes; Desired is also a fleet's target capacity.
	Min     int `json:"min,omitempty"`
	Max     int `json:"max,omitempty"`
	Desired int `json:"desired,omitempty"`
	// Instances are the instances the respawner holds now; Terminating counts those of a group
	// being scaled in.
	Instances   []string `json:"instances,omitempty"`
	Terminating int      `json:"terminating,omitempty"`
	// Template is the launch template a group launches from.
	Template string `json:"template,omitempty"`
}

// Relaunches reports whether the respawner still starts instances by itself: a group that wants
// some, an open or active persistent spot request (or an open one-time one), an active fleet
// that maintains or has not yet fulfilled its capacity. A launch template launches nothing alone.
func (r Respawner) Relaunches() bool {
	switch r.Kind {
	case KindScalingGroup:
		return r.Desired > 0 || r.Min > 0 || len(r.Instances) > r.Terminating
	case KindSpotRequest:
		return r.State == "open" || (r.State == "active" && r.Type == "persistent")
	case KindSpotFleet, KindEC2Fleet:
		return slices.Contains([]string{"submitted", "active", "modifying"}, r.State) && r.Type != "instant"
	}
	return false
}

// Stopped reports whether the respawner is done with: cancelled, closed or deleted. A group or
// template that is still listed is not, unless AWS is deleting the group.
func (r Respawner) Stopped() bool {
	switch r.Kind {
	case KindScalingGroup:
		return r.State == "Delete in progress"
	case KindSpotRequest:
		return slices.Contains([]string{"cancelled", "closed", "failed", "disabled"}, r.State)
	case KindSpotFleet, KindEC2Fleet:
		return slices.Contains([]string{"cancelled", "cancelled_running", "cancelled_terminating", "deleted", "deleted_running",
			"deleted_terminating", "failed"}, r.State)
	}
	return false
}

// RespawnerSurvey is every enabled region's respawners, and the regions read.
type RespawnerSurvey struct {
	Respawners []Respawner  `json:"respawners"`
	Regions    []RegionRead `json:"regions"`
}

// SurveyRespawners reads the Auto Scaling groups, spot requests, spot fleets, EC2 fleets and
// launch templates of every enabled region, every list to its last page.
func (a *Account) SurveyRespawners(ctx context.Context, opts RegionReadOptions) (*RespawnerSurvey, error) {
	var mu sync.Mutex
	var found []Respawner
	regions, err := a.readRegions(ctx, opts, func(ctx context.Context, region string) error {
		list, err := a.RegionRespawners(ctx, region)
		mu.Lock()
		defer mu.Unlock()
		found = append(found, list...)
		return err
	})
	if regions == nil {
		return nil, err
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].Region < found[j].Region })
	return &RespawnerSurvey{Respawners: found, Regions: regions}, err
}

// SurveyRespawners reads every region's respawners (see Account.SurveyRespawners).
func (r *ReadOnly) SurveyRespawners(ctx context.Context, opts RegionReadOptions) (*RespawnerSurvey, error) {
	return r.a.SurveyRespawners(ctx, opts)
}

// RegionRespawners reads one region's respawners, in the order groups, spot requests, spot fleets,
// EC2 fleets, launch templates: the read-back of stopping one.
func (a *Account) RegionRespawners(ctx context.Context, region string) ([]Respawner, error) {
	var out []Respawner
	reads := []func(context.Context, string) ([]Respawner, error){a.scalingGroups, a.spotRequests, a.spotFleets, a.ec2Fleets, a.launchTemplates}
	for _, read := range reads {
		list, err := read(ctx, region)
		if err != nil {
			return out, fmt.Errorf("in %s: %w", region, err)
		}
		out = append(out, list...)
	}
	return out, nil
}

// RegionRespawners reads one region's respawners (see Account.RegionRespawners).
func (r *ReadOnly) RegionRespawners(ctx context.Context, region string) ([]Respawner, error) {
	return r.a.RegionRespawners(ctx, region)
}

// FindRespawner reads one respawner again; found is false once AWS no longer lists it.
func (a *Account) FindRespawner(ctx context.Context, region string, kind RespawnerKind, id string) (Respawner, bool, error) {
	list, err := a.RegionRespawners(ctx, region)
	if err != nil {
		return Respawner{}, false, err
	}
	for _, r := range list {
		if r.Kind == kind && r.ID == id {
			return r, true, nil
		}
	}
	return Respawner{}, false, nil
}

// FindRespawner reads one respawner again (see Account.FindRespawner).
func (r *ReadOnly) FindRespawner(ctx context.Context, region string, kind RespawnerKind, id string) (Respawner, bool, error) {
	return r.a.FindRespawner(ctx, region, kind, id)
}

func (a *Account) scalingGroups(ctx context.Context, region string) ([]Respawner, error) {
	var out []Respawner
	p := autoscaling.NewDescribeAutoScalingGroupsPaginator(a.scalingClient(region), &autoscaling.DescribeAutoScalingGroupsInput{MaxRecords: sdk.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("DescribeAutoScalingGroups: %w", err)
		}
		for _, g := range page.AutoScalingGroups {
			r := Respawner{Region: region, Kind: KindScalingGroup, ID: sdk.ToString(g.AutoScalingGroupName), Name: sdk.ToString(g.AutoScalingGroupName),
				ARN:     sdk.ToString(g.AutoScalingGroupARN),
				Created: sdk.ToTime(g.CreatedTime), State: sdk.ToString(g.Status), Min: int(sdk.ToInt32(g.MinSize)),
				Max: int(sdk.ToInt32(g.MaxSize)), Desired: int(sdk.ToInt32(g.DesiredCapacity))}
			if g.LaunchTemplate != nil {
				r.Template = sdk.ToString(g.LaunchTemplate.LaunchTemplateName)
			}
			for _, in := range g.Instances {
				r.Instances = append(r.Instances, sdk.ToString(in.InstanceId))
				if in.LifecycleState == "Terminating" || in.LifecycleState == "Terminating:Wait" || in.LifecycleState == "Terminating:Proceed" {
					r.Terminating++
				}
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func (a *Account) spotRequests(ctx context.Context, region string) ([]Respawner, error) {
	list, err := listSpotRequests(ctx, a.ec2Client(region))
	if err != nil {
		return nil, err
	}
	out := make([]Respawner, 0, len(list))
	for _, s := range list {
		r := Respawner{Region: region, Kind: KindSpotRequest, ID: s.ID, Created: s.Created, State: s.State, Type: s.Type}
		if s.InstanceID != "" {
			r.Instances = []string{s.InstanceID}
		}
		out = append(out, r)
	}
	return out, nil
}

func (a *Account) spotFleets(ctx context.Context, region string) ([]Respawner, error) {
	var out []Respawner
	p := ec2.NewDescribeSpotFleetRequestsPaginator(a.ec2Client(region), &ec2.DescribeSpotFleetRequestsInput{MaxResults: sdk.Int32(pageSize)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("DescribeSpotFleetRequests: %w", err)
		}
		for _, f := range page.SpotFleetRequestConfigs {
			r := Respawner{Region: region, Kind: KindSpotFleet, ID: sdk.ToString(f.SpotFleetRequestId), Created: sdk.ToTime(f.CreateTime),
				State: string(f.SpotFleetRequestState)}
			if c := f.SpotFleetRequestConfig; c != nil {
				r.Type, r.Desired = string(c.Type), int(sdk.ToInt32(c.TargetCapacity))
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func (a *Account) ec2Fleets(ctx context.Context, region string) ([]Respawner, error) {
	var out []Respawner
	p := ec2.NewDescribeFleetsPaginator(a.ec2Client(region), &ec2.DescribeFleetsInput{MaxResults: sdk.Int32(pageSize)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("DescribeFleets: %w", err)
		}
		for _, f := range page.Fleets {
			r := Respawner{Region: region, Kind: KindEC2Fleet, ID: sdk.ToString(f.FleetId), Created: sdk.ToTime(f.CreateTime),
				State: string(f.FleetState), Type: string(f.Type)}
			if t := f.TargetCapacitySpecification; t != nil {
				r.Desired = int(sdk.ToInt32(t.TotalTargetCapacity))
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func (a *Account) launchTemplates(ctx context.Context, region string) ([]Respawner, error) {
	var out []Respawner
	p := ec2.NewDescribeLaunchTemplatesPaginator(a.ec2Client(region), &ec2.DescribeLaunchTemplatesInput{MaxResults: sdk.Int32(200)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("DescribeLaunchTemplates: %w", err)
		}
		for _, t := range page.LaunchTemplates {
			out = append(out, Respawner{Region: region, Kind: KindLaunchTemplate, ID: sdk.ToString(t.LaunchTemplateId),
				Name: sdk.ToString(t.LaunchTemplateName), Created: sdk.ToTime(t.CreateTime)})
		}
	}
	return out, nil
}

// scalingClient returns region's Auto Scaling client. It never leaves this package: readers call
// it here, and changes only through the guard.
func (a *Account) scalingClient(region string) *autoscaling.Client {
	return regionClient(a, &a.respawners, region, func() *autoscaling.Client {
		return autoscaling.NewFromConfig(a.cfg, func(o *autoscaling.Options) {
			o.Region = region
			o.BaseEndpoint = a.endpointOverride()
		})
	})
}
