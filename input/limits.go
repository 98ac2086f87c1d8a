package input

import "fmt"

// Limits bound the shape of a YAML or JSON text. The parsers' time and memory grow faster than the
// file for deep nesting and wide mappings (a 200 KB YAML file of 100,000 nested brackets took 57 s
// and 15 GB to parse), so a text is measured against these before any parser sees it.
type Limits struct {
	// Depth bounds how many lists and mappings may be open inside each other.
	Depth int
	// Entries bounds the entries of one list.
	Entries int
	// Keys bounds the keys of one mapping, which cost a YAML parser the square of their number.
	Keys int
	// Nodes bounds the lists, mappings and entries of the whole text.
	Nodes int
	// Anchors allows YAML anchors and aliases (&name, *name); without it the first is refused,
	// since aliases of aliases expand exponentially when decoded.
	Anchors bool
}

// Limit names the bound a text went past.
type Limit int

const (
	// TooDeep: lists and mappings nested more than Depth levels.
	TooDeep Limit = iota + 1
	// TooWide: more than Entries entries in one list.
	TooWide
	// TooManyKeys: more than Keys keys in one mapping.
	TooManyKeys
	// TooMany: more than Nodes lists, mappings and entries in all.
	TooMany
	// AnchorFound: an anchor or alias where Anchors is false.
	AnchorFound
)

// Exceeded is the first place a text goes past its limits.
type Exceeded struct {
	Limit     Limit
	Line, Col int // in characters, from 1
	Bound     int // the limit that was passed (0 for AnchorFound)
}

// Error words the problem for any format; loaders usually word it for their own.
func (e *Exceeded) Error() string {
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Problem())
}

// Problem is the message without its place.
func (e *Exceeded) Problem() string {
	switch e.Limit {
	case TooDeep:
		return fmt.Sprintf("lists and mappings are nested more than %d levels deep here", e.Bound)
	case TooWide:
		return fmt.Sprintf("more than %d entries in one list", e.Bound)
	case TooManyKeys:
		return fmt.Sprintf("more than %d keys in one mapping", e.Bound)
	case TooMany:
		return fmt.Sprintf("more than %d values in the file", e.Bound)
	case AnchorFound:
		return "anchors and aliases (&name, *name) are not allowed: write the value out"
	}
	return "the file's shape is past its limits"
}

// meter counts nesting and entries as a text is read; the formats' readers drive it.
type meter struct {
	lim   Limits
	nodes int
}

// node counts one more list, mapping or entry, and says whether that is one too many.
func (m *meter) node() bool {
	m.nodes++
	return m.nodes > m.lim.Nodes
}
