package steps

import (
	"strings"
	"testing"
)

func TestRevokeRoleSessionsProposesTheAttackersServiceTrustedRoleAndOnlyListsTheTeammates(t *testing.T) {
	t.Parallel()
	d := startLingering(t, Drill, true)
	insp, plan, out := d.run(t, RevokeSessions{})
	helper, _ := rowByID(insp, "ec2-admin-helper")
	if !helper.Selected || helper.Tone != ToneRogue || !strings.Contains(helper.Reasons[0], "by the attacker: CreateRole by "+lingeringKey) {
		t.Errorf("the attacker's EC2-trusted role reads %+v", helper)
	}
	team, _ := rowByID(insp, "analytics-runner")
	if team.Selected || team.Tone == ToneRogue || !strings.Contains(team.Reasons[0], "user/maya") || !strings.Contains(team.Reasons[0], "not a credential the trace follows") {
		t.Errorf("the lead's role, made after T0, reads %+v: it must be listed with who made it, not proposed", team)
	}
	deletes := 0
	for _, c := range plan.Changes {
		if c.Op == "iam:DeleteRole" {
			deletes++
			if c.Target != "ec2-admin-helper" || !strings.Contains(c.Summary, "by the attacker") {
				t.Errorf("deletion %+v", c)
			}
		}
	}
	if deletes != 1 || plan.Confirm.Typed != "222233334444" {
		t.Errorf("%d deletions, confirmation %+v; want the attacker's role alone, behind the account id", deletes, plan.Confirm)
	}
	for _, r := range out.Results {
		if r.Status != StatusApplied {
			t.Errorf("result %+v", r)
		}
	}
	_, v := verifyNow(t, d.env)
	if got := result(v, "new roles", "ec2-admin-helper"); got != "" {
		t.Errorf("the deleted role is still listed: %q", got)
	}
	if c := checkOf(v, "new roles", "analytics-runner"); c.Result != VerifyFail || !strings.Contains(c.HandledBy, "keep it") {
		t.Errorf("the teammate's role, neither deleted nor kept: %+v", c)
	}
}

func TestWithoutATraceEveryRoleMadeAfterT0IsProposedSayingItIsJudgedByItsTime(t *testing.T) {
	t.Parallel()
	d := startLingering(t, DryRun, false)
	insp, _, _ := d.run(t, RevokeSessions{})
	for _, name := range []string{"ec2-admin-helper", "analytics-runner"} {
		row, _ := rowByID(insp, name)
		if !row.Selected || !strings.Contains(row.Reasons[0], "judged by its time: CloudTrail was not traced") {
			t.Errorf("%s without a trace reads %+v", name, row)
		}
	}
	if row, _ := rowByID(insp, "AWSServiceRoleForSupport"); row.Selected {
		t.Error("a service-linked role is proposed")
	}
}

// TestTheServiceTrustedAdminRoleFailsVerificationUntilItIsDeleted: no outside account may assume
// the role, only EC2; it is a way back in all the same.
func TestTheServiceTrustedAdminRoleFailsVerificationUntilItIsDeleted(t *testing.T) {
	t.Parallel()
	d := startLingering(t, Drill, true)
	_, v := verifyNow(t, d.env)
	c := checkOf(v, "new roles", "ec2-admin-helper")
	if c.Result != VerifyFail || !strings.Contains(c.Evidence, "assumable by ec2.amazonaws.com") || c.HandledBy != byRevoke {
		t.Fatalf("the EC2-trusted role made by the attacker: %+v", c)
	}
	if got := result(v, "outside trust", "all roles"); got != VerifyPass {
		t.Errorf("outside trust: %q (no role trusts an outside account)", got)
	}
	if v.Contained {
		t.Error("contained with the attacker's role in place")
	}
}
