package aws

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"lockdown/aws/sim"
)

func TestScanFindsEveryLiveInstanceInEveryEnabledRegion(t *testing.T) {
	acct, srv := openEC2Sim(t, ec2Incident, false)
	var mu sync.Mutex
	seen := map[string][]RegionStatus{}
	scan, err := acct.ScanInstances(context.Background(), ScanOptions{}, func(r RegionScan) {
		mu.Lock()
		defer mu.Unlock()
		seen[r.Region] = append(seen[r.Region], r.Status)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, in := range srv.EC2Instances("") {
		if in.State != "terminated" {
			want[in.ID] = true
		}
	}
	got := scan.Instances()
	if len(got) != ec2IncidentLive || len(want) != ec2IncidentLive {
		t.Fatalf("found %d instances, the simulator has %d live, want %d", len(got), len(want), ec2IncidentLive)
	}
	for _, in := range got {
		if !want[in.ID] {
			t.Errorf("found %s, which is not live", in.ID)
		}
	}
	af, _ := scan.Region("af-south-1")
	if af.Status != RegionSkipped || af.Code != "OptInRequired" {
		t.Errorf("a region not opted in must be listed as skipped with why, got %+v", af)
	}
	if s := seen["us-east-1"]; len(s) != 3 || s[0] != RegionQueued || s[1] != RegionScanning || s[2] != RegionOK {
		t.Errorf("progress for us-east-1: %v", s)
	}
	gpu2 := findEC2Instance(got, "i-0000000000000gpu2")
	if gpu2.SpotRequestID == "" || gpu2.KeyName != "miner" || !gpu2.LaunchTime.Equal(ec2SimStart.Add(-90*time.Minute)) {
		t.Errorf("the spot miner lost details: %+v", gpu2)
	}
	ap, _ := scan.Region("ap-southeast-1")
	if len(ap.SpotRequests) != 1 || len(ap.KeyPairs) != 1 {
		t.Errorf("ap-southeast-1 spot requests %v, key pairs %v", ap.SpotRequests, ap.KeyPairs)
	}
}

func findEC2Instance(list []Instance, id string) Instance {
	for _, in := range list {
		if in.ID == id {
			return in
		}
	}
	return Instance{}
}

func TestScanReportsADeniedRegionAndMissesNothingElseUnderThrottling(t *testing.T) {
	acct, srv := openEC2Sim(t, ec2Incident, false)
	addEC2Fault(t, srv, sim.Fault{Region: "eu-west-1", Service: "ec2", Action: "DescribeInstances", Deny: true})
	addEC2Fault(t, srv, sim.Fault{Region: "us-east-1", Service: "ec2", Throttle: 0.3})
	addEC2Fault(t, srv, sim.Fault{Region: "us-west-2", Service: "ec2", Throttle: 0.3})
	scan, err := acct.ScanInstances(context.Background(), ScanOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	eu, _ := scan.Region("eu-west-1")
	if eu.Status != RegionFailed || eu.Code != "UnauthorizedOperation" || eu.Message == "" {
		t.Fatalf("the denied region must fail with its code and message, got %+v", eu)
	}
	if scan.Failed() != 1 {
		t.Fatalf("want exactly one failed region, got %d: %+v", scan.Failed(), scan.Regions)
	}
	if got, want := len(scan.Instances()), ec2IncidentLive-9; got != want {
		t.Fatalf("found %d instances outside the denied region, want %d", got, want)
	}
}

func addEC2Fault(t testing.TB, srv *sim.Server, f sim.Fault) {
	t.Helper()
	if err := srv.AddFault(f); err != nil {
		t.Fatal(err)
	}
}

func TestThrottlingThatOutlastsRetriesFailsOnlyThatRegion(t *testing.T) {
	acct, srv := openEC2Sim(t, ec2Incident, false)
	addEC2Fault(t, srv, sim.Fault{Region: "sa-east-1", Service: "ec2", Throttle: 1})
	scan, err := acct.ScanInstances(context.Background(), ScanOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sa, _ := scan.Region("sa-east-1")
	if sa.Status != RegionFailed || sa.Code != "RequestLimitExceeded" {
		t.Fatalf("got %+v", sa)
	}
	if scan.Failed() != 1 {
		t.Fatalf("%d regions failed", scan.Failed())
	}
}

func TestCancellingAScanStopsEveryWorkerAtOnce(t *testing.T) {
	acct, srv := openEC2Sim(t, ec2Incident, false)
	addEC2Fault(t, srv, sim.Fault{Service: "ec2", Action: "DescribeInstances", Latency: "10s"})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	scan, err := acct.ScanInstances(ctx, ScanOptions{}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want the cancellation back, got %v", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("cancelling took %s", took)
	}
	for _, r := range scan.Regions {
		if r.Status == RegionFailed && r.Code != "Cancelled" {
			t.Errorf("%s: %s", r.Region, r.Code)
		}
	}
}

func TestARegionThatDoesNotAnswerInTimeIsReportedAsATimeout(t *testing.T) {
	acct, srv := openEC2Sim(t, ec2Incident, false)
	// The deadline is generous enough that a loaded machine (race detector, parallel packages) does
	// not push the healthy regions past it; only the region held for a minute can miss it.
	addEC2Fault(t, srv, sim.Fault{Region: "eu-central-1", Service: "ec2", Action: "DescribeKeyPairs", Latency: "60s"})
	scan, err := acct.ScanInstances(context.Background(), ScanOptions{RegionTimeout: 3 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	eu, _ := scan.Region("eu-central-1")
	if eu.Status != RegionFailed || eu.Code != "Timeout" || scan.Failed() != 1 {
		t.Fatalf("got %+v, %d failed", eu, scan.Failed())
	}
}

func TestScanLimitedToRegionsListsOnlyThoseAndFlagsUnknownOnes(t *testing.T) {
	acct, _ := openEC2Sim(t, ec2Incident, false)
	scan, err := acct.ScanInstances(context.Background(), ScanOptions{Regions: []string{"us-west-2", "xx-nowhere-1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(scan.Regions) != 2 || len(scan.Instances()) != 13 {
		t.Fatalf("regions %+v", scan.Regions)
	}
	if x, _ := scan.Region("xx-nowhere-1"); x.Status != RegionSkipped || x.Code != "UnknownRegion" {
		t.Fatalf("got %+v", x)
	}
}

func TestScanLimitedToOneRegionScansOnlyThatRegion(t *testing.T) {
	acct, _ := openEC2Sim(t, ec2Incident, false)
	// us-east-1 is the first region DescribeRegions lists: every region after it must stay out.
	scan, err := acct.ScanInstances(context.Background(), ScanOptions{Regions: []string{"us-east-1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(scan.Regions) != 1 || scan.Regions[0].Region != "us-east-1" {
		t.Fatalf("scanned %d regions: %+v", len(scan.Regions), scan.Regions)
	}
}
