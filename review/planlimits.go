package review

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"lockdown/runbooks"
)

// MaxPlanBytes bounds a plan file. A plan of ten thousand changes with their dry-run results is a
// few megabytes; a larger file is not a plan lockdown wrote, and reading it whole could take the
// machine's memory in the middle of an incident.
const MaxPlanBytes = 32 << 20

// readPlanBytes reads a plan file, refusing one larger than MaxPlanBytes before reading it.
func readPlanBytes(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxPlanBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxPlanBytes {
		return nil, fmt.Errorf("%s is larger than the %d MiB a plan may be; is this the right file?", path, MaxPlanBytes>>20)
	}
	return data, nil
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
	case strings.HasPrefix(err.Error(), unknownField):
		// The decoder notices an unknown field at the end of its object: point at the field.
		if i := bytes.Index(data, []byte(strings.TrimPrefix(err.Error(), unknownField))); i >= 0 {
			off = int64(i)
		}
	}
	line, col := runbooks.LineCol(data, int(off))
	return fmt.Errorf("%s:%d:%d: not a lockdown plan: %w", path, line, col, err)
}
