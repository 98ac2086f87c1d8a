package runbooks

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"lockdown/steps"
	"lockdown/yamlcheck"
)

// checkKind enforces that a step is exactly one of: automated by an action, or a manual checklist.
func (c *checker) checkKind(ps *parsedStep) {
	s := ps.step
	if ps.kindUnclear {
		if s.Action != "" {
			c.checkAction(ps)
		}
		return
	}
	switch {
	case s.Action != "" && s.Manual:
		c.add(ps.fields["manual"].Value, "%s has both an action (%s) and manual: true; a step is either automated by an action or a manual checklist, so remove one",
			ps.label, s.Action)
	case s.Action == "" && !s.Manual && ps.fields["action"] != nil:
		if !isBlank(ps.fields["action"].Value) {
			return // not text: already reported
		}
		c.add(ps.fields["action"].Value, "%s has an empty action; known actions: %s", ps.label, joinWords(c.actionNames()))
	case s.Action == "" && !s.Manual:
		c.add(ps.node, "%s has neither an action nor manual: true; name the action that automates it, or mark it manual: true with a checklist",
			ps.label)
	}
	if s.Manual && s.Action == "" {
		c.checkManual(ps)
	} else if kv := ps.fields["checklist"]; kv != nil && !s.Manual {
		c.add(kv.Key, "%s has a checklist but is not manual; checklists are for manual: true steps (describe what to check in the guide instead)", ps.label)
	}
	if s.Action != "" {
		c.checkAction(ps)
	}
}

// isBlank is true for a missing value or empty text.
func isBlank(n ast.Node) bool {
	switch v := unwrap(n).(type) {
	case nil, *ast.NullNode:
		return true
	case *ast.StringNode:
		return v.Value == ""
	}
	return false
}

func (c *checker) checkManual(ps *parsedStep) {
	if len(ps.step.Checklist) == 0 {
		at := ps.fields["manual"].Value
		if kv := ps.fields["checklist"]; kv != nil {
			at = kv.Value
		}
		c.add(at, "manual %s has no checklist; list what the operator must do, one item per line, so each can be ticked off", ps.label)
	}
	if kv := ps.fields["with"]; kv != nil {
		c.add(kv.Key, `%s is manual, so "with" has nothing to configure; remove it or name an action`, ps.label)
	}
}

func (c *checker) actionNames() []string {
	if c.reg == nil {
		return nil
	}
	return c.reg.Names()
}

func (c *checker) checkAction(ps *parsedStep) {
	s := ps.step
	var action steps.Action
	if c.reg != nil {
		action, _ = c.reg.Lookup(s.Action)
	}
	if action == nil {
		names := c.actionNames()
		c.add(ps.fields["action"].Value, "unknown action %q%s; known actions: %s", s.Action, yamlcheck.Suggest(s.Action, names), joinWords(names))
		return
	}
	c.checkWith(ps, action.Spec())
}

// checkWith converts each parameter to its declared type and reports required ones that are absent.
func (c *checker) checkWith(ps *parsedStep, spec steps.Spec) {
	present := map[string]bool{}
	kv := ps.fields["with"]
	var m *ast.MappingNode
	if kv != nil && !isNull(kv.Value) {
		m = c.mapping(kv.Value, `"with" in `+ps.label, "a mapping of parameter names to values")
	}
	if m != nil {
		for _, p := range m.Values {
			key := keyName(p)
			present[key] = true
			c.param(ps, spec, key, p)
		}
	}
	for _, p := range spec.Params {
		if !p.Required || present[p.Name] {
			continue
		}
		at := ast.Node(ps.fields["action"].Value)
		if kv != nil {
			at = kv.Key
		}
		c.add(at, "action %s needs parameter %q (%s)%s; add it under \"with:\"", spec.Name, p.Name, p.Type, doc(p))
	}
}

func (c *checker) param(ps *parsedStep, spec steps.Spec, key string, kv *ast.MappingValueNode) {
	p, ok := spec.Param(key)
	if !ok {
		var names []string
		for _, q := range spec.Params {
			names = append(names, q.Name)
		}
		c.add(kv.Key, "action %s has no parameter %q%s; %s", spec.Name, key, yamlcheck.Suggest(key, names), accepts(spec))
		return
	}
	v, ok := c.value(kv.Value)
	if !ok {
		return
	}
	converted, err := p.Type.Convert(v)
	if err != nil {
		c.add(kv.Value, "parameter %q of action %s: %v", key, spec.Name, err)
		return
	}
	ps.step.With[key] = converted
}

func doc(p steps.Param) string {
	if p.Doc == "" {
		return ""
	}
	return ", " + p.Doc
}

func accepts(spec steps.Spec) string {
	if len(spec.Params) == 0 {
		return "it takes no parameters, so remove this key"
	}
	parts := make([]string, len(spec.Params))
	for i, p := range spec.Params {
		parts[i] = fmt.Sprintf("%s (%s)", p.Name, p.Type)
	}
	return "it accepts " + joinWords(parts)
}

// checkNeeds allows only earlier steps, so the runbook's order is always a valid order to work in.
func (c *checker) checkNeeds(ps *parsedStep, first map[string]*parsedStep) {
	seen := map[string]bool{}
	for i, need := range ps.step.Needs {
		at := ps.needs[i]
		other, known := first[need]
		switch {
		case need == ps.step.ID:
			c.add(at, "%s needs itself; remove %q from its needs", ps.label, need)
		case !known:
			c.add(at, "%s needs %q, but no step has that id%s", ps.label, need, yamlcheck.Suggest(need, stepIDs(first)))
		case other.index > ps.index:
			line, _ := position(other.node)
			c.add(at, "%s needs %q, which comes later (line %d); a step can only need steps above it, so move %q up or drop the need",
				ps.label, need, line, need)
		case seen[need]:
			c.add(at, "%s lists %q twice in its needs", ps.label, need)
		}
		seen[need] = true
	}
}

func stepIDs(first map[string]*parsedStep) []string {
	ids := make([]string, 0, len(first))
	for id := range first {
		ids = append(ids, id)
	}
	return ids
}

// joinWords lists names for a sentence; an empty list says so rather than printing nothing.
func joinWords(names []string) string {
	if len(names) == 0 {
		return "(none registered)"
	}
	return strings.Join(names, ", ")
}
