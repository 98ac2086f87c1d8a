package aws

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"lockdown/aws/sim"
)

// seventeenRegions are the regions every account has enabled; benchRegions adds seven opted-in
// ones, the 24 enabled regions of an account that has opted in to a few.
var (
	seventeenRegions = []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-south-1", "ap-northeast-1", "ap-northeast-2",
		"ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2",
		"eu-west-3", "eu-north-1", "sa-east-1"}
	benchRegions = append(slices.Clone(seventeenRegions), "af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3",
		"eu-central-2", "eu-south-1", "me-south-1")
)

// fleetScenario seeds count instances in each of regions (the 17 default regions when nil); the
// regions are the account's enabled ones.
func fleetScenario(regions []string, count int) string {
	var b strings.Builder
	if regions == nil {
		regions = seventeenRegions
	}
	b.WriteString("name: bench\nseed: 1\naccount: {id: \"111122223333\"}\nincident_start: -3h\nregions:\n")
	for _, r := range regions {
		fmt.Fprintf(&b, "  - {name: %s, opt_in: opted-in}\n", r)
	}
	b.WriteString("ec2:\n  generate:\n")
	for _, r := range regions {
		fmt.Fprintf(&b, "    - {region: %s, count: %d, type: m5.large, launched: -10d, name: node}\n", r, count)
	}
	return b.String()
}

// BenchmarkScanTwentyFourRegionsWithLatency: 24 enabled regions, 100 ms per call, 50 instances
// each. The bound is 1.5 × (DescribeRegions + one page) = 300 ms: only a scan with every region
// in flight at once meets it. The default pool is compared with the 16 workers lockdown once
// used, which need a second wave of round trips for the last regions.
func BenchmarkScanTwentyFourRegionsWithLatency(b *testing.B) {
	for _, workers := range []int{0, 16} {
		b.Run(fmt.Sprintf("concurrency=%d", workers), func(b *testing.B) {
			acct, srv := openEC2Sim(b, fleetScenario(benchRegions, 50), false)
			addEC2Fault(b, srv, sim.Fault{Service: "ec2", Latency: "100ms"})
			for b.Loop() {
				scan, err := acct.ScanInstances(context.Background(), ScanOptions{Concurrency: workers}, nil)
				if err != nil || len(scan.Instances()) != len(benchRegions)*50 {
					b.Fatalf("%v, %d instances", err, len(scan.Instances()))
				}
			}
			perScan := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(perScan.Milliseconds()), "ms/scan")
			b.ReportMetric(float64(perScan)/float64(200*time.Millisecond), "x(regions+page)")
		})
	}
}

// BenchmarkScanTwentyThousandInstancesInOneRegion: 20 pages of 1000; wall time and peak heap
// (sampled every 5 ms, simulator included, since it shares the process).
func BenchmarkScanTwentyThousandInstancesInOneRegion(b *testing.B) {
	acct, _ := openEC2Sim(b, fleetScenario([]string{"us-east-1"}, 20000), false)
	var peak atomic.Uint64
	stop := make(chan struct{})
	go sampleHeap(&peak, stop)
	defer close(stop)
	for b.Loop() {
		scan, err := acct.ScanInstances(context.Background(), ScanOptions{Regions: []string{"us-east-1"}}, nil)
		if err != nil || len(scan.Instances()) != 20000 {
			b.Fatalf("%v, %d instances", err, len(scan.Instances()))
		}
	}
	b.ReportMetric(float64((b.Elapsed() / time.Duration(b.N)).Milliseconds()), "ms/scan")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}

func sampleHeap(peak *atomic.Uint64, stop <-chan struct{}) {
	var m runtime.MemStats
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
		}
	}
}

// BenchmarkTerminateFiveThousandOverTenRegionsWithThrottling: 20% of TerminateInstances calls are
// throttled. Every instance must end terminated, and the calls must be the batches plus the
// throttled retries, nothing more (counted from the simulator's request log).
func BenchmarkTerminateFiveThousandOverTenRegionsWithThrottling(b *testing.B) {
	regions := []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1", "ap-south-1", "ap-northeast-1", "sa-east-1"}
	var calls, throttled, batches int
	for b.Loop() {
		b.StopTimer()
		acct, srv := openEC2Sim(b, fleetScenario(regions, 500), true)
		addEC2Fault(b, srv, sim.Fault{Service: "ec2", Throttle: 0.2})
		var targets []Target
		for _, in := range srv.EC2Instances("") {
			targets = append(targets, Target{Region: in.Region, InstanceID: in.ID})
		}
		srv.ResetRequests()
		b.StartTimer()
		term, err := changesOf(b, acct).TerminateInstances(context.Background(), targets, TerminateOptions{}, nil)
		if err != nil || term.Count(Terminated) != 5000 {
			b.Fatalf("%v: %d terminated", err, term.Count(Terminated))
		}
		for _, r := range term.Regions {
			batches += r.Calls
		}
		for _, req := range srv.Requests() {
			if req.Action == "TerminateInstances" {
				calls++
				if req.Code == "RequestLimitExceeded" {
					throttled++
				}
			}
		}
	}
	if calls != batches+throttled {
		b.Fatalf("%d TerminateInstances calls for %d batches and %d throttled retries", calls, batches, throttled)
	}
	b.ReportMetric(float64(calls)/float64(b.N), "terminate-calls/op")
	b.ReportMetric(float64(batches)/float64(b.N), "batches/op")
	b.ReportMetric(float64(throttled)/float64(b.N), "throttled/op")
}
