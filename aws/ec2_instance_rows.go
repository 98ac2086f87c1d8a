package aws

import (
	"encoding/binary"
	"time"
)

// instanceRow is an instance as a scan holds it until its region is reported: the fields a verdict
// reads, with the tags packed in one string instead of a map. A map of even one tag costs some
// 330 bytes; a hundred thousand instances held that way were most of a large scan's memory. The
// Instance, map and all, is made again only when the region is handed on, one region at a time.
type instanceRow struct {
	id, spot            string
	typ, state, keyName string // interned: the same few strings for every row
	launch, firstLaunch time.Time
	// tags are the tags in order, each key then value prefixed by its length (uvarint).
	tags string
}

// instanceRows are a region's rows, page by page: a page's rows are never copied into a bigger slice.
type instanceRows [][]instanceRow

func (r instanceRows) count() int {
	n := 0
	for _, page := range r {
		n += len(page)
	}
	return n
}

// instances makes the region's Instances.
func (r instanceRows) instances(region string) []Instance {
	out := make([]Instance, 0, r.count())
	for _, page := range r {
		for i := range page {
			out = append(out, page[i].instance(region))
		}
	}
	return out
}

func (row *instanceRow) instance(region string) Instance {
	return Instance{ID: row.id, Region: region, Type: row.typ, State: row.state, LaunchTime: row.launch, FirstLaunch: row.firstLaunch,
		KeyName: row.keyName, SpotRequestID: row.spot, Tags: unpackTags(row.tags)}
}

// rowOf is the row of an instance read another way (a client that is not the SDK's, in tests).
func rowOf(in Instance) instanceRow {
	var tags []byte
	for k, v := range in.Tags {
		tags = packTag(tags, k, v)
	}
	return instanceRow{id: in.ID, spot: in.SpotRequestID, typ: in.Type, state: in.State, keyName: in.KeyName,
		launch: in.LaunchTime, firstLaunch: in.FirstLaunch, tags: string(tags)}
}

func packTag[V string | []byte](b []byte, key string, value V) []byte {
	b = binary.AppendUvarint(b, uint64(len(key)))
	b = append(b, key...)
	b = binary.AppendUvarint(b, uint64(len(value)))
	return append(b, value...)
}

// unpackTags makes the tags' map; its keys and values share the packed string's memory. A later
// tag of the same key wins, as it would in the map the tags were read into.
func unpackTags(packed string) map[string]string {
	n := 0
	for rest := packed; rest != ""; n++ {
		_, rest = nextPacked(rest)
		_, rest = nextPacked(rest)
	}
	tags := make(map[string]string, n)
	for rest := packed; rest != ""; {
		var k, v string
		k, rest = nextPacked(rest)
		v, rest = nextPacked(rest)
		tags[k] = v
	}
	return tags
}

// nextPacked reads one length-prefixed field (the uvarint of binary.AppendUvarint).
func nextPacked(s string) (field, rest string) {
	var n uint64
	w := 0
	for shift := uint(0); w < len(s); shift += 7 {
		c := s[w]
		w++
		n |= uint64(c&0x7f) << shift
		if c < 0x80 {
			break
		}
	}
	if uint64(len(s)-w) < n {
		return "", "" // never written so: packTag writes every length
	}
	return s[w : w+int(n)], s[w+int(n):]
}
