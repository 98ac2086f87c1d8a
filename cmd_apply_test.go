package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"lockdown/steps"
)

func TestApplyIsRefusedWithoutLiveOrTheMatchingConfirmationAndSendsNothing(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path, _ := s.plan()
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"without --live", []string{"--confirm", simAccount}, "add --live"},
		{"without --confirm", []string{"--live"}, "add --confirm"},
		{"with another account's id", []string{"--live", "--confirm", "999988887777"}, "is not the plan's account"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.resetRequests()
			code, _, stderr := s.lockdown(append([]string{"apply", path, "--secrets-file", filepath.Join(t.TempDir(), "s")}, tc.args...)...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Fatalf("want exit 2 saying %q, got %d:\n%s", tc.want, code, stderr)
			}
			if n := len(s.srv.Requests()); n > 0 {
				t.Fatalf("a refused apply sent %d requests; it must refuse before calling AWS", n)
			}
		})
	}
}

func TestApplyOfAnUnchangedPlanAppliesExactlyThePlannedChanges(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path, doc := s.plan()
	terminate := plannedStep(t, doc, "terminate-instances")
	planned := map[string]bool{}
	for _, c := range terminate.Changes {
		if c.Op == steps.OpTerminate {
			planned[c.Target] = true
		}
	}
	before := s.instanceStates()
	s.resetRequests()

	secretsPath := filepath.Join(t.TempDir(), "secrets")
	code, stdout, stderr := s.lockdown("apply", path, "--live", "--confirm", simAccount, "--secrets-file", secretsPath)
	assertSecretsOnlyInTheirFile(t, secretsPath, s.journal, stdout+stderr)
	// The instance with termination protection is planned with disabling it, so everything reviewed
	// applies. Key rotation still applies: the deactivation it planned was done by containment.
	// Deleting the attacker's key on billing-reports, now inactive, is a further plan that needs its
	// own review: offered, and not counted undone, since everything reviewed was applied. The SSH
	// rule the attacker's role session opened is revoked by the exposure step, and the role an
	// outside account could assume was created after T0 and is deleted by the role step, so the
	// verification at the end finds the attacker out.
	undone := "disable-attacker-keys: a further plan needs a new review and was NOT applied"
	if code != exitOK || !strings.Contains(stderr, undone) || !strings.Contains(stderr, "verify-contained: contained") ||
		strings.Contains(stderr, "! remains: ") || !strings.Contains(stderr, "1 further plans were offered") {
		t.Fatalf("exit %d, want %d with the attacker key's deletion offered and the attacker out:\n%s", code, exitOK, stderr)
	}
	if got := s.keyStatus("ci-deploy", simLeakedKey); got != "Inactive" {
		t.Errorf("the leaked key is %s after apply, want Inactive", got)
	}
	for id, state := range s.instanceStates() {
		switch {
		case planned[id] && state != "terminated":
			t.Errorf("planned instance %s is %s, want terminated", id, state)
		case !planned[id] && state != before[id]:
			t.Errorf("instance %s was not in the plan but went from %s to %s", id, before[id], state)
		}
	}
	reviewed := map[string]bool{}
	for _, ps := range doc.Steps {
		for _, c := range ps.Changes {
			_, calls, _ := strings.Cut(c.Op, ":")
			for _, call := range strings.Split(calls, "+") {
				reviewed[call] = true
			}
		}
	}
	for _, r := range s.mutating() {
		if !reviewed[r.Action] {
			t.Errorf("apply sent %s, which no reviewed change asked for", r.Action)
		}
	}
	if !strings.Contains(stderr, "no longer needed") {
		t.Errorf("a reviewed change made unnecessary by an earlier step should be reported as such:\n%s", stderr)
	}
}

