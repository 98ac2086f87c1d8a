package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim/simtest"
	"lockdown/aws/wiretest"
	"lockdown/review"
	"lockdown/steps"
)

// BenchmarkApplyUnderFaults applies the built-in scenario's reviewed plan live through the fault
// proxy under each fault profile, and reports each apply's time against the fault-free one. Each
// run checks that nothing was done twice (from the wire) and, where a region never answers, that
// its changes end unknown and every other change is done.
//
// By default the retry policy's clock is compressed (10 ms for a second, a one-second call
// timeout), and only the fault-free apply and the harshest profile run, so CI's single run stays
// short; LOCKDOWN_FAULT_BENCH=real measures every profile at AWS's clock, as an operator would
// live it:
//
//	LOCKDOWN_FAULT_BENCH=real go test -run '^$' -bench ApplyUnderFaults -benchtime 1x -timeout 30m .
func BenchmarkApplyUnderFaults(b *testing.B) {
	clock := []string{"--call-timeout", "1s", "--retry-base", "10ms"}
	profiles := []wiretest.Profile{wiretest.Profiles()[0], wiretest.Profiles()[len(wiretest.Profiles())-1]}
	if os.Getenv("LOCKDOWN_FAULT_BENCH") == "real" {
		clock, profiles = []string{"--lookup-interval", "510ms"}, wiretest.Profiles()
	}
	var faultFree time.Duration
	var table []string
	for _, profile := range profiles {
		b.Run(profile.Name, func(b *testing.B) {
			var total time.Duration
			for range b.N {
				total += applyUnderFaults(b, profile, clock)
			}
			per := total / time.Duration(b.N)
			if profile.Name == "none" {
				faultFree = per
			}
			b.ReportMetric(per.Seconds(), "s/apply")
			if faultFree > 0 {
				ratio := float64(per) / float64(faultFree)
				b.ReportMetric(ratio, "x-fault-free")
				table = append(table, fmt.Sprintf("%-26s %7.1f s  %5.1fx", profile.Name, per.Seconds(), ratio))
			}
		})
	}
	b.Logf("apply of crypto-miner's plan by fault profile (clock %v):\n%s", clock, strings.Join(table, "\n"))
}

// applyUnderFaults plans the scenario without faults, then times its live apply under profile.
func applyUnderFaults(b *testing.B, profile wiretest.Profile, clock []string) time.Duration {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	s := simtest.Start(b, "crypto-miner", time.Now().UTC())
	dir := b.TempDir()
	plan := filepath.Join(dir, "plan.json")
	var out, errs bytes.Buffer
	if code := runAsResponder(s.Server, append([]string{"plan", "--key", simLeakedKey, "--since", s.Server.IncidentStart().Format(time.RFC3339),
		"-o", plan, "--endpoint-url", s.URL, "--journal", dir}, clock...), &out, &errs); code != exitOK {
		b.Fatalf("plan exited %d:\n%s", code, errs.String())
	}
	doc, err := review.ReadPlanFile(plan)
	if err != nil {
		b.Fatal(err)
	}
	proxy := wiretest.StartProxy(b, s.URL, profile.Rules...)
	errs.Reset()
	b.StartTimer()
	start := time.Now()
	code := runAsResponder(s.Server, append([]string{"apply", plan, "--live", "--confirm", simAccount, "--secrets-file", filepath.Join(dir, "secrets"),
		"--endpoint-url", proxy.URL, "--journal", dir}, clock...), &out, &errs)
	took := time.Since(start)
	b.StopTimer()
	if code != exitOK && code != exitPartial {
		b.Fatalf("%s: apply exited %d:\n%s", profile.Name, code, errs.String())
	}
	if twice := doneTwice(proxy.Requests()); len(twice) > 0 {
		b.Fatalf("%s: changes made twice (answered 200 each time): %v", profile.Name, twice)
	}
	if slices.ContainsFunc(profile.Rules, func(r wiretest.Rule) bool { return r.Region != "" }) {
		checkSilentRegion(b, s, doc, errs.String())
	}
	return took
}

// doneTwice lists the changes the server answered as done more than once: the same action with
// the same parameters. Every fault of the profiles refuses a request without forwarding it, so a
// change answered twice was made twice.
func doneTwice(reqs []wiretest.Request) []string {
	seen := map[string]int{}
	var twice []string
	for _, q := range reqs {
		if !q.Changes() || q.Status != 200 {
			continue
		}
		var params []string
		for k, v := range q.Params {
			if k != "Action" && k != "Version" {
				params = append(params, k+"="+strings.Join(v, ","))
			}
		}
		slices.Sort(params)
		key := q.Region + " " + q.Action + " " + strings.Join(params, "&")
		if seen[key]++; seen[key] == 2 {
			twice = append(twice, key)
		}
	}
	return twice
}

// checkSilentRegion holds an apply with a region that never answers to its promise: that
// region's terminations are reported unknown and not made, every other one is made.
func checkSilentRegion(b *testing.B, s *simtest.Sim, doc *review.PlanDocument, stderr string) {
	b.Helper()
	ps, _ := doc.Step("terminate-instances")
	states := map[string]string{}
	for _, in := range s.Server.EC2Instances("") {
		states[in.ID] = in.State
	}
	for _, c := range ps.Changes {
		if c.Op != steps.OpTerminate {
			continue
		}
		if c.Region == wiretest.SilentRegion {
			if states[c.Target] != "running" || !strings.Contains(stderr, "NOT applied, unknown: ec2:TerminateInstances "+c.Target) {
				b.Errorf("%s in the silent %s is %s, and not reported unknown:\n%s", c.Target, c.Region, states[c.Target], stderr)
			}
			continue
		}
		if states[c.Target] != "terminated" {
			b.Errorf("%s in %s is %s: a region that answers must be done", c.Target, c.Region, states[c.Target])
		}
	}
}
