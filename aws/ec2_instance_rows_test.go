package aws

import (
	"os"
	"reflect"
	"testing"
	"time"
)

// TestARegionHeldCompactlyIsGivenBackWhole holds a region's instances as a scan does while their
// verdicts wait, and checks every field comes back as it was: tags of every shape included.
func TestARegionHeldCompactlyIsGivenBackWhole(t *testing.T) {
	fixture, err := os.ReadFile("testdata/describe-instances.xml")
	if err != nil {
		t.Fatal(err)
	}
	read, _, _, _ := bothWays(t, fixture)
	launched := time.Date(2026, 3, 1, 10, 0, 0, 5, time.UTC)
	read = append(read, Instance{ID: "i-many", Region: "eu-west-1", Type: "p4d.24xlarge", State: "stopped", LaunchTime: launched,
		FirstLaunch: launched.Add(-time.Hour), KeyName: "k", SpotRequestID: "sir-1",
		Tags: map[string]string{"Name": "x", "": "empty key", "empty value": "", "unicode ✓": "é\x00", "long": string(make([]byte, 300))}})
	region := RegionScan{Region: "eu-west-1", Status: RegionOK, Instances: read, Found: len(read)}
	held := region.Compact()
	if held.Instances != nil {
		t.Error("the compact region still holds its instances whole")
	}
	if back := held.Whole(); !reflect.DeepEqual(back, region) {
		t.Errorf("held compactly, the region came back as\n%+v\nnot\n%+v", back.Instances, region.Instances)
	}
}
