package aws

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// RegionsAPI lists the account's regions with their opt-in status.
type RegionsAPI interface {
	DescribeRegions(ctx context.Context, in *ec2.DescribeRegionsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error)
}

// RegionScanAPI is what scanning one region needs: its instances, spot requests and key pairs.
type RegionScanAPI interface {
	ec2.DescribeInstancesAPIClient
	ec2.DescribeSpotInstanceRequestsAPIClient
	ec2.DescribeKeyPairsAPIClient
}

// Scan defaults. A scan costs one round trip per wave of regions, so the pool is sized for every
// enabled region to be in flight at once (24 today, more as AWS opens regions); EC2 limits request
// rates per region, so one call per region at a time trips nothing. The bound keeps a future list
// of regions from opening connections without limit. A region gets two minutes: with the retry
// policy in account.go a throttled page can take ~40 s of backoff, and a region that still has not
// answered after that is reported failed rather than holding the whole scan hostage.
const (
	DefaultScanConcurrency = 32
	DefaultRegionTimeout   = 2 * time.Minute
	pageSize               = 1000
)

// ScanOptions limit and tune a scan.
type ScanOptions struct {
	// Regions, when set, limits the scan to these regions.
	Regions []string
	// Skip leaves these regions out (denied by policy): listed as skipped, never scanned.
	Skip          []string
	Concurrency   int
	RegionTimeout time.Duration
	// Release lets each region's instances go once report has seen the region finish: a caller
	// that consumes them there keeps a scan of any size in bounded memory. The scan returned
	// then holds each region's count (Found), not its instances.
	Release bool
}

// ScanInstances lists the live instances (pending, running, stopping, stopped), spot requests and
// key pairs of every enabled region, one worker per region. report, when not nil, is called (never
// concurrently) each time a region is queued, starts or ends. A failing region is recorded with its
// AWS error code and does not stop the others; cancelling ctx stops every worker.
func (a *Account) ScanInstances(ctx context.Context, opts ScanOptions, report func(RegionScan)) (*InstanceScan, error) {
	s := &scanner{regions: a.EC2(a.HomeRegion()), client: func(r string) RegionScanAPI { return a.EC2(r) }, opts: opts, home: a.HomeRegion(),
		listBound: a.phaseBound(), retries: func(r string) int { return a.stats.For("EC2", r).Retries() }}
	return s.run(ctx, report)
}

type scanner struct {
	regions RegionsAPI
	client  func(region string) RegionScanAPI
	opts    ScanOptions
	// home is the region DescribeRegions is called in; it is enabled by definition.
	home string
	// listBound bounds DescribeRegions (zero: none); retries, when set, counts a region's retries.
	listBound time.Duration
	retries   func(region string) int
}

func (s *scanner) run(ctx context.Context, report func(RegionScan)) (*InstanceScan, error) {
	started := time.Now()
	limit := s.opts.Concurrency
	if limit <= 0 {
		limit = DefaultScanConcurrency
	}
	slots := make(chan struct{}, limit)
	head := s.headStart(ctx, slots)
	plan, err := s.planRegions(ctx)
	if err != nil {
		// The regions could not be listed, but the home region's scan is already under way: keep
		// what it finds rather than discarding it with the list.
		scan := &InstanceScan{StartedAt: started, Unlisted: err.Error()}
		if head != nil {
			home := <-head
			if report != nil {
				report(home.held())
			}
			s.release(&home)
			scan.Regions = []RegionScan{home}
		}
		scan.Duration = time.Since(started)
		return scan, &RegionsUnlistedError{Home: s.home, Err: err}
	}
	var mu sync.Mutex
	tell := func(r RegionScan) {
		if report != nil {
			mu.Lock()
			defer mu.Unlock()
			// The region's instances are made whole here, under the lock: one region at a time.
			report(r.held())
		}
	}
	for _, r := range plan {
		tell(r)
	}
	var wg sync.WaitGroup
	for i := range plan {
		if plan[i].Status != RegionQueued {
			continue
		}
		if h := head; h != nil && plan[i].Region == s.home {
			head = nil
			wg.Go(func() {
				tell(RegionScan{Region: plan[i].Region, Status: RegionScanning})
				plan[i] = <-h
				tell(plan[i])
				s.release(&plan[i])
			})
			continue
		}
		wg.Go(func() {
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
				tell(RegionScan{Region: plan[i].Region, Status: RegionScanning})
				plan[i] = s.scanRegion(ctx, plan[i].Region)
			case <-ctx.Done():
				plan[i] = failedRegion(plan[i].Region, ctx.Err(), 0)
			}
			tell(plan[i])
			s.release(&plan[i])
		})
	}
	wg.Wait()
	if head != nil {
		<-head // the home region was not in the plan (not enabled, or not asked for)
	}
	return &InstanceScan{Regions: plan, StartedAt: started, Duration: time.Since(started)}, ctx.Err()
}

