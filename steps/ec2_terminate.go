package steps

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// TerminateInstances is the action ec2.terminate: scan again (the attacker keeps launching), let
// the operator choose, then cancel the spot requests behind the chosen instances and terminate them,
// region by region, after a typed confirmation.
type TerminateInstances struct{}

// Change operations of ec2.terminate, as they appear in plans and the journal.
const (
	OpTerminate   = "ec2:TerminateInstances"
	OpCancelSpot  = "ec2:CancelSpotInstanceRequests"
	OpUnprotectEC = "ec2:ModifyInstanceAttribute"
)

// Spec describes ec2.terminate.
func (TerminateInstances) Spec() Spec {
	return Spec{
		Name:    "ec2.terminate",
		Summary: "Terminate the selected EC2 instances, cancelling their spot requests so they do not come back",
		Params:  ec2Params(),
	}
}

// Inspect scans every region again; rows judged rogue are selected by default.
func (TerminateInstances) Inspect(ctx context.Context, env *Env, report func(Progress)) (*Inspection, error) {
	return inspectInstances(ctx, env, report, true)
}

// Plan turns the selection into one change per instance (and per spot request behind one), grouped
// by region, with a typed confirmation: the number of instances.
func (TerminateInstances) Plan(ctx context.Context, env *Env, found *Inspection, selected []string) (*Plan, error) {
	var findings *InstanceFindings
	if found != nil {
		findings, _ = found.Data.(*InstanceFindings)
	}
	if findings == nil {
		return nil, errors.New("ec2.terminate plans from its own inspection: inspect first")
	}
	if len(selected) == 0 {
		return nil, errors.New("no instance is selected: select the instances to terminate")
	}
	var chosen []plannedInstance
	var instances []RogueInstance
	var warnings []string
	var stops []Change
	for _, id := range selected {
		in, ok := findings.Instance(id)
		if !ok {
			return nil, fmt.Errorf("instance %s is not in the scan: inspect again", id)
		}
		if stoppable(in) {
			// The team's instance running the attacker's user data: stopped, not terminated.
			stops = append(stops, Change{ID: StopChangeID(in.Region, in.ID), Row: in.ID, Op: OpStop, Region: in.Region, Target: in.ID, Summary: stopSummary(in)})
			continue
		}
		instances = append(instances, in)
		if in.Verdict == VerdictProtected || in.Verdict == VerdictOK {
			warnings = append(warnings, fmt.Sprintf("%s in %s is judged %s (%s) and you selected it anyway.", in.ID, in.Region, in.Verdict, strings.Join(in.Reasons, "; ")))
		}
		chosen = append(chosen, plannedInstance{Region: in.Region, ID: in.ID, SpotRequest: in.SpotRequestID,
			Summary: fmt.Sprintf("terminate %s (%s, %s, launched %s)", in.ID, in.Type, in.Verdict, in.LaunchTime.UTC().Format("2006-01-02 15:04"))})
	}
	notes := readProtection(ctx, env, chosen)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	plan := terminationPlan(env, chosen, false)
	withStops(env, plan, stops, len(chosen))
	plan.Warnings = append(append(warnings, protectionWarnings(chosen)...), plan.Warnings...)
	plan.Notes = append(plan.Notes, notes...)
	stops, unread := respawnerStops(ctx, env, instances)
	plan.Warnings = append(plan.Warnings, unread...)
	if len(stops) > 0 {
		plan.Changes = append(stops, plan.Changes...)
		plan.Confirm.Prompt += fmt.Sprintf(" First it stops %s standing behind them, so they do not come back.", plural(len(stops), "Auto Scaling group or fleet"))
	}
	return plan, nil
}

// plannedInstance is what a plan needs to know about one instance.
type plannedInstance struct {
	Region, ID, SpotRequest, Summary string
	// Protected: termination protection is on, so the plan disables it first.
	Protected bool
}

// terminationPlan builds the changes and the confirmation; unprotect adds disabling termination
// protection before each termination, as the instance's own Protected does before its own.
func terminationPlan(env *Env, list []plannedInstance, unprotect bool) *Plan {
	sort.Slice(list, func(i, j int) bool {
		if list[i].Region != list[j].Region {
			return list[i].Region < list[j].Region
		}
		return list[i].ID < list[j].ID
	})
	plan := &Plan{Notes: []string{
		"Spot requests behind these instances are cancelled first, so a persistent request cannot launch a replacement.",
		"Calls are grouped per region (at most 1000 instances each) and run in parallel; every instance is described again afterwards to show its final state.",
	}}
	perRegion := map[string]int{}
	var regions []string
	spotSeen := map[string]bool{}
	for _, in := range list {
		if perRegion[in.Region] == 0 {
			regions = append(regions, in.Region)
		}
		perRegion[in.Region]++
		if in.SpotRequest != "" && !spotSeen[in.SpotRequest] {
			spotSeen[in.SpotRequest] = true
			plan.Changes = append(plan.Changes, Change{ID: InstanceChangeID(OpCancelSpot, in.Region, in.SpotRequest), Row: in.ID, Op: OpCancelSpot,
				Region: in.Region, Target: in.SpotRequest, Summary: fmt.Sprintf("cancel spot request %s, which launched %s", in.SpotRequest, in.ID)})
		}
		if unprotect || in.Protected {
			plan.Changes = append(plan.Changes, Change{ID: InstanceChangeID(OpUnprotectEC, in.Region, in.ID), Row: in.ID, Op: OpUnprotectEC, Region: in.Region,
				Target: in.ID, Summary: "disable termination protection on " + in.ID})
		}
		plan.Changes = append(plan.Changes, Change{ID: InstanceChangeID(OpTerminate, in.Region, in.ID), Row: in.ID, Op: OpTerminate, Region: in.Region,
			Target: in.ID, Summary: in.Summary, Destructive: true})
	}
	var counts []string
	for _, r := range regions {
		counts = append(counts, fmt.Sprintf("%s: %d", r, perRegion[r]))
	}
	protected := len(list)
	if !unprotect {
		protected = 0
		for _, in := range list {
			if in.Protected {
				protected++
			}
		}
	}
	plan.Confirm = terminationConfirm(env, len(list), strings.Join(counts, ", "), protected)
	return plan
}

func terminationConfirm(env *Env, n int, perRegion string, protected int) Confirm {
	what := fmt.Sprintf("Terminate %s in account %s (%s)?", plural(n, "instance"), accountLabel(env), perRegion)
	switch {
	case protected == n:
		what = fmt.Sprintf("Disable termination protection on %s in account %s and terminate them (%s)?", plural(n, "instance"), accountLabel(env), perRegion)
	case protected > 0:
		what = fmt.Sprintf("Terminate %s in account %s (%s), disabling the termination protection of %d of them first?", plural(n, "instance"), accountLabel(env), perRegion, protected)
	}
	if !env.Mode().Changes() {
		return Confirm{Prompt: "Dry run: " + what + " lockdown will send the same calls with DryRun=true, which only checks permissions; nothing is terminated."}
	}
	return Confirm{Prompt: what + " This cannot be undone. Type " + strconv.Itoa(n) + " to confirm.", Typed: strconv.Itoa(n)}
}
