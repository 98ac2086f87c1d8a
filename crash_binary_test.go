package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
	"lockdown/aws/wiretest"
	"lockdown/runbooks"
)

// crashRig is the built binary against the simulator behind a fault proxy, with every file it
// writes under root: an operator's apply, killed and started again.
type crashRig struct {
	t      *testing.T
	sim    *simtest.Sim
	wire   *wiretest.Proxy
	l      *sealedLockdown
	plan   string
	direct string // the simulator itself, for the test's own reads
}

func newCrashRig(t *testing.T) *crashRig { return newCrashRigFor(t, "crypto-miner") }

// newCrashRigFor serves scenario to the built binary, with the plan of the scenario (made with the
// keeps given) ready to apply.
func newCrashRigFor(t *testing.T, scenario string, keeps ...string) *crashRig {
	t.Helper()
	s := simtest.Start(t, scenario, rigStart())
	direct := s.URL
	wire := s.Watch(t)
	id, secret := s.Server.ResponderCredentials()
	root := t.TempDir()
	return &crashRig{t: t, sim: s, wire: wire, l: newSealedLockdown(t, s.URL, root, id, secret, ""),
		plan: rigPlanFile(t, scenario, keeps, root), direct: direct}
}

// applyArgs are apply's arguments with a new secrets file.
func (r *crashRig) applyArgs(secrets string) []string {
	return []string{"apply", r.plan, "--live", "--confirm", r.sim.Server.Account(), "--secrets-file", filepath.Join(r.l.root, secrets),
		"--endpoint-url", r.l.endpoint, "--journal", filepath.Join(r.l.root, "journal")}
}

// killApplyWhen starts apply and SIGKILLs it as soon as served says the moment has come.
func (r *crashRig) killApplyWhen(secrets string, served func([]sim.Request) bool) {
	r.t.Helper()
	r.killApply(secrets, func() bool { return served(r.sim.Server.Requests()) })
}

// killApply starts apply and SIGKILLs it as soon as now says the moment has come.
func (r *crashRig) killApply(secrets string, now func() bool) {
	r.t.Helper()
	cmd := exec.Command(r.l.bin, r.applyArgs(secrets)...)
	cmd.Env, cmd.Dir = r.l.env, r.l.root
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for !now() {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			r.t.Fatalf("the moment to kill never came:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		r.t.Fatal(err)
	}
	_ = cmd.Wait()
	r.t.Logf("killed apply; its output:\n%s", out.String())
}

// apply runs apply to its end and returns its exit code and output.
func (r *crashRig) apply(secrets string) (int, string) {
	r.l.stderr.Reset()
	cmd := exec.Command(r.l.bin, r.applyArgs(secrets)...)
	cmd.Env, cmd.Dir = r.l.env, r.l.root
	out, err := cmd.CombinedOutput()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode(), string(out)
	} else if err != nil {
		r.t.Fatal(err)
	}
	return 0, string(out)
}

// killedJournal reads the journal of the killed apply: it must read whole, up to the kill.
func (r *crashRig) killedJournal() []runbooks.Entry {
	r.t.Helper()
	paths, _ := filepath.Glob(filepath.Join(r.l.root, "journal", "*-live*.jsonl"))
	if len(paths) != 1 {
		r.t.Fatalf("journals after the kill: %v", paths)
	}
	entries, err := runbooks.ReadJournal(paths[0])
	if err != nil {
		r.t.Fatalf("the journal of the killed apply does not read whole: %v", err)
	}
	return entries
}

