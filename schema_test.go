package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"lockdown/aws/sim"
	"lockdown/runbooks"
	"lockdown/steps"
)

// The JSON Schemas in docs/ are what editors complete and check runbooks and scenarios with. These
// tests hold them to the loaders: every built-in file passes, broken ones fail, and the keys each
// schema knows are the keys the loader accepts. When a test here fails after a format gained a key
// or an action a parameter, add it to the schema in docs/.

func compileSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("docs", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

// checkYAML validates a YAML text against a schema, as an editor's YAML support does.
func checkYAML(s *jsonschema.Schema, data []byte) error {
	j, err := yaml.YAMLToJSON(data)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		return err
	}
	return s.Validate(v)
}

func TestTheSchemasAcceptEveryBuiltinRunbookAndScenarioAndRefuseBrokenOnes(t *testing.T) {
	t.Parallel()
	runbook, scenario := compileSchema(t, "runbook.schema.json"), compileSchema(t, "scenario.schema.json")
	for _, name := range runbooks.BuiltinNames() {
		data, err := os.ReadFile(filepath.Join("runbooks", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := checkYAML(runbook, data); err != nil {
			t.Errorf("built-in runbook %s: %v", name, err)
		}
	}
	for _, name := range sim.ScenarioNames() {
		data, err := sim.BuiltinScenarioText(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkYAML(scenario, data); err != nil {
			t.Errorf("built-in scenario %s: %v", name, err)
		}
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.yaml"))
	for _, path := range files {
		schema := runbook
		if filepath.Base(filepath.Dir(path)) == "scenarios" {
			schema = scenario
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		err = checkYAML(schema, data)
		good := strings.HasPrefix(filepath.Base(path), "good-")
		switch {
		case good && schema == runbook:
			// The good runbooks of testdata name a test registry's actions, not the built-in ones.
		case good && err != nil:
			t.Errorf("%s, which the loader accepts, fails the schema: %v", path, err)
		case !good && err == nil && schemaShouldRefuse(path):
			t.Errorf("%s, broken, passes the schema", path)
		}
	}
}

// schemaShouldRefuse is true for the broken test files whose problem a schema can see: their
// shape. Problems only the loader sees (a need that points to a later step, a duplicate id) are
// beyond a schema.
func schemaShouldRefuse(path string) bool {
	switch filepath.Base(path) {
	case "bad-needs-later.yaml", "bad-needs-unknown.yaml", "bad-duplicate-id.yaml", "bad-syntax.yaml":
		return false
	}
	return true
}

// schemaNode is a JSON Schema object, read loosely.
type schemaNode map[string]any

func loadSchema(t *testing.T, name string) schemaNode {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("docs", name))
	if err != nil {
		t.Fatal(err)
	}
	var root schemaNode
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	return root
}

// at follows a local $ref and returns the named child schema.
func (n schemaNode) at(root schemaNode, key string) schemaNode {
	n = n.resolve(root)
	child, _ := n[key].(map[string]any)
	return schemaNode(child).resolve(root)
}

func (n schemaNode) resolve(root schemaNode) schemaNode {
	ref, ok := n["$ref"].(string)
	if !ok {
		return n
	}
	// A local JSON pointer: "#/$defs/when", or "#/properties/iam" for a part of the scenario that
	// a member account of an organization has too.
	var at any = map[string]any(root)
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, _ := at.(map[string]any)
		at = m[part]
	}
	def, _ := at.(map[string]any)
	return def
}

func (n schemaNode) propertyNames(root schemaNode) []string {
	props, _ := n.resolve(root)["properties"].(map[string]any)
	var names []string
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// compareKeys walks the loader's key tree and the schema side by side.
func compareKeys(t *testing.T, root, n schemaNode, kt *sim.KeyTree, where string) {
	t.Helper()
	n = n.resolve(root)
	switch {
	case kt.Fields != nil:
		if got, want := n.propertyNames(root), kt.Names(); !slices.Equal(got, want) {
			t.Errorf("%s: the schema knows keys %v, the loader %v", where, got, want)
			return
		}
		if n["additionalProperties"] != false {
			t.Errorf("%s: the schema allows keys the loader refuses (set additionalProperties to false)", where)
		}
		for _, key := range kt.Names() {
			compareKeys(t, root, n.at(root, "properties").at(root, key), kt.Fields[key], where+"."+key)
		}
	case kt.Items != nil:
		if n["type"] != "array" {
			t.Errorf("%s: the loader reads a list, the schema %v", where, n["type"])
			return
		}
		compareKeys(t, root, n.at(root, "items"), kt.Items, where+"[]")
	case kt.Values != nil:
		values, ok := n["additionalProperties"].(map[string]any)
		if n["type"] != "object" || (!ok && n["additionalProperties"] != true) {
			t.Errorf("%s: the loader reads a mapping of any keys, the schema does not", where)
			return
		}
		if kt.Values.Fields != nil || kt.Values.Items != nil {
			compareKeys(t, root, values, kt.Values, where+".*")
		}
	}
}

func TestTheScenarioSchemaKnowsExactlyTheKeysTheLoaderAccepts(t *testing.T) {
	t.Parallel()
	root := loadSchema(t, "scenario.schema.json")
	compareKeys(t, root, root, sim.ScenarioKeys(), "scenario")
}

func TestTheRunbookSchemaKnowsTheLoadersKeysAndTheRegisteredActions(t *testing.T) {
	t.Parallel()
	root := loadSchema(t, "runbook.schema.json")
	keys := runbooks.FormatKeys()
	step := root.at(root, "properties").at(root, "steps").at(root, "items")
	item := root["$defs"].(map[string]any)["checklist_item"].(map[string]any)["oneOf"].([]any)[1].(map[string]any)
	for _, c := range []struct {
		what string
		node schemaNode
	}{{"runbook", root}, {"step", step}, {"checklist item", item}} {
		want := slices.Sorted(slices.Values(keys[c.what]))
		if got := c.node.propertyNames(root); !slices.Equal(got, want) {
			t.Errorf("%s: the schema knows keys %v, the loader %v", c.what, got, want)
		}
	}
	reg := steps.Builtin()
	var enum []string
	for _, a := range step.at(root, "properties").at(root, "action")["enum"].([]any) {
		enum = append(enum, a.(string))
	}
	if want := reg.Names(); !slices.Equal(slices.Sorted(slices.Values(enum)), slices.Sorted(slices.Values(want))) {
		t.Errorf("the schema's actions %v, the registry's %v", enum, want)
	}
	params := map[string][]string{}
	for _, rule := range step["allOf"].([]any) {
		r := schemaNode(rule.(map[string]any))
		action := r.at(root, "if").at(root, "properties").at(root, "action")["const"].(string)
		params[action] = r.at(root, "then").at(root, "properties").at(root, "with").propertyNames(root)
	}
	for _, name := range reg.Names() {
		action, _ := reg.Lookup(name)
		var want []string
		for _, p := range action.Spec().Params {
			want = append(want, p.Name)
		}
		slices.Sort(want)
		if got, ok := params[name]; !ok || !slices.Equal(got, want) {
			t.Errorf("action %s: the schema's parameters %v, the action's %v", name, got, want)
		}
	}
}
