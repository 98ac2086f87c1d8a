package aws

import (
	"context"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"

	"lockdown/aws/sim"
)

func persistenceSim(t *testing.T, live bool) (*Account, *sim.Server) {
	t.Helper()
	text, err := sim.BuiltinScenarioText("persistence")
	if err != nil {
		t.Fatal(err)
	}
	return openEC2Sim(t, string(text), live)
}

func TestEachTrailIsReadOnceFromItsHomeRegionWithTheEventsThatStoppedIt(t *testing.T) {
	acct, srv := persistenceSim(t, false)
	ctx := context.Background()
	s, err := acct.SurveyTrails(ctx, RegionReadOptions{}, srv.IncidentStart())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Trails) != 3 {
		t.Fatalf("want 3 trails, each once although the multi-region ones are listed in every region, got %+v", s.Trails)
	}
	byName := map[string]Trail{}
	for _, tr := range s.Trails {
		byName[tr.Name] = tr
	}
	stopped := byName["management-events"]
	if stopped.Logging || stopped.HomeRegion != "us-east-1" || !stopped.MultiRegion || !stopped.StoppedLogging.After(srv.IncidentStart()) || stopped.StatusErr != "" {
		t.Errorf("the stopped trail reads %+v", stopped)
	}
	if org := byName["org-trail"]; !org.Organization || org.Owner != "999900001111" || !org.Logging {
		t.Errorf("the organization trail reads %+v", org)
	}
	if eu := byName["eu-audit"]; eu.HomeRegion != "eu-west-1" || !eu.Logging || eu.Management != ManagementAll {
		t.Errorf("the regional trail reads %+v", eu)
	}
	found := false
	for _, e := range s.Events {
		found = found || (e.EventName == "StopLogging" && e.Credential == "AKIAEXAMPLELEAKED002")
	}
	if !found || len(s.HistoryUnread) != 0 {
		t.Errorf("the StopLogging event of the leaked key is missing: %+v (unread %+v)", s.Events, s.HistoryUnread)
	}
}

func TestStartingAStoppedTrailIsCheckedInADryRunAndDoneOnceLive(t *testing.T) {
	ctx := context.Background()
	dry, srv := persistenceSim(t, false)
	arn := "arn:aws:cloudtrail:us-east-1:444455556666:trail/management-events"
	srv.ResetRequests()
	if eff, err := changesOf(t, dry).StartLogging(ctx, "us-east-1", arn); err != nil || eff != WouldChange {
		t.Fatalf("dry run: %v %v", eff, err)
	}
	for _, r := range srv.Requests() {
		if r.Mutating {
			t.Errorf("a dry run sent %s %s", r.Service, r.Action)
		}
	}
	live, _ := persistenceSim(t, true)
	if eff, err := changesOf(t, live).StartLogging(ctx, "us-east-1", arn); err != nil || eff != Changed {
		t.Fatalf("live: %v %v", eff, err)
	}
	if on, err := live.TrailStatus(ctx, "us-east-1", arn); err != nil || !on {
		t.Fatalf("read back: logging %v, %v", on, err)
	}
	if eff, err := changesOf(t, live).StartLogging(ctx, "us-east-1", arn); err != nil || eff != AlreadyDone {
		t.Fatalf("again: %v %v", eff, err)
	}
}

func TestADisabledDetectorIsEnabledAgain(t *testing.T) {
	ctx := context.Background()
	acct, srv := persistenceSim(t, true)
	s, err := acct.SurveyDetectors(ctx, RegionReadOptions{}, srv.IncidentStart())
	if err != nil {
		t.Fatal(err)
	}
	var off *Detector
	for i, d := range s.Detectors {
		if !d.Enabled() {
			off = &s.Detectors[i]
		}
	}
	if len(s.Detectors) != 3 || off == nil || off.Region != "us-east-1" || !off.Updated.After(srv.IncidentStart()) {
		t.Fatalf("detectors: %+v", s.Detectors)
	}
	if eff, err := changesOf(t, acct).EnableDetector(ctx, off.Region, off.ID); err != nil || eff != Changed {
		t.Fatalf("enable: %v %v", eff, err)
	}
	if d, err := acct.DetectorStatus(ctx, off.Region, off.ID); err != nil || !d.Enabled() {
		t.Fatalf("read back: %+v %v", d, err)
	}
	if eff, err := changesOf(t, acct).EnableDetector(ctx, off.Region, off.ID); err != nil || eff != AlreadyDone {
		t.Fatalf("again: %v %v", eff, err)
	}
}

