package steps

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
	"lockdown/aws/wiretest"
)

// The lingering-access scenario's ways in: the attacker's, and the team's that look the same.
const (
	attackerSSH    = "revoke-ingress/us-east-1/sgr-0a77ac4e2000000a1"
	attackerPG     = "revoke-ingress/us-east-1/sgr-0a77ac4e2000000a2"
	attackerEU     = "revoke-ingress/eu-west-1/sgr-0a77ac4e2000000a3"
	shopHTTPS      = "revoke-ingress/us-east-1/sgr-0ee05b0b000000443"
	backupShare    = "unshare-snapshot/us-east-1/snap-0da7a0b5e0000db01/111100002222"
	attackerShare  = "unshare-snapshot/us-east-1/snap-0da7a0b5e0000db02/999988887777"
	attackerPublic = "unshare-snapshot/us-east-1/snap-0da7a0b5e0000db03/all"
	attackerAMI    = "unshare-image/us-east-1/ami-0da7a0b5e00001d01/999988887777"
	applianceAMI   = "unshare-image/eu-west-1/ami-0da7a0b5e00001a32/all"
)

// lingering serves lingering-access behind a wire recorder, in mode, traced when traced is set.
func lingering(t *testing.T, mode Mode, traced bool, rules ...wiretest.Rule) (*drill, *simtest.Sim) {
	t.Helper()
	s := simtest.Start(t, "lingering-access", drillStart)
	wire := wiretest.StartProxy(t, s.URL, rules...)
	s.URL = wire.URL
	env := envOf(s.Account(t, aws.Options{Mode: mode, LookupInterval: time.Millisecond}))
	env.Since, env.Now = s.Server.IncidentStart(), s.Clock.Now
	env.Inputs["access_key_id"] = lingeringKey
	d := &drill{srv: s.Server, clock: s.Clock, wire: wire, env: env}
	if traced {
		_, found := traceNow(t, env)
		env.Trace = found.Evidence
	}
	return d, s
}

func selectedRows(insp *Inspection) []string {
	ids := insp.Table.SelectedIDs()
	slices.Sort(ids)
	return ids
}

func TestCloseExposurePreselectsWhatCloudTrailPinsOnTheAttackerAndListsTheTeamsDoors(t *testing.T) {
	t.Parallel()
	d, _ := lingering(t, Drill, true)
	insp, plan, out := d.run(t, CloseExposure{})
	want := []string{attackerEU, attackerSSH, attackerPG, attackerAMI, attackerShare, attackerPublic}
	slices.Sort(want)
	if got := selectedRows(insp); !slices.Equal(got, want) {
		t.Fatalf("preselected %v\nwant the attacker's %v", got, want)
	}
	for _, id := range []string{shopHTTPS, backupShare, applianceAMI} {
		row, ok := rowByID(insp, id)
		if !ok || row.Selected || row.Tone != ToneWarning || !strings.Contains(row.Reasons[0], "CloudTrail does not show the attacker") {
			t.Errorf("the team's %s reads %+v; want listed, not selected, saying CloudTrail does not pin it on the attacker", id, row)
		}
	}
	if ssh, _ := rowByID(insp, attackerSSH); !strings.Contains(ssh.Reasons[0], "AuthorizeSecurityGroupIngress by "+lingeringKey) {
		t.Errorf("the attacker's SSH rule reads %q; want its CloudTrail event", ssh.Reasons)
	}
	for i, c := range plan.Changes {
		if c.ID != want[i] || !c.Destructive {
			t.Errorf("change %d is %+v; want %s, destructive (change ids are the rows')", i, c, want[i])
		}
	}
	if plan.Confirm.Typed != "222233334444" {
		t.Errorf("typed confirmation %q, want the account id", plan.Confirm.Typed)
	}
	for _, r := range out.Results {
		if r.Status != StatusApplied || !strings.Contains(r.Message, "read back") {
			t.Errorf("result %+v; want applied and read back", r)
		}
	}
	again, err := CloseExposure{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sel := again.Table.SelectedIDs(); len(sel) != 0 || len(again.Table.Rows) != 5 {
		t.Errorf("after closing, the step proposes %v among %d rows; want nothing, the team's five doors listed", sel, len(again.Table.Rows))
	}
	// The same plan applied again finds every change made: already done, nothing sent.
	d.wire.Reset()
	second, err := CloseExposure{}.Apply(context.Background(), d.env, changesOf(d.env), plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range second.Results {
		if r.Status != StatusAlreadyDone {
			t.Errorf("second apply: %+v, want already done", r)
		}
	}
	if n := len(d.wire.Changes()); n != 0 {
		t.Errorf("the second apply sent %d changes", n)
	}
}

func TestADryRunOfClosingExposureIsProvenByEC2AndChangesNothing(t *testing.T) {
	t.Parallel()
	d, _ := lingering(t, DryRun, true)
	insp, err := CloseExposure{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := CloseExposure{}.Plan(context.Background(), d.env, insp, insp.Table.SelectedIDs())
	if err != nil {
		t.Fatal(err)
	}
	d.wire.Reset()
	out, err := CloseExposure{}.Apply(context.Background(), d.env, changesOf(d.env), plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.Results {
		if r.Status != StatusWouldApply {
			t.Errorf("dry run: %+v, want would-apply", r)
		}
	}
	dry := 0
	for _, r := range d.wire.Requests() {
		if r.Mutating && r.DryRun {
			dry++
		}
	}
	if len(d.wire.Changes()) != 0 || dry != len(plan.Changes) {
		t.Errorf("on the wire: %d changes and %d DryRun=true requests; want none and one per change (%d)", len(d.wire.Changes()), dry, len(plan.Changes))
	}
}

func TestWithoutCloudTrailNoRuleIsProposedAndSharesAreJudgedByWhatTheAccountShows(t *testing.T) {
	t.Parallel()
	d, _ := lingering(t, DryRun, false)
	insp, err := CloseExposure{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Public shares are proposed; rules carry no date and are only listed; a share on a snapshot
	// or AMI older than T0 may be the team's and is only listed.
	want := []string{attackerPublic, applianceAMI}
	slices.Sort(want)
	if got := selectedRows(insp); !slices.Equal(got, want) {
		t.Errorf("without a trace, preselected %v; want the public ones %v", got, want)
	}
	ssh, _ := rowByID(insp, attackerSSH)
	if ssh.Selected || ssh.Tone != ToneSuspicious || !strings.Contains(ssh.Reasons[0], "administrative: SSH (22)") || !strings.Contains(ssh.Reasons[0], "CloudTrail cannot say who added it") {
		t.Errorf("the SSH rule without a trace reads %+v", ssh)
	}
	if https, _ := rowByID(insp, shopHTTPS); https.Selected || https.Tone != ToneWarning {
		t.Errorf("the shop's HTTPS rule without a trace reads %+v", https)
	}
	if !strings.Contains(strings.Join(insp.Warnings, "\n"), "CloudTrail was not traced") {
		t.Errorf("the step does not say what it judges by: %q", insp.Warnings)
	}
}