// release lets a finished region's instances go, when the caller asked for it.
func (s *scanner) release(r *RegionScan) {
	if s.opts.Release {
		r.Instances, r.rows = nil, nil
	}
}

// headStart scans the home region while DescribeRegions is still in flight: the home region is
// enabled by definition, and starting it early saves a whole round trip when an account has more
// enabled regions than workers (17 regions, 16 workers). It holds a worker slot like any region.
func (s *scanner) headStart(ctx context.Context, slots chan struct{}) <-chan RegionScan {
	if s.home == "" || (len(s.opts.Regions) > 0 && !slices.Contains(s.opts.Regions, s.home)) || slices.Contains(s.opts.Skip, s.home) {
		return nil
	}
	out := make(chan RegionScan, 1)
	slots <- struct{}{}
	go func() {
		defer func() { <-slots }()
		out <- s.scanRegion(ctx, s.home)
	}()
	return out
}

// planRegions decides which regions to scan. Regions that are not enabled cannot hold instances
// the credentials can see; they are listed as skipped, with why, rather than left out silently.
func (s *scanner) planRegions(ctx context.Context) ([]RegionScan, error) {
	if s.listBound > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, s.listBound, errRegionsTimeout)
		defer cancel()
	}
	out, err := s.regions.DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: sdk.Bool(true)})
	switch {
	case context.Cause(ctx) == errRegionsTimeout:
		err = fmt.Errorf("%w after %s", errRegionsTimeout, s.listBound)
	case isAttemptTimeout(err):
		err = fmt.Errorf("%w: %s", errRegionsTimeout, ErrorMessage(err))
	}
	if err != nil {
		return nil, fmt.Errorf("listing regions (ec2 DescribeRegions): %w", err)
	}
	wanted := map[string]bool{}
	for _, r := range s.opts.Regions {
		wanted[r] = true
	}
	listed := map[string]bool{}
	var plan []RegionScan
	for _, r := range out.Regions {
		name, status := sdk.ToString(r.RegionName), sdk.ToString(r.OptInStatus)
		if len(wanted) > 0 && !wanted[name] {
			continue
		}
		listed[name] = true
		switch {
		case slices.Contains(s.opts.Skip, name):
			plan = append(plan, RegionScan{Region: name, Status: RegionSkipped, Code: "SkippedByOperator",
				Message: "left out by the operator (--skip-regions): not inspected, nothing there is changed"})
		case status == "opt-in-not-required" || status == "opted-in" || status == "":
			plan = append(plan, RegionScan{Region: name, Status: RegionQueued})
		default:
			plan = append(plan, RegionScan{Region: name, Status: RegionSkipped, Code: "OptInRequired",
				Message: fmt.Sprintf("not enabled in this account (opt-in status %s): it cannot run instances", status)})
		}
	}
	for name := range wanted {
		if listed[name] {
			continue
		}
		plan = append(plan, RegionScan{Region: name, Status: RegionSkipped, Code: "UnknownRegion",
			Message: "DescribeRegions does not list this region for the account"})
	}
	sort.Slice(plan, func(i, j int) bool { return plan[i].Region < plan[j].Region })
	return plan, nil
}

// scanRegion reads a region's instances, spot requests and key pairs at the same time, so a
// region costs one round trip of latency when each list fits in a page.
func (s *scanner) scanRegion(ctx context.Context, region string) RegionScan {
	start := time.Now()
	timeout := s.opts.RegionTimeout
	if timeout <= 0 {
		timeout = DefaultRegionTimeout
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errRegionTimeout)
	defer cancel()
	client := s.client(region)
	res := RegionScan{Region: region}
	var errs [3]error
	var wg sync.WaitGroup
	wg.Go(func() { res.rows, errs[0] = listInstances(ctx, client, region) })
	wg.Go(func() { res.SpotRequests, errs[1] = listSpotRequests(ctx, client) })
	wg.Go(func() { res.KeyPairs, errs[2] = listKeyPairs(ctx, client) })
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		first := errs[0]
		for _, e := range errs {
			if first == nil {
				first = e
			}
		}
		if context.Cause(ctx) == errRegionTimeout {
			first = errRegionTimeout
		}
		failed := failedRegion(region, first, time.Since(start))
		failed.Retries = s.regionRetries(region)
		return failed
	}
	res.Status, res.Duration, res.Found = RegionOK, time.Since(start), res.rows.count()
	res.Retries = s.regionRetries(region)
	if !s.opts.Release {
		res = res.held()
	}
	return res
}

