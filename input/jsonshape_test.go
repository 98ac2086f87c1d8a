package input

import (
	"strings"
	"testing"
)

var planLike = Limits{Depth: 64, Entries: 100, Keys: 50, Nodes: 1000}

func TestJSONPastItsLimitsIsFoundWhereItGoesPast(t *testing.T) {
	tests := []struct {
		name, text string
		want       Exceeded
	}{
		{"a hundred thousand arrays", `{"steps":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "}", Exceeded{TooDeep, 1, 73, 64}},
		{"objects on lines of their own", strings.Repeat("{\n\"a\":\n", 70), Exceeded{TooDeep, 129, 1, 64}},
		{"an array of 101 entries", "[" + strings.Repeat("1,", 100) + "1]", Exceeded{TooWide, 1, 201, 100}},
		{"an object of 51 keys", "{" + strings.Repeat(`"k":1,`, 50) + `"k":1}`, Exceeded{TooManyKeys, 1, 301, 50}},
		{"more values than the file may hold", "[" + strings.Repeat("["+strings.Repeat(`"s",`, 50)+"1],", 20) + "]", Exceeded{TooMany, 1, 3919, 1000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, brk := range []string{"\n", "\r\n", "\r"} {
				got := NewJSONMeter(planLike).Feed([]byte(strings.ReplaceAll(tt.text, "\n", brk)), 1)
				if got == nil || *got != tt.want {
					t.Errorf("with %q line breaks: got %+v, want %+v", brk, got, tt.want)
				}
			}
		})
	}
}

func TestJSONInStringsAndKeysIsNotCounted(t *testing.T) {
	m := NewJSONMeter(Limits{Depth: 3, Entries: 4, Keys: 4, Nodes: 8})
	// 8 values: the object, "v", the array, 1, 2, 3, true, and the string full of brackets.
	text := `{"a": "v", "b\"[[[[": [1, 2, 3], "c": true, "d": "[[[[[[{{{{{,,,,,,\\\\\"}"}`
	if got := m.Feed([]byte(text), 1); got != nil {
		t.Errorf("%v", got)
	}
	if got := m.Feed([]byte(`[1]`), 2); got == nil || got.Limit != TooMany || got.Line != 2 || got.Col != 1 {
		t.Errorf("the count goes on across pieces: got %+v", got)
	}
}

// BenchmarkMeasuringA100000DeepJSON is the measurement that stands before the plan and journal
// decoders. Run with -benchmem.
func BenchmarkMeasuringA100000DeepJSON(b *testing.B) {
	data := []byte(`{"version":1,"steps":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "}")
	b.ReportAllocs()
	for b.Loop() {
		if NewJSONMeter(planLike).Feed(data, 1) == nil {
			b.Fatal("accepted")
		}
	}
}
