package aws

import (
	"context"
	"slices"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// regionRun terminates one region's targets and keeps what happened to each.
type regionRun struct {
	api       regionChanges
	region    string
	dryRun    bool
	batch     int
	results   map[string]*TargetResult
	instances []TargetResult
	spot      []TargetResult
	summary   RegionTermination
}

func (t *terminator) region(ctx context.Context, region string, targets []Target) *regionRun {
	rr := &regionRun{api: t.client(region), region: region, dryRun: t.dryRun, batch: t.opts.BatchSize,
		results: map[string]*TargetResult{}, summary: RegionTermination{Region: region}}
	if rr.batch <= 0 || rr.batch > maxBatch {
		rr.batch = maxBatch
	}
	var ids, spot, unprotect []string
	for _, tg := range targets {
		if tg.SpotRequestID != "" && !slices.Contains(spot, tg.SpotRequestID) {
			spot = append(spot, tg.SpotRequestID)
		}
		if _, dup := rr.results[tg.InstanceID]; dup || tg.InstanceID == "" {
			continue
		}
		rr.results[tg.InstanceID] = &TargetResult{Region: region, ID: tg.InstanceID}
		ids = append(ids, tg.InstanceID)
		if tg.Unprotect {
			unprotect = append(unprotect, tg.InstanceID)
		}
	}
	if refused := rr.unprotect(ctx, unprotect); len(refused) > 0 {
		ids = slices.DeleteFunc(ids, func(id string) bool { return slices.Contains(refused, id) })
	}
	rr.cancelSpot(ctx, spot)
	for start := 0; start < len(ids); start += rr.batch {
		rr.terminateBatch(ctx, ids[start:min(start+rr.batch, len(ids))])
	}
	rr.verify(ctx)
	for _, tg := range targets {
		if r, ok := rr.results[tg.InstanceID]; ok {
			rr.instances = append(rr.instances, *r)
			delete(rr.results, tg.InstanceID)
		}
	}
	if rr.dryRun && rr.summary.Code == "" {
		rr.summary.Code, rr.summary.Message = "DryRunOperation", "would succeed: the credentials may terminate these instances"
	}
	return rr
}

func (rr *regionRun) failed() int {
	n := 0
	for _, r := range rr.instances {
		if r.Fate == FailedFate {
			n++
		}
	}
	return n
}

// fail records a failure on ids and, for the first failure, on the region's summary.
func (rr *regionRun) fail(ids []string, err error) {
	code, msg := ErrorCode(err), ErrorMessage(err)
	rr.set(ids, FailedFate, code, msg)
	if rr.summary.Code == "" || rr.summary.Code == "DryRunOperation" {
		rr.summary.Code, rr.summary.Message = code, msg
	}
}

// terminateBatch sends one batch. EC2 fails the whole call when one instance is protected (or
// unknown) and names it; that instance is taken out and the rest retried, so one protected
// instance never shields the others. A call refused as unauthorized is tried instance by instance.
func (rr *regionRun) terminateBatch(ctx context.Context, batch []string) {
	pending := slices.Clone(batch)
	for len(pending) > 0 {
		out, err := rr.api.terminate(ctx, pending)
		rr.summary.Calls++
		switch code := ErrorCode(err); {
		case err == nil:
			rr.terminated(out.TerminatingInstances)
			return
		case code == "DryRunOperation":
			rr.set(pending, WouldSucceed, "", "the DryRun call says this would succeed")
			return
		case code == "UnauthorizedOperation" && len(pending) > 1:
			// A policy may deny some instances and allow the others, and EC2 then refuses the
			// whole call: each instance is tried on its own, so a denied one never shields the
			// others from termination.
			for _, id := range pending {
				rr.terminateBatch(ctx, []string{id})
			}
			return
		case code == "OperationNotPermitted" || code == "InvalidInstanceID.NotFound":
			named := namedIDs(ErrorMessage(err), pending)
			if len(named) == 0 {
				rr.fail(pending, err)
				return
			}
			fate, note := Protected, "termination protection is on (disableApiTermination); nothing was changed"
			if code != "OperationNotPermitted" {
				fate, note = Gone, "EC2 no longer knows this instance: it was terminated earlier or is in another region"
			}
			rr.set(named, fate, code, note)
			pending = slices.DeleteFunc(pending, func(id string) bool { return slices.Contains(named, id) })
		default:
			rr.fail(pending, err)
			if !rr.dryRun && outcomeUnknown(err) && !isThrottle(err) {
				for _, id := range pending {
					rr.results[id].unsettled = true
				}
			}
			return
		}
	}
}

func (rr *regionRun) terminated(changes []types.InstanceStateChange) {
	for _, c := range changes {
		r, ok := rr.results[sdk.ToString(c.InstanceId)]
		if !ok {
			continue
		}
		r.Fate = Terminated
		if c.PreviousState != nil && c.PreviousState.Name == types.InstanceStateNameTerminated {
			r.Fate, r.Message = AlreadyTerminated, "was already terminated"
		}
		if c.CurrentState != nil {
			r.FinalState = string(c.CurrentState.Name)
		}
	}
}

func (rr *regionRun) set(ids []string, fate Fate, code, msg string) {
	setFate(rr.results, ids, fate, code, msg)
}

// setFate records how ids ended.
func setFate(results map[string]*TargetResult, ids []string, fate Fate, code, msg string) {
	for _, id := range ids {
		r := results[id]
		r.Fate, r.Code, r.Message = fate, code, msg
	}
}

// namedIDs picks the quoted ids of pending that an EC2 error message names, as in
// "The instance 'i-0abc' may not be terminated" or "The instance IDs 'i-1, i-2' do not exist".
func namedIDs(msg string, pending []string) []string {
	var out []string
	parts := strings.Split(msg, "'")
	for i := 1; i < len(parts); i += 2 {
		for _, id := range strings.Split(parts[i], ",") {
			if id = strings.TrimSpace(id); slices.Contains(pending, id) && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// unprotect turns termination protection off, one instance per call as the API requires, and
// returns the ids it could not unprotect, which are then left alone.
func (rr *regionRun) unprotect(ctx context.Context, ids []string) (refused []string) {
	for _, id := range ids {
		if err := rr.api.unprotect(ctx, id); err != nil && ErrorCode(err) != "DryRunOperation" {
			rr.fail([]string{id}, err)
			refused = append(refused, id)
		}
	}
	return refused
}