func (r *crashRig) keysOf(user string) []string {
	r.t.Helper()
	id, secret := r.sim.Server.ResponderCredentials()
	return keyIDsOf(r.t, iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: sdk.String(r.direct),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")}), user)
}

func servedOK(action string) func([]sim.Request) bool {
	return func(reqs []sim.Request) bool {
		return slices.ContainsFunc(reqs, func(q sim.Request) bool { return q.Action == action && q.Mutating && q.Code == "" && !q.Attacker })
	}
}

func TestAnApplyKilledAfterAWSMadeTheNewKeyIsFinishedByTheNextWithoutAnOrphanADuplicateOrALostSecret(t *testing.T) {
	t.Parallel()
	r := newCrashRig(t)
	// AWS makes the key; its answer is held, and lockdown is killed while it waits for it.
	r.wire.SetRules(wiretest.Rule{Action: "CreateAccessKey", Fault: wiretest.SlowAnswer(time.Minute), Times: 1})
	r.killApplyWhen("secrets-1", servedOK("CreateAccessKey"))

	pending := runbooks.PendingChanges(r.killedJournal())
	if len(pending) != 1 || !strings.HasPrefix(pending[0].Change.ID, "create/") || pending[0].Outcome != "" {
		t.Fatalf("the journal names the create as intended and never settled: %+v", pending)
	}
	user, before := pending[0].Change.Target, pending[0].KeysBefore
	var orphan string
	for _, id := range r.keysOf(user) {
		if !slices.Contains(before, id) {
			orphan = id
		}
	}
	if orphan == "" {
		t.Fatalf("AWS made no key for %s before the kill: %v", user, r.keysOf(user))
	}

	r.wire.SetRules()
	code, out := r.apply("secrets-2")
	t.Logf("apply again exited %d:\n%s", code, out)
	if !strings.Contains(out, "reconciling 1 changes") || !strings.Contains(out, orphan) {
		t.Errorf("the second apply says it reconciled the create and deleted %s", orphan)
	}
	keys := r.keysOf(user)
	if slices.Contains(keys, orphan) {
		t.Errorf("the key whose secret nobody holds, %s, is still on %s: %v", orphan, user, keys)
	}
	var made []string
	for _, id := range keys {
		if !slices.Contains(before, id) {
			made = append(made, id)
		}
	}
	secrets := filepath.Join(r.l.root, "secrets-2")
	if len(made) != 1 {
		t.Fatalf("%s has exactly one new key, not %v (keys %v, before %v)", user, made, keys, before)
	}
	data, err := os.ReadFile(secrets)
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(secrets); info.Mode().Perm() != 0o600 || !strings.Contains(string(data), "aws_access_key_id = "+made[0]) {
		t.Errorf("the new key %s has its secret in the 0600 secrets file (mode %v)", made[0], info.Mode().Perm())
	}
	if again := r.keysOf(user); !slices.Equal(again, keys) {
		t.Errorf("keys changed after apply ended: %v then %v", keys, again)
	}
}

func TestAnApplyKilledMidTerminationIsFinishedByTheNextAndEveryInstanceIsTerminatedOnce(t *testing.T) {
	t.Parallel()
	r := newCrashRig(t)
	// One region's TerminateInstances is carried out and its answer held.
	r.wire.SetRules(wiretest.Rule{Action: "TerminateInstances", Fault: wiretest.SlowAnswer(time.Minute), Times: 1})
	// The kill comes once every region with rogue instances has had its termination carried out.
	r.killApplyWhen("secrets-1", func(reqs []sim.Request) bool {
		regions := map[string]bool{}
		for _, q := range reqs {
			if q.Action == "TerminateInstances" && q.Mutating && q.Code == "" {
				regions[q.Region] = true
			}
		}
		return len(regions) == 4
	})

	var intended []string
	for _, p := range runbooks.PendingChanges(r.killedJournal()) {
		if strings.HasPrefix(p.Change.ID, "TerminateInstances/") {
			intended = append(intended, p.Change.Target)
		}
	}
	if len(intended) == 0 {
		t.Fatal("the journal names no termination as intended and unsettled")
	}

	r.wire.SetRules()
	code, out := r.apply("secrets-2")
	t.Logf("apply again exited %d:\n%s", code, out)
	if !strings.Contains(out, "terminate-instances: every reviewed change is already done") {
		t.Error("the second apply finds the terminations done, not a step it cannot plan")
	}
	terminations := map[string]int{}
	for _, q := range r.wire.Requests() {
		if q.Action != "TerminateInstances" || q.DryRun {
			continue
		}
		for k, v := range q.Params {
			if strings.HasPrefix(k, "InstanceId.") {
				terminations[v[0]]++
			}
		}
	}
	states := map[string]string{}
	for _, in := range r.sim.Server.EC2Instances("") {
		states[in.ID] = in.State
	}
	for _, id := range intended {
		if terminations[id] != 1 {
			t.Errorf("%s was sent for termination %d times", id, terminations[id])
		}
		if s := states[id]; s != "terminated" && s != "shutting-down" {
			t.Errorf("%s is %s after the second apply", id, s)
		}
	}
}

func TestCtrlCDuringACallThatNeverAnswersEndsApplyWithinSecondsAndJournalsWhatWasDone(t *testing.T) {
	t.Parallel()
	r := newCrashRig(t)
	// Termination's call never answers; the per-call timeout (30 s by default) is far away.
	r.wire.SetRules(wiretest.Rule{Action: "TerminateInstances", Fault: wiretest.Hang()})
	cmd := exec.Command(r.l.bin, r.applyArgs("secrets-1")...)
	cmd.Env, cmd.Dir = r.l.env, r.l.root
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for len(r.wire.ChangesOf("TerminateInstances")) == 0 {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("no termination was sent:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	interrupted := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("apply was still running 20 s after Ctrl-C:\n%s", out.String())
	}
	took := time.Since(interrupted)
	t.Logf("apply ended %s after Ctrl-C (exit %d):\n%s", took, cmd.ProcessState.ExitCode(), out.String())
	if cmd.ProcessState.ExitCode() == 0 {
		t.Error("an interrupted apply exited 0")
	}

	// Only the instances whose TerminateInstances reached the wire are unknown; one still waiting
	// for an earlier call (termination protection switched off first) at Ctrl-C was never asked.
	sent := map[string]bool{}
	for _, q := range r.wire.ChangesOf("TerminateInstances") {
		for k, v := range q.Params {
			if strings.HasPrefix(k, "InstanceId.") {
				sent[v[0]] = true
			}
		}
	}
	entries := r.killedJournal()
	var intended, settled int
	for _, e := range entries {
		switch {
		case e.Kind == runbooks.KindIntent && strings.HasPrefix(field(e.Data, "change", "id"), "TerminateInstances/"):
			intended++
		case e.Kind == runbooks.KindSettled && strings.HasPrefix(field(e.Data, "change"), "TerminateInstances/"):
			settled++
			change, outcome := field(e.Data, "change"), field(e.Data, "outcome")
			switch instance := change[strings.LastIndex(change, "/")+1:]; {
			case sent[instance] && outcome != string(runbooks.CallUnknown):
				t.Errorf("a termination whose call never answered, nor could be read back, is journaled %s, not unknown: %v", outcome, e.Data)
			case outcome == string(runbooks.CallDone):
				t.Errorf("a termination interrupted by Ctrl-C is journaled done: %v", e.Data)
			}
		}
	}
	if intended == 0 || settled != intended {
		t.Errorf("%d terminations intended, %d settled: what was under way at Ctrl-C is journaled", intended, settled)
	}
	if !slices.ContainsFunc(entries, func(e runbooks.Entry) bool {
		return e.Kind == runbooks.KindSettled && strings.HasPrefix(field(e.Data, "change"), "create/") && field(e.Data, "outcome") == string(runbooks.CallDone)
	}) {
		t.Error("the rotation done before Ctrl-C is not journaled")
	}
}

// field reads a string at path in a journal entry's data.
func field(data any, path ...string) string {
	for _, name := range path {
		m, _ := data.(map[string]any)
		data = m[name]
	}
	s, _ := data.(string)
	return s
}
