package steps

import (
	"context"
	"fmt"
	"time"

	"lockdown/aws"
)

// itemDeletedLogging is the verification's item for trails and detectors deleted after T0, which
// only CloudTrail's history shows.
const itemDeletedLogging = "deleted trails and detectors"

// The steps that handle the persistence the verification finds, by their titles in the runbook.
const (
	byLogging  = "Restore logging"
	byKeyPairs = "Delete attacker key pairs"
)

// checkLogging: every trail logs and every detector is enabled. A trail of the organization's
// management account is its owners' to start; a region not read is unknown.
func checkLogging(ctx context.Context, env *Env) []VerifyCheck {
	opts := regionReadOptions(env.Params)
	trails, err := env.Account.SurveyTrails(ctx, opts, noEvidence)
	if trails == nil {
		return []VerifyCheck{{Check: "logging on", Item: "trails", Result: VerifyUnknown, Evidence: "cannot read CloudTrail: " + unanswered(err), HandledBy: byLogging}}
	}
	account := env.Account.Guard().Account()
	var out []VerifyCheck
	out = append(out, unreadRegions("logging on", trails.Regions, byLogging)...)
	logging := 0
	for _, t := range trails.Trails {
		c := VerifyCheck{Check: "logging on", Item: "trail " + t.Name, HandledBy: byLogging}
		switch {
		case t.StatusErr != "":
			c.Result, c.Evidence = VerifyUnknown, "status not read from "+t.HomeRegion+": "+t.StatusErr
		case t.Logging:
			logging++
			continue
		case account != "" && t.Owner != account:
			c.Result, c.Evidence = VerifyFail, "stopped "+when(t.StoppedLogging)+"; an organization trail of account "+t.Owner
			c.HandledBy = "by hand: the organization's management account " + t.Owner
		default:
			c.Result, c.Evidence = VerifyFail, "not logging since "+when(t.StoppedLogging)
		}
		out = append(out, c)
	}
	if len(trails.Trails) == 0 {
		out = append(out, VerifyCheck{Check: "logging on", Item: "trails", Result: VerifyFail,
			Evidence: "no trail exists: only CloudTrail's 90-day event history records the account", HandledBy: "by hand: create a multi-region trail"})
	}
	detectors, err := env.Account.SurveyDetectors(ctx, opts, noEvidence)
	if detectors == nil {
		return append(out, VerifyCheck{Check: "logging on", Item: "GuardDuty", Result: VerifyUnknown, Evidence: "cannot read GuardDuty: " + unanswered(err), HandledBy: byLogging})
	}
	out = append(out, unreadRegions("logging on", detectors.Regions, byLogging)...)
	enabled := 0
	for _, d := range detectors.Detectors {
		if d.Enabled() {
			enabled++
			continue
		}
		out = append(out, VerifyCheck{Check: "logging on", Item: "GuardDuty " + d.Region + "/" + d.ID, Result: VerifyFail,
			Evidence: "detector " + d.Status + " since " + when(d.Updated), HandledBy: byLogging})
	}
	if len(out) == 0 {
		out = append(out, VerifyCheck{Check: "logging on", Item: "trails and GuardDuty", Result: VerifyPass,
			Evidence: fmt.Sprintf("%d of %d trails logging, %d of %d GuardDuty detectors enabled", logging, len(trails.Trails), enabled, len(detectors.Detectors))})
	}
	return out
}

// noEvidence (no T0) reads trails and detectors as they are now, without looking up the events
// since T0: the verification checks the present state.
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
