package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockdown/aws/moto"
	"lockdown/aws/wiretest"
	"lockdown/review"
	"lockdown/steps"
)

// motoExposed is what the boto3 seeding below made in moto's us-east-1.
type motoExposed struct {
	T0       string `json:"t0"`
	Group    string `json:"group"`
	Rule     string `json:"rule"`
	Snapshot string `json:"snapshot"`
	Image    string `json:"image"`
	Regions  string `json:"others"`
	Leaked   string `json:"leaked"`
}

// seedExposure is boto3's: the account's estate before T0 (an instance, a volume, a logging
// trail, the deploy user whose key leaked), then the attacker's doors after it: SSH open to the world, a snapshot and an AMI of the
// account's shared with their account. moto ignores the CreateVolumePermission.Add form of
// ModifySnapshotAttribute: the share is made with OperationType, as the attacker's CLI would.
const seedExposure = `
import boto3, json, sys, time
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="AKIAEXAMPLEMOTOSEED0", aws_secret_access_key="moto-seed-secret")
ec2, s3, ct, iam = boto3.client("ec2", **kw), boto3.client("s3", **kw), boto3.client("cloudtrail", **kw), boto3.client("iam", **kw)
iam.create_user(UserName="ci-deploy")
leaked = iam.create_access_key(UserName="ci-deploy")["AccessKey"]["AccessKeyId"]
inst = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]["InstanceId"]
vol = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
s3.create_bucket(Bucket="acme-audit-logs")
ct.create_trail(Name="audit", S3BucketName="acme-audit-logs", IsMultiRegionTrail=True)
ct.start_logging(Name="audit")
time.sleep(1.1)
t0 = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
time.sleep(1.1)
group = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"][0]["GroupId"]
rule = ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
    "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])["SecurityGroupRules"][0]["SecurityGroupRuleId"]
snap = ec2.create_snapshot(VolumeId=vol, Description="orders-db copy")["SnapshotId"]
ec2.modify_snapshot_attribute(SnapshotId=snap, Attribute="createVolumePermission", OperationType="add", UserIds=["999988887777"])
image = ec2.create_image(InstanceId=inst, Name="golden-copy")["ImageId"]
ec2.modify_image_attribute(ImageId=image, LaunchPermission={"Add": [{"UserId": "999988887777"}]})
others = [r["RegionName"] for r in ec2.describe_regions()["Regions"] if r["RegionName"] != "us-east-1"]
print(json.dumps(dict(t0=t0, group=group, rule=rule, snapshot=snap, image=image, others=",".join(others), leaked=leaked)))
`

// readBackExposure is boto3 reading the account again, an independent reader: what still lets
// someone in, as "kind id", one a line.
const readBackExposure = `
import boto3, sys
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="AKIAEXAMPLEMOTOSEED0", aws_secret_access_key="moto-seed-secret")
ec2 = boto3.client("ec2", **kw)
for r in ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [sys.argv[2]]}])["SecurityGroupRules"]:
    if not r["IsEgress"] and r.get("CidrIpv4") == "0.0.0.0/0":
        print("rule", r["SecurityGroupRuleId"])
for p in ec2.describe_snapshot_attribute(SnapshotId=sys.argv[3], Attribute="createVolumePermission")["CreateVolumePermissions"]:
    print("snapshot", p.get("UserId") or p.get("Group"))
for p in ec2.describe_image_attribute(ImageId=sys.argv[4], Attribute="launchPermission")["LaunchPermissions"]:
    print("image", p.get("UserId") or p.get("Group"))
`

// boto3 runs a Python script with boto3, which moto itself needs: without it moto_server could not
// have started.
func boto3(t *testing.T, script string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command("python3", append([]string{"-c", script}, args...)...)
	// The client's own settings (a profile, an endpoint) have no say: the script names everything.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("boto3: %v\n%s", err, errb.String())
	}
	return out.String()
}

