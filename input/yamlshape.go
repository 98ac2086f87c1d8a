package input

import "unicode/utf8"

// MeasureYAML reads a YAML text once, line by line, and returns the first place where it goes past
// lim, or nil. It follows block indentation, "- " entries, flow brackets, quotes and block
// scalars closely enough to count what a parser would build, and where it cannot tell what a
// parser would make of a line (prose inside a quoted string spanning lines, say) it counts the line
// as structure: it may overcount a strange file, never undercount one. Memory is proportional to
// the nesting it allows, time to the file's length.
func MeasureYAML(data []byte, lim Limits) *Exceeded {
	y := yamlMeter{meter: meter{lim: lim}, scalar: -1}
	for off, n := 0, 1; off < len(data); n++ {
		text, next := nextLine(data, off)
		y.text, y.n = text, n
		if e := y.line(); e != nil {
			return e
		}
		off = next
	}
	return nil
}

// yamlMeter follows the nesting of a YAML text one line at a time.
type yamlMeter struct {
	meter
	indents []int  // columns (from 0) of the open block nodes, outermost first
	items   []int  // "- " entries seen at each of those columns
	keys    []int  // other nodes (a mapping's keys) seen at each of them
	flow    []int  // entries in each open [ or {, outermost first
	braces  []bool // whether each of those is a mapping ({)
	inScal  bool   // the lines that follow, while indented past scalar, are a block scalar's text
	scalar  int    // the column of the node that owns that block scalar
	text    []byte
	n       int // the line's number
}

// fail says where, on the current line, a limit was passed.
func (y *yamlMeter) fail(l Limit, i, bound int) *Exceeded {
	return &Exceeded{Limit: l, Line: y.n, Col: utf8.RuneCount(y.text[:min(i, len(y.text))]) + 1, Bound: bound}
}

func (y *yamlMeter) line() *Exceeded {
	text := y.text
	indent := 0
	for indent < len(text) && text[indent] == ' ' {
		indent++
	}
	if documentMarker(text) {
		// A new document (or the end of one): nothing stays open across it.
		y.indents, y.items, y.keys = y.indents[:0], y.items[:0], y.keys[:0]
		y.flow, y.braces, y.inScal = y.flow[:0], y.braces[:0], false
		return y.inline(3, -1)
	}
	blank := onlySpace(text[indent:]) || text[indent] == '#'
	if y.inScal {
		if blank || indent > y.scalar {
			return nil
		}
		y.inScal = false
	}
	if blank || (indent == 0 && text[0] == '%') {
		return nil // a comment, an empty line or a directive
	}
	// Every line's indentation is followed, inside brackets too: where a line belongs to brackets
	// that the parser closed, or never opened, it still counts.
	if e := y.block(indent); e != nil {
		return e
	}
	i, node := indent, indent
	// "- " (and "? ") open a node nested in the entry, on the same line.
	for i < len(text) && (text[i] == '-' || text[i] == '?') && (i+1 == len(text) || text[i+1] == ' ') {
		i++
		for i < len(text) && text[i] == ' ' {
			i++
		}
		if i < len(text) && text[i] != '#' {
			if e := y.block(i); e != nil {
				return e
			}
			node = i
		}
	}
	return y.inline(i, node)
}

