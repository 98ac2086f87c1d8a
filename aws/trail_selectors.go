package aws

import (
	"context"
	"fmt"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// Putting a trail's event selectors back to every management event, read and write, from every
// source. What the selectors record of data events (S3 objects, Lambda invocations) stays as it
// is: only the management part is widened.

// TrailCoverage reads which management events a trail records now, from its home region: the
// read-back of restoring its selectors.
func (r *ReadOnly) TrailCoverage(ctx context.Context, homeRegion, arn string) (string, []string, error) {
	out, err := r.a.trailClient(homeRegion).GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: sdk.String(arn)})
	if err != nil {
		return "", nil, fmt.Errorf("cloudtrail GetEventSelectors %s: %w", arn, err)
	}
	coverage, excluded := managementCoverage(out)
	return coverage, excluded, nil
}

func checkRestoreSelectors(ctx context.Context, a *Account, homeRegion, arn string) (*cloudtrail.GetEventSelectorsOutput, Effect, error) {
	out, err := a.trailClient(homeRegion).GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: sdk.String(arn)})
	if err != nil {
		return nil, "", fmt.Errorf("cloudtrail GetEventSelectors %s: %w", arn, err)
	}
	if coverage, excluded := managementCoverage(out); coverage == ManagementAll && len(excluded) == 0 {
		return out, AlreadyDone, nil
	}
	return out, WouldChange, nil
}

// restoredSelectors are the selectors with every management event recorded and the data-event
// selectors kept: basic ones widened in place, advanced ones with the management selectors
// replaced by one that takes every management event.
func restoredSelectors(name string, now *cloudtrail.GetEventSelectorsOutput) *cloudtrail.PutEventSelectorsInput {
	in := &cloudtrail.PutEventSelectorsInput{TrailName: sdk.String(name)}
	if len(now.AdvancedEventSelectors) > 0 {
		for _, s := range now.AdvancedEventSelectors {
			if _, _, _, management := advancedCoverage(s); !management {
				in.AdvancedEventSelectors = append(in.AdvancedEventSelectors, s)
			}
		}
		in.AdvancedEventSelectors = append(in.AdvancedEventSelectors, types.AdvancedEventSelector{Name: sdk.String("Management events"),
			FieldSelectors: []types.AdvancedFieldSelector{{Field: sdk.String("eventCategory"), Equals: []string{"Management"}}}})
		return in
	}
	for _, s := range now.EventSelectors {
		s.ReadWriteType, s.IncludeManagementEvents, s.ExcludeManagementEventSources = types.ReadWriteTypeAll, sdk.Bool(true), []string{}
		in.EventSelectors = append(in.EventSelectors, s)
	}
	if len(in.EventSelectors) == 0 {
		in.EventSelectors = []types.EventSelector{{ReadWriteType: types.ReadWriteTypeAll, IncludeManagementEvents: sdk.Bool(true)}}
	}
	return in
}

// RestoreSelectors widens a trail's selectors to every management event, from its home region;
// done only once GetEventSelectors reads that back.
func (c *liveChanges) RestoreSelectors(ctx context.Context, homeRegion, arn string) (Effect, error) {
	now, eff, err := checkRestoreSelectors(ctx, c.a, homeRegion, arn)
	if eff != WouldChange {
		return eff, err
	}
	if err := c.a.guard.AllowChange(); err != nil {
		return "", err
	}
	if _, err := c.a.trailClient(homeRegion).PutEventSelectors(ctx, restoredSelectors(trailName(arn), now)); err != nil {
		return "", fmt.Errorf("cloudtrail PutEventSelectors %s: %w", arn, err)
	}
	coverage, excluded, err := c.a.ReadOnly().TrailCoverage(ctx, homeRegion, arn)
	switch {
	case err != nil:
		return "", fmt.Errorf("put the selectors of %s, but could not read them back: %w", arn, err)
	case coverage != ManagementAll || len(excluded) > 0:
		return "", fmt.Errorf("put the selectors of %s, but GetEventSelectors still reads %s management events: run apply again to read it back", arn, coverage)
	}
	return Changed, nil
}

func (d *dryRunChanges) RestoreSelectors(ctx context.Context, homeRegion, arn string) (Effect, error) {
	_, eff, err := checkRestoreSelectors(ctx, d.a, homeRegion, arn)
	return d.prove(ctx, eff, err, on("cloudtrail:PutEventSelectors", fixed(arn)))
}

func (r refusal) RestoreSelectors(context.Context, string, string) (Effect, error) { return "", r.err }
