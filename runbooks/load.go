package runbooks

import (
	"embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"lockdown/input"
	"lockdown/steps"
	"lockdown/yamlcheck"
)

//go:embed compromised-account.yaml
var builtinFiles embed.FS

// builtinPrefix marks a runbook's Source as embedded in the binary rather than read from disk.
const builtinPrefix = "builtin:"

// BuiltinNames lists the runbooks embedded in the binary; the first is the default.
func BuiltinNames() []string { return []string{"compromised-account"} }

// Builtin returns the default embedded runbook, checked against reg. The embedded runbook is
// tested against the real registry, so a problem here is a programming error, not an operator's:
// it panics with every problem rather than start an incident with a broken procedure.
func Builtin(reg *steps.Registry) *Runbook {
	rb, err := BuiltinNamed(BuiltinNames()[0], reg)
	if err != nil {
		panic(fmt.Sprintf("runbooks: the embedded runbook does not match the registered actions:\n%v", err))
	}
	return rb
}

// BuiltinNamed returns the embedded runbook called name, checked against reg.
func BuiltinNamed(name string, reg *steps.Registry) (*Runbook, error) {
	if !slices.Contains(BuiltinNames(), name) {
		return nil, fmt.Errorf("there is no built-in runbook %q; built-in runbooks: %v", name, BuiltinNames())
	}
	data, err := builtinFiles.ReadFile(name + ".yaml")
	if err != nil {
		return nil, err
	}
	return Parse(builtinPrefix+name, data, reg)
}

// Load reads and checks the runbook file at path. Problems name the file as path.
func Load(path string, reg *steps.Registry) (*Runbook, error) {
	data, tooBig, err := input.ReadLimited(path, "runbook", MaxRunbookBytes)
	if err != nil {
		return nil, fmt.Errorf("cannot read the runbook: %w", err)
	}
	if tooBig {
		c := &checker{file: path, reg: reg}
		c.tooBig(data)
		return nil, c.problems
	}
	return Parse(path, data, reg)
}

// Parse checks a runbook strictly against the actions in reg. On failure the error is Problems,
// holding every problem found, in file order.
func Parse(name string, data []byte, reg *steps.Registry) (*Runbook, error) {
	c := &checker{file: name, reg: reg}
	rb := c.runbook(data)
	if len(c.problems) > 0 {
		sort.SliceStable(c.problems, func(i, j int) bool {
			a, b := c.problems[i], c.problems[j]
			return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
		})
		return nil, c.problems
	}
	rb.Source = name
	return rb, nil
}

// checker collects problems while it walks the YAML tree.
type checker struct {
	file     string
	reg      *steps.Registry
	problems Problems
}

func (c *checker) addAt(line, col int, format string, args ...any) {
	c.problems = append(c.problems, Problem{File: c.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) add(n ast.Node, format string, args ...any) {
	line, col := position(n)
	c.addAt(line, col, format, args...)
}

// position is where an author would look for a node: a block mapping's own token is the colon
// after its first key, so point at that key instead.
func position(n ast.Node) (int, int) {
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
		return position(m.Values[0].Key)
	}
	if n == nil || n.GetToken() == nil {
		return 1, 1
	}
	p := n.GetToken().Position
	return p.Line, p.Column
}

var runbookKeys = []string{"id", "title", "description", "steps"}

func (c *checker) runbook(data []byte) *Runbook {
	root := c.document(data)
	if root == nil {
		return nil
	}
	m := c.mapping(root, "a runbook", "a mapping with id, title, description and steps")
	if m == nil {
		return nil
	}
	rb := &Runbook{}
	var stepsNode ast.Node
	for _, kv := range m.Values {
		switch key := keyName(kv); key {
		case "id":
			rb.ID = c.text(kv.Value, "the runbook's id")
			c.checkID(kv.Value, rb.ID)
		case "title":
			rb.Title = c.text(kv.Value, "the runbook's title")
		case "description":
			rb.Description = c.text(kv.Value, "the runbook's description")
		case "steps":
			stepsNode = kv.Value
		default:
			c.unknownKey(kv, key, "at the top of a runbook", runbookKeys)
		}
	}
	if rb.ID == "" {
		c.missingOrEmpty(m, "id", "the runbook", `a short name such as "id: compromised-account"`)
	}
	if rb.Title == "" {
		c.missingOrEmpty(m, "title", "the runbook", "a title the operator will recognise")
	}
	if stepsNode == nil {
		c.add(m, `the runbook has no steps; add a "steps:" list`)
		return rb
	}
	rb.Steps = c.steps(stepsNode)
	return rb
}

// document parses data and returns the body of its only document, or nil after a problem. A file
// too large, too deep or too wide is refused before the parser sees it.
func (c *checker) document(data []byte) ast.Node {
	if len(data) > MaxRunbookBytes {
		c.tooBig(data)
		return nil
	}
	if !c.shape(data) {
		return nil
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		c.syntax(err)
		return nil
	}
	var bodies []ast.Node
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			bodies = append(bodies, d.Body)
		}
	}
	switch {
	case len(bodies) == 0:
		c.addAt(1, 1, "the file is empty; a runbook needs an id, a title and a list of steps")
		return nil
	case len(bodies) > 1:
		c.add(bodies[1], "a runbook file holds one YAML document, but a second one starts here; remove the \"---\" or split the file")
	}
	return bodies[0]
}

