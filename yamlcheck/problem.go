// Package yamlcheck is what lockdown's strict YAML formats (runbooks, scenarios) share to report
// problems: a problem at its file:line:col, and the word an author probably meant when they
// mistyped a key, an action or an id (`unknown key "craeted" (did you mean "created"?)`).
package yamlcheck

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// Problem is one thing wrong in a file, at the node that is wrong.
type Problem struct {
	File      string
	Line, Col int
	Msg       string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
}

// Problems is every problem found in a file; authors fix them all in one pass rather than one
// per attempt.
type Problems []Problem

// Error prints one "FILE:LINE:COL: message" per line, the form editors and CI logs link to.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Unwrap looks through anchors and standard tags to the value an author wrote.
func Unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
}
