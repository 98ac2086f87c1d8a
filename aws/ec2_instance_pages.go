package aws

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithytime "github.com/aws/smithy-go/time"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// A scan reads each DescribeInstances page straight into compact Instances as it arrives, and
// hands the SDK only the page's next token: the SDK's decoder would build, for every instance, a
// structure of every field EC2 returns (network interfaces, block devices, security groups…),
// which for a hundred thousand instances is most of a scan's time and memory. Signing, retries,
// errors and the breakers stay the SDK's and lockdown's, as for every other call.

// compactInstances is the result metadata key of a page read this way.
type compactInstances struct{}

// pageReader is the deserialize middleware that reads a successful page itself. It sits under the
// SDK's own deserializer, which then reads only what it leaves: the next token, and any error.
type pageReader struct {
	region string
	names  *interner
}

func (pageReader) ID() string { return "lockdown.CompactInstances" }

func (m pageReader) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleDeserialize(ctx, in)
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if err != nil || !ok || resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return out, md, err
	}
	page, err := readInstancePage(resp.Body, m.region, m.names)
	_ = resp.Body.Close()
	if err != nil {
		return out, md, &smithy.DeserializationError{Err: fmt.Errorf("failed to decode response body, %w", err)}
	}
	var left bytes.Buffer
	left.WriteString("<DescribeInstancesResponse>")
	if page.nextToken != "" {
		left.WriteString("<nextToken>")
		_ = xml.EscapeText(&left, []byte(page.nextToken))
		left.WriteString("</nextToken>")
	}
	left.WriteString("</DescribeInstancesResponse>")
	resp.Body = io.NopCloser(&left)
	md.Set(compactInstances{}, page.rows)
	return out, md, nil
}

// readPagesCompactly installs the page reader on one DescribeInstances call.
func readPagesCompactly(region string, names *interner) func(*ec2.Options) {
	return func(o *ec2.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Deserialize.Insert(pageReader{region: region, names: names}, "OperationDeserializer", middleware.After)
		})
	}
}

// instancesOf returns the instances of a page: read compactly when the page reader ran, converted
// from the SDK's structures otherwise (a client that is not the SDK's, in tests).
func instancesOf(page *ec2.DescribeInstancesOutput, region string) []Instance {
	return instanceRows{rowsOf(page, region)}.instances(region)
}

// rowsOf returns the rows of a page, as instancesOf its instances.
func rowsOf(page *ec2.DescribeInstancesOutput, region string) []instanceRow {
	if compact, ok := page.ResultMetadata.Get(compactInstances{}).([]instanceRow); ok {
		return compact
	}
	var out []instanceRow
	for _, r := range page.Reservations {
		for _, i := range r.Instances {
			out = append(out, rowOf(instanceFrom(region, i)))
		}
	}
	return out
}

type instancePage struct {
	rows      []instanceRow
	nextToken string
}

// The elements of one instance a scan keeps, by their path below the instance's item.
const (
	fieldNone = iota
	fieldID
	fieldType
	fieldState
	fieldLaunch
	fieldKey
	fieldSpot
	fieldTagKey
	fieldTagValue
	fieldTag
	fieldDeviceIndex
	fieldAttachTime
	fieldInterface
)

// fieldOf names the element at path rel below an instance's item.
func fieldOf(rel []string) int {
	switch len(rel) {
	case 1:
		switch rel[0] {
		case "instanceId":
			return fieldID
		case "instanceType":
			return fieldType
		case "launchTime":
			return fieldLaunch
		case "keyName":
			return fieldKey
		case "spotInstanceRequestId":
			return fieldSpot
		}
	case 2:
		switch {
		case rel[0] == "instanceState" && rel[1] == "name":
			return fieldState
		case rel[0] == "tagSet" && rel[1] == "item":
			return fieldTag
		case rel[0] == "networkInterfaceSet" && rel[1] == "item":
			return fieldInterface
		}
	case 3:
		if rel[0] == "tagSet" && rel[1] == "item" {
			switch rel[2] {
			case "key":
				return fieldTagKey
			case "value":
				return fieldTagValue
			}
		}
	case 4:
		if rel[0] == "networkInterfaceSet" && rel[1] == "item" && rel[2] == "attachment" {
			switch rel[3] {
			case "deviceIndex":
				return fieldDeviceIndex
			case "attachTime":
				return fieldAttachTime
			}
		}
	}
	return fieldNone
}

// instanceDepth is where an instance's item is: Response/reservationSet/item/instancesSet/item.
const instanceDepth = 5

