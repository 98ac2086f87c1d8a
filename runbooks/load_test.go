package runbooks

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockdown/steps"
)

const runbookDir = "../testdata/runbooks"

func TestBadRunbooksReportEveryProblemWithItsPosition(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string
	}{
		{"checklist items with an unknown check, an unknown key or no text are reported", "bad-checklist.yaml", []string{
			`16:17: unknown check "fake.root-mfaa" (did you mean "fake.root-mfa"?); known checks: fake.root-keys, fake.root-mfa`,
			`18:9: unknown key "verfy" in item 3 of "checklist" in step "root-hardening" (did you mean "verify"?); allowed keys are text, verify`,
			`19:9: item 4 of "checklist" in step "root-hardening" has no text; say what the operator must do`,
		}},
		{"unknown keys are named with the allowed keys and the closest one", "bad-unknown-key.yaml", []string{
			`3:1: unknown key "stpes" at the top of a runbook (did you mean "steps"?); allowed keys are id, title, description, steps`,
			`7:5: unknown key "acton" in step "confirm-account" (did you mean "action"?); allowed keys are id, title, guide, action, with, manual, checklist, needs`,
			`10:7: action identity.confirm has no parameter "region"; it takes no parameters, so remove this key`,
		}},
		{"a repeated step id points at the repeat and names the first line", "bad-duplicate-id.yaml", []string{
			`11:9: step id "confirm-account" is used twice; the first is on line 4, and ids must be unique`,
		}},
		{"an unknown action lists the known ones and suggests the closest", "bad-unknown-action.yaml", []string{
			`6:13: unknown action "identity.confrim" (did you mean "identity.confirm"?); known actions: ec2.find-rogue-instances, fake.contain-key, identity.confirm`,
			`9:13: unknown action "find-rogue-instances" (did you mean "ec2.find-rogue-instances"?); known actions: ec2.find-rogue-instances, fake.contain-key, identity.confirm`,
			`12:13: unknown action "iam.quarantine"; known actions: ec2.find-rogue-instances, fake.contain-key, identity.confirm`,
		}},
		{"parameters of the wrong type, unknown parameters and missing required ones are all reported", "bad-param-type.yaml", []string{
			`8:7: action identity.confirm has no parameter "account"; it takes no parameters, so remove this key`,
			`13:20: parameter "concurrency" of action ec2.find-rogue-instances: want a whole number, got a string`,
			`14:22: parameter "usual_regions" of action ec2.find-rogue-instances: want a list of strings, got a string`,
			`15:15: parameter "window" of action ec2.find-rogue-instances: "soon" is not a duration such as 6h or 30m`,
			`19:5: action fake.contain-key needs parameter "key" (string), the leaked access key id; add it under "with:"`,
			`20:19: parameter "quarantine" of action fake.contain-key: want true or false, got a string`,
		}},
		{"a step may need neither itself nor a later step", "bad-needs-later.yaml", []string{
			`7:13: step "confirm-account" needs itself; remove "confirm-account" from its needs`,
			`12:13: step "terminate" needs "scan", which comes later (line 13); a step can only need steps above it, so move "scan" up or drop the need`,
		}},
		{"needs naming no step suggest the closest id", "bad-needs-unknown.yaml", []string{
			`11:13: step "root-hardening" needs "confirm-acount", but no step has that id (did you mean "confirm-account"?)`,
			`11:29: step "root-hardening" needs "billing", but no step has that id`,
		}},
		{"empty and missing ids and titles are reported where they belong", "bad-empty-title.yaml", []string{
			`2:8: the runbook has an empty title; write a title the operator will recognise`,
			`5:11: step "confirm-account" has an empty title; write a short title for the step list`,
			`7:5: step 2 has no id; add a unique id such as "id: contain-key" (needs and the journal refer to steps by id)`,
			`9:5: step "Root Hardening" has no title; add a short title for the step list`,
			`9:9: id "Root Hardening" may only use lowercase letters, digits, "-", "_" and "."; for example "confirm-account"`,
		}},
		{"a YAML syntax error carries the parser's position and a hint", "bad-syntax.yaml", []string{
			`5:12: not valid YAML: mapping value is not allowed in this context; check the indentation of this line and the ones around it`,
		}},
		{"a step is either an action or a manual checklist, never both or neither", "bad-manual-and-action.yaml", []string{
			`7:13: step "confirm-account" has both an action (identity.confirm) and manual: true; a step is either automated by an action or a manual checklist, so remove one`,
			`9:5: step "contain-key" has neither an action nor manual: true; name the action that automates it, or mark it manual: true with a checklist`,
			`15:5: step "scan" has a checklist but is not manual; checklists are for manual: true steps (describe what to check in the guide instead)`,
			`19:16: manual step "root-hardening" has no checklist; list what the operator must do, one item per line, so each can be ticked off`,
			`22:13: manual step "notes" has no checklist; list what the operator must do, one item per line, so each can be ticked off`,
			`23:5: step "notes" is manual, so "with" has nothing to configure; remove it or name an action`,
		}},
		{"steps written as a mapping instead of a list are refused", "bad-wrong-types.yaml", []string{
			`4:3: steps must be a list, each step starting with "- id: ...", but this is a mapping`,
		}},
		{"a file that is a list instead of a runbook is refused", "bad-not-a-mapping.yaml", []string{
			`1:1: a runbook must be a mapping with id, title, description and steps, but this is a list`,
		}},
		{"step fields of the wrong YAML type say what they must be", "bad-step-types.yaml", []string{
			`4:9: "id" in step 1 must be text, but this is a whole number; put it in quotes if it is meant as text`,
			`5:12: "title" in step 1 must be text, but this is a list`,
			`7:5: step 2 must be a mapping with id, title, guide and an action or manual: true, but this is text`,
			`10:13: "manual" in step "manual-yes" must be true or false, but this is text`,
			`11:16: "checklist" in step "manual-yes" must be a list of things to do, one per line starting with "- ", but this is text`,
			`12:12: "needs" in step "manual-yes" must be a list of step ids such as [confirm-account], but this is text`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(runbookDir, tt.file)
			_, err := Load(path, testRegistry())
			var problems Problems
			if !errors.As(err, &problems) {
				t.Fatalf("Load(%s) = %v, want Problems", tt.file, err)
			}
			want := make([]string, len(tt.want))
			for i, w := range tt.want {
				want[i] = path + ":" + w
			}
			if got := strings.Split(err.Error(), "\n"); !equalLines(got, want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func equalLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSmallSyntaxMistakesAreExplained(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"a repeated key names the first one", "id: x\ntitle: y\nid: z\n",
			`f.yaml:3:1: not valid YAML: key "id" appears twice in the same mapping (first on line 1, column 1); keep one`},
		{"a tab in the indentation is named", "id: x\n\ttitle: y\n",
			`f.yaml:2:1: not valid YAML: a tab character; YAML indentation must use spaces`},
		{"an empty file says what a runbook needs", "",
			`f.yaml:1:1: the file is empty; a runbook needs an id, a title and a list of steps`},
		{"a runbook without steps asks for them", "id: x\ntitle: y\n",
			`f.yaml:1:1: the runbook has no steps; add a "steps:" list`},
		{"an empty action lists the known actions", "id: x\ntitle: y\nsteps:\n  - id: a\n    title: A\n    action: \"\"\n",
			`f.yaml:6:13: step "a" has an empty action; known actions: ec2.find-rogue-instances, fake.contain-key, identity.confirm`},
		{"an action that is not text is reported once", "id: x\ntitle: y\nsteps:\n  - id: a\n    title: A\n    action: [x]\n",
			`f.yaml:6:13: "action" in step "a" must be text, but this is a list`},
		{"an alias is refused rather than silently expanded", "id: &a x\ntitle: *a\nsteps: []\n",
			"f.yaml:2:8: aliases (*name) are not supported in runbooks; write the value out\n" +
				`f.yaml:3:8: the runbook's list of steps is empty; add at least one step`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tt.yaml), testRegistry())
			if err == nil || err.Error() != tt.want {
				t.Errorf("got  %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestGoodRunbooksLoadWithTypedParameters(t *testing.T) {
	rb, err := Load(filepath.Join(runbookDir, "good-typed-params.yaml"), testRegistry())
	if err != nil {
		t.Fatal(err)
	}
	scan, ok := rb.Step("find-rogue-instances")
	if !ok {
		t.Fatal("step find-rogue-instances is missing")
	}
	if got := scan.With.Int("concurrency", 0); got != 8 {
		t.Errorf("concurrency = %d, want 8", got)
	}
	if got := scan.With.Strings("usual_regions"); strings.Join(got, ",") != "us-east-1,eu-west-1" {
		t.Errorf("usual_regions = %v", got)
	}
	if got := scan.With.Duration("window", 0); got != 6*time.Hour {
		t.Errorf("window = %v, want 6h", got)
	}
	if rb.Source != filepath.Join(runbookDir, "good-typed-params.yaml") {
		t.Errorf("Source = %q", rb.Source)
	}

	minimal, err := Load(filepath.Join(runbookDir, "good-minimal.yaml"), testRegistry())
	if err != nil {
		t.Fatal(err)
	}
	root := minimal.Steps[1]
	if !root.Manual || len(root.Checklist) != 2 || root.Needs[0] != "confirm-account" {
		t.Errorf("manual step read as %+v", root)
	}
}

func TestTheBuiltinRunbookFollowsTheProcedure(t *testing.T) {
	rb := Builtin(steps.Builtin())
	want := []string{"confirm-account", "contain-key", "trace-attacker", "restore-logging", "credential-inventory", "rotate-keys",
		"remove-rogue-users", "disable-attacker-keys", "revoke-sessions", "remove-iam-persistence", "require-password-reset",
		"find-rogue-instances", "stop-respawners", "terminate-instances",
		"delete-key-pairs", "close-exposure", "root-hardening", "verify-contained"}
	if len(rb.Steps) != len(want) {
		t.Fatalf("builtin has %d steps, want %d", len(rb.Steps), len(want))
	}
	for i, s := range rb.Steps {
		if s.ID != want[i] {
			t.Errorf("step %d is %q, want %q", i+1, s.ID, want[i])
		}
		if len(s.Guide) < 300 {
			t.Errorf("step %q has a %d-character guide; the operator needs real guidance", s.ID, len(s.Guide))
		}
	}
	if rb.Source != "builtin:compromised-account" || rb.Steps[0].Action != "identity.confirm" {
		t.Errorf("Source %q, first action %q", rb.Source, rb.Steps[0].Action)
	}
}

func TestTheBuiltinRunbookIsRefusedWithoutItsActions(t *testing.T) {
	_, err := BuiltinNamed("compromised-account", steps.NewRegistry())
	if err == nil || !strings.Contains(err.Error(), `unknown action "identity.confirm"`) {
		t.Errorf("got %v", err)
	}
	if _, err := BuiltinNamed("no-such-runbook", testRegistry()); err == nil {
		t.Error("an unknown built-in name was accepted")
	}
}

func TestLoadSaysWhenTheFileCannotBeRead(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "missing.yaml"), testRegistry())
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want a not-exist error", err)
	}
}
