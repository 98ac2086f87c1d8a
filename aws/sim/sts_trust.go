package sim

import (
	"encoding/json"
	"strings"
)

// trustAllows reports whether a role's trust policy lets caller (a user or assumed-role ARN of
// account) assume it: an Allow of sts:AssumeRole naming the caller, the caller's account, or
// anyone. A role that trusts only a service or another account cannot be assumed from here.
func trustAllows(doc, caller, account string) bool {
	type trustStatement struct {
		Effect    string
		Action    stringList
		Principal json.RawMessage
	}
	list := decodeStatements[trustStatement](doc)
	allowed := false
	for _, st := range list {
		if !anyMatch(st.Action, "sts:AssumeRole", true) || !principalNames(st.Principal, caller, account) {
			continue
		}
		switch st.Effect {
		case "Deny":
			return false
		case "Allow":
			allowed = true
		}
	}
	return allowed
}

func principalNames(raw json.RawMessage, caller, account string) bool {
	var star string
	if json.Unmarshal(raw, &star) == nil {
		return star == "*"
	}
	var p struct{ AWS stringList }
	if json.Unmarshal(raw, &p) != nil {
		return false
	}
	for _, who := range p.AWS {
		if who == "*" || who == caller || who == account || who == "arn:aws:iam::"+account+":root" || strings.EqualFold(who, caller) {
			return true
		}
	}
	return false
}
