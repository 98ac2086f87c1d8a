package steps

import (
	"maps"
	"regexp"
	"slices"
	"strings"
)

// A region the responder may not touch (denied by the organization's policy, say) is left out of
// every step by the operator's decision, with the reason: the decision is journaled like a kept
// item, under SkipRegionItem, and the steps that read regions leave it out (skip_regions).

// SkipRegionItem is the kept item that records the decision to leave region out.
func SkipRegionItem(region string) string { return "skip-region:" + region }

// checkSkipped is the verification's check that names each region left out.
const checkSkipped = "skipped region"

// regionName matches an AWS region name (us-east-1, ap-southeast-3, us-gov-west-1).
var regionName = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]+$`)

// skippedRegions are the regions the operator left out, with why: those recorded with a reason,
// and those given to the step as skip_regions (--skip-regions) without one.
func skippedRegions(env *Env) map[string]string {
	out := map[string]string{}
	for item, reason := range keptItems(env) {
		if region, ok := strings.CutPrefix(item, SkipRegionItem("")); ok && region != "" {
			out[region] = reason
		}
	}
	for _, region := range env.Params.Strings("skip_regions") {
		if _, ok := out[region]; !ok {
			out[region] = "left out with --skip-regions"
		}
	}
	return out
}

// regionOf is the region a check's item names, "" when it names none: "me-south-1" itself, or
// "me-south-1/i-0abc…".
func regionOf(item string) string {
	region, _, _ := strings.Cut(item, "/")
	if regionName.MatchString(region) {
		return region
	}
	return ""
}

// leaveOutSkipped replaces what the checks could not read in a region the operator left out with
// one line for the region: a pass that is the operator's decision, the reason beside it, saying
// that nothing there was read. Never a silent pass: the decision is counted as kept.
func leaveOutSkipped(env *Env, checks []VerifyCheck) []VerifyCheck {
	skipped := skippedRegions(env)
	if len(skipped) == 0 {
		return checks
	}
	out := slices.DeleteFunc(slices.Clone(checks), func(c VerifyCheck) bool {
		_, left := skipped[regionOf(c.Item)]
		return left && c.Result == VerifyUnknown
	})
	for _, region := range slices.Sorted(maps.Keys(skipped)) {
		out = append(out, VerifyCheck{Check: checkSkipped, Item: region, Result: VerifyPass, Kept: skipped[region],
			Evidence: "left out of every step: nothing in " + region + " was read or changed"})
	}
	return out
}

// UnreadRegion is the region a verification row could not read, which the operator may leave
// out with a reason: an unknown result naming a region.
func (v *Verification) UnreadRegion(rowID string) (string, bool) {
	for _, c := range v.Checks {
		if c.RowID() == rowID && c.Result == VerifyUnknown {
			if region := regionOf(c.Item); region != "" {
				return region, true
			}
		}
	}
	return "", false
}
