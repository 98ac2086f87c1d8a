package aws

import (
	"context"
	"testing"
	"time"

	"lockdown/aws/sim"
)

// TestEvidenceReadsRideOutThrottlingAndGiveUpOnARegionThatFails: the history that shows a deleted
// trail or detector is read through throttling — an answer that says slow down — while a region
// whose history fails with server errors is reported unread after a few attempts.
func TestEvidenceReadsRideOutThrottlingAndGiveUpOnARegionThatFails(t *testing.T) {
	acct, srv := persistenceSim(t, false)
	acct.opts.LookupInterval = time.Millisecond
	for _, f := range []sim.Fault{
		{Region: "eu-west-1", Service: "cloudtrail", Action: "LookupEvents", Status: 500},
		{Service: "cloudtrail", Action: "LookupEvents", Throttle: 0.6},
	} {
		if err := srv.AddFault(f); err != nil {
			t.Fatal(err)
		}
	}
	var regions []RegionRead
	for _, r := range []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"} {
		regions = append(regions, RegionRead{Region: r, Status: RegionOK})
	}
	names := []string{"DeleteTrail", "StopLogging", "DeleteDetector", "UpdateTrail"}
	_, unread := acct.eventsNamed(context.Background(), regions, names, srv.IncidentStart())
	if len(unread) != 1 || unread[0].Region != "eu-west-1" {
		t.Fatalf("unread %+v; want eu-west-1 alone: a throttled region's history is read", unread)
	}
	if got := acct.Calls().For("CloudTrail", "eu-west-1"); got.Calls != 1 || got.Attempts != evidenceAttempts {
		t.Errorf("eu-west-1's failing history took %d calls and %d attempts; want 1 call of %d attempts", got.Calls, got.Attempts, evidenceAttempts)
	}
	if got := acct.Calls().For("CloudTrail", "us-east-1"); got.Calls != len(names) {
		t.Errorf("us-east-1 made %d calls; want one per event name (%d)", got.Calls, len(names))
	}
}
