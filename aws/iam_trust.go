package aws

import (
	"encoding/json"
	"strings"
)

// ExternalTrust reads a role's trust policy and returns who outside account may assume the role:
// other accounts' principals, or "*" for anyone. A role that trusts another account is how an
// attacker keeps a way back in after every key is gone, so the operator must see it.
func ExternalTrust(trustPolicy, account string) []string {
	var out []string
	for _, st := range trustStatements(trustPolicy) {
		if st.Effect != "Allow" {
			continue
		}
		for _, p := range awsPrincipals(st.Principal) {
			if p == "*" || principalAccount(p) != account {
				out = append(out, p)
			}
		}
	}
	return out
}

type trustStatement struct {
	Effect    string
	Principal json.RawMessage
}

// trustStatements reads a trust policy's statements; none when it is not JSON.
func trustStatements(trustPolicy string) []trustStatement {
	var doc struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(decodeDocument(trustPolicy)), &doc) != nil {
		return nil
	}
	return statements(doc.Statement)
}

// statements accepts a single statement or a list, as IAM does.
func statements(raw json.RawMessage) []trustStatement {
	var list []trustStatement
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one trustStatement
	if json.Unmarshal(raw, &one) == nil {
		return []trustStatement{one}
	}
	return nil
}

// awsPrincipals returns the AWS principals of a statement: "*", or the "AWS" entry as a string or
// a list. Service and federated principals are AWS's own or the account's identity providers.
func awsPrincipals(raw json.RawMessage) []string {
	var star string
	if json.Unmarshal(raw, &star) == nil {
		return []string{star}
	}
	var p struct {
		AWS json.RawMessage
	}
	if json.Unmarshal(raw, &p) != nil || len(p.AWS) == 0 {
		return nil
	}
	var one string
	if json.Unmarshal(p.AWS, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(p.AWS, &many)
	return many
}

// principalAccount is the account of "arn:aws:iam::ACCOUNT:..." or of a bare account id.
func principalAccount(p string) string {
	if fields := strings.Split(p, ":"); len(fields) >= 5 && strings.HasPrefix(p, "arn:") {
		return fields[4]
	}
	return p
}

// TrustPrincipals lists every principal an Allow statement of a trust policy names: AWS
// principals, services and federated identity providers, as written.
func TrustPrincipals(trustPolicy string) []string {
	var out []string
	for _, st := range trustStatements(trustPolicy) {
		if st.Effect != "Allow" {
			continue
		}
		out = append(out, awsPrincipals(st.Principal)...)
		var p struct {
			Service, Federated json.RawMessage
		}
		if json.Unmarshal(st.Principal, &p) != nil {
			continue
		}
		for _, raw := range []json.RawMessage{p.Service, p.Federated} {
			var one string
			var many []string
			switch {
			case len(raw) == 0:
			case json.Unmarshal(raw, &one) == nil:
				out = append(out, one)
			case json.Unmarshal(raw, &many) == nil:
				out = append(out, many...)
			}
		}
	}
	return out
}
