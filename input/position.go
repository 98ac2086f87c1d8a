package input

import "unicode/utf8"

// LineCol is the line and column (in characters, from 1) of byte offset off in data, the place an
// editor jumps to. A line ends at LF, CR LF or a CR alone, as YAML and every editor count them.
func LineCol(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	line, start := 1, 0
	for i := 0; i < off; i++ {
		switch data[i] {
		case '\n':
			line, start = line+1, i+1
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				continue // the LF that follows ends the line
			}
			line, start = line+1, i+1
		}
	}
	return line, utf8.RuneCount(data[start:off]) + 1
}

// nextLine returns the line of data starting at off, without its line break, and where the next
// line starts; a line ends at LF, CR LF or a CR alone.
func nextLine(data []byte, off int) (text []byte, next int) {
	for i := off; i < len(data); i++ {
		switch data[i] {
		case '\n':
			return data[off:i], i + 1
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				return data[off:i], i + 2
			}
			return data[off:i], i + 1
		}
	}
	return data[off:], len(data)
}

// EndOfContent is the offset just past the last byte of data that is not white space: where a file
// cut short stops, rather than the empty line after its last line break.
func EndOfContent(data []byte) int {
	end := len(data)
	for end > 0 {
		switch data[end-1] {
		case ' ', '\t', '\n', '\r':
			end--
			continue
		}
		break
	}
	return end
}
