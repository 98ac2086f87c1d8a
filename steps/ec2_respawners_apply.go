package steps

import (
	"context"
	"errors"
	"fmt"

	"lockdown/aws"
)

// Change operations of ec2.stop-respawners, as they appear in plans and the journal. Stopping a
// group is one change: its sizes go to 0, then it is deleted.
const (
	OpStopScalingGroup = "autoscaling:DeleteAutoScalingGroup"
	OpCancelSpotFleet  = "ec2:CancelSpotFleetRequests"
	OpDeleteEC2Fleet   = "ec2:DeleteFleets"
	OpDeleteLaunchTmpl = "ec2:DeleteLaunchTemplate"
)

// respawnerOps maps each kind to its change's operation, in the order the plan stops them: groups
// and fleets first (they launch), spot requests, then templates (a group launches from one).
var respawnerOps = []struct {
	kind       aws.RespawnerKind
	op, prefix string
}{
	{aws.KindScalingGroup, OpStopScalingGroup, "stop-scaling-group"}, {aws.KindSpotFleet, OpCancelSpotFleet, "cancel-fleet"},
	{aws.KindEC2Fleet, OpDeleteEC2Fleet, "cancel-fleet"}, {aws.KindSpotRequest, OpCancelSpot, "cancel-spot-request"},
	{aws.KindLaunchTemplate, OpDeleteLaunchTmpl, "delete-launch-template"},
}

// RespawnerChangeID is the id of the change that stops a respawner, in plans and the journal.
func RespawnerChangeID(kind aws.RespawnerKind, region, id string) string {
	for _, k := range respawnerOps {
		if k.kind == kind {
			return k.prefix + "/" + region + "/" + id
		}
	}
	return string(kind) + "/" + region + "/" + id
}

func respawnerKindOf(op string) (aws.RespawnerKind, bool) {
	for _, k := range respawnerOps {
		if k.op == op {
			return k.kind, true
		}
	}
	return "", false
}

// Plan stops each selected respawner; every change is destructive and needs the typed account id.
func (StopRespawners) Plan(_ context.Context, env *Env, found *Inspection, selected []string) (*Plan, error) {
	var f *respawnerFindings
	if found != nil {
		f, _ = found.Data.(*respawnerFindings)
	}
	if f == nil {
		return nil, errors.New("ec2.stop-respawners: inspect first")
	}
	p := &Plan{}
	chosen := map[string]respawnerFinding{}
	for _, id := range selected {
		r, ok := f.ByRow[id]
		if !ok {
			p.Warnings = append(p.Warnings, "skipping "+id+": no such respawner was found")
			continue
		}
		chosen[id] = r
	}
	for _, k := range respawnerOps {
		for _, r := range f.Survey.Respawners {
			c, ok := chosen[respawnerRowID(r)]
			if !ok || r.Kind != k.kind {
				continue
			}
			p.Changes = append(p.Changes, Change{ID: RespawnerChangeID(r.Kind, r.Region, r.ID), Row: respawnerRowID(r), Op: k.op, Region: r.Region, Target: r.ID, Destructive: true,
				Summary: respawnerSummary(r) + ": " + c.Why})
		}
	}
	p.Warnings = append(p.Warnings, templateInUse(f.Survey.Respawners, chosen)...)
	p.Notes = []string{
		"An Auto Scaling group is set to 0 instances (min, max and desired), read back, then deleted; ForceDelete is used only while its instances are terminating.",
		"Auto Scaling has no dry run: a dry run reads each group and checks both calls with IAM's policy simulator, sending no Auto Scaling change. EC2's calls carry DryRun=true.",
		"A cancelled spot request leaves its instance running, and a fleet is cancelled with its instances: the terminate step terminates what is left.",
	}
	p.Confirm = Confirm{Prompt: fmt.Sprintf("Stop %s in account %s? Deleted groups and templates cannot be restored.",
		plural(len(p.Changes), "respawner"), env.Account.Guard().Account()), Typed: typedConfirmation(env)}
	return p, nil
}

func respawnerSummary(r aws.Respawner) string {
	name := respawnerName(r)
	switch r.Kind {
	case aws.KindScalingGroup:
		return fmt.Sprintf("set the Auto Scaling group %s in %s to 0 instances and delete it", name, r.Region)
	case aws.KindSpotFleet, aws.KindEC2Fleet:
		return fmt.Sprintf("cancel the %s %s in %s and terminate its instances", respawnerLabels[r.Kind], name, r.Region)
	case aws.KindSpotRequest:
		return fmt.Sprintf("cancel the %s spot request %s in %s", r.Type, name, r.Region)
	}
	return fmt.Sprintf("delete the launch template %s in %s", name, r.Region)
}

