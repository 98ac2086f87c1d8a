package steps

import (
	"context"
	"fmt"

	"lockdown/aws"
)

// byRespawners is the step that stops respawners, by its title in the runbook.
const byRespawners = "Stop what relaunches instances"

// checkRespawners: no Auto Scaling group, spot request, fleet or launch template created after T0
// remains, unless it is cancelled and launches nothing.
func checkRespawners(ctx context.Context, env *Env) []VerifyCheck {
	const check = "respawners"
	if env.Since.IsZero() {
		return []VerifyCheck{{Check: check, Item: "all regions", Result: VerifyNotChecked, Evidence: "not checked: no incident start (set --since)", HandledBy: byRespawners}}
	}
	s, err := env.Account.SurveyRespawners(ctx, regionReadOptions(env.Params))
	if s == nil {
		return []VerifyCheck{{Check: check, Item: "all regions", Result: VerifyUnknown, Evidence: "cannot list the regions: " + unanswered(err), HandledBy: byRespawners}}
	}
	out := unreadRegions(check, s.Regions, byRespawners)
	kept := keptItems(env)
	for _, r := range s.Respawners {
		// A spot request behind an instance is the instance check's ("open spot requests").
		if !after(r.Created, env.Since) || r.Stopped() || (r.Kind == aws.KindSpotRequest && len(r.Instances) > 0) {
			continue
		}
		evidence := "created " + when(r.Created) + ", after T0 " + when(env.Since)
		if r.Relaunches() {
			evidence += "; it launches instances again when they are terminated"
		}
		c := VerifyCheck{Check: check, Item: r.Region + "/" + respawnerLabels[r.Kind] + " " + r.ID, Result: VerifyFail,
			Evidence: evidence, HandledBy: byRespawners}
		c.madeByOthers(env, attribute(env.Trace, r.Region, r.ID, r.Name, r.ARN))
		c.keptBy(kept, c.Item, r.ID)
		out = append(out, c)
	}
	if len(out) == 0 {
		out = append(out, VerifyCheck{Check: check, Item: "all regions", Result: VerifyPass,
			Evidence: fmt.Sprintf("no Auto Scaling group, spot request, fleet or launch template created after T0 %s remains, of %s",
				when(env.Since), plural(len(s.Respawners), "respawner"))})
	}
	return out
}
