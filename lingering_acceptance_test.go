package main

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"lockdown/aws/sim/simtest"
	"lockdown/review"
)

const lingeringLeakedKey = "AKIAEXAMPLELEAKED003"

// TestTheLingeringAccessResponseReachesContained is the scenario's documented good response on
// the command line: plan and apply take back what the attacker gave and made, restore the trail's
// selectors and the detector; the plan lists what is left for the operator, which the operator
// does by hand (the bucket rule, the deleted trail, the attacker's policy) or keeps with a reason
// (the lead's role, the data-event trail); verify then exits 0, the same items run after run, and
// none names what lockdown deleted.
func TestTheLingeringAccessResponseReachesContained(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, "lingering-access", time.Now().UTC())
	cli := &simAccountForCLI{t: t, srv: s.Server, clock: s.Clock, wire: s.Watch(t), url: s.URL, journal: t.TempDir()}
	since := s.Server.IncidentStart().Format(time.RFC3339)
	plan := func(name string, keeps ...string) (*review.PlanDocument, string, string) {
		t.Helper()
		path := filepath.Join(t.TempDir(), name)
		args := []string{"plan", "--key", lingeringLeakedKey, "--since", since, "-o", path}
		for _, k := range keeps {
			args = append(args, "--keep", k)
		}
		code, _, stderr := cli.lockdown(args...)
		if code != exitOK {
			t.Fatalf("plan exited %d:\n%s", code, stderr)
		}
		doc, err := review.ReadPlanFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return doc, path, stderr
	}
	apply := func(path string) string {
		t.Helper()
		_, _, stderr := cli.lockdown("apply", path, "--live", "--confirm", "222233334444", "--secrets-file", filepath.Join(t.TempDir(), "secrets"))
		return stderr
	}

	doc, path, summary := plan("plan.json")
	for _, left := range []string{"trail buckets trail management-events", "deleted logging trail security-archive", "new roles analytics-runner",
		"trail events trail data-lake", "/backup-access/"} {
		if !strings.Contains(summary, "LEFT FOR THE OPERATOR: ") || !leftInPlan(doc, left) {
			t.Errorf("the plan does not leave %q to the operator:\n%s", left, summary)
		}
	}
	stderr := apply(path)
	if !strings.Contains(stderr, "verify-contained: not contained") {
		t.Fatalf("apply's verification:\n%s", stderr)
	}
	code, first, _ := cli.verifyJSONFor(lingeringLeakedKey)
	_, second, _ := cli.verifyJSONFor(lingeringLeakedKey)
	if code != exitPartial || strings.Join(failing(first), "\n") != strings.Join(failing(second), "\n") || mustMarshal(t, first.Checks) != mustMarshal(t, second.Checks) {
		t.Errorf("two runs of verify differ (exit %d):\n%s\n---\n%s", code, strings.Join(failing(first), "\n"), strings.Join(failing(second), "\n"))
	}
	for _, f := range failing(first) {
		for _, deleted := range []string{"ec2-admin-helper", "/i-", " i-"} {
			if strings.Contains(f, deleted) {
				t.Errorf("verify names %s, which lockdown deleted or terminated, as remaining: %s", deleted, f)
			}
		}
	}

	// By hand, as the plan said: the rule, the deleted trail, the attacker's own policy.
	ctx := context.Background()
	bucket := s3.NewFromConfig(s.ByHand("us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := bucket.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: sdk.String("acme-data-cloudtrail")}); err != nil {
		t.Fatal(err)
	}
	eu := cloudtrail.NewFromConfig(s.ByHand("eu-west-1"))
	if _, err := eu.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: sdk.String("security-archive"), S3BucketName: sdk.String("acme-security-archive"), S3KeyPrefix: sdk.String("eu")}); err != nil {
		t.Fatal(err)
	}
	if _, err := eu.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: sdk.String("security-archive")}); err != nil {
		t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(s.ByHand("us-east-1")).DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: sdk.String("arn:aws:iam::222233334444:policy/backup-access")}); err != nil {
		t.Fatal(err)
	}

	// The team's own world-open rules and shares, which the exposure step lists and never proposes,
	// are kept as the exposure test keeps them.
	keeps := append(slices.Clone(lingeringKeeps[:6]),
		"verify-contained:c1d27660-b76f-b734-45e6-01bb38ebe5b8:bucket policy removed by hand, SEC-20",
		"verify-contained:analytics-runner:maya's role for the new reports Lambda, DATA-88",
		"verify-contained:trail data-lake:data events only, by design; management events are in management-events")
	_, path, summary = plan("plan-again.json", keeps...)
	if strings.Contains(summary, "LEFT FOR THE OPERATOR") {
		t.Errorf("the second plan still leaves work to the operator:\n%s", summary)
	}
	apply(path)
	code, after, stderr := cli.verifyJSONFor(lingeringLeakedKey)
	if code != exitOK || !after.Contained || after.Kept != len(keeps) {
		t.Fatalf("verify after the response exited %d (contained=%v, kept=%d):\n%s\n%s", code, after.Contained, after.Kept, strings.Join(failing(after), "\n"), stderr)
	}
}

// leftInPlan reports whether the plan's verification leaves an item containing item to the operator.
func leftInPlan(doc *review.PlanDocument, item string) bool {
	ps, ok := doc.Step("verify-contained")
	return ok && slices.ContainsFunc(ps.Remaining, func(r review.Remaining) bool { return r.Step == "" && strings.Contains(r.Item, item) })
}
