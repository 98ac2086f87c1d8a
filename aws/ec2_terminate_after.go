package aws

import (
	"context"
	"slices"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// cancelSpot cancels the spot requests behind the targets before they are terminated: a persistent
// request whose instance is terminated launches a new one, so the request must go first. Cancelling
// leaves the instance running; the termination that follows takes care of it.
func (rr *regionRun) cancelSpot(ctx context.Context, ids []string) {
	results := map[string]*TargetResult{}
	for _, id := range ids {
		results[id] = &TargetResult{Region: rr.region, ID: id}
	}
	for start := 0; start < len(ids); start += rr.batch {
		pending := slices.Clone(ids[start:min(start+rr.batch, len(ids))])
		for len(pending) > 0 {
			pending = rr.cancelSpotBatch(ctx, pending, results)
		}
	}
	for _, id := range ids {
		rr.spot = append(rr.spot, *results[id])
	}
}

// cancelSpotBatch sends one call and returns what is left to retry (unknown ids taken out).
func (rr *regionRun) cancelSpotBatch(ctx context.Context, pending []string, results map[string]*TargetResult) []string {
	out, err := rr.api.cancelSpot(ctx, pending)
	switch code := ErrorCode(err); {
	case err == nil:
		for _, c := range out.CancelledSpotInstanceRequests {
			if r, ok := results[sdk.ToString(c.SpotInstanceRequestId)]; ok {
				r.Fate, r.FinalState = Cancelled, string(c.State)
			}
		}
	case code == "DryRunOperation":
		setFate(results, pending, WouldSucceed, "", "the DryRun call says this would succeed")
	case code == "InvalidSpotInstanceRequestID.NotFound":
		if named := namedIDs(ErrorMessage(err), pending); len(named) > 0 {
			setFate(results, named, Gone, code, "EC2 no longer knows this spot request")
			return slices.DeleteFunc(pending, func(id string) bool { return slices.Contains(named, id) })
		}
		fallthrough
	default:
		setFate(results, pending, FailedFate, code, ErrorMessage(err)+" — the request may launch a replacement instance")
	}
	return nil
}

// verifyChunk is how many ids go in one instance-id filter (EC2 accepts up to 200 values).
const verifyChunk = 200

// verify describes the targets again so the operator sees each one's final state, not what the
// terminate call predicted. Ids EC2 no longer lists are reported as gone.
func (rr *regionRun) verify(ctx context.Context) {
	ids := make([]string, 0, len(rr.results))
	for id := range rr.results {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for start := 0; start < len(ids); start += verifyChunk {
		chunk := ids[start:min(start+verifyChunk, len(ids))]
		states, err := describeStates(ctx, rr.api, chunk)
		if err != nil {
			for _, id := range chunk {
				rr.results[id].FinalState = "unknown (" + ErrorCode(err) + ")"
			}
			continue
		}
		for _, id := range chunk {
			if s, ok := states[id]; ok {
				rr.results[id].FinalState = s
			} else {
				rr.results[id].FinalState = "gone"
			}
			rr.settle(rr.results[id])
		}
	}
}

// settle decides a termination whose answer was lost by what the read-back shows: an instance
// shutting down or terminated was terminated by that call.
func (rr *regionRun) settle(r *TargetResult) {
	if !r.unsettled || r.Fate != FailedFate {
		return
	}
	switch r.FinalState {
	case string(types.InstanceStateNameShuttingDown), string(types.InstanceStateNameTerminated):
		r.Fate, r.Message = Terminated, "the answer was lost ("+r.Code+"); reading it back shows the instance "+r.FinalState
		r.Code = ""
	}
}

// OutcomeUnknown reports a termination whose call went out and got no answer, and whose instance
// could not be read back either: it may or may not have been terminated.
func (r TargetResult) OutcomeUnknown() bool {
	return r.unsettled && r.Fate == FailedFate && (r.FinalState == "" || strings.HasPrefix(r.FinalState, "unknown"))
}

func describeStates(ctx context.Context, api ec2.DescribeInstancesAPIClient, ids []string) (map[string]string, error) {
	out := map[string]string{}
	p := ec2.NewDescribeInstancesPaginator(api, &ec2.DescribeInstancesInput{MaxResults: sdk.Int32(pageSize),
		Filters: []types.Filter{{Name: sdk.String("instance-id"), Values: ids}}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				if i.State != nil {
					out[sdk.ToString(i.InstanceId)] = string(i.State.Name)
				}
			}
		}
	}
	return out, nil
}

// InstanceStates reads the state of each instance id in one region ("running", "terminated"…); an
// id EC2 no longer knows is absent from the answer.
func InstanceStates(ctx context.Context, api ec2.DescribeInstancesAPIClient, ids []string) (map[string]string, error) {
	return describeStates(ctx, api, ids)
}

// SpotRequests lists a region's spot instance requests, whatever their state.
func SpotRequests(ctx context.Context, api ec2.DescribeSpotInstanceRequestsAPIClient) ([]SpotRequest, error) {
	return listSpotRequests(ctx, api)
}
