package input

import (
	"bytes"
	"strings"
)

// TopLevelKeys lists the keys a YAML text starts lines with at column 0 ("name:" and "name: value"),
// in file order, without parsing it: enough to tell one format from another in linear time, whatever
// the file holds. Quoted keys, flow mappings and the like are left out.
func TopLevelKeys(data []byte) []string {
	var keys []string
	for off := 0; off < len(data); {
		text, next := nextLine(data, off)
		off = next
		if len(text) == 0 || strings.IndexByte(" \t#-%?[{\"'|>.", text[0]) >= 0 {
			continue
		}
		i := bytes.IndexByte(text, ':')
		if i <= 0 || (i+1 < len(text) && text[i+1] != ' ' && text[i+1] != '\t') {
			continue
		}
		keys = append(keys, string(bytes.TrimRight(text[:i], " \t")))
	}
	return keys
}
