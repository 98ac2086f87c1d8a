package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"lockdown/review"
)

// inputRig runs the built binary on files an operator could hand it, against an endpoint that
// counts requests: every refusal here must come before anything talks to AWS.
type inputRig struct {
	t        testing.TB
	bin, dir string
	env      []string
	requests atomic.Int64
	endpoint string
}

func newInputRig(t testing.TB) *inputRig {
	r := &inputRig{t: t, bin: builtLockdown(t), dir: t.TempDir()}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		r.requests.Add(1)
		http.Error(w, "no AWS here", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	r.endpoint = srv.URL
	r.env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + r.dir, "XDG_STATE_HOME=" + filepath.Join(r.dir, "state"),
		"AWS_ACCESS_KEY_ID=AKIAEXAMPLEINPUTTEST", "AWS_SECRET_ACCESS_KEY=x", "AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(r.dir, "none"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(r.dir, "none"), "NO_COLOR=1"}
	return r
}

// file writes a file under the rig's directory and returns its path.
func (r *inputRig) file(name string, data []byte) string {
	path := filepath.Join(r.dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		r.t.Fatal(err)
	}
	return path
}

// fifo makes a named pipe nobody writes to: opening it for reading blocks forever.
func (r *inputRig) fifo(name string) string {
	path := filepath.Join(r.dir, name)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		r.t.Skipf("cannot make a FIFO here: %v", err)
	}
	return path
}

// run runs the binary from the rig's directory and returns its exit code and output. A run that
// does not end within 20 s is killed and fails the test: lockdown was blocked.
func (r *inputRig) run(t testing.TB, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.bin, append(args, "--endpoint-url", r.endpoint, "--journal", filepath.Join(r.dir, "journal"))...)
	cmd.Env, cmd.Dir = r.env, r.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("lockdown %s was still running after 20 s: blocked\n%s", strings.Join(args, " "), out.String())
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), out.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, out.String()
}

type inputCase struct {
	name string
	args []string
	code int
	want string
}

// expect runs each case and checks its exit code, its message, that it did not panic, and that
// nothing reached the endpoint.
func (r *inputRig) expect(t *testing.T, tests []inputCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := r.run(t, tt.args...)
			if code != tt.code || !strings.Contains(out, tt.want) || strings.Contains(out, "goroutine ") {
				t.Errorf("lockdown %s: exit %d, want %d and %q:\n%.2000s", strings.Join(tt.args, " "), code, tt.code, tt.want, out)
			}
		})
	}
	if n := r.requests.Load(); n > 0 {
		t.Errorf("%d requests reached the endpoint: bad input must be refused before anything talks to AWS", n)
	}
}

// deepFiles are the 100,000-deep runbook, scenario, plan and journal: 200 KB each, and before their
// shape was measured first, 57 s and 15 GB for validate to refuse the runbook.
func (r *inputRig) deepFiles() (runbook, scenario, plan, journal string) {
	open, closed := strings.Repeat("[", 100_000), strings.Repeat("]", 100_000)
	return r.file("deep-runbook.yaml", []byte("id: x\nsteps: "+open+closed+"\n")),
		r.file("deep-scenario.yaml", []byte("name: x\naccount:\n  id: \"111122223333\"\nfaults: "+open+closed+"\n")),
		r.file("deep-plan.json", []byte(`{"version":1,"account":"111122223333","runbook":"x","steps":`+open+closed+"}\n")),
		r.file("deep-journal.jsonl", []byte(`{"kind":"note","time":"2026-01-01T00:00:00Z","data":`+open+closed+"}\n"))
}

