package steps

import "slices"

// mergeSameSubject keeps one row per subject: a check of the attacker's change that reads what a
// state check already reads and finds open is left out, and its CloudTrail event is added to the
// state check's evidence. A pass of either never hides the other's failure.
func mergeSameSubject(checks []VerifyCheck) []VerifyCheck {
	merged := slices.Clone(checks)
	open := map[string]int{}
	for i, c := range merged {
		if c.Subject != "" && c.Check != checkByHand && c.Open() {
			open[c.Subject] = i
		}
	}
	dropped := make([]bool, len(merged))
	for j, c := range merged {
		if i, ok := open[c.Subject]; ok && c.Check == checkByHand && c.Open() {
			merged[i].Evidence += "; the attacker's change: " + c.Evidence
			merged[i].Merged = append(merged[i].Merged, c.Item)
			dropped[j] = true
		}
	}
	out := make([]VerifyCheck, 0, len(merged))
	for j, c := range merged {
		if !dropped[j] {
			out = append(out, c)
		}
	}
	return out
}
