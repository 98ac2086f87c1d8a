package steps

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"lockdown/aws"
)

const checkAnalyzer = "Access Analyzer"

// byHandFinding is how an Access Analyzer finding is undone: lockdown has no action for most of
// the resources it covers.
const byHandFinding = "by hand: remove the outside access (bucket, key or function policy…), or keep it with a reason"

// analyzerFolded are the resource types lockdown's own checks judge from the account's state
// (shared snapshots; roles an outside account may assume): their findings would list one way in
// twice, and an analyzer that has not analyzed the resource again since it was fixed would keep
// failing it.
var analyzerFolded = map[string]string{"AWS::EC2::Snapshot": checkSnapshots, "AWS::IAM::Role": "outside trust"}

// checkAccessAnalyzer: where an external-access analyzer exists, it has no active finding. Its
// absence is said, not passed: a region without an analyzer is "not available" (AWS's own check
// was not there to consult, which says nothing about the attacker), while a region whose analyzer
// could not be read (denied, throttled, down) is unknown.
func checkAccessAnalyzer(ctx context.Context, env *Env) []VerifyCheck {
	regions, err := env.Account.SurveyAnalyzers(ctx, regionReadOptions(env.Params))
	if regions == nil {
		return []VerifyCheck{{Check: checkAnalyzer, Item: "all regions", Result: VerifyUnknown, Evidence: "cannot list the regions: " + unanswered(err), HandledBy: byHandFinding}}
	}
	kept := keptItems(env)
	var out []VerifyCheck
	var without []string
	unavailable := map[string][]string{}
	watched, folded := 0, 0
	for _, r := range regions {
		switch {
		case r.Status == aws.RegionSkipped:
			continue
		case r.Status != aws.RegionOK:
			out = append(out, VerifyCheck{Check: checkAnalyzer, Item: r.Region, Result: VerifyUnknown,
				Evidence: strings.TrimSpace("its findings could not be read: " + r.Code + " " + r.Message), HandledBy: "by hand: read Access Analyzer in " + r.Region})
			continue
		case r.NotAvailable != "":
			unavailable[r.NotAvailable] = append(unavailable[r.NotAvailable], r.Region)
			continue
		}
		active := activeAnalyzers(r.Analyzers)
		if len(active) == 0 {
			without = append(without, r.Region+inactive(r.Analyzers))
			continue
		}
		watched++
		for _, f := range r.Findings {
			if _, ok := analyzerFolded[f.ResourceType]; ok {
				folded++
				continue
			}
			c := VerifyCheck{Check: checkAnalyzer, Item: r.Region + "/" + f.ID, Result: VerifyFail, Evidence: findingEvidence(f), HandledBy: byHandFinding}
			c.keptBy(kept, f.ID, c.Item, f.Resource)
			out = append(out, c)
		}
	}
	out = append(out, analyzerAbsences(without, unavailable)...)
	if watched > 0 && !hasOpen(out) {
		keptFindings := 0
		for _, c := range out {
			if c.Kept != "" {
				keptFindings++
			}
		}
		but := ""
		if keptFindings > 0 {
			but = fmt.Sprintf(" but the %d the operator keeps", keptFindings)
		}
		evidence := fmt.Sprintf("no active finding of access from outside the account%s, in %s with an analyzer", but, plural(watched, "region"))
		if folded > 0 {
			evidence += fmt.Sprintf(" (%s on snapshots and roles left to lockdown's own checks of them)", plural(folded, "finding"))
		}
		out = append(out, VerifyCheck{Check: checkAnalyzer, Item: "regions with an analyzer", Result: VerifyPass, Evidence: evidence})
	}
	return out
}

func activeAnalyzers(all []aws.Analyzer) []aws.Analyzer {
	var out []aws.Analyzer
	for _, a := range all {
		if a.Status == "ACTIVE" {
			out = append(out, a)
		}
	}
	return out
}

// inactive names the analyzers of a region that exist but do not analyze (creating, disabled,
// failed).
func inactive(all []aws.Analyzer) string {
	var out []string
	for _, a := range all {
		out = append(out, a.Name+" is "+a.Status)
	}
	if len(out) == 0 {
		return ""
	}
	return " (" + strings.Join(out, ", ") + ")"
}

// analyzerAbsences says where Access Analyzer could not be consulted, as one item each: neither a
// pass (nothing was checked there) nor a failure (nothing was found).
func analyzerAbsences(without []string, unavailable map[string][]string) []VerifyCheck {
	var out []VerifyCheck
	for _, why := range slices.Sorted(maps.Keys(unavailable)) {
		out = append(out, VerifyCheck{Check: checkAnalyzer, Item: "endpoint", Result: VerifyNotAvailable,
			Evidence: fmt.Sprintf("not consulted: %s, in %s (%s)", why, plural(len(unavailable[why]), "region"), strings.Join(unavailable[why], ", "))})
	}
	if len(without) > 0 {
		out = append(out, VerifyCheck{Check: checkAnalyzer, Item: "regions without an analyzer", Result: VerifyNotAvailable,
			Evidence: "no external-access analyzer in " + strings.Join(without, ", ") + ": AWS's own check of buckets, keys, functions, queues and secrets " +
				"shared outside the account was not there to consult (create one with aws accessanalyzer create-analyzer --type ACCOUNT, then verify again)"})
	}
	return out
}

func findingEvidence(f aws.AnalyzerFinding) string {
	who := strings.Join(f.Principals, ", ")
	if f.Public {
		who = "anyone (public)"
	}
	out := fmt.Sprintf("%s %s can be used by %s", f.ResourceType, f.Resource, firstNonEmpty(who, "an outside principal"))
	if len(f.Actions) > 0 {
		out += " for " + strings.Join(f.Actions, ", ")
	}
	return out + fmt.Sprintf(" (finding %s of the analyzer %s, since %s)", f.ID, f.Analyzer, when(f.Created))
}

func hasOpen(checks []VerifyCheck) bool {
	for _, c := range checks {
		if c.Result == VerifyFail || c.Result == VerifyUnknown {
			return true
		}
	}
	return false
}
