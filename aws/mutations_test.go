package aws

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The promise "nothing changes unless a live, confirmed run says so" rests on where mutating SDK
// calls can be made. This test reads the module's source with full type information and fails when
// a mutating method of an aws-sdk-go-v2 service (a client's, or an interface's shaped like one) is
// used outside the types the guard hands out: the live changes, which ask the guard before every
// call, and the dry-run prover, which sends DryRun=true and nothing else. Tests (_test.go files)
// may seed emulators as they like, and so may the test-support packages below, which only tests
// import: a test checks that the lockdown binary does not depend on them.

// mutatingPrefixes start the names of AWS operations that change something.
var mutatingPrefixes = []string{"Create", "Delete", "Update", "Put", "Attach", "Detach", "Remove", "Add",
	"Terminate", "Modify", "Cancel", "Stop", "Start", "Set", "Disable", "Enable", "Deactivate", "Reset",
	"Tag", "Untag", "Run", "Revoke", "Authorize", "Associate", "Disassociate", "Replace", "Upload",
	"Change", "Import", "Register", "Deregister", "Reboot", "Release", "Allocate", "Copy", "Restore",
	"Purchase", "Request", "Accept", "Reject", "Apply", "Assign", "Unassign", "Move", "Send", "Reactivate"}

// guardedTypes are the receivers in package aws whose methods may send mutating calls.
var guardedTypes = []string{"liveChanges", "liveEC2", "dryRunProver"}

// testSupportPackages seed emulators for tests; the lockdown binary must never link them.
var testSupportPackages = []string{"lockdown/aws/moto"}

const sdkServicePrefix = "github.com/aws/aws-sdk-go-v2/service/"

func TestOnlyTheGuardsChangesCallMutatingSDKMethods(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks the whole module")
	}
	mod := loadModule(t)
	checked := 0
	for _, pkg := range mod.packages {
		if slices.Contains(testSupportPackages, pkg.ImportPath) {
			continue
		}
		files, info := mod.check(t, pkg)
		for _, f := range files {
			for _, use := range mutatingUses(f, info) {
				checked++
				pos := mod.fset.Position(use.pos)
				switch {
				case pkg.ImportPath != "lockdown/aws":
					t.Errorf("%s: %s calls the mutating SDK method %s outside package aws: changes go through aws.Changes, which the guard hands out",
						rel(pos), pkg.ImportPath, use.method)
				case !slices.Contains(guardedTypes, use.receiver):
					t.Errorf("%s: %s calls the mutating SDK method %s; in package aws only the methods of %s may",
						rel(pos), orFunc(use.receiver), use.method, strings.Join(guardedTypes, ", "))
				}
			}
			for _, bad := range dryRunLiterals(f, info, "dryRunProver", "true") {
				t.Errorf("%s: the dry-run prover builds a request without DryRun: sdk.Bool(true)", rel(mod.fset.Position(bad)))
			}
			for _, bad := range dryRunLiterals(f, info, "liveEC2", "false") {
				t.Errorf("%s: the live EC2 changes build a request without DryRun: sdk.Bool(false)", rel(mod.fset.Position(bad)))
			}
		}
	}
	if checked == 0 {
		t.Fatal("no mutating call found at all, not even the guarded ones: the detector is broken")
	}
}

// The exemption above holds only while nothing the binary is built from imports those packages.
func TestTheBinaryDoesNotLinkTestSupportPackages(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-deps", "lockdown")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps lockdown: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "lockdown/aws") {
		t.Fatalf("the dependency list of the binary lacks lockdown/aws: %v", deps)
	}
	for _, p := range testSupportPackages {
		if slices.Contains(deps, p) {
			t.Errorf("the lockdown binary links %s, a test-support package that may call mutating SDK methods unguarded", p)
		}
	}
}

func TestTheMutationDetectorCatchesAPlantedCall(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks against the SDK")
	}
	mod := loadModule(t)
	src := `package planted

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

type keys interface {
	DeleteAccessKey(ctx context.Context, in *iam.DeleteAccessKeyInput, optFns ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error)
}

func plan(ctx context.Context, c *iam.Client, k keys, e *ec2.Client, ct *cloudtrail.Client, gd *guardduty.Client) {
	_, _ = c.CreateUser(ctx, &iam.CreateUserInput{})
	_, _ = ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{})
	_, _ = gd.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{})
	_, _ = ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{})
	_, _ = e.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{})
	_, _ = k.DeleteAccessKey(ctx, nil)
	terminate := e.TerminateInstances
	_, _ = c.ListUsers(ctx, &iam.ListUsersInput{})
	_ = terminate
}
`
	f, err := parser.ParseFile(mod.fset, "planted.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	info := newInfo()
	conf := types.Config{Importer: mod.importer}
	if _, err := conf.Check("planted", mod.fset, []*ast.File{f}, info); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, use := range mutatingUses(f, info) {
		got = append(got, use.method)
	}
	want := []string{"CreateUser", "StopLogging", "UpdateDetector", "DeleteKeyPair", "DeleteAccessKey", "TerminateInstances"}
	if !slices.Equal(got, want) {
		t.Fatalf("found %v, want %v (and never ListUsers or GetTrailStatus)", got, want)
	}
}

