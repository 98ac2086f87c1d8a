package steps

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lockdown/aws"
)

// An instance the team ran before T0 whose user data the attacker replaced runs the attacker's
// code at every start. It is not the attacker's to terminate: the proposal is to stop it, naming
// the change to undo, and leave the rest to the team.

// OpStop stops an instance: the terminate step's answer to an instance whose user data the attacker
// changed.
const OpStop = "ec2:StopInstances"

// firstLaunch is when an instance was first launched, LaunchTime when EC2 did not say.
func firstLaunch(in aws.Instance) time.Time {
	if in.FirstLaunch.IsZero() {
		return in.LaunchTime.UTC()
	}
	return in.FirstLaunch.UTC()
}

// stoppable reports an instance to stop rather than terminate: the attacker changed its user data,
// nobody set it back since, and it is not the attacker's to terminate, nor protected by the
// operator. One whose user data the team already restored has nothing left to stop. A stopped one
// stays proposed: applying the stop again finds it done, as a plan applied twice must.
func stoppable(in RogueInstance) bool {
	return in.UserData != nil && in.UserData.SetBack == "" && in.Verdict == VerdictSuspicious &&
		in.State != "terminated" && in.State != "shutting-down"
}

// userDataColumn is the width of each side of the user data shown side by side: two fit a panel of
// 76 cells; longer lines continue on the next row of their own side.
const userDataColumn = 34

// userDataDetails shows the user data before and after the attacker's change, side by side.
func userDataDetails(c *aws.UserDataChange) []string {
	if c == nil {
		return nil
	}
	out := []string{fmt.Sprintf("User data changed by %s from %s at %s (CloudTrail event %s). Restore it by hand before starting the instance again:",
		c.Credential, c.SourceIP, c.Time.UTC().Format("2006-01-02 15:04:05Z"), c.EventID)}
	old := []string{"unknown (see below)"}
	if c.OldKnown {
		old = columnLines(c.Old)
	}
	now := []string{"not in CloudTrail's record"}
	if c.NewKnown {
		now = columnLines(c.New)
	}
	out = append(out, fmt.Sprintf("  %-*s │ %s", userDataColumn, "before", "after (the attacker's)"),
		"  "+strings.Repeat("─", userDataColumn)+"─┼─"+strings.Repeat("─", userDataColumn))
	for i := range max(len(old), len(now)) {
		var l, r string
		if i < len(old) {
			l = old[i]
		}
		if i < len(now) {
			r = now[i]
		}
		out = append(out, fmt.Sprintf("  %-*s │ %s", userDataColumn, l, r))
	}
	return append(out, "  before: "+c.OldFrom)
}

// columnLines cuts text into lines of at most userDataColumn characters.
func columnLines(text string) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		r := []rune(line)
		for len(r) > userDataColumn {
			out = append(out, string(r[:userDataColumn]))
			r = r[userDataColumn:]
		}
		out = append(out, string(r))
	}
	return out
}

// stopSummary is the change that stops such an instance, naming the change to undo.
func stopSummary(in RogueInstance) string {
	c := in.UserData
	return fmt.Sprintf("stop %s (%s, first launched %s, before T0): its user data was replaced by the attacker (%s, CloudTrail event %s), "+
		"so it runs their code; not terminated: restore its user data by hand (before: %s), then start it again",
		in.ID, in.Type, firstLaunch(in.Instance).Format("2006-01-02 15:04"), c.Credential, c.EventID, oldUserData(c))
}

func oldUserData(c *aws.UserDataChange) string {
	if !c.OldKnown {
		return c.OldFrom
	}
	return fmt.Sprintf("%q, set by %s", c.Old, c.OldFrom)
}

// StopChangeID is the id of the change that stops an instance, in plans and the journal.
func StopChangeID(region, id string) string { return InstanceChangeID(OpStop, region, id) }

// withStops adds the stops to a termination plan of terminations instances, and asks the operator
// to confirm both: stopping the team's instance is disruptive too, though it can be undone.
func withStops(env *Env, plan *Plan, stops []Change, terminations int) {
	if len(stops) == 0 {
		return
	}
	plan.Changes = append(plan.Changes, stops...)
	plan.Notes = append(plan.Notes, "An instance whose user data the attacker replaced is stopped, not terminated: it was the team's before T0. "+
		"Stopped, it runs nothing; restore its user data (its row shows before and after), then start it again.")
	what := fmt.Sprintf("Stop %s whose user data the attacker replaced, in account %s?", plural(len(stops), "instance"), accountLabel(env))
	if terminations > 0 {
		what = fmt.Sprintf("Terminate %s and stop %s whose user data the attacker replaced, in account %s? Terminating cannot be undone.",
			plural(terminations, "instance"), plural(len(stops), "instance"), accountLabel(env))
	}
	n := terminations + len(stops)
	if !env.Mode().Changes() {
		plan.Confirm = Confirm{Prompt: "Dry run: " + what + " lockdown will send the same calls with DryRun=true, which only checks permissions; nothing is changed."}
		return
	}
	plan.Confirm = Confirm{Prompt: what + " Type " + strconv.Itoa(n) + " to confirm.", Typed: strconv.Itoa(n)}
}

// applyInstanceStops stops the instances the plan names, each read back.
func applyInstanceStops(ctx context.Context, changes aws.Changes, plan *Plan) map[string]Result {
	out := map[string]Result{}
	for _, c := range plan.Changes {
		if c.Op != OpStop {
			continue
		}
		eff, err := changes.StopInstance(ctx, c.Region, c.Target)
		out[c.ID] = confirmedBy(resultOf(c.ID, eff, err, "stop "+c.Target+" in "+c.Region), "stopped "+c.Target+" in "+c.Region+" (read back: stopping or stopped)")
	}
	return out
}