func (s *scanner) regionRetries(region string) int {
	if s.retries == nil {
		return 0
	}
	return s.retries(region)
}

var (
	errRegionTimeout  = errors.New("the region did not answer in time")
	errRegionsTimeout = errors.New("DescribeRegions did not answer in time")
)

// RegionsUnlistedError is a scan that could not list the account's regions: only the home region
// (if its own scan worked) was read. Denying EC2 in the home region by policy is the usual cause,
// and another home region is the way round it.
type RegionsUnlistedError struct {
	Home string
	Err  error
}

func (e *RegionsUnlistedError) Error() string {
	return fmt.Sprintf("%v: only the home region %s was scanned; if EC2 is denied or failing there, give another home region with --region", e.Err, e.Home)
}

func (e *RegionsUnlistedError) Unwrap() error { return e.Err }

// failedRegion records why a region could not be scanned, in AWS's words where there are some.
func failedRegion(region string, err error, took time.Duration) RegionScan {
	r := RegionScan{Region: region, Status: RegionFailed, Duration: took, Code: ErrorCode(err), Message: ErrorMessage(err)}
	var exhausted *retry.MaxAttemptsError
	switch {
	case errors.Is(err, errRegionTimeout) || errors.Is(err, context.DeadlineExceeded):
		r.Code, r.Message = "Timeout", errRegionTimeout.Error()
	case errors.Is(err, context.Canceled):
		r.Code, r.Message = "Cancelled", "the scan was cancelled before this region finished"
	case r.Code == "":
		r.Code = "Error"
	}
	if errors.As(err, &exhausted) {
		r.Message += fmt.Sprintf(" (still failing after %d attempts)", exhausted.Attempt)
	}
	return r
}

// scanStates are the states of an instance that runs or can be started again: the ones that cost
// money or can come back.
var scanStates = []string{"pending", "running", "stopping", "stopped"}

// listInstances reads a region's instances into rows, a page at a time.
func listInstances(ctx context.Context, api ec2.DescribeInstancesAPIClient, region string) (instanceRows, error) {
	in := &ec2.DescribeInstancesInput{
		MaxResults: sdk.Int32(pageSize),
		Filters:    []types.Filter{{Name: sdk.String("instance-state-name"), Values: scanStates}},
	}
	var out instanceRows
	compact := readPagesCompactly(region, newInterner())
	p := ec2.NewDescribeInstancesPaginator(api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, compact)
		if err != nil {
			return nil, fmt.Errorf("DescribeInstances: %w", err)
		}
		if rows := rowsOf(page, region); len(rows) > 0 {
			out = append(out, rows)
		}
	}
	return out, nil
}

func listSpotRequests(ctx context.Context, api ec2.DescribeSpotInstanceRequestsAPIClient) ([]SpotRequest, error) {
	var out []SpotRequest
	p := ec2.NewDescribeSpotInstanceRequestsPaginator(api, &ec2.DescribeSpotInstanceRequestsInput{MaxResults: sdk.Int32(pageSize)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("DescribeSpotInstanceRequests: %w", err)
		}
		for _, r := range page.SpotInstanceRequests {
			out = append(out, SpotRequest{ID: sdk.ToString(r.SpotInstanceRequestId), Type: string(r.Type),
				State: string(r.State), InstanceID: sdk.ToString(r.InstanceId), Created: sdk.ToTime(r.CreateTime)})
		}
	}
	return out, nil
}

// listKeyPairs reads the region's key pairs; EC2 returns them all in one answer (no paging exists).
func listKeyPairs(ctx context.Context, api ec2.DescribeKeyPairsAPIClient) ([]KeyPair, error) {
	page, err := api.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{})
	if err != nil {
		return nil, fmt.Errorf("DescribeKeyPairs: %w", err)
	}
	out := make([]KeyPair, 0, len(page.KeyPairs))
	for _, k := range page.KeyPairs {
		out = append(out, KeyPair{Name: sdk.ToString(k.KeyName), ID: sdk.ToString(k.KeyPairId), Created: sdk.ToTime(k.CreateTime)})
	}
	return out, nil
}
