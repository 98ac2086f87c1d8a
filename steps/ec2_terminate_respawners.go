package steps

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"lockdown/aws"
)

// The terminate step stops what stands behind each instance it terminates: the spot request (the
// termination engine cancels it), and the Auto Scaling group or fleet that launched it, when the
// step "Stop what relaunches instances" left it standing. After terminating it reads again, and
// an instance whose respawner still stands is not reported as terminated for good.

// isRespawnerStop reports whether a terminate plan's change stops a group or a fleet.
func isRespawnerStop(op string) bool {
	return op == OpStopScalingGroup || op == OpCancelSpotFleet || op == OpDeleteEC2Fleet
}

// respawnerStops reads the regions of the chosen instances and returns a change for each group or
// fleet still standing behind one of them, and warnings for regions it could not read.
func respawnerStops(ctx context.Context, env *Env, chosen []RogueInstance) ([]Change, []string) {
	byRegion := map[string][]RogueInstance{}
	for _, in := range chosen {
		byRegion[in.Region] = append(byRegion[in.Region], in)
	}
	regions := make([]string, 0, len(byRegion))
	for r := range byRegion {
		regions = append(regions, r)
	}
	slices.Sort(regions)
	var out []Change
	var warnings []string
	seen := map[string]bool{}
	for _, region := range regions {
		var refs []aws.RespawnerRef
		// Each group or fleet is the row of the first chosen instance it launched.
		rowOf := map[aws.RespawnerRef]string{}
		for _, in := range byRegion[region] {
			for _, ref := range aws.Behind(in.Instance) {
				if ref.Kind != aws.KindSpotRequest {
					refs = append(refs, ref)
					if _, ok := rowOf[ref]; !ok {
						rowOf[ref] = in.ID
					}
				}
			}
		}
		if len(refs) == 0 {
			continue
		}
		list, err := env.Account.RegionRespawners(ctx, region)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("The Auto Scaling groups and fleets of %s could not be read (%s): instances terminated there may come back.", region, aws.ErrorMessage(err)))
			continue
		}
		for _, r := range aws.Standing(list, refs) {
			id := RespawnerChangeID(r.Kind, r.Region, r.ID)
			if seen[id] {
				continue
			}
			seen[id] = true
			if origin, traced := respawnerOrigin(env.Trace, r); !after(r.Created, env.Since) && !(traced && origin.Attacker) {
				// Someone's own group or fleet, older than T0: never deleted on an instance's account.
				warnings = append(warnings, fmt.Sprintf("The %s %s in %s, created %s (before T0), launched instances this plan terminates and will launch replacements: "+
					"it is left alone here; stop it in \"Stop what relaunches instances\" only if it is the attacker's.", respawnerLabels[r.Kind], respawnerName(r), r.Region, when(r.Created)))
				continue
			}
			op := OpStopScalingGroup
			switch r.Kind {
			case aws.KindSpotFleet:
				op = OpCancelSpotFleet
			case aws.KindEC2Fleet:
				op = OpDeleteEC2Fleet
			}
			out = append(out, Change{ID: id, Row: rowOf[aws.RespawnerRef{Kind: r.Kind, ID: r.ID}], Op: op, Region: r.Region, Target: r.ID, Destructive: true,
				Summary: respawnerSummary(r) + ": it launched instances this plan terminates, and would launch them again"})
		}
	}
	return out, warnings
}

// applyRespawnerStops stops the groups and fleets of a terminate plan, before any termination,
// and reads each back.
func applyRespawnerStops(ctx context.Context, env *Env, changes aws.Changes, plan *Plan) map[string]Result {
	out := map[string]Result{}
	for _, c := range plan.Changes {
		if !isRespawnerStop(c.Op) {
			continue
		}
		kind, _ := respawnerKindOf(c.Op)
		out[c.ID] = stopRespawnerChange(ctx, env, changes, c, kind)
	}
	return out
}

// flagStanding reads the terminated instances again and what stood behind them: an instance whose
// group, fleet or spot request still launches is reported failed, naming the respawner.
func flagStanding(ctx context.Context, env *Env, plan *Plan, out *Outcome) {
	byRegion := map[string][]string{}
	for _, c := range plan.Changes {
		if c.Op == OpTerminate {
			byRegion[c.Region] = append(byRegion[c.Region], c.Target)
		}
	}
	standing := map[string][]aws.Respawner{}
	for region, ids := range byRegion {
		insts, err := env.Account.InstancesByID(ctx, region, ids)
		if err != nil {
			continue
		}
		var list []aws.Respawner
		for _, in := range insts {
			refs := aws.Behind(in)
			if len(refs) == 0 {
				continue
			}
			if list == nil {
				if list, err = env.Account.RegionRespawners(ctx, region); err != nil {
					break
				}
			}
			if s := aws.Standing(list, refs); len(s) > 0 {
				standing[region+"/"+in.ID] = s
			}
		}
	}
	for i, c := range plan.Changes {
		s, ok := standing[c.Region+"/"+c.Target]
		if c.Op != OpTerminate || !ok || i >= len(out.Results) {
			continue
		}
		var names []string
		for _, r := range s {
			names = append(names, "the "+respawnerLabels[r.Kind]+" "+respawnerName(r))
		}
		r := &out.Results[i]
		r.Status, r.Code = StatusFailed, "RespawnerStands"
		r.Message = strings.TrimPrefix(r.Message+"; ", "; ") + "terminated, but " + strings.Join(names, " and ") + " in " + c.Region +
			" still stands and launches a replacement: stop it (step \"Stop what relaunches instances\"), then terminate again"
	}
}
