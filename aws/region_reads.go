package aws

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/smithy-go/middleware"
)

// RegionRead is one region's part of a read that is not an instance scan (trails, detectors, key
// pairs): whether it was read, and why not.
type RegionRead struct {
	Region  string       `json:"region"`
	Status  RegionStatus `json:"status"`
	Code    string       `json:"code,omitempty"`
	Message string       `json:"message,omitempty"`
}

// RegionReadOptions say which regions a read covers.
type RegionReadOptions struct {
	// Regions, when set, limits the read to these regions.
	Regions []string
	// Skip leaves these regions out (denied by policy): listed as skipped, never read.
	Skip []string
	// Workers bounds the regions read at once (zero: DefaultScanConcurrency).
	Workers int
}

// readRegions lists the enabled regions as the instance scan does, then runs read in each of them
// at once, bounded. A region whose read fails is reported failed with AWS's error code; skipped
// regions are reported with why. The answer is sorted by region.
func (a *Account) readRegions(ctx context.Context, opts RegionReadOptions, read func(ctx context.Context, region string) error) ([]RegionRead, error) {
	s := &scanner{regions: a.EC2(a.HomeRegion()), opts: ScanOptions{Regions: opts.Regions, Skip: opts.Skip}, home: a.HomeRegion()}
	plan, err := s.planRegions(ctx)
	if err != nil {
		return nil, err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = DefaultScanConcurrency
	}
	out := make([]RegionRead, len(plan))
	slots := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, r := range plan {
		out[i] = RegionRead{Region: r.Region, Status: r.Status, Code: r.Code, Message: r.Message}
		if r.Status != RegionQueued {
			continue
		}
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			if err := read(ctx, r.Region); err != nil {
				out[i].Status, out[i].Code, out[i].Message = RegionFailed, ErrorCode(err), ErrorMessage(err)
				return
			}
			out[i].Status = RegionOK
		})
	}
	wg.Wait()
	sort.Slice(out, func(i, j int) bool { return out[i].Region < out[j].Region })
	return out, ctx.Err()
}

// FailedRegions lists the regions a read could not cover.
func FailedRegions(reads []RegionRead) []RegionRead {
	var out []RegionRead
	for _, r := range reads {
		if r.Status == RegionFailed {
			out = append(out, r)
		}
	}
	return out
}

// eventsNamed reads, in each region that was read, the CloudTrail events called one of names since
// T0: the evidence of what cannot be seen any more (a deleted trail or detector). It returns the
// events, oldest first, and the regions whose history could not be read.
func (a *Account) eventsNamed(ctx context.Context, regions []RegionRead, names []string, since time.Time) ([]TrailEvent, []RegionRead) {
	t := &tracer{client: func(region string) CloudTrailReader { return evidenceReader{a.CloudTrail(region)} }}
	var mu sync.Mutex
	var events []TrailEvent
	var unread []RegionRead
	var wg sync.WaitGroup
	for _, r := range regions {
		if r.Status != RegionOK {
			continue
		}
		wg.Go(func() {
			for _, name := range names {
				found, _, err := t.lookupAll(ctx, r.Region, lookup{key: "EventName", value: name}, since)
				mu.Lock()
				if err != nil {
					unread = append(unread, RegionRead{Region: r.Region, Status: RegionFailed, Code: ErrorCode(err), Message: ErrorMessage(err)})
					mu.Unlock()
					return
				}
				events = append(events, found...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	sortEvents(events)
	sort.Slice(unread, func(i, j int) bool { return unread[i].Region < unread[j].Region })
	return events, unread
}

// evidenceReader looks events up for evidence. A region whose history does not answer — no
// answer, or a server error — is reported unread after evidenceAttempts attempts rather than
// holding the step for a minute. Throttling is an answer, not a silence: it is ridden out under
// the policy's window as every call rides it out, or an account throttled a fifth of the time
// would see some region's history unread in every other verification.
type evidenceReader struct{ CloudTrailReader }

const evidenceAttempts = 3

func (r evidenceReader) LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	tries := &fewTriesUnlessThrottled{limit: evidenceAttempts}
	return r.CloudTrailReader.LookupEvents(ctx, in, append(optFns, func(o *cloudtrail.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Finalize.Insert(tries, "Retry", middleware.After)
		})
	})...)
}

// fewTriesUnlessThrottled ends one call's retries after limit failed attempts, unless the last
// one was throttled. It sits under the retry loop, so it sees every attempt.
type fewTriesUnlessThrottled struct {
	limit, tries int
}

func (*fewTriesUnlessThrottled) ID() string { return "lockdown.FewTriesUnlessThrottled" }

func (m *fewTriesUnlessThrottled) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleFinalize(ctx, in)
	m.tries++
	if err != nil && m.tries >= m.limit && !isThrottle(err) {
		err = &givenUpError{err}
	}
	return out, md, err
}

// givenUpError is a failure not to be retried again.
type givenUpError struct{ err error }

func (e *givenUpError) Error() string        { return e.err.Error() }
func (e *givenUpError) Unwrap() error        { return e.err }
func (e *givenUpError) RetryableError() bool { return false }
