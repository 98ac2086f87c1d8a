package review

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAPlanThatIsNotOneIsNamedWithItsPosition(t *testing.T) {
	var whole bytes.Buffer
	if err := WritePlan(&whole, samplePlan()); err != nil {
		t.Fatal(err)
	}
	// Cut after the fourth line break, in the middle of "principal": the problem is on line 4.
	lines := strings.SplitAfter(whole.String(), "\n")
	cut := strings.Join(lines[:3], "") + lines[3][:12]
	tests := []struct{ name, text, want string }{
		{"broken JSON", "{\n  \"version\": 1,\n  \"account\": ]\n}\n", "p.json:3:14: not a lockdown plan: invalid character ']'"},
		{"a field of the wrong type", "{\n  \"version\": \"one\"\n}\n", "p.json:2:19: not a lockdown plan: json: cannot unmarshal string"},
		{"a field no plan has", "{\n  \"version\": 1,\n  \"approve\": true\n}\n", `p.json:3:3: not a lockdown plan: json: unknown field "approve"`},
		{"a plan cut short", cut, "p.json:4:13: the plan ends here, in the middle of its JSON: the file was cut short"},
		{"a plan cut short after a line break", strings.Join(lines[:5], ""), "p.json:5:" + fmt.Sprint(len(strings.TrimRight(lines[4], "\n"))+1) + ": the plan ends here"},
		{"text after the plan", whole.String() + "\n{\"version\": 1}\n", fmt.Sprintf("p.json:%d:1: not a lockdown plan: more text after the end of the plan's JSON", len(lines)+1)},
		{"nested past any plan", "{\n  \"steps\": " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "\n}\n",
			"p.json:2:43: not a lockdown plan: lists and mappings are nested more than 32 levels deep here"},
		{"empty", "", "p.json is empty: it is not a lockdown plan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, brk := range []string{"\n", "\r\n", "\r"} {
				_, err := DecodePlan("p.json", []byte(strings.ReplaceAll(tt.text, "\n", brk)))
				if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
					t.Errorf("with %q line breaks: got  %v\nwant %s…", brk, err, tt.want)
				}
			}
		})
	}
}

func TestAPlanFileLargerThanTheLimitIsRefusedWithoutReadingIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.json")
	if err := os.WriteFile(path, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, MaxPlanBytes+1); err != nil {
		t.Fatal(err)
	}
	_, err := ReadPlanFile(path)
	if err == nil || !strings.Contains(err.Error(), "larger than the 32 MiB a plan may be") {
		t.Errorf("got %v", err)
	}
}
