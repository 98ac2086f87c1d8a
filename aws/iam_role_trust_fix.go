package aws

import (
	"encoding/json"
	"slices"
)

// TrustWithoutOutside returns trustPolicy with every AWS principal outside account removed from
// its Allow statements, and the principals it removed. Service and federated principals, and this
// account's own principals (and those of the inside accounts, the other accounts of its
// organization), are never touched. A statement left with no principal is dropped; when
// no statement is left, after is empty: IAM refuses a trust policy without a statement, so the role
// itself must go or be kept. An unreadable document changes nothing and returns ok false.
func TrustWithoutOutside(trustPolicy, account string, inside ...string) (after string, removed []string, ok bool) {
	var doc map[string]any
	if json.Unmarshal([]byte(decodeDocument(trustPolicy)), &doc) != nil {
		return "", nil, false
	}
	var list []any
	switch st := doc["Statement"].(type) {
	case []any:
		list = st
	case map[string]any:
		list = []any{st}
	default:
		return "", nil, false
	}
	var kept []any
	for _, raw := range list {
		st, isMap := raw.(map[string]any)
		if !isMap || st["Effect"] != "Allow" {
			kept = append(kept, raw)
			continue
		}
		gone, empty := dropOutside(st, append([]string{account}, inside...))
		removed = append(removed, gone...)
		if !empty {
			kept = append(kept, st)
		}
	}
	if len(removed) == 0 {
		return decodeDocument(trustPolicy), nil, true
	}
	if len(kept) == 0 {
		return "", removed, true
	}
	doc["Statement"] = kept
	out, err := json.Marshal(doc)
	if err != nil {
		return "", nil, false
	}
	return string(out), removed, true
}

// dropOutside removes the outside AWS principals of one statement, reporting them and whether the
// statement has no principal left.
func dropOutside(st map[string]any, accounts []string) (removed []string, empty bool) {
	outside := func(p string) bool { return p == "*" || !slices.Contains(accounts, principalAccount(p)) }
	switch pr := st["Principal"].(type) {
	case string:
		if outside(pr) {
			return []string{pr}, true
		}
	case map[string]any:
		switch aws := pr["AWS"].(type) {
		case string:
			if outside(aws) {
				removed = []string{aws}
				delete(pr, "AWS")
			}
		case []any:
			var keep []any
			for _, p := range aws {
				if s, isString := p.(string); isString && outside(s) {
					removed = append(removed, s)
					continue
				}
				keep = append(keep, p)
			}
			switch len(keep) {
			case 0:
				delete(pr, "AWS")
			case 1:
				pr["AWS"] = keep[0]
			default:
				pr["AWS"] = keep
			}
		}
		return removed, len(pr) == 0
	}
	return nil, false
}

// SameTrust reports whether two trust policies say the same, whatever their encoding and layout.
func SameTrust(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(decodeDocument(a)), &x) != nil || json.Unmarshal([]byte(decodeDocument(b)), &y) != nil {
		return decodeDocument(a) == decodeDocument(b)
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return slices.Equal(ja, jb)
}
