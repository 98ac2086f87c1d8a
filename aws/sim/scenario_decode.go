package sim

import (
	"fmt"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// decodeScenario parses data once, checks its keys and decodes it strictly into sc. Problems come
// back with their place in the file named name.
func decodeScenario(name string, data []byte, sc *Scenario) error {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return yamlProblem(name, err)
	}
	var body ast.Node
	for _, doc := range file.Docs {
		if doc != nil && doc.Body != nil {
			body = doc.Body
			break
		}
	}
	if body == nil {
		return fmt.Errorf("%s: the scenario is empty", name)
	}
	if problems := checkKeys(name, file); len(problems) > 0 {
		return problems
	}
	if problems := refuseTags(name, body); len(problems) > 0 {
		return problems
	}
	if err := nodeToScenario(body, sc); err != nil {
		return yamlProblem(name, err)
	}
	return nil
}

// yamlProblem places an error of the YAML parser or decoder in the file when it says where.
func yamlProblem(name string, err error) error {
	if problems := decodeProblem(name, err); len(problems) > 0 {
		return problems
	}
	return fmt.Errorf("%s: %s", name, yaml.FormatError(err, false, true))
}

// refuseTags reports every YAML tag (!name, !!str). The format has no use for them, and the YAML
// library dereferences nil decoding a tag on a value where a list belongs (mfa_devices: !x 0
// crashed validate, drill and sim serve).
func refuseTags(name string, body ast.Node) Problems {
	var out Problems
	for _, n := range ast.Filter(ast.TagType, body) {
		tk := n.GetToken()
		out = append(out, Problem{File: name, Line: tk.Position.Line, Col: tk.Position.Column,
			Msg: fmt.Sprintf("tags such as %s are not part of the scenario format: write the value plainly (in quotes if it is text)", tk.Value)})
	}
	return out
}

// nodeToScenario decodes strictly: a key the format does not have is an error. A panic in the YAML
// library is the file's problem, reported as such, never a crash of the drill or the simulator.
func nodeToScenario(body ast.Node, sc *Scenario) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the YAML decoder failed on this file (%v); simplify the values around the last change", r)
		}
	}()
	return yaml.NodeToValue(body, sc, yaml.Strict())
}
