package aws

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"unicode/utf8"
)

// xmlStream reads the XML that AWS's query APIs answer with, one element at a time, without
// building anything: a DescribeInstances page of a thousand instances is a megabyte of XML, and
// the SDK's own decoder turns it into a thousand structures of a hundred fields each, of which a
// scan keeps eight. It understands elements, text with the five named entities and numeric
// character references, CDATA sections, comments, processing instructions and declarations, and
// skips attributes; anything else is an error.
type xmlStream struct {
	r *bufio.Reader
	// text collects the current run of character data, decoded.
	text []byte
	name []byte
	// closeNext says the last start was a self-closing element, whose end comes next.
	closeNext bool
}

type xmlToken int

const (
	xmlEOF xmlToken = iota
	xmlStart
	xmlEnd
	xmlText
)

// xmlReaders are the buffers of finished streams: a scan reads a page per region and call, and
// each would otherwise take 64 KiB of its own.
var xmlReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}

func newXMLStream(r io.Reader) *xmlStream {
	buf := xmlReaders.Get().(*bufio.Reader)
	buf.Reset(r)
	return &xmlStream{r: buf}
}

// release hands the stream's buffer back for another; the stream is not used after it.
func (x *xmlStream) release() {
	x.r.Reset(nil)
	xmlReaders.Put(x.r)
	x.r = nil
}

// next returns the next token: the element's local name for a start or end (a self-closing
// element is a start then an end), the decoded text for character data. The slices are valid
// until the following call.
func (x *xmlStream) next() (xmlToken, []byte, error) {
	if x.closeNext {
		x.closeNext = false
		return xmlEnd, x.name, nil
	}
	for {
		c, err := x.r.ReadByte()
		if err == io.EOF {
			return xmlEOF, nil, nil
		}
		if err != nil {
			return xmlEOF, nil, err
		}
		if c != '<' {
			_ = x.r.UnreadByte()
			return x.readText()
		}
		tok, value, err := x.readMarkup()
		if err != nil || tok != xmlEOF {
			return tok, value, err
		}
		// A comment, declaration or processing instruction: nothing to report.
	}
}

func (x *xmlStream) readText() (xmlToken, []byte, error) {
	x.text = x.text[:0]
	for {
		chunk, err := x.r.ReadSlice('<')
		if len(chunk) > 0 && chunk[len(chunk)-1] == '<' {
			chunk = chunk[:len(chunk)-1]
			_ = x.r.UnreadByte()
			if err := x.appendDecoded(chunk); err != nil {
				return xmlEOF, nil, err
			}
			return xmlText, x.text, nil
		}
		if err := x.appendDecoded(chunk); err != nil {
			return xmlEOF, nil, err
		}
		switch {
		case err == io.EOF:
			return xmlText, x.text, nil
		case err != nil && err != bufio.ErrBufferFull:
			return xmlEOF, nil, err
		}
	}
}

// appendDecoded adds raw character data to the text, replacing entity and character references.
// A reference cut by a buffer boundary is completed from the reader.
func (x *xmlStream) appendDecoded(raw []byte) error {
	for len(raw) > 0 {
		amp := bytes.IndexByte(raw, '&')
		if amp < 0 {
			x.text = append(x.text, raw...)
			return nil
		}
		x.text = append(x.text, raw[:amp]...)
		raw = raw[amp+1:]
		semi := bytes.IndexByte(raw, ';')
		var ref []byte
		if semi < 0 {
			// The reference runs past this chunk: read the rest of it.
			rest, err := x.r.ReadSlice(';')
			if err != nil {
				return fmt.Errorf("XML: unterminated entity reference: %w", err)
			}
			ref = append(append([]byte(nil), raw...), rest[:len(rest)-1]...)
			raw = nil
		} else {
			ref, raw = raw[:semi], raw[semi+1:]
		}
		if err := x.appendEntity(ref); err != nil {
			return err
		}
	}
	return nil
}

