package runbooks

import (
	"fmt"
	"regexp"

	"github.com/goccy/go-yaml/ast"

	"lockdown/steps"
)

var stepKeys = []string{"id", "title", "guide", "action", "with", "manual", "checklist", "needs"}

// idPattern keeps ids usable on a command line, in file names and in the journal.
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// parsedStep keeps the YAML nodes of a step so that cross-step checks can point at them.
type parsedStep struct {
	step   *Step
	index  int
	node   *ast.MappingNode
	label  string
	fields map[string]*ast.MappingValueNode
	needs  []ast.Node
	// kindUnclear is set when "manual" is not a boolean: whether the step is manual is then unknown,
	// and checks that depend on it would only add noise.
	kindUnclear bool
}

func (c *checker) steps(n ast.Node) []*Step {
	seq, ok := unwrap(n).(*ast.SequenceNode)
	if !ok {
		c.add(n, `steps must be a list, each step starting with "- id: ...", but this is %s`, kind(n))
		return nil
	}
	if len(seq.Values) == 0 {
		c.add(n, "the runbook's list of steps is empty; add at least one step")
	}
	var parsed []*parsedStep
	for i, item := range seq.Values {
		if ps := c.step(i, item); ps != nil {
			parsed = append(parsed, ps)
		}
	}
	first := c.uniqueIDs(parsed)
	out := make([]*Step, 0, len(parsed))
	for _, ps := range parsed {
		c.checkKind(ps)
		c.checkNeeds(ps, first)
		out = append(out, ps.step)
	}
	return out
}

// step reads one list item; the label names it by id when it has one, else by its position.
func (c *checker) step(i int, item ast.Node) *parsedStep {
	m := c.mapping(item, fmt.Sprintf("step %d", i+1), "a mapping with id, title, guide and an action or manual: true")
	if m == nil {
		return nil
	}
	ps := &parsedStep{step: &Step{With: steps.Params{}}, index: i, node: m, label: fmt.Sprintf("step %d", i+1),
		fields: map[string]*ast.MappingValueNode{}}
	for _, kv := range m.Values {
		ps.fields[keyName(kv)] = kv
	}
	s := ps.step
	if kv := ps.fields["id"]; kv != nil {
		s.ID = c.text(kv.Value, `"id" in `+ps.label)
		if s.ID != "" {
			ps.label = fmt.Sprintf("step %q", s.ID)
			c.checkID(kv.Value, s.ID)
		}
	}
	for _, kv := range m.Values {
		c.stepField(ps, kv)
	}
	if s.ID == "" {
		c.missingOrEmpty(m, "id", ps.label, `a unique id such as "id: contain-key" (needs and the journal refer to steps by id)`)
	}
	if s.Title == "" {
		c.missingOrEmpty(m, "title", ps.label, "a short title for the step list")
	}
	return ps
}

func (c *checker) stepField(ps *parsedStep, kv *ast.MappingValueNode) {
	s := ps.step
	switch key := keyName(kv); key {
	case "id":
	case "title":
		s.Title = c.text(kv.Value, `"title" in `+ps.label)
	case "guide":
		s.Guide = c.text(kv.Value, `"guide" in `+ps.label)
	case "action":
		s.Action = c.text(kv.Value, `"action" in `+ps.label)
	case "with":
		// Checked against the action's parameters once the action is known.
	case "manual":
		var ok bool
		s.Manual, ok = c.boolean(kv.Value, `"manual" in `+ps.label)
		ps.kindUnclear = !ok
	case "checklist":
		s.Checklist, s.Verify = c.checklist(kv.Value, ps)
	case "needs":
		s.Needs, ps.needs = c.textList(kv.Value, `"needs" in `+ps.label, "a list of step ids such as [confirm-account]")
	default:
		c.unknownKey(kv, key, "in "+ps.label, stepKeys)
	}
}

func (c *checker) checkID(n ast.Node, id string) {
	if !idPattern.MatchString(id) {
		c.add(n, `id %q may only use lowercase letters, digits, "-", "_" and "."; for example "confirm-account"`, id)
	}
}

// boolean reads true or false; ok is false when the value was something else (already reported).
func (c *checker) boolean(n ast.Node, what string) (b, ok bool) {
	v, ok := c.value(n)
	if !ok {
		return false, false
	}
	b, isBool := v.(bool)
	if !isBool {
		c.add(n, "%s must be true or false, but this is %s", what, kind(n))
	}
	return b, isBool
}

// textList reads a list of non-empty strings and returns the item nodes alongside.
func (c *checker) textList(n ast.Node, what, want string) ([]string, []ast.Node) {
	if _, empty := unwrap(n).(*ast.NullNode); empty {
		return nil, nil
	}
	seq, ok := unwrap(n).(*ast.SequenceNode)
	if !ok {
		c.add(n, "%s must be %s, but this is %s", what, want, kind(n))
		return nil, nil
	}
	var out []string
	var nodes []ast.Node
	for i, item := range seq.Values {
		s := c.text(item, fmt.Sprintf("item %d of %s", i+1, what))
		if s == "" {
			if _, isText := unwrap(item).(*ast.StringNode); isText || isNull(item) {
				c.add(item, "item %d of %s is empty", i+1, what)
			}
			continue
		}
		out = append(out, s)
		nodes = append(nodes, item)
	}
	return out, nodes
}

func isNull(n ast.Node) bool {
	_, ok := unwrap(n).(*ast.NullNode)
	return ok || unwrap(n) == nil
}

// uniqueIDs reports every repeated step id at the repeat and returns where each id first appears.
func (c *checker) uniqueIDs(parsed []*parsedStep) map[string]*parsedStep {
	first := map[string]*parsedStep{}
	for _, ps := range parsed {
		id := ps.step.ID
		if id == "" {
			continue
		}
		if prev, dup := first[id]; dup {
			line, _ := position(prev.fields["id"].Value)
			c.add(ps.fields["id"].Value, "step id %q is used twice; the first is on line %d, and ids must be unique", id, line)
			continue
		}
		first[id] = ps
	}
	return first
}
