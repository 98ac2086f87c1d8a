package steps

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"lockdown/aws"
)

// The verification's checks of what lets others in, by the account's state: they need no
// timestamps and no CloudTrail history, so they fail on an attacker's rule or share even when the
// history cannot be read. The trace adds who opened each, and what the attacker opened that is gone.
const (
	checkInbound   = "inbound rules"
	checkSnapshots = "shared snapshots"
	checkImages    = "shared AMIs"
)

func exposureCheckName(kind string) string {
	switch kind {
	case aws.KindSnapshot:
		return checkSnapshots
	case aws.KindImage:
		return checkImages
	}
	return checkInbound
}

// checkExposure: in every enabled region, no inbound rule is open to 0.0.0.0/0 or ::/0, no
// snapshot or AMI the account owns is shared with another account or the public, and every rule
// or share the trace says the attacker opened is gone. A region that cannot be read is unknown.
func checkExposure(ctx context.Context, env *Env) []VerifyCheck {
	s, err := env.Account.SurveyExposure(ctx, regionReadOptions(env.Params))
	if s == nil {
		return []VerifyCheck{{Check: checkInbound, Item: "all regions", Result: VerifyUnknown, Evidence: "cannot list the regions: " + unanswered(err), HandledBy: byExposure}}
	}
	var out []VerifyCheck
	unread := map[string]bool{}
	for _, r := range s.Regions {
		if r.Status == aws.RegionOK || r.Status == aws.RegionSkipped {
			continue
		}
		unread[r.Region] = true
		for _, check := range []string{checkInbound, checkSnapshots, checkImages} {
			out = append(out, VerifyCheck{Check: check, Item: r.Region, Result: VerifyUnknown,
				Evidence: "region not read: " + r.Code + " " + r.Message + ": its security group rules, snapshots and AMIs are unknown", HandledBy: byExposure})
		}
	}
	kept := keptItems(env)
	origins := originsOf(env.Trace)
	present := map[string]bool{}
	for _, x := range exposures(s, origins) {
		present[x.ID] = true
		c := VerifyCheck{Check: exposureCheckName(x.Kind), Item: x.Item(), Result: VerifyFail, Evidence: x.Evidence(), HandledBy: byExposure}
		c.keptBy(kept, x.ID, x.Item(), x.Rule.RuleID)
		out = append(out, c)
	}
	out = append(out, closedByNow(origins, present, unread)...)
	return append(out, exposurePasses(s, out)...)
}

// closedByNow are the rules and shares the trace says the attacker opened that the account no
// longer has: each passes with the evidence, so the ledger of the attacker's changes shows them
// undone.
func closedByNow(o exposureOrigins, present, unread map[string]bool) []VerifyCheck {
	var out []VerifyCheck
	for id, e := range o.rules {
		if present[RevokeRuleChangeID(e.Region, id)] || unread[e.Region] {
			continue
		}
		out = append(out, VerifyCheck{Check: checkInbound, Item: e.Region + "/" + id, Result: VerifyPass,
			Evidence: "revoked: EC2 no longer has the rule the attacker added (" + originOf(e) + ")"})
	}
	for key, e := range o.shares {
		kind, item := splitShareKey(key)
		if present[UnshareChangeID(kind, item.region, item.id, item.who)] || unread[e.Region] {
			continue
		}
		out = append(out, VerifyCheck{Check: exposureCheckName(kind), Item: item.region + "/" + item.id + "/" + item.who, Result: VerifyPass,
			Evidence: fmt.Sprintf("undone: no longer %s (%s)", shareState(item.who), originOf(e))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Check+out[i].Item < out[j].Check+out[j].Item })
	return out
}

type shareItem struct{ region, id, who string }

func splitShareKey(key string) (string, shareItem) {
	var kind string
	var item shareItem
	parts := strings.SplitN(key, "/", 4)
	kind, item.region, item.id, item.who = parts[0], parts[1], parts[2], parts[3]
	return kind, item
}

// exposurePasses says, for each check with nothing failing or unknown, what was read, counting
// what the operator keeps: a kept rule is still open to the world, and the pass must not say
// otherwise.
func exposurePasses(s *aws.ExposureSurvey, checks []VerifyCheck) []VerifyCheck {
	open, kept := map[string]bool{}, map[string]int{}
	for _, c := range checks {
		switch {
		case c.Result != VerifyPass:
			open[c.Check] = true
		case c.Kept != "":
			kept[c.Check]++
		}
	}
	read := 0
	for _, r := range s.Regions {
		if r.Status == aws.RegionOK {
			read++
		}
	}
	but := func(check string) string {
		if kept[check] == 0 {
			return ""
		}
		return fmt.Sprintf(" but the %d the operator keeps", kept[check])
	}
	var out []VerifyCheck
	if !open[checkInbound] {
		out = append(out, VerifyCheck{Check: checkInbound, Item: "all regions", Result: VerifyPass,
			Evidence: fmt.Sprintf("no inbound rule open to the world (0.0.0.0/0, ::/0)%s, among %s in %s read", but(checkInbound), plural(len(s.Rules), "inbound rule"), plural(read, "region"))})
	}
	if !open[checkSnapshots] {
		out = append(out, VerifyCheck{Check: checkSnapshots, Item: "all regions", Result: VerifyPass,
			Evidence: fmt.Sprintf("no share of the account's %s with another account or the public%s, in %s read", plural(s.OwnedSnapshots, "snapshot"), but(checkSnapshots), plural(read, "region"))})
	}
	if !open[checkImages] {
		out = append(out, VerifyCheck{Check: checkImages, Item: "all regions", Result: VerifyPass,
			Evidence: fmt.Sprintf("no share of the account's %s with another account or the public%s, in %s read", plural(s.OwnedImages, "AMI"), but(checkImages), plural(read, "region"))})
	}
	return out
}
