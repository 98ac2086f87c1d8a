package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestWithoutCredentialsTheSDKsOwnWarningsStayOffTheTerminal: with no credentials anywhere, the
// SDK's credential chain asks the instance metadata service, and warns as it falls back from its
// token; an operator must see lockdown's one message about credentials, never the SDK's lines.
// The metadata service here is a loopback server that refuses the token, as on a host without a role.
func TestWithoutCredentialsTheSDKsOwnWarningsStayOffTheTerminal(t *testing.T) {
	t.Parallel()
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "forbidden", http.StatusForbidden)
	}))
	defer imds.Close()
	root := t.TempDir()
	cmd := exec.Command(builtLockdown(t), "scan", "--endpoint-url", "http://127.0.0.1:9", "--journal", filepath.Join(root, "journal"))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + root, "XDG_STATE_HOME=" + filepath.Join(root, "state"),
		"AWS_REGION=us-east-1", "AWS_CONFIG_FILE=" + filepath.Join(root, "none"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(root, "none"),
		"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + imds.URL, "NO_COLOR=1"}
	out, err := cmd.CombinedOutput()
	if _, failed := err.(*exec.ExitError); !failed {
		t.Fatalf("scan without credentials: %v\n%s", err, out)
	}
	text := string(out)
	if !strings.Contains(text, "no usable AWS credentials") {
		t.Errorf("the message does not say the credentials are missing:\n%s", text)
	}
	for _, noise := range []string{"WARN", "SDK ", "IMDSv1"} {
		if strings.Contains(text, noise) {
			t.Errorf("the SDK's own logging reached the terminal (%q):\n%s", noise, text)
		}
	}
}