func TestApplyAfterTheAttackerLaunchedMoreRefusesTheTerminationAndReportsTheDrift(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path, doc := s.plan()
	// The respawner step is reviewed on its own and does not drift: it may cancel the spot
	// requests it names, and only those.
	reviewedSpot, reviewedRules := map[string]bool{}, map[string]bool{}
	for _, ps := range doc.Steps {
		for _, c := range ps.Changes {
			if ps.Step == "stop-respawners" && c.Op == "ec2:CancelSpotInstanceRequests" {
				reviewedSpot[c.Target] = true
			}
			if ps.Step == "close-exposure" && c.Op == steps.OpRevokeIngress {
				reviewedRules[c.Target] = true
			}
		}
	}
	s.clock.Advance(11 * time.Minute) // the attacker launches more GPU miners in us-west-2
	before := s.instanceStates()
	s.resetRequests()

	secretsPath := filepath.Join(t.TempDir(), "secrets")
	code, stdout, stderr := s.lockdown("apply", path, "--live", "--confirm", simAccount, "--secrets-file", secretsPath)
	assertSecretsOnlyInTheirFile(t, secretsPath, s.journal, stdout+stderr)
	if code != exitPartial {
		t.Fatalf("exit %d, want 3:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "terminate-instances: DRIFT") || !strings.Contains(stderr, "added since review") {
		t.Fatalf("stderr should report the added instances as drift:\n%s", stderr)
	}
	for _, r := range s.mutating() {
		// The key pair and exposure steps are reviewed on their own and did not drift: their
		// DeleteKeyPair and the revocation of the reviewed rule may go.
		if r.Action == "CancelSpotInstanceRequests" && reviewedSpot[r.Params.Get("SpotInstanceRequestId.1")] && r.Params.Get("SpotInstanceRequestId.2") == "" {
			continue
		}
		if r.Action == "RevokeSecurityGroupIngress" && reviewedRules[r.Params.Get("SecurityGroupRuleId.1")] && r.Params.Get("SecurityGroupRuleId.2") == "" {
			continue
		}
		if r.Service == "ec2" && r.Action != "DeleteKeyPair" {
			t.Errorf("a drifted termination step still sent %s in %s", r.Action, r.Region)
		}
	}
	for id, state := range s.instanceStates() {
		if before[id] != "" && state != before[id] {
			t.Errorf("instance %s went from %s to %s although its step drifted", id, before[id], state)
		}
	}
	if got := s.keyStatus("ci-deploy", simLeakedKey); got != "Inactive" {
		t.Errorf("containment did not drift and should have been applied; the key is %s", got)
	}
}

func TestApplyAfterAPlannedInstanceWasTerminatedRefusesTheStep(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path, doc := s.plan()
	var gone steps.Change
	for _, c := range plannedStep(t, doc, "terminate-instances").Changes {
		if c.Op == steps.OpTerminate {
			gone = c
			break
		}
	}
	_, err := s.ec2(gone.Region).TerminateInstances(context.Background(), &ec2.TerminateInstancesInput{InstanceIds: []string{gone.Target}})
	if err != nil {
		t.Fatal(err)
	}
	before := s.instanceStates()
	s.resetRequests()

	secretsPath := filepath.Join(t.TempDir(), "secrets")
	code, stdout, stderr := s.lockdown("apply", path, "--live", "--confirm", simAccount, "--secrets-file", secretsPath)
	assertSecretsOnlyInTheirFile(t, secretsPath, s.journal, stdout+stderr)
	if code != exitPartial || !strings.Contains(stderr, "terminate-instances: DRIFT") {
		t.Fatalf("exit %d; stderr should report drift for the termination step:\n%s", code, stderr)
	}
	for id, state := range s.instanceStates() {
		if state != before[id] {
			t.Errorf("instance %s went from %s to %s although its step drifted", id, before[id], state)
		}
	}
}

func TestApplyWithCredentialsOfAnotherAccountIsRefusedNamingBoth(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path, doc := s.plan()
	doc.Account = "999988887777"
	writePlan(t, path, doc)
	s.resetRequests()

	code, _, stderr := s.lockdown("apply", path, "--live", "--confirm", "999988887777", "--secrets-file", filepath.Join(t.TempDir(), "secrets"))
	if code != exitFailed {
		t.Fatalf("exit %d, want 1:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "999988887777") || !strings.Contains(stderr, simAccount) {
		t.Errorf("the refusal should name both accounts:\n%s", stderr)
	}
	if m := s.mutating(); len(m) > 0 {
		t.Fatalf("apply in the wrong account sent %s %s", m[0].Service, m[0].Action)
	}
}

// assertSecretsOnlyInTheirFile checks that rotation's new secrets went to the 0600 file and
// nowhere else: not the output, the journal or the log.
func assertSecretsOnlyInTheirFile(t *testing.T, path, journalDir, output string) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no secrets file: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("secrets file mode %v, want 0600", info.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	var secrets []string
	for _, line := range strings.Split(string(data), "\n") {
		if secret, ok := strings.CutPrefix(line, "aws_secret_access_key = "); ok {
			secrets = append(secrets, secret)
		}
	}
	if len(secrets) == 0 {
		t.Fatalf("the secrets file holds no secret:\n%s", data)
	}
	records, _ := filepath.Glob(filepath.Join(journalDir, "*"))
	for _, secret := range secrets {
		if strings.Contains(output, secret) {
			t.Error("a new secret was printed")
		}
		for _, f := range records {
			if b, _ := os.ReadFile(f); strings.Contains(string(b), secret) {
				t.Errorf("a new secret is in %s", filepath.Base(f))
			}
		}
	}
}

func TestApplyWithASecretsFileItCannotCreateChangesNothing(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path, _ := s.plan()
	s.resetRequests()
	code, _, stderr := s.lockdown("apply", path, "--live", "--confirm", simAccount,
		"--secrets-file", filepath.Join(t.TempDir(), "no-such-dir", "secrets"))
	if code != exitUsage || !strings.Contains(stderr, "nothing was changed") {
		t.Fatalf("exit %d, want %d:\n%s", code, exitUsage, stderr)
	}
	if n := len(s.mutating()); n != 0 {
		t.Fatalf("%d changes were sent before finding the secrets file cannot be written", n)
	}
}
