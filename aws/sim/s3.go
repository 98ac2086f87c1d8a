package sim

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// S3, as far as trails need it: a trail's logs go to a bucket, and an attacker who cannot stop the
// trail can delete the bucket or give it a lifecycle rule that expires the logs within a day. The
// simulator serves the bucket calls (REST-XML, path-style) through the same authentication,
// faults and CloudTrail recording as every other call.

// S3Spec is the scenario's buckets. A trail's bucket not listed here exists, in the trail's home
// region, with no lifecycle rule.
type S3Spec struct {
	Buckets []BucketSpec `yaml:"buckets"`
}

// BucketSpec is one bucket: deleted (only its DeleteBucket event remains) or with lifecycle rules.
type BucketSpec struct {
	Name    string `yaml:"name"`
	Region  string `yaml:"region"`
	Created When   `yaml:"created"`
	Deleted When   `yaml:"deleted"`
	// By is who deleted it: writes the DeleteBucket event.
	By        string              `yaml:"by"`
	Lifecycle []LifecycleRuleSpec `yaml:"lifecycle"`
}

// LifecycleRuleSpec is one lifecycle rule; with `by`, its PutBucketLifecycle event is written.
type LifecycleRuleSpec struct {
	ID     string `yaml:"id"`
	Prefix string `yaml:"prefix"`
	// ExpirationDays expires current objects; NoncurrentDays older versions.
	ExpirationDays int    `yaml:"expiration_days"`
	NoncurrentDays int    `yaml:"noncurrent_days"`
	Disabled       bool   `yaml:"disabled"`
	At             When   `yaml:"at"`
	By             string `yaml:"by"`
}

type bucket struct {
	Name, Region string
	Created      time.Time
	Rules        []lifecycleRule
	deleted      bool
}

type lifecycleRule struct {
	ID     string `xml:"ID,omitempty"`
	Prefix string `xml:"Prefix,omitempty"`
	Filter *struct {
		Prefix string `xml:"Prefix"`
	} `xml:"Filter,omitempty"`
	Status     string `xml:"Status"`
	Expiration *struct {
		Days int `xml:"Days,omitempty"`
	} `xml:"Expiration,omitempty"`
	NoncurrentVersionExpiration *struct {
		NoncurrentDays int `xml:"NoncurrentDays"`
	} `xml:"NoncurrentVersionExpiration,omitempty"`
}

type s3State struct {
	buckets map[string]*bucket
}

func (st *s3State) bucket(name string) *bucket {
	if b := st.buckets[name]; b != nil && !b.deleted {
		return b
	}
	return nil
}

// newS3State makes the scenario's buckets and, for each trail of this account, its bucket.
func newS3State(s *Server, sc *Scenario, trails []*simTrail) (*s3State, error) {
	st := &s3State{buckets: map[string]*bucket{}}
	for i, bs := range sc.S3.Buckets {
		if bs.Name == "" || st.buckets[bs.Name] != nil {
			return nil, fmt.Errorf("s3.buckets[%d].name: bucket %q is unnamed or listed twice", i, bs.Name)
		}
		b, err := s.newBucket(bs)
		if err != nil {
			return nil, under(fmt.Sprintf("s3.buckets[%d]", i), err)
		}
		st.buckets[b.Name] = b
	}
	for _, t := range trails {
		if t.Owner == s.Account() && st.buckets[t.Bucket] == nil {
			st.buckets[t.Bucket] = &bucket{Name: t.Bucket, Region: t.Home, Created: t.created}
		}
	}
	return st, nil
}

// newBucket makes one bucket of the scenario; one without a creation time is a year older than
// the drill.
func (s *Server) newBucket(bs BucketSpec) (*bucket, error) {
	created := resolveChecked(bs.Created, s.start.Add(-365*24*time.Hour))
	if bs.Created != "" {
		created = resolveChecked(bs.Created, s.start)
	}
	b := &bucket{Name: bs.Name, Region: bs.Region, Created: created, deleted: bs.Deleted != ""}
	if b.Region == "" {
		b.Region = globalRegion
	}
	for j, rs := range bs.Lifecycle {
		if rs.ExpirationDays <= 0 && rs.NoncurrentDays <= 0 {
			return nil, fmt.Errorf("lifecycle[%d].expiration_days: rule %q expires nothing: give expiration_days or noncurrent_days", j, rs.ID)
		}
		b.Rules = append(b.Rules, lifecycleRuleFrom(rs))
	}
	return b, nil
}

