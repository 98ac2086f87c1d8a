package steps

import (
	"context"
	"slices"
	"sync"
	"time"

	"lockdown/aws"
)

// StreamRogueInstances is ScanForRogueInstances for a scan too large to hold whole: each region's
// instances are judged as soon as the region is scanned, handed to judged (most suspicious first
// within the region), and let go. The verdicts are the ones ScanForRogueInstances gives. The one
// judgement that needs every region — whether a region the account does not usually use is
// unusual, when the usual regions are inferred and no instance there is older than T0 — waits for
// the end, for those regions alone (the attacker's, typically: few instances). evidence is called
// before the first judgement and may wait for the CloudTrail trace; report sees each region's
// progress first. The findings returned hold the scan's regions and the rules, not the instances.
func StreamRogueInstances(ctx context.Context, acct *aws.ReadOnly, since time.Time, p Params, evidence func() *TraceEvidence,
	report func(aws.RegionScan), judged func([]RogueInstance) error) (*InstanceFindings, error) {
	rules := VerdictRules{Since: since, UsualRegions: p.Strings("usual_regions"), AllowIDs: p.Strings("allow_instance_ids"), AllowTags: p.Strings("allow_tags")}
	inferred := len(rules.UsualRegions) == 0
	rules.UsualInferred = inferred
	var once sync.Once
	var held []aws.RegionScan
	usual := map[string]bool{}
	var failed error
	pass := func(list []RogueInstance) {
		SortBySuspicion(list)
		if err := judged(list); err != nil && failed == nil {
			failed = err
		}
	}
	scan, err := acct.ScanInstances(ctx, aws.ScanOptions{Regions: p.Strings("regions"), Skip: p.Strings("skip_regions"),
		Concurrency: p.Int("concurrency", 0), Release: true}, func(r aws.RegionScan) {
		if report != nil {
			report(r)
		}
		if r.Status != aws.RegionOK || len(r.Instances) == 0 {
			return
		}
		once.Do(func() { rules.Trace = evidence() })
		switch {
		case inferred && usedBefore(r, since):
			usual[r.Region] = true
		case inferred && !since.IsZero():
			held = append(held, r.Compact()) // every region may wait here: each is held compactly
			return
		}
		regionRules := rules
		if inferred {
			regionRules.UsualRegions = nil // this region is usual: nothing about it is odd
		}
		pass(judgeRegion(r, regionRules))
	})
	if scan == nil {
		return nil, err
	}
	if inferred {
		for _, r := range scan.Regions {
			if usual[r.Region] {
				rules.UsualRegions = append(rules.UsualRegions, r.Region)
			}
		}
	}
	for _, r := range held {
		pass(judgeRegion(r.Whole(), rules))
	}
	if failed != nil && err == nil {
		err = failed
	}
	return &InstanceFindings{Scan: scan, Rules: rules}, err
}

// usedBefore reports whether the region held an instance first launched before T0: a region the account
// used before the incident. Without T0 no region is.
func usedBefore(r aws.RegionScan, since time.Time) bool {
	return !since.IsZero() && slices.ContainsFunc(r.Instances, func(in aws.Instance) bool { return firstLaunch(in).Before(since) })
}
