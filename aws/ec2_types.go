package aws

import (
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Instance is one EC2 instance as a scan saw it.
type Instance struct {
	ID     string `json:"id"`
	Region string `json:"region"`
	Type   string `json:"type"`
	State  string `json:"state"`
	// LaunchTime is EC2's: the last start, which a stop and start sets anew.
	LaunchTime time.Time `json:"launch_time"`
	// FirstLaunch is when the instance was first launched: its primary network interface's
	// attachment time, which a restart keeps. It is LaunchTime when EC2 did not say.
	FirstLaunch   time.Time         `json:"first_launch"`
	KeyName       string            `json:"key_name"`
	SpotRequestID string            `json:"spot_request_id"`
	Tags          map[string]string `json:"tags"`
}

// KeyPair is one EC2 key pair of a region.
type KeyPair struct {
	Name    string    `json:"name"`
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
}

// SpotRequest is one spot instance request of a region.
type SpotRequest struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	State      string    `json:"state"`
	InstanceID string    `json:"instance_id,omitempty"`
	Created    time.Time `json:"created"`
}

// RegionStatus is where a region's scan is.
type RegionStatus string

const (
	RegionQueued   RegionStatus = "queued"
	RegionScanning RegionStatus = "scanning"
	RegionOK       RegionStatus = "ok"
	RegionFailed   RegionStatus = "error"
	RegionSkipped  RegionStatus = "skipped"
)

// RegionScan is one region's part of a scan. Code and Message say why it failed or was skipped.
type RegionScan struct {
	Region    string
	Status    RegionStatus
	Code      string
	Message   string
	Duration  time.Duration
	Instances []Instance
	// Found is how many instances the scan found, kept when the instances themselves were let
	// go (ScanOptions.Release).
	Found int
	// rows are the instances as the scan holds them until the region is reported (see held).
	rows         instanceRows
	SpotRequests []SpotRequest
	KeyPairs     []KeyPair
	// Retries counts the region's EC2 attempts beyond the first of each call (throttling, 5xx,
	// timeouts) up to the end of its scan.
	Retries int
}

// Count is how many instances the region's scan found, whether or not they are still held.
func (r RegionScan) Count() int { return max(r.Found, len(r.Instances)) }

// held is the region with its instances made from the rows the scan holds, which it lets go.
func (r RegionScan) held() RegionScan {
	if r.rows != nil {
		r.Instances, r.rows = r.rows.instances(r.Region), nil
	}
	return r
}

// Compact is the region holding its instances as a scan does until it reports them, compactly:
// for a caller that must keep a region it cannot judge yet. Whole gives them back.
func (r RegionScan) Compact() RegionScan {
	if r.Instances != nil {
		rows := make([]instanceRow, len(r.Instances))
		for i, in := range r.Instances {
			rows[i] = rowOf(in)
		}
		r.rows, r.Instances = instanceRows{rows}, nil
	}
	return r
}

// Whole is the region with the instances Compact packed made whole again.
func (r RegionScan) Whole() RegionScan { return r.held() }

// Finished reports whether the region's scan is over, whichever way it ended.
func (r RegionScan) Finished() bool {
	return r.Status == RegionOK || r.Status == RegionFailed || r.Status == RegionSkipped
}

// InstanceScan is the result of scanning every region.
type InstanceScan struct {
	// Regions are sorted by name; skipped and failed regions are included.
	Regions   []RegionScan
	StartedAt time.Time
	Duration  time.Duration
	// Unlisted says why the account's regions could not be listed; empty when they were.
	Unlisted string
}

// Failed counts regions that could not be scanned.
func (s *InstanceScan) Failed() int {
	n := 0
	for _, r := range s.Regions {
		if r.Status == RegionFailed {
			n++
		}
	}
	return n
}

// Instances returns every instance found, region by region.
func (s *InstanceScan) Instances() []Instance {
	var out []Instance
	for _, r := range s.Regions {
		out = append(out, r.Instances...)
	}
	return out
}

// Region returns the scan of one region.
func (s *InstanceScan) Region(name string) (RegionScan, bool) {
	for _, r := range s.Regions {
		if r.Region == name {
			return r, true
		}
	}
	return RegionScan{}, false
}

func instanceFrom(region string, i types.Instance) Instance {
	out := Instance{
		ID: sdk.ToString(i.InstanceId), Region: region, Type: string(i.InstanceType),
		LaunchTime: sdk.ToTime(i.LaunchTime).UTC(), KeyName: sdk.ToString(i.KeyName),
		SpotRequestID: sdk.ToString(i.SpotInstanceRequestId), Tags: make(map[string]string, len(i.Tags)),
	}
	if i.State != nil {
		out.State = string(i.State.Name)
	}
	out.FirstLaunch = out.LaunchTime
	for _, ni := range i.NetworkInterfaces {
		if a := ni.Attachment; a != nil && sdk.ToInt32(a.DeviceIndex) == 0 && a.AttachTime != nil {
			out.FirstLaunch = sdk.ToTime(a.AttachTime).UTC()
		}
	}
	for _, t := range i.Tags {
		out.Tags[sdk.ToString(t.Key)] = sdk.ToString(t.Value)
	}
	return out
}
