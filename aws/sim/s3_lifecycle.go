package sim

// A bucket's lifecycle configuration: read, put and deleted.

import (
	"encoding/xml"
	"net/http"
)

func (s *Server) getBucketLifecycle(c *Call) (any, error) {
	b, err := s.regionalBucket(c)
	if err != nil {
		return nil, err
	}
	if len(b.Rules) == 0 {
		return nil, Errorf(http.StatusNotFound, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist")
	}
	return lifecycleXML{Rules: b.Rules}, nil
}

type lifecycleXML struct {
	XMLName xml.Name        `xml:"http://s3.amazonaws.com/doc/2006-03-01/ LifecycleConfiguration"`
	Rules   []lifecycleRule `xml:"Rule"`
}

// putBucketLifecycle replaces a bucket's rules, refusing what S3 refuses.
func (s *Server) putBucketLifecycle(c *Call) (any, error) {
	b, err := s.regionalBucket(c)
	if err != nil {
		return nil, err
	}
	var conf lifecycleXML
	if err := xml.Unmarshal([]byte(c.Params.Get("Body")), &conf); err != nil || len(conf.Rules) == 0 {
		return nil, Errorf(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	for _, r := range conf.Rules {
		if r.Status != "Enabled" && r.Status != "Disabled" {
			return nil, Errorf(http.StatusBadRequest, "MalformedXML", "A rule's Status must be Enabled or Disabled")
		}
		if r.Expiration == nil && r.NoncurrentVersionExpiration == nil {
			return nil, Errorf(http.StatusBadRequest, "InvalidRequest", "At least one action needs to be specified in a rule")
		}
	}
	b.Rules = conf.Rules
	return lifecyclePut{b: b, rules: conf.Rules}, nil
}

// lifecyclePut is PutBucketLifecycle's (empty) answer, recorded with its rules as S3 records them.
type lifecyclePut struct {
	b     *bucket
	rules []lifecycleRule
}

func (p lifecyclePut) requestParameters() any {
	var rules []any
	for _, r := range p.rules {
		rule := map[string]any{"ID": r.ID, "Status": r.Status}
		if r.Filter != nil {
			rule["Filter"] = map[string]any{"Prefix": r.Filter.Prefix}
		}
		if r.Expiration != nil {
			rule["Expiration"] = map[string]any{"Days": r.Expiration.Days}
		}
		if r.NoncurrentVersionExpiration != nil {
			rule["NoncurrentVersionExpiration"] = map[string]any{"NoncurrentDays": r.NoncurrentVersionExpiration.NoncurrentDays}
		}
		rules = append(rules, rule)
	}
	return map[string]any{"bucketName": p.b.Name, "Host": p.b.Name + ".s3.amazonaws.com", "lifecycle": "",
		"LifecycleConfiguration": map[string]any{"Rule": rules, "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"}}
}

func (p lifecyclePut) responseElements() any { return nil }

func (s *Server) deleteBucketLifecycle(c *Call) (any, error) {
	b, err := s.regionalBucket(c)
	if err != nil {
		return nil, err
	}
	b.Rules = nil
	return nil, nil
}
