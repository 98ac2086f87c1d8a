package main

import (
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkRefusingA100000DeepFile runs the built binary, as an operator would, on the
// 100,000-deep runbook, scenario, plan and journal through every command that reads them, and
// reports each refusal's peak memory (the process's maximum resident set) and CPU time. Before
// the shape of a file was measured ahead of parsing, validate took 57 s and 15 GB on the runbook.
// It fails when a refusal takes 100 MB or a second of CPU.
func BenchmarkRefusingA100000DeepFile(b *testing.B) {
	r := newInputRig(b)
	runbook, scenario, plan, journal := r.deepFiles()
	for _, bc := range []struct {
		name string
		args []string
	}{
		{"validate-runbook", []string{"validate", runbook}},
		{"validate-scenario", []string{"validate", scenario}},
		{"validate-plan", []string{"validate", plan}},
		{"validate-journal", []string{"validate", journal}},
		{"plan-runbook", []string{"plan", "--runbook", runbook}},
		{"drill-scenario", []string{"drill", "--scenario", scenario}},
		{"sim-serve-scenario", []string{"sim", "serve", "--scenario", scenario, "--addr", "127.0.0.1:0"}},
		{"apply-plan", []string{"apply", plan, "--live", "--confirm", simAccount}},
		{"report-journal", []string{"report", journal}},
		{"respond-resume", []string{"--resume", journal}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var peakKB int64
			var cpu time.Duration
			for b.Loop() {
				// Started from a small parent, so the peak is the command's own (see measured).
				args := append(bc.args, "--endpoint-url", r.endpoint, "--journal", filepath.Join(r.dir, "journal"))
				runCPU, rssKB, code, err := measuredIn(r.dir, r.env, r.bin, args...)
				if err != nil {
					b.Fatal(err)
				}
				if code == 0 {
					b.Fatalf("lockdown %v accepted a 100,000-deep file", bc.args)
				}
				peakKB = max(peakKB, rssKB)
				cpu += runCPU
			}
			cpuPerRun := cpu / time.Duration(b.N)
			b.ReportMetric(float64(peakKB)/1024, "peak-RSS-MB")
			b.ReportMetric(float64(cpuPerRun.Milliseconds()), "cpu-ms/op")
			if peakKB >= 100<<10 || cpuPerRun >= time.Second {
				b.Fatalf("refusing the file took %d MB at its peak and %s of CPU: over 100 MB or 1 s", peakKB>>10, cpuPerRun)
			}
		})
	}
	if n := r.requests.Load(); n > 0 {
		b.Errorf("%d requests reached the endpoint", n)
	}
}
