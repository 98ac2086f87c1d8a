package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"lockdown/aws/sim"
)

// benchRegions are the seventeen regions every account has enabled.
var benchRegions = strings.Fields("us-east-1 us-east-2 us-west-1 us-west-2 ap-south-1 ap-northeast-1 ap-northeast-2 ap-northeast-3 " +
	"ap-southeast-1 ap-southeast-2 ca-central-1 eu-central-1 eu-west-1 eu-west-2 eu-west-3 eu-north-1 sa-east-1")

// fleet is a scenario of total instances spread over the seventeen regions.
func fleet(total int) string {
	var b strings.Builder
	b.WriteString("name: fleet\nseed: 1\naccount: {id: \"111122223333\"}\nincident_start: -3h\nregions:\n")
	for _, r := range benchRegions {
		fmt.Fprintf(&b, "  - {name: %s, opt_in: opted-in}\n", r)
	}
	b.WriteString("ec2:\n  generate:\n")
	for i, r := range benchRegions {
		n := total / len(benchRegions)
		if i < total%len(benchRegions) {
			n++
		}
		fmt.Fprintf(&b, "    - {region: %s, count: %d, type: m5.large, launched: -10d, name: node}\n", r, n)
	}
	return b.String()
}

// replaying serves the simulator's answers, each computed once: after the first scan the server
// costs next to nothing, so what a scan costs is lockdown's own — reading, judging, writing.
type replaying struct {
	sim   http.Handler
	mu    sync.Mutex
	saved map[string]savedAnswer
}

type savedAnswer struct {
	status int
	header http.Header
	body   []byte
}

func (h *replaying) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	scope := req.Header.Get("Authorization")
	if i := strings.Index(scope, "Credential="); i >= 0 {
		scope = strings.Split(scope[i:], "/")[2] // the region
	}
	key := scope + "\n" + req.Header.Get("X-Amz-Target") + "\n" + string(body)
	h.mu.Lock()
	a, ok := h.saved[key]
	h.mu.Unlock()
	if !ok {
		rec := httptest.NewRecorder()
		req.Body = io.NopCloser(bytes.NewReader(body))
		h.sim.ServeHTTP(rec, req)
		a = savedAnswer{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
		h.mu.Lock()
		h.saved[key] = a
		h.mu.Unlock()
	}
	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

// BenchmarkScanOfAHundredThousandInstances times the built binary's `lockdown scan --json` of
// 100,000 instances over seventeen regions, and of seventeen instances for comparison, against the
// simulator's answers replayed, so the simulator's own cost is left out (`lockdown sim serve` and
// /usr/bin/time measure the whole: see the README). It reports each scan's wall time, its CPU
// time, the most memory the process held (peak RSS), and the ratio of the large scan to the small.
func BenchmarkScanOfAHundredThousandInstances(b *testing.B) {
	bin := builtLockdown(b)
	var small time.Duration
	for _, total := range []int{17, 100000} {
		b.Run(fmt.Sprintf("instances=%d", total), func(b *testing.B) {
			sc, err := sim.ParseScenario("fleet", []byte(fleet(total)))
			if err != nil {
				b.Fatal(err)
			}
			srv, err := sim.New(sc, sim.Options{Clock: sim.NewManualClock(time.Now())})
			if err != nil {
				b.Fatal(err)
			}
			server := httptest.NewServer(&replaying{sim: srv, saved: map[string]savedAnswer{}})
			defer server.Close()
			id, secret := srv.ResponderCredentials()
			root := b.TempDir()
			scan := func() (cpu time.Duration, rssKB int64) {
				env := []string{"HOME=" + root, "XDG_STATE_HOME=" + root, "AWS_ACCESS_KEY_ID=" + id, "AWS_SECRET_ACCESS_KEY=" + secret,
					"AWS_REGION=us-east-1", "AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull}
				// The Go runtime's own settings pass through, to measure the scan under them.
				for _, v := range []string{"GOGC", "GOMEMLIMIT", "GODEBUG"} {
					if val, ok := os.LookupEnv(v); ok {
						env = append(env, v+"="+val)
					}
				}
				cpu, rssKB, err := measured(env, bin, "scan", "--json", "--since", "3h", "--endpoint-url", server.URL)
				if err != nil {
					b.Fatalf("scan: %v", err)
				}
				return cpu, rssKB
			}
			scan() // fills the replay
			var cpu time.Duration
			var rss int64
			b.ResetTimer()
			for b.Loop() {
				c, r := scan()
				cpu, rss = cpu+c, max(rss, r)
			}
			per := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(per.Milliseconds()), "ms/scan")
			b.ReportMetric(float64((cpu / time.Duration(b.N)).Milliseconds()), "cpu-ms/scan")
			b.ReportMetric(float64(rss)/1024, "peak-RSS-MB")
			if total == 17 {
				small = per
			} else if small > 0 {
				b.ReportMetric(float64(per)/float64(small), "x-17-instances")
			}
		})
	}
}

// measureEnv starts the test binary as the small parent that runs one command and reports what
// it cost (see measured).
const measureEnv = "LOCKDOWN_MEASURE_COMMAND"

// measured runs a command and returns its CPU time and peak RSS. The command is not started
// from this process: Linux carries the peak RSS of the process a command was spawned from
// across the exec, and Go spawns a command sharing its parent's memory until then, so a command
// started from a test that holds a simulated account of 100,000 instances would report the
// test's peak as its own. The test binary, started afresh (measureEnv), is a small parent.
func measured(env []string, bin string, args ...string) (cpu time.Duration, rssKB int64, err error) {
	cpu, rssKB, code, err := measuredIn("", env, bin, args...)
	if err == nil && code != 0 {
		err = fmt.Errorf("%s %v exited %d", bin, args, code)
	}
	return cpu, rssKB, err
}

// measuredIn is measured in the directory dir, for a command whose exit code is the caller's to
// judge (a refusal is meant to fail).
func measuredIn(dir string, env []string, bin string, args ...string) (cpu time.Duration, rssKB int64, code int, err error) {
	cmd := exec.Command(os.Args[0], append([]string{bin}, args...)...)
	cmd.Env, cmd.Dir = append(env, measureEnv+"=1"), dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return 0, 0, 0, fmt.Errorf("%v\n%s", err, stderr.String())
	}
	var cpuNS int64
	if _, err := fmt.Sscanf(stdout.String(), "cpu-ns %d maxrss-kb %d exit %d", &cpuNS, &rssKB, &code); err != nil {
		return 0, 0, 0, fmt.Errorf("reading the measure %q: %v", stdout.String(), err)
	}
	return time.Duration(cpuNS), rssKB, code, nil
}

// runMeasured is the small parent: it runs os.Args[1:], its output discarded but for errors,
// and prints the command's CPU time and peak RSS.
func runMeasured() int {
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, measureEnv+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if !cmd.ProcessState.Success() {
		os.Stderr.Write(stderr.Bytes())
	}
	usage := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	fmt.Printf("cpu-ns %d maxrss-kb %d exit %d\n", cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime(), usage.Maxrss, cmd.ProcessState.ExitCode())
	return 0
}