// readInstancePage reads a DescribeInstances answer.
func readInstancePage(r io.Reader, region string, names *interner) (instancePage, error) {
	var page instancePage
	x := newXMLStream(r)
	defer x.release()
	var path []string
	var text []byte
	var cur instanceRow
	var item pendingItem
	var tags []byte
	for {
		tok, value, err := x.next()
		if err != nil {
			return page, err
		}
		switch tok {
		case xmlEOF:
			if len(path) != 0 {
				return page, fmt.Errorf("XML: %d elements left open", len(path))
			}
			if cap(page.rows) > 2*len(page.rows) {
				page.rows = slices.Clone(page.rows) // a short last page does not keep a full page's room
			}
			return page, nil
		case xmlText:
			text = append(text, value...)
		case xmlStart:
			path = append(path, names.get(value))
			text = text[:0]
			if len(path) == instanceDepth && isInstanceItem(path) {
				cur, tags = instanceRow{}, tags[:0]
			}
		case xmlEnd:
			if len(path) == 0 || path[len(path)-1] != string(value) {
				return page, fmt.Errorf("XML: </%s> closes nothing open", value)
			}
			switch {
			case len(path) == 2 && path[1] == "nextToken":
				page.nextToken = string(text)
			case len(path) == instanceDepth && isInstanceItem(path):
				if cur.firstLaunch.IsZero() {
					cur.firstLaunch = cur.launch
				}
				cur.tags = string(tags)
				if page.rows == nil {
					page.rows = make([]instanceRow, 0, pageSize)
				}
				page.rows = append(page.rows, cur)
			case len(path) > instanceDepth && isInstanceItem(path[:instanceDepth]):
				if tags, err = cur.set(fieldOf(path[instanceDepth:]), text, names, &item, tags); err != nil {
					return page, err
				}
			}
			path = path[:len(path)-1]
			text = text[:0]
		}
	}
}

func isInstanceItem(p []string) bool {
	return p[1] == "reservationSet" && p[2] == "item" && p[3] == "instancesSet" && p[4] == "item"
}

// pendingItem holds what an item inside the instance says until the item ends: a tag's key and
// value, a network interface's device index and attachment time.
type pendingItem struct {
	tagKey   string
	tagValue []byte
	device   int64
	attached time.Time
}

// set stores one element's text in the row, or in item until the item it belongs to ends; a tag
// ends packed into tags.
func (row *instanceRow) set(field int, text []byte, names *interner, item *pendingItem, tags []byte) ([]byte, error) {
	switch field {
	case fieldID:
		row.id = string(text)
	case fieldType:
		row.typ = names.get(text)
	case fieldState:
		row.state = names.get(text)
	case fieldKey:
		row.keyName = names.get(text)
	case fieldSpot:
		row.spot = string(text)
	case fieldLaunch:
		t, err := parseXMLTime("launchTime", text)
		if err != nil {
			return tags, err
		}
		row.launch = t
	case fieldTagKey:
		item.tagKey = names.get(text)
	case fieldTagValue:
		item.tagValue = append(item.tagValue[:0], text...)
	case fieldTag:
		tags = packTag(tags, item.tagKey, item.tagValue)
		item.reset()
	case fieldDeviceIndex:
		n, err := strconv.ParseInt(string(text), 10, 32)
		if err != nil {
			return tags, fmt.Errorf("deviceIndex %q: %w", text, err)
		}
		item.device = n
	case fieldAttachTime:
		t, err := parseXMLTime("attachTime", text)
		if err != nil {
			return tags, err
		}
		item.attached = t
	case fieldInterface:
		// The primary interface's attachment is the first launch, which a restart keeps.
		if item.device == 0 && !item.attached.IsZero() {
			row.firstLaunch = item.attached
		}
		item.reset()
	}
	return tags, nil
}

// reset empties the item, keeping the value's buffer.
func (item *pendingItem) reset() {
	*item = pendingItem{tagValue: item.tagValue[:0]}
}

func parseXMLTime(name string, text []byte) (time.Time, error) {
	t, err := smithytime.ParseDateTime(string(text))
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: %w", name, text, err)
	}
	return t.In(time.UTC), nil
}

// interner shares the strings a scan sees again and again — instance types, states, key names,
// tag keys and common values — so a hundred thousand instances hold one copy of each.
type interner struct{ seen map[string]string }

// maxInterned bounds the table: names beyond it are not shared, but still right.
const maxInterned = 1 << 14

func newInterner() *interner { return &interner{seen: map[string]string{}} }

func (n *interner) get(b []byte) string {
	if s, ok := n.seen[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(n.seen) < maxInterned {
		n.seen[s] = s
	}
	return s
}
