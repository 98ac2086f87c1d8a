package sim

import (
	"encoding/json"
	"strings"
	"time"
)

// Decisions as IAM's policy simulator names them.
const (
	decisionAllowed      = "allowed"
	decisionExplicitDeny = "explicitDeny"
	decisionImplicitDeny = "implicitDeny"
)

// sourcePolicy is one identity policy that applies to a principal, named as the policy simulator
// names its sources.
type sourcePolicy struct {
	ID       string // inline policy name or managed policy ARN
	Type     string // user, group, role, aws-managed, user-managed
	Document string
}

// statement is one policy statement; Action, Resource and their Not forms are lists of patterns.
type statement struct {
	Effect      string
	Action      []string
	NotAction   []string
	Resource    []string
	NotResource []string
	Condition   map[string]map[string][]string
}

// stringList reads a policy element that is either one string or a list of them.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

// parseStatements reads a policy document whose Statement is one object or a list. A document
// that does not parse grants nothing, as IAM would never have accepted it.
func parseStatements(doc string) []statement {
	type rawStatement struct {
		Effect      string
		Action      stringList
		NotAction   stringList
		Resource    stringList
		NotResource stringList
		Condition   map[string]map[string]stringList
	}
	raws := decodeStatements[rawStatement](doc)
	if raws == nil {
		return nil
	}
	out := make([]statement, 0, len(raws))
	for _, r := range raws {
		st := statement{Effect: r.Effect, Action: r.Action, NotAction: r.NotAction, Resource: r.Resource, NotResource: r.NotResource}
		if len(r.Condition) > 0 {
			st.Condition = map[string]map[string][]string{}
			for op, keys := range r.Condition {
				st.Condition[op] = map[string][]string{}
				for k, v := range keys {
					st.Condition[op][strings.ToLower(k)] = v
				}
			}
		}
		out = append(out, st)
	}
	return out
}

// decodeStatements reads a policy document's Statement, one object or a list, into T.
func decodeStatements[T any](doc string) []T {
	var d struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &d) != nil || len(d.Statement) == 0 {
		return nil
	}
	var list []T
	if json.Unmarshal(d.Statement, &list) == nil {
		return list
	}
	var one T
	if json.Unmarshal(d.Statement, &one) != nil {
		return nil
	}
	return []T{one}
}

// request is what a policy is evaluated against: an action, a resource ARN and the context keys
// (lower-cased names) the request carries.
type request struct {
	Action, Resource string
	Context          map[string][]string
}

func (st *statement) applies(r request) bool {
	if len(st.Action) > 0 && !anyMatch(st.Action, r.Action, true) {
		return false
	}
	if len(st.NotAction) > 0 && anyMatch(st.NotAction, r.Action, true) {
		return false
	}
	if len(st.Action) == 0 && len(st.NotAction) == 0 {
		return false
	}
	if len(st.Resource) > 0 && !anyResource(st.Resource, r.Resource) {
		return false
	}
	if len(st.NotResource) > 0 && anyResource(st.NotResource, r.Resource) {
		return false
	}
	if len(st.Resource) == 0 && len(st.NotResource) == 0 {
		return false
	}
	return conditionsHold(st.Condition, r.Context)
}

// evaluate applies IAM's rules: an explicit Deny in any policy wins, otherwise an Allow in any
// policy allows, otherwise the request is implicitly denied. It returns the decision and the
// policies whose statements decided it.
func evaluate(policies []sourcePolicy, r request) (string, []sourcePolicy) {
	var allows, denies []sourcePolicy
	for _, p := range policies {
		allowed, denied := false, false
		for _, st := range parseStatements(p.Document) {
			if !st.applies(r) {
				continue
			}
			switch st.Effect {
			case "Deny":
				denied = true
			case "Allow":
				allowed = true
			}
		}
		if denied {
			denies = append(denies, p)
		}
		if allowed {
			allows = append(allows, p)
		}
	}
	switch {
	case len(denies) > 0:
		return decisionExplicitDeny, denies
	case len(allows) > 0:
		return decisionAllowed, allows
	}
	return decisionImplicitDeny, nil
}

func anyMatch(patterns []string, value string, foldCase bool) bool {
	for _, p := range patterns {
		if foldCase {
			if glob(strings.ToLower(p), strings.ToLower(value)) {
				return true
			}
		} else if glob(p, value) {
			return true
		}
	}
	return false
}

// anyResource matches ARNs segment by segment, so a wildcard in one segment does not swallow the
// colons that separate the others; the last segment (the resource) may hold colons of its own.
func anyResource(patterns []string, arn string) bool {
	for _, p := range patterns {
		if p == "*" || resourceMatches(p, arn) {
			return true
		}
	}
	return false
}

func resourceMatches(pattern, arn string) bool {
	ps, as := strings.SplitN(pattern, ":", 6), strings.SplitN(arn, ":", 6)
	if len(ps) != len(as) {
		return glob(pattern, arn)
	}
	for i := range ps {
		if !glob(ps[i], as[i]) {
			return false
		}
	}
	return true
}

// glob matches * (any run of characters) and ? (one character), iteratively so that a long
// pattern of stars cannot make matching exponential.
func glob(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// conditionsHold evaluates the condition operators lockdown's policies use. A key the request does
// not carry makes the condition false (the IfExists forms true), as in IAM; an operator the
// simulator does not know makes it false, so it never grants more than AWS would.
func conditionsHold(cond map[string]map[string][]string, ctx map[string][]string) bool {
	for op, keys := range cond {
		base, ifExists := strings.CutSuffix(op, "IfExists")
		for key, want := range keys {
			have, ok := ctx[key]
			if !ok {
				if ifExists {
					continue
				}
				return false
			}
			if !operatorHolds(base, have, want) {
				return false
			}
		}
	}
	return true
}

func operatorHolds(op string, have, want []string) bool {
	negated := strings.Contains(op, "Not")
	any := func(f func(h, w string) bool) bool {
		for _, h := range have {
			for _, w := range want {
				if f(h, w) {
					return true
				}
			}
		}
		return false
	}
	switch op {
	case "StringEquals", "StringNotEquals", "ArnEquals", "ArnNotEquals", "Bool":
		return any(func(h, w string) bool { return h == w }) != negated
	case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
		return any(strings.EqualFold) != negated
	case "StringLike", "StringNotLike", "ArnLike", "ArnNotLike":
		return any(func(h, w string) bool { return glob(w, h) }) != negated
	case "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "DateEquals", "DateNotEquals":
		return any(func(h, w string) bool { return compareDates(op, h, w) })
	}
	return false
}

func compareDates(op, have, want string) bool {
	h, err1 := time.Parse(time.RFC3339, have)
	w, err2 := time.Parse(time.RFC3339, want)
	if err1 != nil || err2 != nil {
		return false
	}
	switch op {
	case "DateLessThan":
		return h.Before(w)
	case "DateLessThanEquals":
		return !h.After(w)
	case "DateGreaterThan":
		return h.After(w)
	case "DateGreaterThanEquals":
		return !h.Before(w)
	case "DateEquals":
		return h.Equal(w)
	}
	return !h.Equal(w)
}
