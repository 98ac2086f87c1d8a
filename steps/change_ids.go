package steps

import (
	"strings"

	"lockdown/aws"
)

// Change ids. The journal records each call under the id its step's plan gives the change, so a
// change the journal settled done is known to be the reviewed change it was, whichever step or
// run made it. Each kind of call is named in one place, here or beside its step.

// KeyCreationID names creating a new access key for a user.
func KeyCreationID(user string) string { return "create/" + user }

// KeyDeactivationID names deactivating one access key.
func KeyDeactivationID(keyID string) string { return "deactivate/" + keyID }

// KeyDeletionID names deleting one access key.
func KeyDeletionID(keyID string) string { return "delete/" + keyID }

// UserSessionsID names denying a user's temporary credentials issued before now.
func UserSessionsID(user string) string { return "revoke-user/" + user }

// UserPolicyID names attaching a managed policy to a user.
func UserPolicyID(user, policyARN string) string { return "attach/" + user + "/" + policyARN }

// RoleSessionsID names denying a role's sessions issued before now.
func RoleSessionsID(role string) string { return "revoke/" + role }

// UserPartID names removing one part of a user (a key, a password, a policy, a membership…).
func UserPartID(user string, part aws.UserPart) string {
	return "remove/" + user + "/" + strings.ReplaceAll(string(part.Kind), " ", "-") + "/" + part.ID
}

// UserDeletionID names deleting a user.
func UserDeletionID(user string) string { return "user/" + user }

// RolePartID names removing one part of a role (a policy, an instance profile).
func RolePartID(role string, part aws.RolePart) string {
	return "remove-role/" + role + "/" + strings.ReplaceAll(string(part.Kind), " ", "-") + "/" + part.ID
}

// RoleDeletionID names deleting a role.
func RoleDeletionID(role string) string { return "role/" + role }

// RoleTrustID names replacing a role's trust policy.
func RoleTrustID(role string) string { return "trust/" + role }

// StartLoggingID names starting a trail's logging.
func StartLoggingID(trailARN string) string { return "start-logging/" + trailARN }

// RestoreSelectorsID names putting a trail's event selectors back to every management event.
func RestoreSelectorsID(trailARN string) string { return "restore-selectors/" + trailARN }

// EnableDetectorID names enabling a GuardDuty detector.
func EnableDetectorID(region, detectorID string) string {
	return "enable-detector/" + region + "/" + detectorID
}

// CreateDetectorID names creating a region's GuardDuty detector.
func CreateDetectorID(region string) string { return "create-detector/" + region }

// KeyPairDeletionID names deleting an EC2 key pair.
func KeyPairDeletionID(region, keyPairID string) string {
	return "delete-key-pair/" + region + "/" + keyPairID
}

// InstanceChangeID names a call on one instance or spot request in a region (TerminateInstances,
// CancelSpotInstanceRequests, ModifyInstanceAttribute).
func InstanceChangeID(op, region, target string) string {
	return strings.TrimPrefix(op, "ec2:") + "/" + region + "/" + target
}
