package steps

import (
	"context"
	"fmt"

	"lockdown/aws"
)

// checkUserDataUndone re-checks the attacker's replacement of an instance's user data by reading
// the instance: undone once the instance is gone or terminated, or its user data is no longer the
// attacker's; still in effect while it holds the attacker's, stopped or not (a start runs it).
func checkUserDataUndone(ctx context.Context, env *Env, change AttackerChange, event aws.TrailEvent) (VerifyResult, string) {
	if change.Resource.Kind != aws.TouchedUserData {
		return VerifyNotChecked, change.Manual
	}
	id := change.Resource.ID
	now, err := env.Account.InstanceNow(ctx, change.Region, id)
	if err != nil {
		return VerifyUnknown, "could not be read: " + aws.ErrorMessage(err)
	}
	var attackers string
	known := false
	if f := env.Trace.Footprint; f != nil {
		if c, ok := f.UserDataChangeOf(id); ok && c.NewKnown {
			attackers, known = c.New, true
		}
	}
	switch {
	case now.Gone || now.State == "terminated":
		return VerifyPass, fmt.Sprintf("%s is terminated: the user data the attacker set (CloudTrail event %s) runs nowhere", id, event.EventID)
	case !known:
		return VerifyUnknown, fmt.Sprintf("%s is %s; the user data the attacker set is not in CloudTrail's record, so whether it was restored cannot be read: compare it by hand", id, now.State)
	case now.UserData != attackers:
		return VerifyPass, fmt.Sprintf("%s holds user data other than the attacker's (set in CloudTrail event %s): restored", id, event.EventID)
	case now.State == "stopped" || now.State == "stopping":
		return VerifyFail, fmt.Sprintf("%s is stopped, but still holds the attacker's user data (CloudTrail event %s): restore it before it is started again", id, event.EventID)
	}
	return VerifyFail, fmt.Sprintf("%s is %s and runs the attacker's user data (CloudTrail event %s): stop it (\"Terminate rogue instances\" proposes it) and restore its user data", id, now.State, event.EventID)
}