// templateInUse warns when a template the plan deletes is what a group the plan keeps launches from.
func templateInUse(all []aws.Respawner, chosen map[string]respawnerFinding) []string {
	var out []string
	for _, t := range chosen {
		if t.Kind != aws.KindLaunchTemplate {
			continue
		}
		for _, g := range all {
			if _, stopping := chosen[respawnerRowID(g)]; g.Kind == aws.KindScalingGroup && g.Region == t.Region && g.Template == t.Name && !stopping {
				out = append(out, fmt.Sprintf("The Auto Scaling group %s in %s launches from the template %s, which this plan deletes: it will fail to launch.", g.Name, g.Region, t.Name))
			}
		}
	}
	return out
}

// Apply stops each respawner the plan names (it reads only plan.Changes), then reads it back:
// "done" only once AWS no longer lists it, or lists it cancelled.
func (StopRespawners) Apply(ctx context.Context, env *Env, changes aws.Changes, plan *Plan, report func(Progress)) (*Outcome, error) {
	if plan == nil {
		return nil, errors.New("ec2.stop-respawners: no plan")
	}
	out := &Outcome{}
	for _, c := range plan.Changes {
		kind, ok := respawnerKindOf(c.Op)
		if !ok {
			return nil, fmt.Errorf("ec2.stop-respawners cannot apply a change of kind %q (%s)", c.Op, c.ID)
		}
		res := stopRespawnerChange(ctx, env, changes, c, kind)
		out.Results = append(out.Results, res)
		env.Logger().Info("ec2.stop-respawners", "region", c.Region, "kind", kind, "id", c.Target, "status", res.Status, "message", res.Message)
		if report != nil {
			report(Progress{Key: c.ID, State: progressOf(out.Results[len(out.Results)-1:])})
		}
	}
	return out, nil
}

// stopRespawnerChange stops one respawner a plan names and reads it back. A refusal names the
// missing permission, and a group scaled to 0 whose deletion was refused says so: it launches
// nothing, but it stays.
func stopRespawnerChange(ctx context.Context, env *Env, changes aws.Changes, c Change, kind aws.RespawnerKind) Result {
	eff, err := stopRespawner(ctx, changes, c.Region, kind, c.Target)
	if err == nil && eff == aws.Changed {
		err = readBackStopped(ctx, env, c.Region, kind, c.Target)
	}
	what := respawnerLabels[kind] + " " + c.Target + " in " + c.Region
	res := confirmedBy(resultOf(c.ID, eff, err, "stop the "+what), "stopped the "+what+" (read back: "+stoppedReadBack(kind)+")")
	var kept *aws.GroupKeptError
	if errors.As(err, &kept) {
		res.Message = kept.Error()
	}
	if missing := aws.DeniedAction(err, c.Op); missing != "" && res.Status == StatusFailed {
		res.Message += "; missing permission: " + missing
	}
	return res
}

func stopRespawner(ctx context.Context, changes aws.Changes, region string, kind aws.RespawnerKind, id string) (aws.Effect, error) {
	switch kind {
	case aws.KindScalingGroup:
		return changes.StopScalingGroup(ctx, region, id)
	case aws.KindSpotRequest:
		return changes.CancelSpotRequest(ctx, region, id)
	case aws.KindLaunchTemplate:
		return changes.DeleteLaunchTemplate(ctx, region, id)
	}
	return changes.CancelFleet(ctx, region, kind, id)
}

func readBackStopped(ctx context.Context, env *Env, region string, kind aws.RespawnerKind, id string) error {
	r, found, err := env.Account.FindRespawner(ctx, region, kind, id)
	switch {
	case err != nil:
		return fmt.Errorf("the change was sent, but reading it back failed: %w", err)
	case !found || r.Stopped():
		return nil
	}
	return fmt.Errorf("the change was answered, but a fresh read still lists the %s %s in %s (%s)", respawnerLabels[kind], id, region, r.State)
}

func stoppedReadBack(kind aws.RespawnerKind) string {
	switch kind {
	case aws.KindScalingGroup, aws.KindLaunchTemplate:
		return "AWS no longer lists it"
	}
	return "cancelled"
}
