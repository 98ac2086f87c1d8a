package aws

import (
	"context"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// regionChanges is what terminating one region's instances needs: describing them, and the three
// changes, which the live changes send for real and the dry-run prover only with DryRun=true.
type regionChanges interface {
	ec2.DescribeInstancesAPIClient
	terminate(ctx context.Context, ids []string) (*ec2.TerminateInstancesOutput, error)
	cancelSpot(ctx context.Context, ids []string) (*ec2.CancelSpotInstanceRequestsOutput, error)
	unprotect(ctx context.Context, id string) error
}

// maxBatch is the most ids EC2 takes in one TerminateInstances or CancelSpotInstanceRequests call.
const maxBatch = 1000

// Target is one instance to terminate and the spot request that launched it, if any. A target with
// only a SpotRequestID cancels that request.
type Target struct {
	Region        string `json:"region"`
	InstanceID    string `json:"instance_id,omitempty"`
	SpotRequestID string `json:"spot_request_id,omitempty"`
	// Unprotect turns termination protection off (ModifyInstanceAttribute) before terminating: only
	// after the operator confirmed exactly this instance.
	Unprotect bool `json:"unprotect,omitempty"`
}

// TerminateOptions tune a termination.
type TerminateOptions struct {
	Concurrency int
	// BatchSize defaults to EC2's limit of 1000 ids per call.
	BatchSize int
}

// Fate is how one instance or spot request ended.
type Fate string

const (
	Terminated        Fate = "terminated"
	AlreadyTerminated Fate = "already-terminated"
	// Gone: EC2 no longer knows the id (terminated long ago, or never in this region).
	Gone Fate = "not-found"
	// Protected: termination protection refused it; nothing was changed.
	Protected    Fate = "protected"
	WouldSucceed Fate = "would-succeed"
	Cancelled    Fate = "cancelled"
	FailedFate   Fate = "failed"
)

// TargetResult is the end of one instance or spot request.
type TargetResult struct {
	Region string `json:"region"`
	ID     string `json:"id"`
	Fate   Fate   `json:"fate"`
	Code   string `json:"code,omitempty"`
	// Message is AWS's, or lockdown's note.
	Message string `json:"message,omitempty"`
	// FinalState is the instance state described after the calls ("terminated", "shutting-down").
	FinalState string `json:"final_state,omitempty"`
	// unsettled marks a call that failed without saying whether it acted (its answer was lost):
	// the read-back decides.
	unsettled bool
}

// RegionTermination is a region's summary; in a dry run it is the per-region permission verdict.
type RegionTermination struct {
	Region  string `json:"region"`
	Calls   int    `json:"calls"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// Termination is what TerminateInstances did.
type Termination struct {
	DryRun       bool                `json:"dry_run"`
	Instances    []TargetResult      `json:"instances"`
	SpotRequests []TargetResult      `json:"spot_requests,omitempty"`
	Regions      []RegionTermination `json:"regions"`
}

// TerminateProgress reports one region's termination as it goes.
type TerminateProgress struct {
	Region string
	Done   bool
	Total  int
	Failed int
	Code   string
}

// terminateWith terminates targets, region by region in parallel. It cancels the spot requests
// behind them first (so a persistent request cannot relaunch what was just terminated), then
// terminates in batches, taking instances refused for termination protection out of a batch and
// retrying the rest, and finally describes the instances again to report their final state. client
// decides what is sent: the real calls, or the same calls with DryRun=true, whose answers say per
// region whether they would succeed.
func terminateWith(ctx context.Context, client func(region string) regionChanges, dryRun bool, targets []Target, opts TerminateOptions, report func(TerminateProgress)) *Termination {
	t := &terminator{client: client, opts: opts, dryRun: dryRun}
	return t.run(ctx, targets, report)
}

type terminator struct {
	client func(region string) regionChanges
	opts   TerminateOptions
	dryRun bool
}

func (t *terminator) run(ctx context.Context, targets []Target, report func(TerminateProgress)) *Termination {
	byRegion := map[string][]Target{}
	for _, tg := range targets {
		byRegion[tg.Region] = append(byRegion[tg.Region], tg)
	}
	out := &Termination{DryRun: t.dryRun}
	var mu sync.Mutex
	limit := t.opts.Concurrency
	if limit <= 0 {
		limit = DefaultScanConcurrency
	}
	slots := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for region, list := range byRegion {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			rt := t.region(ctx, region, list)
			mu.Lock()
			defer mu.Unlock()
			out.Instances = append(out.Instances, rt.instances...)
			out.SpotRequests = append(out.SpotRequests, rt.spot...)
			out.Regions = append(out.Regions, rt.summary)
			if report != nil {
				report(TerminateProgress{Region: region, Done: true, Total: len(list), Failed: rt.failed(), Code: rt.summary.Code})
			}
		})
	}
	wg.Wait()
	out.sort()
	return out
}

func (o *Termination) sort() {
	byRegionID := func(list []TargetResult) func(i, j int) bool {
		return func(i, j int) bool {
			if list[i].Region != list[j].Region {
				return list[i].Region < list[j].Region
			}
			return list[i].ID < list[j].ID
		}
	}
	sort.Slice(o.Instances, byRegionID(o.Instances))
	sort.Slice(o.SpotRequests, byRegionID(o.SpotRequests))
	sort.Slice(o.Regions, func(i, j int) bool { return o.Regions[i].Region < o.Regions[j].Region })
}

// Count returns how many instances ended with fate.
func (o *Termination) Count(fate Fate) int {
	n := 0
	for _, r := range o.Instances {
		if r.Fate == fate {
			n++
		}
	}
	return n
}