func TestEveryPathThatReadsAFileRefusesOneNestedTooDeepAtOnce(t *testing.T) {
	t.Parallel()
	r := newInputRig(t)
	runbook, scenario, plan, journal := r.deepFiles()
	const yamlDeep, scenarioDeep, jsonDeep = "nested more than 64 levels deep", "nested more than 32 levels deep", "nested more than 32 levels deep"
	r.expect(t, []inputCase{
		{"validate, a runbook", []string{"validate", runbook}, exitFailed, runbook + ":2:71: lists and mappings are " + yamlDeep},
		{"validate, a scenario", []string{"validate", scenario}, exitFailed, scenario + ":4:40: lists and mappings are " + scenarioDeep},
		{"validate, a plan", []string{"validate", plan}, exitFailed, plan + ":1:92: not a lockdown plan: lists and mappings are " + jsonDeep},
		{"validate, a journal", []string{"validate", journal}, exitFailed, journal + ":1: not a lockdown journal: not a journal entry: lists and mappings are " + jsonDeep},
		{"plan --runbook", []string{"plan", "--runbook", runbook}, exitUsage, runbook + ":2:71: lists and mappings are " + yamlDeep},
		{"drill --runbook", []string{"drill", "--runbook", runbook}, exitUsage, yamlDeep},
		{"drill --scenario", []string{"drill", "--scenario", scenario}, exitUsage, scenario + ":4:40: lists and mappings are " + scenarioDeep},
		{"sim serve --scenario", []string{"sim", "serve", "--scenario", scenario, "--addr", "127.0.0.1:0"}, exitUsage, scenario + ":4:40: lists and mappings are " + scenarioDeep},
		{"apply", []string{"apply", plan, "--live", "--confirm", simAccount}, exitUsage, plan + ":1:92: not a lockdown plan: lists and mappings are " + jsonDeep},
		{"report", []string{"report", journal}, exitFailed, journal + ":1: not a lockdown journal"},
		{"respond --resume", []string{"--resume", journal}, exitUsage, "cannot resume: " + journal + ":1: not a lockdown journal"},
	})
}

// minimalPlan is a plan that apply reads, for the account of the simulator's scenarios.
func minimalPlan() []byte {
	var b bytes.Buffer
	doc := &review.PlanDocument{Version: review.PlanVersion, Account: simAccount, Principal: "arn:aws:iam::" + simAccount + ":user/oncall",
		Created: time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC), Runbook: "compromised-account"}
	if err := review.WritePlan(&b, doc); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func TestOnlyRegularFilesAreReadAndNothingBlocksOnAFIFO(t *testing.T) {
	t.Parallel()
	r := newInputRig(t)
	fifo, dir := r.fifo("pipe"), filepath.Join(r.dir, "a-directory")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	plan := r.file("plan.json", minimalPlan())
	const notRegular = "is a named pipe (FIFO), not a regular file"
	r.expect(t, []inputCase{
		{"validate", []string{"validate", fifo}, exitFailed, fifo + " " + notRegular},
		{"validate, a device", []string{"validate", os.DevNull}, exitFailed, os.DevNull + " is a character device, not a regular file"},
		{"validate, a directory", []string{"validate", dir}, exitFailed, dir + " is a directory, not a regular file"},
		{"--runbook", []string{"plan", "--runbook", fifo}, exitUsage, notRegular + ": a runbook must be a regular file"},
		{"drill --scenario", []string{"drill", "--scenario", fifo}, exitUsage, notRegular + ": a scenario must be a regular file"},
		{"sim serve --scenario", []string{"sim", "serve", "--scenario", fifo, "--addr", "127.0.0.1:0"}, exitUsage, notRegular + ": a scenario must be a regular file"},
		{"apply's plan", []string{"apply", fifo, "--live", "--confirm", simAccount}, exitUsage, notRegular + ": a plan must be a regular file"},
		{"apply --secrets-file", []string{"apply", plan, "--live", "--confirm", simAccount, "--secrets-file", fifo}, exitUsage, notRegular + ": a secrets file must be a regular file"},
		{"report", []string{"report", fifo}, exitFailed, notRegular + ": a journal must be a regular file"},
		{"respond --resume", []string{"--resume", fifo}, exitUsage, notRegular + ": a journal must be a regular file"},
		{"plan -o", []string{"plan", "-o", fifo}, exitUsage, notRegular + ": a plan must be a regular file"},
	})
}

