package aws

import (
	"errors"
	"regexp"
)

// notAuthorizedTo finds the action in AWS's refusal: "… is not authorized to perform: iam:DeleteUser on …".
var notAuthorizedTo = regexp.MustCompile(`not authorized to perform:? ([a-zA-Z0-9-]+:[a-zA-Z0-9*]+)`)

// Denied reports whether err is a refusal for want of a permission: AWS's AccessDenied or
// UnauthorizedOperation, or a dry run's simulated denial.
func Denied(err error) bool {
	var sim *DeniedError
	if errors.As(err, &sim) {
		return true
	}
	switch ErrorCode(err) {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess":
		return true
	}
	return false
}

// DeniedAction names the permission a refusal says is missing ("iam:DeleteUser"), or "" when it
// does not say; fallback is used for a refusal that names none.
func DeniedAction(err error, fallback string) string {
	if !Denied(err) {
		return ""
	}
	var sim *DeniedError
	if errors.As(err, &sim) {
		return sim.Action
	}
	if m := notAuthorizedTo.FindStringSubmatch(ErrorMessage(err)); m != nil {
		return m[1]
	}
	return fallback
}
