package sim

import (
	"encoding/base64"
	"net/http"
	"sort"
	"strconv"
)

// page is the pagination part of every IAM list result.
type page struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker,omitempty"`
}

const (
	defaultMaxItems = 100
	maxMaxItems     = 1000
)

// paginate returns one page of items the way IAM does: MaxItems (default 100, at most 1000) items
// from Marker on, with IsTruncated and an opaque Marker for the next page. Items are ordered by key,
// and the marker names the next item's key, so a page boundary survives items being added or
// removed between calls.
func paginate[T any](c *Call, items []T, key func(T) string) ([]T, page, error) {
	sort.SliceStable(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
	limit := defaultMaxItems
	if v := c.Params.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxMaxItems {
			return nil, page{}, Errorf(http.StatusBadRequest, "ValidationError",
				"1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", v)
		}
		limit = n
	}
	start := 0
	if m := c.Params.Get("Marker"); m != "" {
		from, err := base64.RawURLEncoding.DecodeString(m)
		if err != nil {
			return nil, page{}, Errorf(http.StatusBadRequest, "ValidationError", "Invalid Marker: %s", m)
		}
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) >= string(from) })
	}
	end := min(start+limit, len(items))
	p := page{}
	if end < len(items) {
		p = page{IsTruncated: true, Marker: base64.RawURLEncoding.EncodeToString([]byte(key(items[end])))}
	}
	return items[start:end], p, nil
}

func self[T ~string](v T) string { return string(v) }