func TestAScenarioWithATagWhereAListBelongsIsAProblemNotACrash(t *testing.T) {
	t.Parallel()
	r := newInputRig(t)
	// The 42 bytes the fuzzer found: the YAML library dereferenced nil decoding them.
	crash := r.file("crash.yaml", []byte("iam:\n  users:\n    - mfa_devices: !00000 00"))
	const want = ":3:20: tags such as !00000 are not part of the scenario format"
	r.expect(t, []inputCase{
		{"validate", []string{"validate", crash}, exitFailed, crash + want},
		{"drill --scenario", []string{"drill", "--scenario", crash}, exitUsage, crash + want},
		{"sim serve --scenario", []string{"sim", "serve", "--scenario", crash, "--addr", "127.0.0.1:0"}, exitUsage, crash + want},
	})
}

func TestBadFlagsAreRefusedBeforeAnyAWSCall(t *testing.T) {
	t.Parallel()
	r := newInputRig(t)
	plan := r.file("plan.json", minimalPlan())
	made := make([]string, 500)
	for i := range made {
		made[i] = "us-made-up-" + string(rune('0'+i%10))
	}
	existingDir := filepath.Join(r.dir, "plans")
	if err := os.Mkdir(existingDir, 0o700); err != nil {
		t.Fatal(err)
	}
	r.expect(t, []inputCase{
		{"--call-timeout 0", []string{"plan", "--call-timeout", "0"}, exitUsage, "--call-timeout 0s: give how long one attempt of an AWS call may take, more than 0"},
		{"--call-timeout -1s", []string{"plan", "--call-timeout=-1s"}, exitUsage, "--call-timeout -1s: give how long"},
		{"--call-timeout 0 on a read-only command", []string{"scan", "--call-timeout", "0"}, exitUsage, "--call-timeout 0s"},
		{"500 made-up regions", []string{"plan", "--skip-regions", strings.Join(made, ",")}, exitUsage, `--skip-regions: "us-made-up-0", "us-made-up-1", "us-made-up-2", and 497 more are not AWS regions`},
		{"an availability zone", []string{"plan", "--skip-regions", "eu-west-1a"}, exitUsage, `"eu-west-1a" (an availability zone; its region is "eu-west-1") is not an AWS region`},
		{"apply with a region that is none", []string{"apply", plan, "--live", "--confirm", simAccount, "--skip-regions", "mars-1"}, exitUsage, `--skip-regions: "mars-1" is not an AWS region`},
		{"-o in a directory that is not there", []string{"plan", "-o", filepath.Join(r.dir, "missing", "plan.json")}, exitUsage, "cannot be written"},
		{"-o under a file", []string{"plan", "-o", filepath.Join(plan, "plan.json")}, exitUsage, "cannot be written"},
		{"-o naming a directory", []string{"plan", "-o", existingDir}, exitUsage, "is a directory, not a regular file"},
		{"-o naming an existing plan", []string{"plan", "-o", plan}, exitUsage, "already exists: lockdown does not overwrite a plan"},
	})
}

