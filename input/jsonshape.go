package input

// JSONMeter measures JSON text before a decoder builds anything: how deep its arrays and objects
// nest, how many entries one holds and how many values there are in all. It is fed a whole plan,
// or a journal a line at a time, keeping the count of values across lines so a file's total is
// bounded too. It checks no syntax: the decoder that follows does.
type JSONMeter struct {
	meter
	open   []int  // entries in each open array or object, outermost first
	object []bool // whether each of them is an object
	key    bool   // the next string is an object's key, not a value
	str    bool   // inside a string
	escape bool   // after a backslash in a string
	scalar bool   // inside a number or a literal (true, false, null)
}

// NewJSONMeter measures JSON against lim; Anchors means nothing to JSON.
func NewJSONMeter(lim Limits) *JSONMeter { return &JSONMeter{meter: meter{lim: lim}} }

// Feed measures one JSON text (a document, or a line of a journal) that starts on line (from 1) of
// the file. Nesting is measured within the text, values are counted across every text fed.
func (m *JSONMeter) Feed(data []byte, line int) *Exceeded {
	m.open, m.object = m.open[:0], m.object[:0]
	m.key, m.str, m.escape, m.scalar = false, false, false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if m.str {
			switch {
			case m.escape:
				m.escape = false
			case c == '\\':
				m.escape = true
			case c == '"':
				m.str = false
			}
			continue
		}
		var l Limit
		bound := 0
		switch c {
		case ' ', '\t', '\n', '\r':
			m.scalar = false
		case '[', '{':
			m.scalar, m.key = false, c == '{'
			m.open, m.object = append(m.open, 0), append(m.object, c == '{')
			if m.node() {
				l, bound = TooMany, m.lim.Nodes
			} else if len(m.open) > m.lim.Depth {
				l, bound = TooDeep, m.lim.Depth
			}
		case ']', '}':
			m.scalar, m.key = false, false
			if k := len(m.open); k > 0 {
				m.open, m.object = m.open[:k-1], m.object[:k-1]
			}
		case ':':
			m.scalar, m.key = false, false
		case ',':
			m.scalar = false
			if k := len(m.open); k > 0 {
				m.key = m.object[k-1]
				m.open[k-1]++
				switch {
				case m.object[k-1] && m.open[k-1] >= m.lim.Keys:
					l, bound = TooManyKeys, m.lim.Keys
				case !m.object[k-1] && m.open[k-1] >= m.lim.Entries:
					l, bound = TooWide, m.lim.Entries
				}
			}
		case '"':
			m.str = true
			if !m.key && m.node() { // a key is not a value of its own
				l, bound = TooMany, m.lim.Nodes
			}
			m.key = false
		default:
			if !m.scalar {
				m.scalar, m.key = true, false
				if m.node() {
					l, bound = TooMany, m.lim.Nodes
				}
			}
		}
		if l != 0 {
			ln, col := LineCol(data, i)
			return &Exceeded{Limit: l, Line: line + ln - 1, Col: col, Bound: bound}
		}
	}
	return nil
}

// Counted is how many values m has counted in all the texts fed.
func (m *JSONMeter) Counted() int { return m.nodes }

// ResumeJSONMeter measures against lim the rest of a file of which counted values were counted
// already.
func ResumeJSONMeter(lim Limits, counted int) *JSONMeter {
	return &JSONMeter{meter: meter{lim: lim, nodes: counted}}
}