// onlySpace reports whether s holds nothing but spaces and tabs.
func onlySpace(s []byte) bool {
	for _, c := range s {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// documentMarker reports a line that starts or ends a document: "---" or "..." at its start.
func documentMarker(text []byte) bool {
	if len(text) < 3 || (string(text[:3]) != "---" && string(text[:3]) != "...") {
		return false
	}
	return len(text) == 3 || text[3] == ' ' || text[3] == '\t'
}

// block records a block node starting at column col (from 0): a sibling of the node above at the
// same column, or nested in it. A node that starts with "- " is a list's entry, any other a
// mapping's key.
func (y *yamlMeter) block(col int) *Exceeded {
	if y.node() {
		return y.fail(TooMany, col, y.lim.Nodes)
	}
	for len(y.indents) > 0 && y.indents[len(y.indents)-1] > col {
		k := len(y.indents) - 1
		y.indents, y.items, y.keys = y.indents[:k], y.items[:k], y.keys[:k]
	}
	k := len(y.indents) - 1
	if k < 0 || y.indents[k] != col {
		y.indents, y.items, y.keys = append(y.indents, col), append(y.items, 0), append(y.keys, 0)
		k++
		if e := y.depth(col); e != nil {
			return e
		}
	}
	if entry := y.text[col] == '-' && (col+1 == len(y.text) || y.text[col+1] == ' '); entry {
		if y.items[k]++; y.items[k] > y.lim.Entries {
			return y.fail(TooWide, col, y.lim.Entries)
		}
	} else if y.keys[k]++; y.keys[k] > y.lim.Keys {
		return y.fail(TooManyKeys, col, y.lim.Keys)
	}
	return nil
}

// parent is the column of the block node the innermost one is nested in, or -1 at the top.
func (y *yamlMeter) parent() int {
	if k := len(y.indents); k >= 2 {
		return y.indents[k-2]
	}
	return -1
}

func (y *yamlMeter) depth(i int) *Exceeded {
	if len(y.indents)+len(y.flow) > y.lim.Depth {
		return y.fail(TooDeep, i, y.lim.Depth)
	}
	return nil
}

// inline follows quotes and flow brackets along the rest of the line from i, and notes a block
// scalar. node is the column of the line's innermost block node.
func (y *yamlMeter) inline(i, node int) *Exceeded {
	text := y.text
	var quote byte    // a quote opened on this line; one left open at its end is not followed
	nodeStart := true // at a place where a new node may begin
	for ; i < len(text); i++ {
		c := text[i]
		if quote != 0 {
			switch {
			case c == '\\' && quote == '"':
				i++
			case c == quote:
				quote = 0
			}
			continue
		}
		switch {
		case c == ' ' || c == '\t':
			continue
		case c == '#' && (i == 0 || text[i-1] == ' ' || text[i-1] == '\t'):
			return nil
		case (c == '"' || c == '\'') && nodeStart:
			quote = c
		case (c == '|' || c == '>') && nodeStart && len(y.flow) == 0:
			if blockScalarHeader(text[i+1:]) {
				// Its text is what is indented past the key before it, or, when the scalar is a
				// node of its own ("- |", or "|" under its key), past the node it is nested in.
				y.inScal, y.scalar = true, node
				if i == node {
					y.scalar = y.parent()
				}
				return nil
			}
		case (c == '[' || c == '{') && (nodeStart || len(y.flow) > 0):
			y.flow, y.braces = append(y.flow, 1), append(y.braces, c == '{')
			if y.node() {
				return y.fail(TooMany, i, y.lim.Nodes)
			}
			if e := y.depth(i); e != nil {
				return e
			}
			continue
		case (c == ']' || c == '}') && len(y.flow) > 0:
			y.flow, y.braces = y.flow[:len(y.flow)-1], y.braces[:len(y.braces)-1]
		case c == ',' && len(y.flow) > 0:
			k := len(y.flow) - 1
			y.flow[k]++
			if !y.braces[k] && y.flow[k] > y.lim.Entries {
				return y.fail(TooWide, i, y.lim.Entries)
			}
			if y.braces[k] && y.flow[k] > y.lim.Keys {
				return y.fail(TooManyKeys, i, y.lim.Keys)
			}
			if y.node() {
				return y.fail(TooMany, i, y.lim.Nodes)
			}
			nodeStart = true
			continue
		case (c == '*' || c == '&') && nodeStart && !y.lim.Anchors:
			return y.fail(AnchorFound, i, 0)
		case c == ':' && (i+1 == len(text) || text[i+1] == ' ' || text[i+1] == '\t'):
			nodeStart = true
			continue
		}
		nodeStart = false
	}
	return nil
}

// blockScalarHeader reports whether what follows | or > is a block scalar's header: indentation
// and chomping indicators, then nothing but a comment.
func blockScalarHeader(rest []byte) bool {
	i := 0
	for i < len(rest) && (rest[i] == '-' || rest[i] == '+' || (rest[i] >= '1' && rest[i] <= '9')) {
		i++
	}
	for i < len(rest) && (rest[i] == ' ' || rest[i] == '\t') {
		i++
	}
	return i == len(rest) || rest[i] == '#'
}