func TestAKeyPairIsProvenWithDryRunThenDeletedOnce(t *testing.T) {
	ctx := context.Background()
	acct, srv := persistenceSim(t, true)
	s, err := acct.SurveyKeyPairs(ctx, RegionReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var rogue RegionKeyPair
	for _, k := range s.KeyPairs {
		if k.Created.After(srv.IncidentStart()) {
			rogue = k
		}
	}
	if rogue.Name != "ops-recovery" || rogue.Region != "us-west-2" || len(s.KeyPairs) != 2 {
		t.Fatalf("key pairs: %+v", s.KeyPairs)
	}
	dry := &dryRunChanges{a: acct}
	if eff, err := dry.DeleteKeyPair(ctx, rogue.Region, rogue.ID); err != nil || eff != WouldChange {
		t.Fatalf("dry run: %v %v", eff, err)
	}
	if exists, _ := acct.KeyPairExists(ctx, rogue.Region, rogue.ID); !exists {
		t.Fatal("the dry run deleted the key pair")
	}
	if eff, err := changesOf(t, acct).DeleteKeyPair(ctx, rogue.Region, rogue.ID); err != nil || eff != Changed {
		t.Fatalf("live: %v %v", eff, err)
	}
	if exists, err := acct.KeyPairExists(ctx, rogue.Region, rogue.ID); err != nil || exists {
		t.Fatalf("read back: exists %v, %v", exists, err)
	}
	if eff, err := changesOf(t, acct).DeleteKeyPair(ctx, rogue.Region, rogue.ID); err != nil || eff != AlreadyDone {
		t.Fatalf("again: %v %v", eff, err)
	}
}

func TestTheSimulatorRefusesTrailDetectorAndKeyPairCallsAsAWSDoes(t *testing.T) {
	ctx := context.Background()
	acct, _ := persistenceSim(t, true)
	const home = "arn:aws:cloudtrail:us-east-1:444455556666:trail/management-events"
	cases := []struct {
		name, want string
		call       func() error
	}{
		{"an unknown trail", "TrailNotFoundException", func() error {
			_, err := acct.trailClient("us-east-1").GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: sdk.String("no-such-trail")})
			return err
		}},
		{"a trail by name outside its home region", "TrailNotFoundException", func() error {
			_, err := acct.trailClient("eu-west-1").GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: sdk.String("management-events")})
			return err
		}},
		{"starting a trail outside its home region", "InvalidHomeRegionException", func() error {
			_, err := acct.trailClient("eu-west-1").StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: sdk.String(home)})
			return err
		}},
		{"starting the management account's organization trail", "NotOrganizationMasterAccountException", func() error {
			_, err := acct.trailClient("us-east-1").StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: sdk.String("arn:aws:cloudtrail:us-east-1:999900001111:trail/org-trail")})
			return err
		}},
		{"a detector the account does not own", "BadRequestException", func() error {
			_, err := acct.guardDutyClient("us-east-1").GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: sdk.String("0123456789abcdef0123456789abcdef")})
			return err
		}},
		{"an unknown key pair id", "InvalidKeyPair.NotFound", func() error {
			_, err := acct.ec2Client("us-west-2").DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyPairId: sdk.String("key-0123456789abcdef0")})
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(); ErrorCode(err) != c.want {
				t.Errorf("got %v, want %s", err, c.want)
			}
		})
	}
	// A multi-region trail's shadow answers by ARN in any region; GuardDuty lists nothing where
	// it has no detector.
	if _, err := acct.trailClient("ap-south-1").GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: sdk.String(home)}); err != nil {
		t.Errorf("shadow trail by ARN: %v", err)
	}
	ds, err := acct.regionDetectors(ctx, "ap-south-1")
	if err != nil || len(ds) != 0 {
		t.Errorf("a region without a detector: %v %v", ds, err)
	}
}