// use is one mutating SDK method named in the source.
type use struct {
	pos      token.Pos
	method   string
	receiver string // the receiver type of the enclosing method, or "" in a function
}

func orFunc(receiver string) string {
	if receiver == "" {
		return "a function"
	}
	return "a method of " + receiver
}

// mutatingUses finds every selection of a mutating SDK method in f: a call, or a method value.
func mutatingUses(f *ast.File, info *types.Info) []use {
	var out []use
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		recv := receiverName(fn)
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			s, ok := info.Selections[sel]
			if !ok || (s.Kind() != types.MethodVal && s.Kind() != types.MethodExpr) {
				return true
			}
			if m, ok := s.Obj().(*types.Func); ok && isMutatingSDKMethod(m) {
				out = append(out, use{pos: sel.Sel.Pos(), method: m.Name(), receiver: recv})
			}
			return true
		})
	}
	return out
}

// isMutatingSDKMethod: a mutating name, on an SDK type or taking an SDK service's input.
func isMutatingSDKMethod(m *types.Func) bool {
	if !slices.ContainsFunc(mutatingPrefixes, func(p string) bool { return strings.HasPrefix(m.Name(), p) }) {
		return false
	}
	if m.Pkg() != nil && strings.HasPrefix(m.Pkg().Path(), sdkServicePrefix) {
		return true
	}
	sig := m.Type().(*types.Signature)
	for i := range sig.Params().Len() {
		if fromSDKService(sig.Params().At(i).Type()) {
			return true
		}
	}
	return false
}

func fromSDKService(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && strings.HasPrefix(n.Obj().Pkg().Path(), sdkServicePrefix)
}

func receiverName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return ""
	}
	t := fn.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// dryRunLiterals returns the SDK input literals built in methods of receiver whose DryRun field is
// not set to sdk.Bool(want).
func dryRunLiterals(f *ast.File, info *types.Info, receiver, want string) []token.Pos {
	var bad []token.Pos
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Body == nil || receiverName(fn) != receiver {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok || !fromSDKService(info.TypeOf(lit)) || !strings.HasSuffix(types.TypeString(info.TypeOf(lit), nil), "Input") {
				return true
			}
			if !setsDryRun(lit, want) {
				bad = append(bad, lit.Pos())
			}
			return true
		})
	}
	return bad
}

func setsDryRun(lit *ast.CompositeLit, want string) bool {
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		if k, ok := kv.Key.(*ast.Ident); !ok || k.Name != "DryRun" {
			continue
		}
		call, ok := kv.Value.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			return false
		}
		arg, ok := call.Args[0].(*ast.Ident)
		return ok && arg.Name == want
	}
	return false
}

// module is the module's packages with what is needed to type-check them: the compiler's export
// data of every dependency, as `go list -export` builds it.
type module struct {
	root     string
	fset     *token.FileSet
	packages []listedPackage
	exports  map[string]string
	importer types.Importer
}

type listedPackage struct {
	ImportPath, Dir, Export string
	GoFiles                 []string
	Standard                bool
	Module                  *struct{ Main bool }
}

func loadModule(t *testing.T) *module {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-export", "-deps", "-json=ImportPath,Dir,Export,GoFiles,Standard,Module", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	m := &module{root: root, fset: token.NewFileSet(), exports: map[string]string{}}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		m.exports[p.ImportPath] = p.Export
		if p.Module != nil && p.Module.Main {
			m.packages = append(m.packages, p)
		}
	}
	m.importer = importer.ForCompiler(m.fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := m.exports[path]
		if !ok || file == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})
	return m
}

// check parses pkg's non-test files and type-checks them against the export data.
func (m *module) check(t *testing.T, pkg listedPackage) ([]*ast.File, *types.Info) {
	t.Helper()
	var files []*ast.File
	for _, name := range pkg.GoFiles {
		f, err := parser.ParseFile(m.fset, filepath.Join(pkg.Dir, name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	info := newInfo()
	conf := types.Config{Importer: m.importer}
	if _, err := conf.Check(pkg.ImportPath, m.fset, files, info); err != nil {
		t.Fatalf("type-checking %s: %v", pkg.ImportPath, err)
	}
	return files, info
}

func newInfo() *types.Info {
	return &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the test's directory")
		}
		dir = parent
	}
}

func rel(pos token.Position) string {
	if wd, err := os.Getwd(); err == nil {
		if r, err := filepath.Rel(wd, pos.Filename); err == nil {
			pos.Filename = r
		}
	}
	return pos.String()
}
