package yamlcheck

import (
	"fmt"
	"sort"
	"strings"
)

// Suggest returns ` (did you mean "x"?)` for the closest option to a mistyped word, or "" when
// nothing is close enough to be a plausible typo.
func Suggest(word string, options []string) string {
	sorted := append([]string(nil), options...)
	sort.Strings(sorted) // ties resolve the same way every time
	best, bestDist := "", -1
	for _, o := range sorted {
		if o == word {
			continue
		}
		// "contain-key" for "iam.contain-key": the author left out the service prefix.
		if strings.HasSuffix(o, "."+word) {
			return fmt.Sprintf(" (did you mean %q?)", o)
		}
		if d := distance(strings.ToLower(word), strings.ToLower(o)); bestDist < 0 || d < bestDist {
			best, bestDist = o, d
		}
	}
	if bestDist < 0 || bestDist > max(2, len(word)/3) {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// distance is the Levenshtein edit distance between a and b, by runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
