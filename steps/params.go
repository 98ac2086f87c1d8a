package steps

import (
	"fmt"
	"time"
)

// ParamType is the type a runbook's `with` value must have.
type ParamType string

const (
	TypeString   ParamType = "string"
	TypeBool     ParamType = "bool"
	TypeInt      ParamType = "int"
	TypeDuration ParamType = "duration" // "6h", "30m"
	TypeStrings  ParamType = "strings"  // a list of strings
)

// Param is one accepted `with` key.
type Param struct {
	Name     string
	Type     ParamType
	Required bool
	Doc      string
}

// Params are a step's `with` values after validation: strings, bools, ints, durations and string
// lists, keyed by parameter name.
type Params map[string]any

// String returns the string parameter name, or def when absent.
func (p Params) String(name, def string) string {
	if v, ok := p[name].(string); ok {
		return v
	}
	return def
}

// Bool returns the bool parameter name, or def when absent.
func (p Params) Bool(name string, def bool) bool {
	if v, ok := p[name].(bool); ok {
		return v
	}
	return def
}

// Int returns the int parameter name, or def when absent.
func (p Params) Int(name string, def int) int {
	if v, ok := p[name].(int); ok {
		return v
	}
	return def
}

// Duration returns the duration parameter name, or def when absent.
func (p Params) Duration(name string, def time.Duration) time.Duration {
	if v, ok := p[name].(time.Duration); ok {
		return v
	}
	return def
}

// Strings returns the string-list parameter name, or nil when absent.
func (p Params) Strings(name string) []string {
	if v, ok := p[name].([]string); ok {
		return v
	}
	return nil
}

// Convert checks a decoded YAML value against the parameter type and returns it in the form
// Params holds. The error message is written for a runbook author.
func (t ParamType) Convert(v any) (any, error) {
	switch t {
	case TypeString:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case TypeBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case TypeInt:
		switch n := v.(type) {
		case int:
			return n, nil
		case int64:
			return int(n), nil
		case uint64:
			return int(n), nil
		}
	case TypeDuration:
		if s, ok := v.(string); ok {
			d, err := time.ParseDuration(s)
			if err != nil {
				return nil, fmt.Errorf("%q is not a duration such as 6h or 30m", s)
			}
			return d, nil
		}
	case TypeStrings:
		if list, ok := v.([]any); ok {
			out := make([]string, 0, len(list))
			for i, item := range list {
				s, ok := item.(string)
				if !ok {
					return nil, fmt.Errorf("item %d is %s, want a string", i+1, describe(item))
				}
				out = append(out, s)
			}
			return out, nil
		}
	default:
		return nil, fmt.Errorf("unknown parameter type %q", t)
	}
	return nil, fmt.Errorf("want %s, got %s", t.words(), describe(v))
}

func (t ParamType) words() string {
	switch t {
	case TypeString:
		return "a string"
	case TypeBool:
		return "true or false"
	case TypeInt:
		return "a whole number"
	case TypeDuration:
		return "a duration such as 6h"
	case TypeStrings:
		return "a list of strings"
	}
	return string(t)
}

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int, int64, uint64:
		return "a number"
	case float64:
		return "a decimal number"
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}
