package review

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAPlanThatIsNotOneIsNamedWithItsPosition(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"broken JSON", "{\n  \"version\": 1,\n  \"account\": ]\n}\n", "p.json:3:14: not a lockdown plan: invalid character ']'"},
		{"a field of the wrong type", "{\n  \"version\": \"one\"\n}\n", "p.json:2:19: not a lockdown plan: json: cannot unmarshal string"},
		{"a field no plan has", "{\n  \"version\": 1,\n  \"approve\": true\n}\n", `p.json:3:3: not a lockdown plan: json: unknown field "approve"`},
		{"empty", "", "p.json is empty: it is not a lockdown plan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodePlan("p.json", []byte(tt.text))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got  %v\nwant %s…", err, tt.want)
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
