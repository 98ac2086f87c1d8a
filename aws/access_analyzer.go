package aws

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// IAM Access Analyzer is AWS's own check of who outside the account can reach its resources
// (buckets, keys, functions, queues, secrets, snapshots, roles and more). lockdown reads the active
// findings of every external-access analyzer in every region; it creates none, since creating an
// analyzer is a change the verification must not make.

// Analyzer is one external-access analyzer (type ACCOUNT or ORGANIZATION) of a region.
type Analyzer struct {
	Region string `json:"region"`
	ARN    string `json:"arn"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Status string `json:"status"`
}

// AnalyzerFinding is one active finding: Resource can be used from outside the account.
type AnalyzerFinding struct {
	Region       string    `json:"region"`
	Analyzer     string    `json:"analyzer"`
	ID           string    `json:"id"`
	Resource     string    `json:"resource"`
	ResourceType string    `json:"resource_type"`
	Principals   []string  `json:"principals,omitempty"`
	Public       bool      `json:"public"`
	Actions      []string  `json:"actions,omitempty"`
	Created      time.Time `json:"created"`
}

// AnalyzerRegion is one region's analyzers and findings, or why they could not be read. A region
// read without error but with no external-access analyzer has nothing to report: it is not
// unknown, it is a region Access Analyzer does not watch.
type AnalyzerRegion struct {
	RegionRead
	// NotAvailable, when set, says the endpoint does not offer Access Analyzer at all (an
	// emulator answers that it lacks the operation): no analyzer can exist there.
	NotAvailable string            `json:"not_available,omitempty"`
	Analyzers    []Analyzer        `json:"analyzers,omitempty"`
	Findings     []AnalyzerFinding `json:"findings,omitempty"`
}

// SurveyAnalyzers reads every enabled region's external-access analyzers and their active
// findings, bounded like the other per-region reads. A region whose read fails (denied,
// throttled, an outage) is failed with AWS's error.
func (a *Account) SurveyAnalyzers(ctx context.Context, opts RegionReadOptions) ([]AnalyzerRegion, error) {
	// Behind one custom endpoint (an emulator) every region is the same server: when the home
	// region's says it has no Access Analyzer, no other region is asked.
	var absent string
	if a.Endpoint() != "" {
		if home, err := a.regionAnalyzers(ctx, a.HomeRegion()); err == nil {
			absent = home.NotAvailable
		}
	}
	var mu sync.Mutex
	found := map[string]AnalyzerRegion{}
	regions, err := a.readRegions(ctx, opts, func(ctx context.Context, region string) error {
		if absent != "" {
			mu.Lock()
			defer mu.Unlock()
			found[region] = AnalyzerRegion{NotAvailable: absent}
			return nil
		}
		r, err := a.regionAnalyzers(ctx, region)
		mu.Lock()
		defer mu.Unlock()
		found[region] = r
		return err
	})
	if regions == nil {
		return nil, err
	}
	out := make([]AnalyzerRegion, 0, len(regions))
	for _, rr := range regions {
		r := found[rr.Region]
		r.RegionRead = rr
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Region < out[j].Region })
	return out, err
}

// SurveyAnalyzers reads every region's analyzers (see Account.SurveyAnalyzers).
func (r *ReadOnly) SurveyAnalyzers(ctx context.Context, opts RegionReadOptions) ([]AnalyzerRegion, error) {
	return r.a.SurveyAnalyzers(ctx, opts)
}

// analyzerAttempts bounds the attempts of each Access Analyzer call: an endpoint that does not
// implement it answers every attempt the same, and a region that is down is reported failed
// rather than holding the verification.
const analyzerAttempts = 3

func (a *Account) regionAnalyzers(ctx context.Context, region string) (AnalyzerRegion, error) {
	api := a.analyzerClient(region)
	fewer := func(o *accessanalyzer.Options) { o.RetryMaxAttempts = analyzerAttempts }
	var r AnalyzerRegion
	p := accessanalyzer.NewListAnalyzersPaginator(api, &accessanalyzer.ListAnalyzersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, fewer)
		if err != nil {
			if notAnAnalyzerEndpoint(err) {
				r.NotAvailable = "this endpoint does not offer IAM Access Analyzer (" + notOffered(err) + ")"
				return r, nil
			}
			return r, fmt.Errorf("access-analyzer ListAnalyzers in %s: %w", region, err)
		}
		for _, an := range page.Analyzers {
			if an.Type != aatypes.TypeAccount && an.Type != aatypes.TypeOrganization {
				continue // an unused-access analyzer says nothing about access from outside
			}
			r.Analyzers = append(r.Analyzers, Analyzer{Region: region, ARN: sdk.ToString(an.Arn), Name: sdk.ToString(an.Name),
				Type: string(an.Type), Status: string(an.Status)})
		}
	}
	for _, an := range r.Analyzers {
		if an.Status != string(aatypes.AnalyzerStatusActive) {
			continue
		}
		findings, err := activeFindings(ctx, api, an, fewer)
		if err != nil {
			return r, err
		}
		r.Findings = append(r.Findings, findings...)
	}
	return r, nil
}

func activeFindings(ctx context.Context, api accessanalyzer.ListFindingsAPIClient, an Analyzer, fewer func(*accessanalyzer.Options)) ([]AnalyzerFinding, error) {
	var out []AnalyzerFinding
	p := accessanalyzer.NewListFindingsPaginator(api, &accessanalyzer.ListFindingsInput{AnalyzerArn: sdk.String(an.ARN),
		Filter: map[string]aatypes.Criterion{"status": {Eq: []string{string(aatypes.FindingStatusActive)}}}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, fewer)
		if err != nil {
			return out, fmt.Errorf("access-analyzer ListFindings of %s in %s: %w", an.Name, an.Region, err)
		}
		for _, f := range page.Findings {
			found := AnalyzerFinding{Region: an.Region, Analyzer: an.Name, ID: sdk.ToString(f.Id), Resource: sdk.ToString(f.Resource),
				ResourceType: string(f.ResourceType), Public: sdk.ToBool(f.IsPublic), Actions: f.Action, Created: sdk.ToTime(f.CreatedAt).UTC()}
			for kind, who := range f.Principal {
				found.Principals = append(found.Principals, kind+" "+who)
			}
			sort.Strings(found.Principals)
			out = append(out, found)
		}
	}
	return out, nil
}

// notAnAnalyzerEndpoint reports an endpoint without Access Analyzer: an operation it does not
// know (UnknownOperationException, a 404 or 501), or an emulator's page that is not an AWS answer
// at all. Denials, throttling and AWS's own errors are failures of the read, never this.
func notAnAnalyzerEndpoint(err error) bool {
	if notAvailable(err) || ErrorCode(err) == "UnknownOperationException" {
		return true
	}
	var resp *smithyhttp.ResponseError
	var notAWS *smithy.DeserializationError
	if !errors.As(err, &resp) {
		return false
	}
	// 501 Not Implemented says so whatever error body comes with it.
	status := resp.HTTPStatusCode()
	return status == 501 || (status == 404 && ErrorCode(err) != "ResourceNotFoundException") || (status >= 500 && errors.As(err, &notAWS))
}

// analyzerClient returns region's Access Analyzer client. It never leaves this package.
func (a *Account) analyzerClient(region string) *accessanalyzer.Client {
	return regionClient(a, &a.analyzers, region, func() *accessanalyzer.Client {
		return accessanalyzer.NewFromConfig(a.cfg, func(o *accessanalyzer.Options) {
			o.Region = region
			o.BaseEndpoint = a.endpointOverride()
		})
	})
}

// notOffered is how the endpoint said it has no Access Analyzer: its error code, or its HTTP
// status when it answered with something other than an AWS error (the SDK's message then repeats
// the operation and attempts, which the evidence does not need).
func notOffered(err error) string {
	if code := ErrorCode(err); code != "" {
		return code
	}
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) {
		return fmt.Sprintf("HTTP %d", resp.HTTPStatusCode())
	}
	return ErrorMessage(err)
}
