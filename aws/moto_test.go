package aws

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// startMoto runs moto_server, an independent AWS emulator, on a free loopback port for one test
// and returns an Account pointed at it. Without moto_server the test is skipped, unless
// LOCKDOWN_REQUIRE_MOTO=1 (CI), where a missing emulator is a failure.
func startMoto(t *testing.T, live bool) (*Account, string) {
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
	cmd.Env = append(os.Environ(), "MOTO_IAM_LOAD_MANAGED_POLICIES=true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting moto_server: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitForHTTP(t, url, 30*time.Second)
	acct, err := Open(context.Background(), Options{
		Region:          DefaultRegion,
		EndpointURL:     url,
		AccessKeyID:     "AKIAEXAMPLEMOTOTEST0",
		SecretAccessKey: "moto-test-secret",
		Live:            live,
		MaxBackoff:      50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return acct, url
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitForHTTP(t *testing.T, url string, limit time.Duration) {
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

func TestWhoAmIAgainstMoto(t *testing.T) {
	acct, _ := startMoto(t, false)
	id, err := acct.WhoAmI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if id.Account != "123456789012" || acct.Guard.Account() != "123456789012" {
		t.Fatalf("identity %+v, guard %q", id, acct.Guard.Account())
	}
}
