package aws

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// A trail that logs but delivers to a bucket that is gone, or to one that deletes its files within
// a day, keeps nothing. Reading the bucket changes nothing: HeadBucket, then the lifecycle rules.

// ShortRetention is the age under which a lifecycle rule expiring a trail's log files takes them
// away before anyone reads them: an attacker's rule says a day; a retention policy says months.
const ShortRetention = 30

// TrailBucket is what the bucket of a trail holds for its logs.
type TrailBucket struct {
	Name   string `json:"name"`
	Region string `json:"region,omitempty"`
	// Exists is false when S3 says there is no such bucket.
	Exists bool `json:"exists"`
	// Expiring are the enabled rules that expire the trail's log files within ShortRetention days.
	Expiring []ExpiringRule `json:"expiring,omitempty"`
	// Err says why the bucket or its rules could not be read; then nothing else is known.
	Err string `json:"error,omitempty"`
}

// ExpiringRule is a lifecycle rule that expires log files: current ones after Days, or older
// versions after Days when Noncurrent.
type ExpiringRule struct {
	ID         string `json:"id"`
	Prefix     string `json:"prefix"`
	Days       int32  `json:"days"`
	Noncurrent bool   `json:"noncurrent,omitempty"`
	// Date is set for a rule that expires everything on a date instead.
	Date time.Time `json:"date,omitempty"`
}

// LogPrefix is where a trail writes its files in its bucket.
func (t Trail) LogPrefix() string {
	if t.S3KeyPrefix == "" {
		return "AWSLogs/"
	}
	return strings.TrimSuffix(t.S3KeyPrefix, "/") + "/AWSLogs/"
}

// ReadTrailBucket reads a trail's bucket: whether it exists, from the region S3 says it is in,
// and which lifecycle rules expire the trail's files soon.
func (r *ReadOnly) ReadTrailBucket(ctx context.Context, t Trail) TrailBucket {
	return r.ReadBucket(ctx, t.S3Bucket, t.HomeRegion, t.LogPrefix())
}

// ReadBucket reads a bucket, asking first in region: whether it exists, and which lifecycle rules
// expire its files under prefix soon ("" for every file).
func (r *ReadOnly) ReadBucket(ctx context.Context, name, region, prefix string) TrailBucket {
	a := r.a
	b := TrailBucket{Name: name, Region: region}
	region, exists, err := a.headBucket(ctx, name, region)
	switch {
	case err != nil:
		b.Err = strings.TrimSpace(ErrorCode(err) + " " + ErrorMessage(err))
		return b
	case !exists:
		return b
	}
	b.Exists, b.Region = true, region
	out, err := a.s3Client(region).GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: sdk.String(name)})
	switch {
	case ErrorCode(err) == "NoSuchLifecycleConfiguration":
		return b
	case err != nil:
		b.Err = "its lifecycle rules could not be read: " + strings.TrimSpace(ErrorCode(err)+" "+ErrorMessage(err))
		return b
	}
	b.Expiring = expiringRules(out.Rules, prefix)
	return b
}

// headBucket asks S3 for the bucket from region, and once more from the region a redirect names.
func (a *Account) headBucket(ctx context.Context, name, region string) (string, bool, error) {
	for range 2 {
		out, err := a.s3Client(region).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: sdk.String(name)})
		if err == nil {
			if r := sdk.ToString(out.BucketRegion); r != "" {
				region = r
			}
			return region, true, nil
		}
		var resp *smithyhttp.ResponseError
		if !errors.As(err, &resp) {
			return region, false, err
		}
		switch resp.HTTPStatusCode() {
		case http.StatusNotFound:
			return region, false, nil
		case http.StatusMovedPermanently:
			if r := resp.Response.Header.Get("X-Amz-Bucket-Region"); r != "" && r != region {
				region = r
				continue
			}
		}
		return region, false, err
	}
	return region, false, errors.New("S3 sent the request from region to region without an answer")
}

// expiringRules are the enabled rules that reach files under prefix and expire them soon.
func expiringRules(rules []types.LifecycleRule, prefix string) []ExpiringRule {
	var out []ExpiringRule
	for _, r := range rules {
		if r.Status != types.ExpirationStatusEnabled {
			continue
		}
		p := rulePrefix(r)
		// A rule reaches the logs when its prefix is a beginning of theirs, or lies within them.
		if !strings.HasPrefix(prefix, p) && !strings.HasPrefix(p, prefix) {
			continue
		}
		id := sdk.ToString(r.ID)
		if e := r.Expiration; e != nil {
			switch {
			case e.Days != nil && *e.Days <= ShortRetention:
				out = append(out, ExpiringRule{ID: id, Prefix: p, Days: *e.Days})
			case e.Date != nil && e.Date.Before(time.Now().AddDate(0, 0, ShortRetention)):
				out = append(out, ExpiringRule{ID: id, Prefix: p, Date: e.Date.UTC()})
			}
		}
		if n := r.NoncurrentVersionExpiration; n != nil && n.NoncurrentDays != nil && *n.NoncurrentDays <= ShortRetention {
			out = append(out, ExpiringRule{ID: id, Prefix: p, Days: *n.NoncurrentDays, Noncurrent: true})
		}
	}
	return out
}

// rulePrefix is the key prefix a rule applies to, however it is written; "" for every object.
func rulePrefix(r types.LifecycleRule) string {
	if f := r.Filter; f != nil {
		if f.Prefix != nil {
			return *f.Prefix
		}
		if f.And != nil && f.And.Prefix != nil {
			return *f.And.Prefix
		}
	}
	//lint:ignore SA1019 older rules still carry their prefix in this deprecated member
	return sdk.ToString(r.Prefix)
}

// s3Client returns region's S3 client, path-style when lockdown talks to an emulator (which has
// no bucket host names).
func (a *Account) s3Client(region string) *s3.Client {
	return regionClient(a, &a.persistence.s3, region, func() *s3.Client {
		return s3.NewFromConfig(a.cfg, func(o *s3.Options) {
			o.Region = region
			o.BaseEndpoint = a.endpointOverride()
			o.UsePathStyle = o.BaseEndpoint != nil
		})
	})
}
