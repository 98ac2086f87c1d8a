package aws

import (
	"strings"
	"testing"
)

func TestOnlyAWSRegionsPassAsRegionNames(t *testing.T) {
	if err := CheckRegionNames("--skip-regions", []string{"us-east-1", "eu-north-1", "cn-north-1", "us-gov-west-1", "ap-southeast-7"}); err != nil {
		t.Errorf("real regions refused: %v", err)
	}
	tests := []struct {
		names []string
		want  string
	}{
		{[]string{"us-east-1a"}, `"us-east-1a" (an availability zone; its region is "us-east-1") is not an AWS region`},
		{[]string{"EU-WEST-1"}, `"EU-WEST-1" (did you mean "eu-west-1"?) is not an AWS region`},
		{[]string{"us-east-9"}, `"us-east-9" is not an AWS region`},
		{[]string{"", "x", "us-east-1", "eu_west_1", "mars-north-1"}, `"", "x", "eu_west_1", and 1 more are not AWS regions`},
	}
	for _, tt := range tests {
		err := CheckRegionNames("--skip-regions", tt.names)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want %s", tt.names, err, tt.want)
		}
	}
}
