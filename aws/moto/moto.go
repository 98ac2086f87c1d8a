// Package moto runs moto_server, an independent AWS emulator, for integration tests, so that the
// project's own simulator is never the only judge of how AWS answers.
package moto

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Start runs moto_server on a free loopback port for one test, with AWS's managed policies
// loaded, and returns its URL; it stops when the test ends. Without moto_server on PATH the test
// is skipped, unless LOCKDOWN_REQUIRE_MOTO=1 (as in CI), where that is a failure.
func Start(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		if os.Getenv("LOCKDOWN_REQUIRE_MOTO") == "1" {
			t.Fatalf("moto_server is required (LOCKDOWN_REQUIRE_MOTO=1) but not on PATH: %v", err)
		}
		t.Skip("moto_server not found on PATH: skipping the moto integration test (install moto[server] to run it)")
	}
	port := freePort(t)
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Env = append(withoutAWSSettings(os.Environ()), "MOTO_IAM_LOAD_MANAGED_POLICIES=true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // so its worker processes stop with it
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting moto_server: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitForHTTP(t, url, 60*time.Second) // generous: a loaded machine starts moto slowly; the normal case returns as soon as it answers
	return url
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitForHTTP(t testing.TB, url string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("moto_server did not answer on %s within %s", url, limit)
}

// withoutAWSSettings drops the AWS_* variables from an environment: moto is an AWS account, not a
// client of one, and a client's settings (an endpoint, a profile, a config file) change how it
// answers.
func withoutAWSSettings(env []string) []string {
	kept := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "AWS_") {
			kept = append(kept, kv)
		}
	}
	return kept
}