func (x *xmlStream) appendEntity(ref []byte) error {
	switch string(ref) {
	case "amp":
		x.text = append(x.text, '&')
	case "lt":
		x.text = append(x.text, '<')
	case "gt":
		x.text = append(x.text, '>')
	case "quot":
		x.text = append(x.text, '"')
	case "apos":
		x.text = append(x.text, '\'')
	default:
		if len(ref) < 2 || ref[0] != '#' {
			return fmt.Errorf("XML: unknown entity &%s;", ref)
		}
		base, digits := 10, ref[1:]
		if digits[0] == 'x' {
			base, digits = 16, digits[1:]
		}
		n, err := strconv.ParseUint(string(digits), base, 32)
		if err != nil || !utf8.ValidRune(rune(n)) {
			return fmt.Errorf("XML: bad character reference &%s;", ref)
		}
		x.text = utf8.AppendRune(x.text, rune(n))
	}
	return nil
}

// readMarkup reads what follows a '<'. It returns xmlEOF for markup that is no element.
func (x *xmlStream) readMarkup() (xmlToken, []byte, error) {
	c, err := x.r.ReadByte()
	if err != nil {
		return xmlEOF, nil, fmt.Errorf("XML: truncated markup: %w", unexpected(err))
	}
	switch c {
	case '?':
		return xmlEOF, nil, x.skipPast("?>")
	case '!':
		return x.readBang()
	case '/':
		if err := x.readName(); err != nil {
			return xmlEOF, nil, err
		}
		return xmlEnd, x.name, x.skipPast(">")
	}
	_ = x.r.UnreadByte()
	if err := x.readName(); err != nil {
		return xmlEOF, nil, err
	}
	selfClosing, err := x.skipAttributes()
	x.closeNext = selfClosing
	return xmlStart, x.name, err
}

// readBang reads a comment, a CDATA section (as text) or a declaration.
func (x *xmlStream) readBang() (xmlToken, []byte, error) {
	peek, _ := x.r.Peek(7)
	switch {
	case bytes.HasPrefix(peek, []byte("--")):
		_, _ = x.r.Discard(2)
		return xmlEOF, nil, x.skipPast("-->")
	case bytes.HasPrefix(peek, []byte("[CDATA[")):
		_, _ = x.r.Discard(7)
		x.text = x.text[:0]
		for {
			chunk, err := x.r.ReadSlice('>')
			if err != nil && err != bufio.ErrBufferFull {
				return xmlEOF, nil, fmt.Errorf("XML: unterminated CDATA: %w", unexpected(err))
			}
			x.text = append(x.text, chunk...)
			if bytes.HasSuffix(x.text, []byte("]]>")) {
				return xmlText, x.text[:len(x.text)-3], nil
			}
		}
	}
	return xmlEOF, nil, x.skipPast(">")
}

// readName reads an element name into x.name, without its namespace prefix.
func (x *xmlStream) readName() error {
	x.name = x.name[:0]
	for {
		c, err := x.r.ReadByte()
		if err != nil {
			return fmt.Errorf("XML: truncated element name: %w", unexpected(err))
		}
		switch c {
		case ' ', '\t', '\n', '\r', '>', '/':
			_ = x.r.UnreadByte()
			if len(x.name) == 0 {
				return errors.New("XML: element without a name")
			}
			return nil
		case ':':
			x.name = x.name[:0]
		default:
			x.name = append(x.name, c)
		}
	}
}

// skipAttributes reads to the end of a start tag; it reports whether the element closes itself.
func (x *xmlStream) skipAttributes() (bool, error) {
	var quote byte
	prev := byte(0)
	for {
		c, err := x.r.ReadByte()
		if err != nil {
			return false, fmt.Errorf("XML: truncated start tag: %w", unexpected(err))
		}
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return prev == '/', nil
		}
		prev = c
	}
}

// skipPast discards input up to and including end.
func (x *xmlStream) skipPast(end string) error {
	matched := 0
	for matched < len(end) {
		c, err := x.r.ReadByte()
		if err != nil {
			return fmt.Errorf("XML: missing %q: %w", end, unexpected(err))
		}
		switch {
		case c == end[matched]:
			matched++
		case c == end[0]:
			matched = 1
		default:
			matched = 0
		}
	}
	return nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
