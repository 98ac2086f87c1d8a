package steps

import (
	"context"
	"strings"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
)

// loggingEvidence is an account where the attacker deleted a trail, narrowed another's event
// selectors and deleted a GuardDuty detector after T0, while a third trail was stopped long
// before T0 by the team.
const loggingEvidence = `
name: logging-evidence
seed: 5
account: {id: "555566667777"}
incident_start: -2h
regions:
  - {name: us-east-1, opt_in: opt-in-not-required}
  - {name: eu-west-1, opt_in: opt-in-not-required}
  - {name: ap-south-1, opt_in: opt-in-not-required}
responder: {user: responder, access_key_id: AKIAEXAMPLERESPOND05, secret_access_key: responder-secret-5}
iam:
  users:
    - name: dev
      created: -300d
      access_keys: [{id: AKIAEXAMPLELEAKED005, created: -100d}]
cloudtrail:
  trails:
    - {name: audit, home_region: us-east-1, multi_region: true, created: -300d, deleted: -90m, by: AKIAEXAMPLELEAKED005}
    - {name: narrowed, home_region: eu-west-1, created: -300d, management_events: read-only, selectors_changed: -80m, by: AKIAEXAMPLELEAKED005}
    - {name: old-test, home_region: ap-south-1, created: -300d, stopped: -30d}
guardduty:
  detectors:
    - {region: eu-west-1, created: -300d, deleted: -70m, by: AKIAEXAMPLELEAKED005}
    - {region: us-east-1, created: -300d}
attacker:
  access_key_id: AKIAEXAMPLELEAKED005
`

func TestLoggingEvidenceFindsDeletedAndNarrowedTrailsAndRecreatesADeletedDetector(t *testing.T) {
	s := simtest.Start(t, loggingEvidence, drillStart)
	acct := s.Account(t, aws.Options{Mode: Drill})
	env := envOf(acct)
	env.Since, env.Now = s.Server.IncidentStart(), s.Clock.Now
	d := &drill{srv: s.Server, clock: s.Clock, env: env}
	insp, plan, out := d.run(t, RestoreLogging{})

	deleted, ok := rowByID(insp, "deleted-trail/audit")
	if !ok || deleted.Selected || !strings.Contains(deleted.Reasons[0], "DeleteTrail by AKIAEXAMPLELEAKED005") || !strings.Contains(deleted.Reasons[0], "by hand") {
		t.Errorf("the deleted trail reads %+v", deleted)
	}
	narrowed, _ := rowByID(insp, "selectors/arn:aws:cloudtrail:eu-west-1:555566667777:trail/narrowed")
	if !narrowed.Selected || narrowed.Tone != ToneRogue || !strings.Contains(narrowed.Reasons[0], "records read-only management events only: narrowed after T0 — PutEventSelectors by AKIAEXAMPLELEAKED005") {
		t.Errorf("the narrowed trail reads %+v", narrowed)
	}
	old, _ := rowByID(insp, "trail/arn:aws:cloudtrail:ap-south-1:555566667777:trail/old-test")
	if old.Selected || old.Tone != ToneWarning || !strings.Contains(old.Reasons[0], "before T0") {
		t.Errorf("the trail stopped before T0 reads %+v", old)
	}
	if len(plan.Changes) != 2 || plan.Changes[0].Op != "cloudtrail:PutEventSelectors" || plan.Changes[0].Region != "eu-west-1" ||
		plan.Changes[1].Op != "guardduty:CreateDetector" || plan.Changes[1].Region != "eu-west-1" ||
		!strings.Contains(plan.Changes[1].Summary, "DeleteDetector by AKIAEXAMPLELEAKED005") {
		t.Fatalf("plan %+v", plan.Changes)
	}
	if len(out.Results) != 2 || out.Results[0].Status != StatusApplied || !strings.Contains(out.Results[0].Message, "read back") ||
		out.Results[1].Status != StatusApplied {
		t.Fatalf("results %+v", out.Results)
	}
	if coverage, _, err := acct.ReadOnly().TrailCoverage(context.Background(), "eu-west-1", "arn:aws:cloudtrail:eu-west-1:555566667777:trail/narrowed"); err != nil || coverage != aws.ManagementAll {
		t.Errorf("the narrowed trail after the apply records %q management events (%v)", coverage, err)
	}
	ds, err := acct.ReadOnly().RegionDetectors(context.Background(), "eu-west-1")
	if err != nil || len(ds) != 1 || !ds[0].Enabled() {
		t.Fatalf("eu-west-1 detectors after the apply: %+v %v", ds, err)
	}
	again, err := RestoreLogging{}.Inspect(context.Background(), env, nil)
	if err != nil || len(again.Table.SelectedIDs()) != 0 {
		t.Errorf("a second inspection proposes %v (%v)", again.Table.SelectedIDs(), err)
	}
}

func TestWithoutT0NoEvidenceIsReadAndStoppedTrailsAreOnlySuspicious(t *testing.T) {
	d := startPersistence(t, DryRun)
	d.env.Since = time.Time{}
	insp, err := RestoreLogging{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	trail, _ := rowByID(insp, "trail/"+persistenceTrail)
	if trail.Tone != ToneSuspicious || !trail.Selected || !strings.Contains(trail.Reasons[0], "no T0") {
		t.Errorf("without T0 the stopped trail reads %+v", trail)
	}
	if !strings.Contains(strings.Join(insp.Warnings, " "), "deleted trails and detectors cannot be looked for") {
		t.Errorf("warnings %q", insp.Warnings)
	}
}
