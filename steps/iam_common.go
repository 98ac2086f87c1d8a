package steps

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"lockdown/aws"
)

// accessKeyIDPattern is the shape of an AWS access key id: a four-letter prefix and 16 more
// characters of AWS's upper-case alphabet.
var accessKeyIDPattern = regexp.MustCompile(`^[A-Z0-9]{20}$`)

// ValidateAccessKeyID checks a pasted access key id and says exactly what is wrong with it.
func ValidateAccessKeyID(s string) error {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return errors.New("paste the leaked access key id (AKIA… or ASIA…)")
	case strings.HasPrefix(s, "aws_access_key_id"):
		return errors.New("paste only the key id, without aws_access_key_id =")
	case len(s) == 40 && !strings.HasPrefix(s, "AKIA") && !strings.HasPrefix(s, "ASIA"):
		return errors.New("this looks like a secret access key (40 characters): paste the access key id instead, and treat that secret as leaked too")
	case !strings.HasPrefix(strings.ToUpper(s), "AKIA") && !strings.HasPrefix(strings.ToUpper(s), "ASIA"):
		return fmt.Errorf("an access key id starts with AKIA (long-term key) or ASIA (temporary), not %q", prefix(s))
	case len(s) != 20:
		return fmt.Errorf("an access key id is 20 characters long, this one has %d", len(s))
	case !accessKeyIDPattern.MatchString(s):
		return errors.New("an access key id has only upper-case letters and digits")
	}
	return nil
}

func prefix(s string) string {
	if len(s) > 4 {
		return s[:4]
	}
	return s
}

// input returns the operator's answer to name, else the `with` parameter of the same name.
func (e *Env) input(name string) string {
	if v := strings.TrimSpace(e.Inputs[name]); v != "" {
		return v
	}
	return strings.TrimSpace(e.Params.String(name, ""))
}

// resultOf turns an engine's effect or error into the Result of one change.
func resultOf(changeID string, eff aws.Effect, err error, done string) Result {
	if err != nil {
		var unproven *aws.NotCheckedError
		if errors.As(err, &unproven) {
			return Result{ChangeID: changeID, Status: StatusNotChecked, Code: "NotChecked",
				Message: "dry run: not proven that lockdown may " + done + ": " + unproven.Error()}
		}
		if refused(err) {
			return refusedResult(changeID, err)
		}
		return Result{ChangeID: changeID, Status: StatusFailed, Code: aws.ErrorCode(err), Message: aws.ErrorMessage(err)}
	}
	switch eff {
	case aws.AlreadyDone:
		return Result{ChangeID: changeID, Status: StatusAlreadyDone, Message: "already done: nothing to change"}
	case aws.WouldChange:
		return Result{ChangeID: changeID, Status: StatusWouldApply, Message: "dry run: would " + done}
	}
	return Result{ChangeID: changeID, Status: StatusApplied, Message: done}
}

// refused reports whether the guard refused the change: the wrong account, or none confirmed.
func refused(err error) bool {
	var wrong *aws.WrongAccountError
	return errors.As(err, &wrong) || errors.Is(err, aws.ErrIdentityUnknown)
}

// refusedResult reports a refusal with its whole reason (both account ids), like any failure.
func refusedResult(changeID string, err error) Result {
	return Result{ChangeID: changeID, Status: StatusFailed, Code: "Refused", Message: err.Error()}
}

// typedConfirmation is what the operator types to allow destructive IAM changes: the account id,
// as for terminating instances, so nobody deletes in the wrong account by habit. A dry run needs
// only a yes.
func typedConfirmation(env *Env) string {
	if !env.Mode().Changes() {
		return ""
	}
	if acct := env.Account.Guard().Account(); acct != "" {
		return acct
	}
	return "yes, delete"
}

// responder returns who lockdown acts as, asking STS if needed.
func responder(ctx context.Context, env *Env) (aws.Identity, error) {
	id, err := env.Account.WhoAmI(ctx)
	if err != nil {
		return aws.Identity{}, fmt.Errorf("cannot tell who lockdown acts as: %w", err)
	}
	return id, nil
}

// when formats a time for a table cell; the zero time is "never".
func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}

// stableSortBy sorts s by rank, keeping the order of equal ranks.
func stableSortBy[T any](s []T, rank func(T) int) {
	sort.SliceStable(s, func(i, j int) bool { return rank(s[i]) < rank(s[j]) })
}

// plural says "1 user", "3 users", "2 policies": the operator reads counts, and "1 users" or
// "2 policys" reads as a bug.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if stem, ok := strings.CutSuffix(noun, "y"); ok && !strings.HasSuffix(stem, "e") && !strings.HasSuffix(stem, "a") && !strings.HasSuffix(stem, "o") {
		return fmt.Sprintf("%d %sies", n, stem)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