func lifecycleRuleFrom(rs LifecycleRuleSpec) lifecycleRule {
	r := lifecycleRule{ID: rs.ID, Status: "Enabled", Filter: &struct {
		Prefix string `xml:"Prefix"`
	}{Prefix: rs.Prefix}}
	if rs.Disabled {
		r.Status = "Disabled"
	}
	if rs.ExpirationDays > 0 {
		r.Expiration = &struct {
			Days int `xml:"Days,omitempty"`
		}{Days: rs.ExpirationDays}
	}
	if rs.NoncurrentDays > 0 {
		r.NoncurrentVersionExpiration = &struct {
			NoncurrentDays int `xml:"NoncurrentDays"`
		}{NoncurrentDays: rs.NoncurrentDays}
	}
	return r
}

// seedS3History writes the events of whoever deleted a bucket or put its lifecycle rules.
func (s *Server) seedS3History(sc *Scenario) error {
	for _, bs := range sc.S3.Buckets {
		b := s.s3.buckets[bs.Name]
		for _, rs := range bs.Lifecycle {
			if rs.By == "" {
				continue
			}
			at := resolveChecked(rs.At, s.start)
			put := lifecyclePut{b: b, rules: []lifecycleRule{lifecycleRuleFrom(rs)}}
			if err := s.historyEvent(rs.By, at, b.Region, "s3", "PutBucketLifecycle", put.requestParameters(), nil,
				[]lookupResource{{"AWS::S3::Bucket", b.Name}}); err != nil {
				return err // every by was checked at its place (checkActors)
			}
		}
		if bs.Deleted != "" && bs.By != "" {
			at := resolveChecked(bs.Deleted, s.start)
			if err := s.historyEvent(bs.By, at, b.Region, "s3", "DeleteBucket", map[string]any{"bucketName": b.Name, "Host": b.Name + ".s3.amazonaws.com"}, nil,
				[]lookupResource{{"AWS::S3::Bucket", b.Name}}); err != nil {
				return err // every by was checked at its place (checkActors)
			}
		}
	}
	return nil
}

func (s *Server) registerS3() {
	s.handle("s3", "ListBuckets", false, s.listBuckets)
	s.handle("s3", "HeadBucket", false, func(c *Call) (any, error) { return s.regionalBucket(c) })
	s.handle("s3", "GetBucketLocation", false, s.getBucketLocation)
	s.handle("s3", "CreateBucket", true, s.createBucket)
	s.handle("s3", "DeleteBucket", true, s.deleteBucket)
	s.handle("s3", "GetBucketLifecycle", false, s.getBucketLifecycle)
	s.handle("s3", "PutBucketLifecycle", true, s.putBucketLifecycle)
	s.handle("s3", "DeleteBucketLifecycle", true, s.deleteBucketLifecycle)
}

// s3Action names the operation a method, path and query ask for, and the bucket in the path.
func s3Action(r *http.Request) (action, bucketName string) {
	path := strings.Trim(r.URL.Path, "/")
	bucketName, key, _ := strings.Cut(path, "/")
	q := r.URL.Query()
	switch {
	case key != "":
		return "", bucketName // objects are not simulated
	case bucketName == "" && r.Method == http.MethodGet:
		return "ListBuckets", ""
	case bucketName == "":
		return "", ""
	case q.Has("lifecycle"):
		return map[string]string{http.MethodGet: "GetBucketLifecycle", http.MethodPut: "PutBucketLifecycle", http.MethodDelete: "DeleteBucketLifecycle"}[r.Method], bucketName
	case q.Has("location") && r.Method == http.MethodGet:
		return "GetBucketLocation", bucketName
	case len(q) > 0 && !q.Has("x-id"):
		return "", bucketName
	}
	return map[string]string{http.MethodHead: "HeadBucket", http.MethodPut: "CreateBucket", http.MethodDelete: "DeleteBucket"}[r.Method], bucketName
}

