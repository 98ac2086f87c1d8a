package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// RespawnerRef names the respawner behind an instance.
type RespawnerRef struct {
	Kind RespawnerKind `json:"kind"`
	ID   string        `json:"id"`
}

// Behind lists what may launch the instance again: its spot request, and the Auto Scaling group
// or fleet named by the tags AWS puts on the instances they launch.
func Behind(in Instance) []RespawnerRef {
	var out []RespawnerRef
	if in.SpotRequestID != "" {
		out = append(out, RespawnerRef{KindSpotRequest, in.SpotRequestID})
	}
	for _, t := range []struct {
		tag  string
		kind RespawnerKind
	}{{TagScalingGroup, KindScalingGroup}, {TagSpotFleet, KindSpotFleet}, {TagEC2Fleet, KindEC2Fleet}} {
		if v := in.Tags[t.tag]; v != "" {
			out = append(out, RespawnerRef{t.kind, v})
		}
	}
	return out
}

// Standing returns the respawners among refs that a region's list shows still launching.
func Standing(list []Respawner, refs []RespawnerRef) []Respawner {
	var out []Respawner
	for _, ref := range refs {
		for _, r := range list {
			if r.Kind == ref.Kind && r.ID == ref.ID && !r.Stopped() && r.Relaunches() {
				out = append(out, r)
			}
		}
	}
	return out
}

// InstancesByID describes a region's instances by id, in batches EC2 accepts; ids EC2 no
// longer knows are left out.
func (a *Account) InstancesByID(ctx context.Context, region string, ids []string) ([]Instance, error) {
	var out []Instance
	for start := 0; start < len(ids); start += maxBatch {
		batch := ids[start:min(start+maxBatch, len(ids))]
		page, err := a.ec2Client(region).DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: batch})
		if ErrorCode(err) == "InvalidInstanceID.NotFound" {
			// One unknown id fails the whole call: describe the others one by one.
			for _, id := range batch {
				if len(batch) > 1 {
					one, err := a.InstancesByID(ctx, region, []string{id})
					if err != nil {
						return out, err
					}
					out = append(out, one...)
				}
			}
			continue
		}
		if err != nil {
			return out, fmt.Errorf("DescribeInstances in %s: %w", region, err)
		}
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				out = append(out, instanceFrom(region, i))
			}
		}
	}
	return out, nil
}

// InstancesByID describes a region's instances by id (see Account.InstancesByID).
func (r *ReadOnly) InstancesByID(ctx context.Context, region string, ids []string) ([]Instance, error) {
	return r.a.InstancesByID(ctx, region, ids)
}
