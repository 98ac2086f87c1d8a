package sim

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"lockdown/yamlcheck"
)

// Problem is one thing wrong in a scenario file, at the place it is wrong.
type Problem = yamlcheck.Problem

// Problems is every problem found in one scenario file, in file order.
type Problems = yamlcheck.Problems

// KeyTree is the shape of the scenario format as the loader reads it: the keys a mapping accepts
// (Fields), what each list entry is (Items), or what every value of a free-keyed mapping is
// (Values). A scalar, or a value of any shape (attacker call parameters), has none of them.
type KeyTree struct {
	Fields map[string]*KeyTree
	Items  *KeyTree
	Values *KeyTree
}

// ScenarioKeys is the scenario format's key tree, read from the loader's own types, so the
// unknown-key check and the documentation's schema can be compared with what the loader accepts.
func ScenarioKeys() *KeyTree { return keyTreeOf(reflect.TypeFor[Scenario]()) }

func keyTreeOf(t reflect.Type) *KeyTree {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		kt := &KeyTree{Fields: map[string]*KeyTree{}}
		addFields(kt, t)
		return kt
	case reflect.Slice:
		return &KeyTree{Items: keyTreeOf(t.Elem())}
	case reflect.Map:
		return &KeyTree{Values: keyTreeOf(t.Elem())}
	}
	return &KeyTree{}
}

// addFields adds a struct's YAML keys; an inline struct's keys are its parent's.
func addFields(kt *KeyTree, t reflect.Type) {
	for f := range t.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch {
		case opts == "inline":
			addFields(kt, f.Type)
		case name != "" && name != "-" && f.IsExported():
			kt.Fields[name] = keyTreeOf(f.Type)
		}
	}
}

// Names are the keys a mapping accepts, sorted.
func (kt *KeyTree) Names() []string {
	names := make([]string, 0, len(kt.Fields))
	for n := range kt.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// checkKeys reports every key the scenario format does not have, with the closest known key,
// before the strict decoder stops at the first one.
func checkKeys(file string, f *ast.File) Problems {
	var out Problems
	tree := ScenarioKeys()
	for _, doc := range f.Docs {
		if doc == nil {
			continue
		}
		walkKeys(doc.Body, tree, "", func(n ast.Node, msg string) {
			line, col := 1, 1
			if tk := n.GetToken(); tk != nil {
				line, col = tk.Position.Line, tk.Position.Column
			}
			out = append(out, Problem{File: file, Line: line, Col: col, Msg: msg})
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Line < out[j].Line || out[i].Line == out[j].Line && out[i].Col < out[j].Col
	})
	return out
}

func walkKeys(n ast.Node, kt *KeyTree, where string, report func(ast.Node, string)) {
	switch v := unwrapNode(n).(type) {
	case *ast.MappingNode:
		for _, kv := range v.Values {
			walkPair(kv, kt, where, report)
		}
	case *ast.MappingValueNode:
		walkPair(v, kt, where, report)
	case *ast.SequenceNode:
		if kt.Items != nil {
			for i, item := range v.Values {
				walkKeys(item, kt.Items, fmt.Sprintf("%s[%d]", where, i), report)
			}
		}
	}
}

func walkPair(kv *ast.MappingValueNode, kt *KeyTree, where string, report func(ast.Node, string)) {
	key := keyText(kv.Key)
	if kt.Values != nil {
		walkKeys(kv.Value, kt.Values, join(where, key), report)
		return
	}
	if kt.Fields == nil {
		return
	}
	sub, ok := kt.Fields[key]
	if !ok {
		in := "at the top of the scenario"
		if where != "" {
			in = "in " + where
		}
		names := kt.Names()
		report(kv.Key, fmt.Sprintf("unknown key %q %s%s; allowed keys are %s", key, in, yamlcheck.Suggest(key, names), strings.Join(names, ", ")))
		return
	}
	walkKeys(kv.Value, sub, join(where, key), report)
}

func keyText(k ast.MapKeyNode) string {
	if s, ok := k.(*ast.StringNode); ok {
		return s.Value
	}
	return strings.TrimSpace(k.String())
}

// keyPath is a message's leading segment that names a place in the file: "ec2", "faults[2]",
// "account.id".
var keyPath = regexp.MustCompile(`^[a-z][a-z0-9_]*(\[[0-9]+\])?(\.[a-z][a-z0-9_]*(\[[0-9]+\])?)*$`)

// placeProblem puts a loader's message ("ec2.instances[3]: region is required", "iam: users[2]:
// ...") at the deepest place its leading path segments name that the file has: a value that is
// missing is reported at the item that lacks it.
func placeProblem(file string, data []byte, msg string) (Problem, bool) {
	var path []string
	for _, seg := range strings.Split(msg, ": ") {
		if !keyPath.MatchString(seg) {
			break
		}
		path = append(path, seg)
	}
	if len(path) == 0 {
		return Problem{}, false
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return Problem{}, false
	}
	for p := strings.Join(path, "."); p != ""; p = parentPath(p) {
		yp, err := yaml.PathString("$." + p)
		if err != nil {
			continue
		}
		node, err := yp.FilterFile(f)
		if err != nil || node == nil {
			continue
		}
		// A block mapping's own token is the colon after its first key: point at that key.
		if m, ok := node.(*ast.MappingNode); ok && len(m.Values) > 0 {
			node = m.Values[0].Key
		}
		if tk := node.GetToken(); tk != nil {
			return Problem{File: file, Line: tk.Position.Line, Col: tk.Position.Column, Msg: msg}, true
		}
	}
	return Problem{}, false
}

// parentPath drops the last key or index of a path: "a.b[2]" → "a.b" → "a".
func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// decodeProblem places an error of the YAML decoder (a wrong type, a syntax error) in the file.
func decodeProblem(file string, err error) Problems {
	var placed interface {
		GetToken() *token.Token
		GetMessage() string
	}
	if errors.As(err, &placed) && placed.GetToken() != nil {
		pos := placed.GetToken().Position
		return Problems{{File: file, Line: pos.Line, Col: pos.Column, Msg: placed.GetMessage()}}
	}
	return nil
}

func join(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}

// unwrapNode looks through tags and anchors to the node they carry; a comment carries none.
func unwrapNode(n ast.Node) ast.Node {
	if _, ok := n.(*ast.CommentGroupNode); ok {
		return nil
	}
	return yamlcheck.Unwrap(n)
}
