package review

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"lockdown/input"
)

// Limits on a plan file. A plan of ten thousand changes with their dry-run results is a few
// megabytes, five levels deep; a larger or deeper file is not a plan lockdown wrote, and decoding it
// could take the machine's memory in the middle of an incident. The shape is measured, in one pass
// over the bytes, before the decoder builds anything.
const (
	MaxPlanBytes   = 32 << 20
	MaxPlanDepth   = 32
	MaxPlanEntries = 200_000
	MaxPlanValues  = 4_000_000
)

var planLimits = input.Limits{Depth: MaxPlanDepth, Entries: MaxPlanEntries, Keys: MaxPlanEntries, Nodes: MaxPlanValues}

// readPlanBytes reads a regular plan file, refusing one larger than MaxPlanBytes before reading it
// whole.
func readPlanBytes(path string) ([]byte, error) {
	data, tooBig, err := input.ReadLimited(path, "plan", MaxPlanBytes)
	if err != nil {
		return nil, err
	}
	if tooBig {
		return nil, fmt.Errorf("%s is larger than the %d MiB a plan may be; is this the right file?", path, MaxPlanBytes>>20)
	}
	return data, nil
}

// measurePlan refuses a plan nested, or holding entries, past what lockdown writes, at the place
// where it goes past.
func measurePlan(path string, data []byte) error {
	e := input.NewJSONMeter(planLimits).Feed(data, 1)
	if e == nil {
		return nil
	}
	return fmt.Errorf("%s:%d:%d: not a lockdown plan: %s; a plan lockdown writes has a handful of levels (is this the right file?)", path, e.Line, e.Col, e.Problem())
}

// unknownField starts encoding/json's message for a field that the document type does not have.
const unknownField = "json: unknown field "

// planSyntaxError says where in the file a plan stops being one, as path:line:col.
func planSyntaxError(path string, data []byte, dec *json.Decoder, err error) error {
	off := dec.InputOffset()
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		off = syntax.Offset - 1 // the offset is just past the character that is wrong
	case errors.As(err, &typ):
		off = typ.Offset
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%s is empty: it is not a lockdown plan", path)
	case errors.Is(err, io.ErrUnexpectedEOF):
		// Cut short: point at where the text stops, not at the start of the document.
		line, col := input.LineCol(data, input.EndOfContent(data))
		return fmt.Errorf("%s:%d:%d: the plan ends here, in the middle of its JSON: the file was cut short (copied or written incompletely?)", path, line, col)
	case strings.HasPrefix(err.Error(), unknownField):
		// The decoder notices an unknown field at the end of its object: point at the field.
		if i := bytes.Index(data, []byte(strings.TrimPrefix(err.Error(), unknownField))); i >= 0 {
			off = int64(i)
		}
	}
	line, col := input.LineCol(data, int(off))
	return fmt.Errorf("%s:%d:%d: not a lockdown plan: %w", path, line, col, err)
}

// trailingText refuses anything but white space after the plan's JSON document: a file is the
// plan whole, or it is not the plan a reviewer approved.
func trailingText(path string, data []byte, end int64) error {
	rest := data[end:]
	i := 0
	for i < len(rest) && strings.IndexByte(" \t\r\n", rest[i]) >= 0 {
		i++
	}
	if i == len(rest) {
		return nil
	}
	line, col := input.LineCol(data, int(end)+i)
	return fmt.Errorf("%s:%d:%d: not a lockdown plan: more text after the end of the plan's JSON; a plan file holds one document and nothing else", path, line, col)
}
