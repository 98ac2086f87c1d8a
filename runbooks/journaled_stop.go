package runbooks

import (
	"context"

	"lockdown/aws"
	"lockdown/steps"
)

func (j *journaledChanges) StopInstance(ctx context.Context, region, id string) (aws.Effect, error) {
	c := steps.Change{ID: steps.StopChangeID(region, id), Row: id, Op: steps.OpStop, Region: region, Target: id,
		Summary: "stop " + id + " in " + region}
	return j.around(c, func() (aws.Effect, error) { return j.inner.StopInstance(ctx, region, id) })
}