func TestPlacesAreRightForEveryLineBreak(t *testing.T) {
	t.Parallel()
	r := newInputRig(t)
	whole := string(minimalPlan())
	lines := strings.SplitAfter(whole, "\n")
	for name, brk := range map[string]string{"LF": "\n", "CRLF": "\r\n", "CR": "\r"} {
		with := func(text string) []byte { return []byte(strings.ReplaceAll(text, "\n", brk)) }
		runbook := r.file(name+"-runbook.yaml", with("id: x\ntitle: y\nsteps:\n  - id: a\n    title: A\n    manual: true\n    bogus: 1\n"))
		scenario := r.file(name+"-scenario.yaml", with("name: x\n\naccount:\n  id: \"111122223333\"\nincident_start: yesterday-ish\n"))
		deep := r.file(name+"-deep.yaml", with("name: x\naccount:\n  id: \"111122223333\"\nfaults:\n  - "+strings.Repeat("[", 40)+"\n"))
		// Cut in the middle of its fourth line, "principal".
		cut := r.file(name+"-cut.json", with(strings.Join(lines[:3], "")+lines[3][:12]))
		r.expect(t, []inputCase{
			{name + ": a runbook's unknown key", []string{"validate", runbook}, exitFailed, runbook + `:7:5: unknown key "bogus"`},
			{name + ": a scenario's bad time", []string{"validate", scenario}, exitFailed, scenario + `:5:17: incident_start: "yesterday-ish" is neither`},
			{name + ": a scenario nested too deep", []string{"validate", deep}, exitFailed, deep + ":5:34: lists and mappings are nested more than 32 levels deep"},
			{name + ": a plan cut short", []string{"validate", cut}, exitFailed, cut + ":4:13: the plan ends here, in the middle of its JSON"},
		})
	}
}

func TestAPlanWithAnythingAddedIsNotTheReviewedPlan(t *testing.T) {
	t.Parallel()
	r := newInputRig(t)
	reviewed := minimalPlan()
	doc, err := review.DecodePlan("p", reviewed)
	if err != nil {
		t.Fatal(err)
	}
	digest := doc.Digest()
	withText := r.file("with-text.json", append(bytes.Clone(reviewed), []byte(`{"steps": []}`+"\n")...))
	withSpace := r.file("with-space.json", append(bytes.Clone(reviewed), []byte("\n\n")...))
	cut := r.file("cut.json", reviewed[:len(reviewed)/2])
	apply := func(plan string) []string {
		return []string{"apply", plan, "--live", "--confirm", simAccount, "--plan-digest", digest}
	}
	lastLine := strings.Count(string(reviewed[:len(reviewed)/2]), "\n") + 1
	r.expect(t, []inputCase{
		{"text after the JSON", apply(withText), exitUsage, withText + ":" + itoa(strings.Count(string(reviewed), "\n")+1) + ":1: not a lockdown plan: more text after the end of the plan's JSON"},
		{"white space after the JSON", apply(withSpace), exitUsage, withSpace + " has digest sha256:"},
		{"cut in the middle", apply(cut), exitUsage, cut + ":" + itoa(lastLine) + ":"},
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestValidateRefusesWhatSimServeAndDrillRefuseAtTheSamePlace(t *testing.T) {
	t.Parallel()
	r := newInputRig(t)
	launched := r.file("launched.yaml", []byte(scenarioHead+"ec2:\n  instances:\n    - {region: us-east-1, launched: yesterday-ish}\n"))
	policy := r.file("policy.yaml", []byte(scenarioHead+"iam:\n  users:\n    - name: dev\n      attached_policies: [ReadOnlyAcess]\n"))
	const badTime = `:5:37: ec2.instances[0].launched: "yesterday-ish" is neither an offset such as -3h or -30d nor an RFC 3339 time`
	const badPolicy = `:6:27: iam.users[0].attached_policies[0]: policy ReadOnlyAcess does not exist`
	r.expect(t, []inputCase{
		{"validate, a launch time", []string{"validate", launched}, exitFailed, launched + badTime},
		{"sim serve, a launch time", []string{"sim", "serve", "--scenario", launched, "--addr", "127.0.0.1:0"}, exitUsage, launched + badTime},
		{"drill, a launch time", []string{"drill", "--scenario", launched}, exitUsage, launched + badTime},
		{"validate, a policy", []string{"validate", policy}, exitFailed, policy + badPolicy},
		{"sim serve, a policy", []string{"sim", "serve", "--scenario", policy, "--addr", "127.0.0.1:0"}, exitUsage, policy + badPolicy},
		{"drill, a policy", []string{"drill", "--scenario", policy}, exitUsage, policy + badPolicy},
	})
}
