package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockdown/aws/wiretest"
)

// TestTheSDKsOwnMessagesNeverReachTheTerminal: every command that talks to AWS keeps the SDK's
// warnings ("failed to discard remaining HTTP response body…") in a log file in the journal
// directory; stderr, the operator's terminal, never shows them.
func TestTheSDKsOwnMessagesNeverReachTheTerminal(t *testing.T) {
	t.Parallel()
	server := httptest.NewServer(http.HandlerFunc(wiretest.AnswerCutShort))
	t.Cleanup(server.Close)
	for _, args := range [][]string{
		{"scan", "--json"}, {"keys"}, {"trace", "--key", simLeakedKey}, {"verify"}, {"plan", "-o", "PLAN"},
	} {
		t.Run(args[0], func(t *testing.T) {
			dir := t.TempDir()
			for i, a := range args {
				args[i] = strings.ReplaceAll(a, "PLAN", filepath.Join(dir, "plan.json"))
			}
			var stdout, stderr bytes.Buffer
			runWith(append(args, "--endpoint-url", server.URL, "--journal", dir, "--call-timeout", "2s", "--retry-base", "1ms"), &stdout, &stderr,
				func(g *Globals) { g.credentials = staticCredentials{"AKIAEXAMPLERESPONDER", "secret"} })
			if strings.Contains(stderr.String(), "aws-sdk") || strings.Contains(stdout.String(), "aws-sdk") {
				t.Fatalf("the SDK's own message reached the terminal:\n%s", stderr.String())
			}
			logs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
			var kept string
			for _, l := range logs {
				b, _ := os.ReadFile(l)
				kept += string(b)
			}
			if !strings.Contains(kept, "source=aws-sdk") {
				t.Fatalf("the SDK's message is in no log file of %s (%v)", dir, logs)
			}
		})
	}
}
