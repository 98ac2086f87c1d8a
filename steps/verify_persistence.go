package steps

import (
	"context"
	"fmt"
	"time"

	"lockdown/aws"
)

// The steps that handle the persistence the verification finds, by their titles in the runbook.
const (
	byLogging  = "Restore logging"
	byKeyPairs = "Delete attacker key pairs"
)

// noEvidence (no T0) reads trails and detectors as they are now, without looking up the events
// since T0.
var noEvidence time.Time

// checkKeyPairs: no key pair created after T0 is left in any region.
func checkKeyPairs(ctx context.Context, env *Env) []VerifyCheck {
	if env.Since.IsZero() {
		return []VerifyCheck{{Check: "new key pairs", Item: "all regions", Result: VerifyNotChecked, Evidence: "not checked: no incident start (set --since)", HandledBy: byKeyPairs}}
	}
	s, err := env.Account.SurveyKeyPairs(ctx, regionReadOptions(env.Params))
	if s == nil {
		return []VerifyCheck{{Check: "new key pairs", Item: "all regions", Result: VerifyUnknown, Evidence: "cannot list the regions: " + unanswered(err), HandledBy: byKeyPairs}}
	}
	out := unreadRegions("new key pairs", s.Regions, byKeyPairs)
	kept := keptItems(env)
	rogue := 0
	for _, k := range s.KeyPairs {
		if !after(k.Created, env.Since) {
			continue
		}
		rogue++
		c := VerifyCheck{Check: "new key pairs", Item: k.Region + "/" + k.Name, Result: VerifyFail,
			Evidence: "created " + when(k.Created) + ", after T0 " + when(env.Since), HandledBy: byKeyPairs}
		c.madeByOthers(env, attribute(env.Trace, k.Region, k.ID, aws.KeyPairRef(k.Region, k.Name)))
		c.keptBy(kept, c.Item, k.ID)
		out = append(out, c)
	}
	if len(out) == 0 {
		out = append(out, VerifyCheck{Check: "new key pairs", Item: "all regions", Result: VerifyPass,
			Evidence: fmt.Sprintf("no key pair created after T0 %s, of %d", when(env.Since), len(s.KeyPairs))})
	}
	return out
}

// unreadRegions are the unknown checks of the regions a read could not cover.
func unreadRegions(check string, regions []aws.RegionRead, handledBy string) []VerifyCheck {
	var out []VerifyCheck
	for _, r := range aws.FailedRegions(regions) {
		out = append(out, VerifyCheck{Check: check, Item: r.Region, Result: VerifyUnknown, Evidence: "region not read: " + r.Code + " " + r.Message, HandledBy: handledBy})
	}
	return out
}
