package aws

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// CloudTrailReader reads a region's CloudTrail event history (LookupEvents needs no trail).
type CloudTrailReader interface {
	LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
}

// LookupEvents allows 2 requests per second per account and region. lockdown sends a region's
// request only when the one two before it was written to the connection a little more than a
// second ago — every attempt, retries included — so no second on the wire ever holds more than
// two. Measuring from when a request was written, not from when it was let go, keeps that true
// however long the process was descheduled in between; pairing them means a late timer costs its
// pair once instead of every request after it.
const (
	LookupRate     = 2
	lookupInterval = time.Second / LookupRate * 102 / 100
)

// trailClients caches one CloudTrail client per region, each with its own pacer, so the pace holds
// across every trace the account runs.
type trailClients struct {
	mu      sync.Mutex
	clients map[string]*cloudtrail.Client
}

// CloudTrail returns a reader of region's CloudTrail event history, paced under its rate limit.
func (a *Account) CloudTrail(region string) CloudTrailReader {
	a.trail.mu.Lock()
	defer a.trail.mu.Unlock()
	if a.trail.clients == nil {
		a.trail.clients = map[string]*cloudtrail.Client{}
	}
	c, ok := a.trail.clients[region]
	if !ok {
		paced := &pacedClient{next: a.cfg.HTTPClient, interval: lookupInterval, turn: make(chan struct{}, 1)}
		if paced.next == nil {
			paced.next = awshttp.NewBuildableClient()
		}
		if a.opts.LookupInterval > 0 {
			paced.interval = a.opts.LookupInterval
		}
		c = cloudtrail.NewFromConfig(a.cfg, func(o *cloudtrail.Options) {
			o.Region = region
			o.BaseEndpoint = a.endpointOverride()
			o.HTTPClient = paced
		})
		a.trail.clients[region] = c
	}
	return c
}

// CloudTrail returns a reader of region's CloudTrail event history.
func (r *ReadOnly) CloudTrail(region string) CloudTrailReader { return r.a.CloudTrail(region) }

// pacedClient sends at most two requests per two intervals. It sits under the SDK's retryer, at
// the HTTP client, so every attempt waits its turn and the spacing is the one the wire sees. A
// region's requests go one at a time.
type pacedClient struct {
	next     sdk.HTTPClient
	interval time.Duration
	turn     chan struct{}
	// written holds when the last two requests were written to their connections, older first.
	written [2]time.Time
}

func (p *pacedClient) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	select {
	case p.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.turn }()
	if d := time.Until(p.written[0].Add(2 * p.interval)); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	var wroteAt atomic.Int64 // set on the transport's writing goroutine
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { wroteAt.Store(time.Now().UnixNano()) },
	}))
	resp, err := p.next.Do(req)
	wrote := time.Unix(0, wroteAt.Load())
	if wroteAt.Load() == 0 {
		// Nothing said when the request left (a transport without tracing, or a failed dial):
		// counting from now errs on the side of the limit.
		wrote = time.Now()
	}
	p.written = [2]time.Time{p.written[1], wrote}
	return resp, err
}

// TrailRecord is the part of a CloudTrail record lockdown reads, with AWS's field names.
type TrailRecord struct {
	EventID         string    `json:"eventID"`
	EventTime       time.Time `json:"eventTime"`
	EventSource     string    `json:"eventSource"`
	EventName       string    `json:"eventName"`
	AWSRegion       string    `json:"awsRegion"`
	SourceIPAddress string    `json:"sourceIPAddress"`
	UserAgent       string    `json:"userAgent"`
	ReadOnly        bool      `json:"readOnly"`
	ErrorCode       string    `json:"errorCode"`
	ErrorMessage    string    `json:"errorMessage"`
	UserIdentity    struct {
		Type           string `json:"type"`
		PrincipalID    string `json:"principalId"`
		ARN            string `json:"arn"`
		AccountID      string `json:"accountId"`
		AccessKeyID    string `json:"accessKeyId"`
		UserName       string `json:"userName"`
		InvokedBy      string `json:"invokedBy"`
		SessionContext struct {
			SessionIssuer struct {
				Type     string `json:"type"`
				ARN      string `json:"arn"`
				UserName string `json:"userName"`
			} `json:"sessionIssuer"`
			Attributes struct {
				CreationDate     string `json:"creationDate"`
				MFAAuthenticated string `json:"mfaAuthenticated"`
			} `json:"attributes"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
	// RequestParameters and ResponseElements are objects in most records, but null or another
	// JSON value in some; they are kept raw and read with Request and Response.
	RequestParameters json.RawMessage `json:"requestParameters"`
	ResponseElements  json.RawMessage `json:"responseElements"`
	Resources         []struct {
		ARN  string `json:"ARN"`
		Type string `json:"type"`
	} `json:"resources"`
}

// ParseTrailRecord reads one CloudTrail record (a LookupEvents CloudTrailEvent string).
func ParseTrailRecord(record string) (TrailRecord, error) {
	var r TrailRecord
	if err := json.Unmarshal([]byte(record), &r); err != nil {
		return r, fmt.Errorf("reading a CloudTrail record: %w", err)
	}
	return r, nil
}

// Request is the record's requestParameters as an object (empty when it is not one).
func (r TrailRecord) Request() map[string]any { return object(r.RequestParameters) }

// Response is the record's responseElements as an object (empty when it is not one).
func (r TrailRecord) Response() map[string]any { return object(r.ResponseElements) }

func object(raw json.RawMessage) map[string]any {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return map[string]any{}
	}
	return m
}

// field walks nested objects: field(m, "credentials", "accessKeyId").
func field(m map[string]any, path ...string) string {
	var v any = m
	for _, p := range path {
		obj, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = obj[p]
	}
	s, _ := v.(string)
	return s
}

// items returns the objects of a CloudTrail "xxxSet": {"items": [...]}.
func items(m map[string]any, set string) []map[string]any {
	obj, _ := m[set].(map[string]any)
	list, _ := obj["items"].([]any)
	var out []map[string]any
	for _, it := range list {
		if o, ok := it.(map[string]any); ok {
			out = append(out, o)
		}
	}
	return out
}
