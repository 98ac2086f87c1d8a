package ui

import "testing"

func TestUnwrapParagraphsJoinsHardWrappedTextButKeepsBlocks(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"a wrapped paragraph becomes one line", "one two\nthree four", "one two three four"},
		{"a wrapped list item continues the item", "- first\n  still first\n- second", "- first still first\n- second"},
		{"numbered items stay separate", "1. one\n2. two", "1. one\n2. two"},
		{"code fences are untouched", "```\na\nb\n```", "```\na\nb\n```"},
		{"a heading is not joined to the next line", "# Title\ntext", "# Title\ntext"},
		{"paragraphs stay apart", "a\n\nb", "a\n\nb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unwrapParagraphs(tt.in); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