// duplicateKey matches the parser's message for a repeated key, to reword it for an author.
var duplicateKey = regexp.MustCompile(`^mapping key "(.*)" already defined at \[(\d+):(\d+)\]$`)

// syntax turns the parser's error into a problem with a hint for the mistakes made under stress.
func (c *checker) syntax(err error) {
	var yerr yaml.Error
	if !errors.As(err, &yerr) || yerr.GetToken() == nil {
		c.addAt(1, 1, "not valid YAML: %v", err)
		return
	}
	msg := yerr.GetMessage()
	switch {
	case msg == "mapping value is not allowed in this context":
		msg += "; check the indentation of this line and the ones around it"
	case strings.Contains(msg, "'\t'"):
		msg = "a tab character; YAML indentation must use spaces"
	default:
		if m := duplicateKey.FindStringSubmatch(msg); m != nil {
			msg = fmt.Sprintf("key %q appears twice in the same mapping (first on line %s, column %s); keep one", m[1], m[2], m[3])
		}
	}
	p := yerr.GetToken().Position
	c.addAt(p.Line, p.Column, "not valid YAML: %s", msg)
}

// unwrap looks through anchors and standard tags to the value an author wrote.
var unwrap = yamlcheck.Unwrap

func keyName(kv *ast.MappingValueNode) string {
	if kv.Key == nil || kv.Key.GetToken() == nil {
		return ""
	}
	return kv.Key.GetToken().Value
}

func (c *checker) unknownKey(kv *ast.MappingValueNode, key, where string, allowed []string) {
	c.add(kv.Key, "unknown key %q %s%s; allowed keys are %s", key, where, yamlcheck.Suggest(key, allowed), joinWords(allowed))
}

// missingOrEmpty reports a required text field that is absent or blank; a value of the wrong type
// was already reported by text.
func (c *checker) missingOrEmpty(m *ast.MappingNode, key, owner, want string) {
	for _, kv := range m.Values {
		if keyName(kv) != key {
			continue
		}
		switch unwrap(kv.Value).(type) {
		case nil, *ast.NullNode, *ast.StringNode, *ast.LiteralNode:
			c.add(kv.Value, "%s has an empty %s; write %s", owner, key, want)
		}
		return
	}
	c.add(m, "%s has no %s; add %s", owner, key, want)
}

// mapping returns n as a mapping, or reports what it is instead.
func (c *checker) mapping(n ast.Node, what, want string) *ast.MappingNode {
	if m, ok := unwrap(n).(*ast.MappingNode); ok {
		return m
	}
	c.add(n, "%s must be %s, but this is %s", what, want, kind(n))
	return nil
}

// text returns a scalar as a string, or reports what it is instead. A missing value reads as "".
func (c *checker) text(n ast.Node, what string) string {
	v, ok := c.value(n)
	if !ok || v == nil {
		return ""
	}
	s, isText := v.(string)
	if !isText {
		hint := ""
		switch v.(type) {
		case bool, int, int64, uint64, float64:
			hint = "; put it in quotes if it is meant as text"
		}
		c.add(n, "%s must be text, but this is %s%s", what, kind(n), hint)
		return ""
	}
	return s
}

// value decodes a node into plain Go values (string, bool, numbers, []any, map[string]any).
func (c *checker) value(n ast.Node) (any, bool) {
	// An alias anywhere inside the value would be expanded by decoding, and aliases of aliases
	// grow exponentially.
	if n == nil {
		return nil, true
	}
	if aliases := ast.Filter(ast.AliasType, n); len(aliases) > 0 {
		c.add(aliases[0], "aliases (*name) are not supported in runbooks; write the value out")
		return nil, false
	}
	var v any
	if err := yaml.NodeToValue(n, &v); err != nil {
		c.add(n, "cannot read this value: %v", err)
		return nil, false
	}
	return v, true
}

// kind names a node's YAML type in an author's words.
func kind(n ast.Node) string {
	switch unwrap(n).(type) {
	case nil, *ast.NullNode:
		return "empty"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode, *ast.LiteralNode:
		return "text"
	case *ast.IntegerNode:
		return "a whole number"
	case *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a decimal number"
	case *ast.BoolNode:
		return "true/false"
	case *ast.AliasNode:
		return "an alias"
	}
	return "a " + unwrap(n).Type().String()
}