// Against moto, which has no CloudTrail history and no Access Analyzer: the doors the attacker
// opened are found by the account's state alone, closed by plan and apply, and boto3 reads the
// account back clean.
func TestAgainstMotoWithoutCloudTrailTheAttackersDoorsAreFoundClosedAndReadBackClean(t *testing.T) {
	t.Parallel()
	url := moto.Start(t)
	wire := wiretest.StartProxy(t, url, wiretest.Rule{Service: "iam", Action: "ListServiceSpecificCredentials", Fault: wiretest.ServerError(http.StatusNotImplemented)})
	started := time.Now()
	phase := func(what string) { t.Logf("%s at %s", what, time.Since(started).Round(time.Millisecond)) }
	var seeded motoExposed
	if err := json.Unmarshal([]byte(boto3(t, seedExposure, url)), &seeded); err != nil {
		t.Fatal(err)
	}
	phase("seeded by boto3")
	journal := t.TempDir()
	lockdown := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		// moto answers 500 to what it lacks (CloudTrail lookups, Access Analyzer): retry on a compressed clock.
		args = append(args, "--endpoint-url", wire.URL, "--journal", journal, "--retry-base", "2ms")
		code := runWith(args, &stdout, &stderr, func(g *Globals) { g.credentials, g.transport = motoResponder, inProcessWire })
		return code, stdout.String(), stderr.String()
	}
	verify := func() (int, *steps.Verification) {
		t.Helper()
		code, stdout, stderr := lockdown("verify", "--since", seeded.T0, "--key", seeded.Leaked, "--skip-regions", seeded.Regions, "--json")
		var v steps.Verification
		if err := json.Unmarshal([]byte(stdout), &v); err != nil {
			t.Fatalf("verify printed no JSON (exit %d): %v\n%s", code, err, stderr)
		}
		return code, &v
	}
	doors := []string{"inbound rules us-east-1/" + seeded.Rule, "shared AMIs us-east-1/" + seeded.Image + "/999988887777",
		"shared snapshots us-east-1/" + seeded.Snapshot + "/999988887777"}
	code, v := verify()
	phase("verified before")
	got := strings.Join(failing(v), "\n")
	for _, d := range doors {
		if !strings.Contains(got, d) {
			t.Errorf("verify (exit %d) does not name %s:\n%s", code, d, got)
		}
	}
	if code != exitPartial {
		t.Fatalf("verify of the open account exited %d, want 3", code)
	}
	for _, c := range v.Checks {
		if c.Check == "Access Analyzer" && c.Result != steps.VerifyNotAvailable {
			t.Errorf("moto has no Access Analyzer, yet the check reads %+v", c)
		}
	}

	// Rules carry no date: without CloudTrail the operator chooses the SSH rule; the snapshot and
	// AMI made after T0 and shared outside are proposed. CloudTrail's history cannot be read, so
	// the IAM changes it alone shows, and what else the leaked key did, are settled by the
	// operator's word.
	path := filepath.Join(t.TempDir(), "plan.json")
	code, _, stderr := lockdown("plan", "--since", seeded.T0, "--key", seeded.Leaked, "--skip-regions", seeded.Regions, "-o", path,
		"--choose", "close-exposure:revoke-ingress/us-east-1/"+seeded.Rule+":SSH from anywhere, nobody vouches for it",
		"--keep", "verify-contained:changes IAM keeps no date for:checked in the console, nothing was changed",
		"--keep", "verify-contained:attacker changes/us-east-1:the leaked key's calls read in the S3 log archive, SEC-9",
		"--keep", "verify-contained:deleted trails and detectors:no DeleteTrail or DeleteDetector in the S3 log archive, SEC-9")
	if code != exitOK && code != exitPartial {
		t.Fatalf("plan exited %d:\n%s", code, stderr)
	}
	phase("planned")
	doc, err := review.ReadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ps, ok := doc.Step("close-exposure")
	if !ok || len(ps.Changes) != 3 {
		t.Fatalf("the exposure step plans %+v; want the rule, the snapshot's share and the AMI's share", ps)
	}
	// The plan says whose decision each change is: the rule the operator's, the shares lockdown's.
	for _, c := range ps.Changes {
		want := "proposed: made "
		if c.Op == steps.OpRevokeIngress {
			want = "chosen by the operator"
		}
		if !strings.Contains(c.Summary, want) {
			t.Errorf("the plan's change %q does not say %q", c.Summary, want)
		}
	}
	code, _, stderr = lockdown("apply", path, "--live", "--confirm", "123456789012", "--plan-digest", doc.Digest(),
		"--secrets-file", filepath.Join(t.TempDir(), "secrets"))
	if !strings.Contains(stderr, "close-exposure: done") {
		t.Fatalf("apply exited %d without closing the doors:\n%s", code, stderr)
	}
	phase("applied")
	code, v = verify()
	phase("verified after")
	if code != exitOK || !v.Contained {
		t.Fatalf("verify after apply exited %d (contained %v): %v", code, v.Contained, failing(v))
	}
	if back := boto3(t, readBackExposure, url, seeded.Group, seeded.Snapshot, seeded.Image); back != "" {
		t.Errorf("boto3 reads the account back with doors open:\n%s", back)
	}
	phase("read back clean by boto3")
}