// serveS3 answers one S3 request, path-style.
func (s *Server) serveS3(w http.ResponseWriter, r *http.Request, sc scope) {
	sc.SourceIP, sc.UserAgent = clientAddress(r), r.UserAgent()
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.mu.Lock()
	requestID := s.ids.requestID()
	s.mu.Unlock()
	action, name := s3Action(r)
	if action == "" {
		writeS3Error(w, r, requestID, Errorf(http.StatusNotImplemented, "NotImplemented", "%s %s is not simulated", r.Method, r.URL.Path))
		return
	}
	form := url.Values{"BucketName": {name}, "Body": {string(body)}}
	if r.URL.Query().Has("lifecycle") {
		form["lifecycle"] = []string{""}
	}
	out, apiErr, answered := s.serveREST(r, sc, action, form)
	if !answered {
		return
	}
	if apiErr != nil {
		writeS3Error(w, r, requestID, apiErr)
		return
	}
	w.Header().Set("x-amz-request-id", requestID)
	switch out := out.(type) {
	case *bucket:
		w.Header().Set("x-amz-bucket-region", out.Region)
		return
	case lifecyclePut:
		return
	case nil:
		if action != "CreateBucket" {
			w.WriteHeader(http.StatusNoContent)
		}
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(out)
}

// writeS3Error answers as S3 does: an XML Error document, none for HEAD, and the bucket's region
// on a redirect.
func writeS3Error(w http.ResponseWriter, r *http.Request, requestID string, err *APIError) {
	w.Header().Set("x-amz-request-id", requestID)
	if err.Code == "PermanentRedirect" {
		w.Header().Set("x-amz-bucket-region", err.Message[strings.LastIndex(err.Message, " ")+1:])
	}
	code := err.Code
	if code == "Throttling" {
		code = "SlowDown"
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(err.Status)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(err.Status)
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string   `xml:"Code"`
		Message   string   `xml:"Message"`
		RequestID string   `xml:"RequestId"`
	}{Code: code, Message: err.Message, RequestID: requestID})
}

// regionalBucket finds the bucket a call names, answering from its own region only: S3 sends
// a request for another region's bucket back with a redirect naming the bucket's region.
func (s *Server) regionalBucket(c *Call) (*bucket, error) {
	b := s.s3.bucket(c.Params.Get("BucketName"))
	switch {
	case b == nil:
		return nil, Errorf(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
	case b.Region != c.Region:
		return nil, Errorf(http.StatusMovedPermanently, "PermanentRedirect", "The bucket is in another region: %s", b.Region)
	}
	return b, nil
}

type bucketXML struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
}

func (s *Server) listBuckets(*Call) (any, error) {
	out := struct {
		XMLName xml.Name    `xml:"ListAllMyBucketsResult"`
		Buckets []bucketXML `xml:"Buckets>Bucket"`
	}{}
	for _, b := range s.s3.buckets {
		if !b.deleted {
			out.Buckets = append(out.Buckets, bucketXML{Name: b.Name, CreationDate: b.Created.UTC().Format(time.RFC3339)})
		}
	}
	sort.Slice(out.Buckets, func(i, j int) bool { return out.Buckets[i].Name < out.Buckets[j].Name })
	return out, nil
}

func (s *Server) getBucketLocation(c *Call) (any, error) {
	b := s.s3.bucket(c.Params.Get("BucketName"))
	if b == nil {
		return nil, Errorf(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
	}
	loc := b.Region
	if loc == globalRegion {
		loc = ""
	}
	return struct {
		XMLName  xml.Name `xml:"LocationConstraint"`
		Location string   `xml:",chardata"`
	}{Location: loc}, nil
}

func (s *Server) createBucket(c *Call) (any, error) {
	name := c.Params.Get("BucketName")
	if s.s3.bucket(name) != nil {
		return nil, Errorf(http.StatusConflict, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
	}
	var conf struct {
		Location string `xml:"LocationConstraint"`
	}
	_ = xml.Unmarshal([]byte(c.Params.Get("Body")), &conf)
	region := conf.Location
	if region == "" {
		region = globalRegion
	}
	if region != c.Region {
		return nil, Errorf(http.StatusBadRequest, "IllegalLocationConstraintException", "The %s location constraint is incompatible for the region specific endpoint this request was sent to.", region)
	}
	s.s3.buckets[name] = &bucket{Name: name, Region: region, Created: c.Now.UTC()}
	return nil, nil
}

func (s *Server) deleteBucket(c *Call) (any, error) {
	b, err := s.regionalBucket(c)
	if err != nil {
		return nil, err
	}
	b.deleted = true
	return nil, nil
}
