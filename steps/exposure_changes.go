package steps

import "lockdown/aws"

// Change operations of ec2.close-exposure, as they appear in plans and the journal.
const (
	OpRevokeIngress   = "ec2:RevokeSecurityGroupIngress"
	OpUnshareSnapshot = "ec2:ModifySnapshotAttribute"
	OpUnshareImage    = "ec2:ModifyImageAttribute"
)

// RevokeRuleChangeID is the id of the change that revokes an inbound rule, in plans and the
// journal; the step's row for the rule has the same id.
func RevokeRuleChangeID(region, ruleID string) string {
	return "revoke-ingress/" + region + "/" + ruleID
}

// UnshareChangeID is the id of the change that takes who (an account, or "all") off a snapshot or
// an AMI.
func UnshareChangeID(kind, region, id, who string) string {
	prefix := "unshare-snapshot/"
	if kind == aws.KindImage {
		prefix = "unshare-image/"
	}
	return prefix + region + "/" + id + "/" + who
}
