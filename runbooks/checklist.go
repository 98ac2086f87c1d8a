package runbooks

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"

	"lockdown/yamlcheck"
)

var checklistItemKeys = []string{"text", "verify"}

// checklist reads a manual step's items. An item is a line of text, or a mapping with the text and
// a `verify` check that lets lockdown confirm the item through an API (root MFA on, no root keys).
func (c *checker) checklist(n ast.Node, ps *parsedStep) (items, verify []string) {
	what := `"checklist" in ` + ps.label
	if isNull(n) {
		return nil, nil
	}
	seq, ok := unwrap(n).(*ast.SequenceNode)
	if !ok {
		c.add(n, "%s must be a list of things to do, one per line starting with \"- \", but this is %s", what, kind(n))
		return nil, nil
	}
	anyCheck := false
	for i, item := range seq.Values {
		label := fmt.Sprintf("item %d of %s", i+1, what)
		text, check := c.checklistItem(item, label)
		if text == "" {
			continue
		}
		items, verify = append(items, text), append(verify, check)
		anyCheck = anyCheck || check != ""
	}
	if !anyCheck {
		verify = nil
	}
	return items, verify
}

func (c *checker) checklistItem(item ast.Node, label string) (text, check string) {
	pairs := mappingPairs(item)
	if pairs == nil {
		text = c.text(item, label)
		if text == "" {
			if _, isText := unwrap(item).(*ast.StringNode); isText || isNull(item) {
				c.add(item, "%s is empty", label)
			}
		}
		return text, ""
	}
	var textNode ast.Node = item
	for _, kv := range pairs {
		switch key := keyName(kv); key {
		case "text":
			text, textNode = c.text(kv.Value, `"text" of `+label), kv.Value
		case "verify":
			check = c.text(kv.Value, `"verify" of `+label)
			if _, known := c.reg.Check(check); check != "" && !known {
				names := c.reg.CheckNames()
				c.add(kv.Value, "unknown check %q%s; known checks: %s", check, yamlcheck.Suggest(check, names), joinWords(names))
				check = ""
			}
		default:
			c.unknownKey(kv, key, "in "+label, checklistItemKeys)
		}
	}
	if text == "" {
		c.add(textNode, "%s has no text; say what the operator must do", label)
	}
	return text, check
}

// mappingPairs returns the key-value pairs of a mapping node, or nil when n is not a mapping.
func mappingPairs(n ast.Node) []*ast.MappingValueNode {
	switch m := unwrap(n).(type) {
	case *ast.MappingNode:
		return m.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}
	}
	return nil
}
