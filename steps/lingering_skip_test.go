package steps

import (
	"context"
	"strings"
	"testing"
)

// respondAllBut follows the runbook's automated steps in order with their proposed selections,
// all but skip: contain the key, trace it, then every step that changes something.
func (d *drill) respondAllBut(t *testing.T, skip Action) {
	t.Helper()
	ctx := context.Background()
	for _, a := range []Action{ContainKey{}, TraceAttacker{}, RemoveBackdoorUsers{}, DisableAttackerKeys{}, RevokeSessions{},
		RemoveIAMPersistence{}, RequirePasswordReset{}, RestoreLogging{}, CloseExposure{}, StopRespawners{}, TerminateInstances{}, DeleteKeyPairs{}} {
		switch {
		case skip != nil && a.Spec().Name == skip.Spec().Name:
			continue
		case a.Spec().ReadOnly:
			insp, err := a.Inspect(ctx, d.env, nil)
			if err != nil {
				t.Fatalf("%s: %v", a.Spec().Name, err)
			}
			if found, ok := insp.Data.(*TraceFindings); ok {
				d.env.Trace = found.Evidence
			}
			continue
		}
		_, _, out := d.run(t, a)
		if n := out.Failed(); n > 0 {
			t.Fatalf("%s: %d changes failed: %+v", a.Spec().Name, n, out.Results)
		}
	}
}

// TestEachCheckFailsWhenOnlyTheStepThatUndoesItsChangeIsSkipped: the response followed step by
// step, but for one; the verification names what that step would have undone, and once every
// step is followed it passes.
func TestEachCheckFailsWhenOnlyTheStepThatUndoesItsChangeIsSkipped(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		skip  Action
		fails []string // "check|item" that must fail
	}{
		{RevokeSessions{}, []string{"new roles|ec2-admin-helper"}},
		{RestoreLogging{}, []string{checkDeletedLog + "|GuardDuty us-east-1", checkTrailEvts + "|trail management-events", checkTrailAll + "|every region"}},
		{RemoveIAMPersistence{}, []string{
			"IAM persistence|user managed policy user dana: arn:aws:iam::aws:policy/AdministratorAccess",
			"IAM persistence|group membership user dana in group admins",
			"IAM persistence|user inline policy user reports-svc: s3-sync",
			"IAM persistence|group managed policy group analysts: arn:aws:iam::aws:policy/PowerUserAccess",
			"IAM persistence|role managed policy role data-pipeline: arn:aws:iam::aws:policy/AdministratorAccess"}},
		{nil, nil},
	} {
		name := "every step"
		if tc.skip != nil {
			name = "all but " + tc.skip.Spec().Name
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := startLingering(t, Drill, false)
			d.respondAllBut(t, tc.skip)
			_, v := verifyNow(t, d.env)
			if v.Contained {
				t.Fatal("contained, with the by-hand items still there")
			}
			for _, want := range tc.fails {
				check, item, _ := strings.Cut(want, "|")
				if c := checkOf(v, check, item); c.Result != VerifyFail || c.Item != item {
					t.Errorf("%s %s: %+v, want fail", check, item, c)
				}
			}
			if tc.skip != nil {
				return
			}
			// Every step followed: only what no step undoes is left (and the teammate's role
			// and the data-event trail, which the operator keeps).
			left := map[string]bool{}
			for _, c := range v.Checks {
				switch {
				case !c.Open():
				case c.Check == checkInbound || c.Check == checkSnapshots || c.Check == checkImages:
					// The team's own world-open rules and shares are listed, never proposed; the
					// attacker's are closed.
					if strings.Contains(c.Evidence, "opened by the attacker") {
						t.Errorf("after every step, the attacker's %s %s is still open: %s", c.Check, c.Item, c.Evidence)
					}
				case c.Check == checkAnalyzer:
					// Outside access through a bucket or key policy is the operator's to remove.
				default:
					left[c.Check] = true
				}
			}
			for check := range left {
				switch check {
				case checkByHand, checkBuckets, checkDeletedLog, checkTrailEvts, "new roles":
				default:
					t.Errorf("after every step, %s still fails:\n%s", check, failingChecks(v))
				}
			}
		})
	}
}

func failingChecks(v *Verification) string {
	var out []string
	for _, c := range v.Checks {
		if c.Result != VerifyPass {
			out = append(out, c.Check+" | "+c.Item+" | "+string(c.Result)+" | "+c.Evidence)
		}
	}
	return strings.Join(out, "\n")
}
