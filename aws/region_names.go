package aws

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// regionShape is what a region's name looks like in each of AWS's partitions (commercial, China,
// GovCloud, the European sovereign cloud, the isolated ones), as the SDK's endpoint rules define it.
var regionShape = regexp.MustCompile(`^((us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+|cn-[a-z]+|eusc-de-[a-z]+|us-(gov|iso|isob|isof)-[a-z]+|eu-isoe-[a-z]+)-[0-9]{1,2}$`)

// KnownRegions are AWS's regions in every partition, as aws-sdk-go-v2 v1.48.0 lists them.
var KnownRegions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
	"ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1",
	"ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
	"eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
	"me-west-1", "mx-central-1", "sa-east-1", "sa-west-1", "us-east-1", "us-east-2", "us-west-1",
	"us-west-2",
	"cn-north-1", "cn-northwest-1",
	"eusc-de-east-1",
	"us-iso-east-1", "us-iso-west-1", "us-isob-east-1", "us-isob-west-1", "eu-isoe-west-1",
	"us-isof-east-1", "us-isof-south-1",
	"us-gov-east-1", "us-gov-west-1",
}

// CheckRegionNames refuses a list of regions the operator typed when a name is not a region: not
// shaped like one (an availability zone such as us-east-1a, capitals, a typo), or shaped like one
// but not among the regions AWS has. flag names the option in the message.
func CheckRegionNames(flag string, names []string) error {
	var bad []string
	for _, name := range names {
		if !regionShape.MatchString(name) || !slices.Contains(KnownRegions, name) {
			bad = append(bad, fmt.Sprintf("%q%s", name, regionHint(name)))
		}
	}
	switch {
	case len(bad) == 0:
		return nil
	case len(bad) > 3:
		bad = append(bad[:3], fmt.Sprintf("and %d more", len(bad)-3))
	}
	return fmt.Errorf("%s: %s %s; a region is named like us-east-1 or eu-west-2", flag, strings.Join(bad, ", "), isOrAre(len(bad)))
}

// regionHint suggests what a near miss meant: the region of an availability zone, or the name in
// lower case.
func regionHint(name string) string {
	lower := strings.ToLower(strings.TrimSpace(name))
	if lower != name && slices.Contains(KnownRegions, lower) {
		return fmt.Sprintf(" (did you mean %q?)", lower)
	}
	if zone := strings.TrimRight(lower, "abcdefghijklmnopqrstuvwxyz"); zone != lower && slices.Contains(KnownRegions, zone) {
		return fmt.Sprintf(" (an availability zone; its region is %q)", zone)
	}
	return ""
}

func isOrAre(n int) string {
	if n == 1 {
		return "is not an AWS region"
	}
	return "are not AWS regions"
}
