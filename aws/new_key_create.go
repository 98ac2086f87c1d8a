package aws

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// CreateAccessKey is not idempotent: sent twice it makes two keys, and the secret of a key whose
// answer was lost is gone for good. So it is never retried blindly. It goes out with the SDK's
// retries off; after a failure that leaves its outcome unknown (a 5xx, a dropped connection, a
// timeout) the user's keys are read back and compared with the keys known before the call. A key
// that appeared is lockdown's own, but nobody holds its secret: it is deleted, and the key made
// again. A refusal (throttling) is retried, since the server did nothing: refusals do not count
// toward createKeyTries, which bounds the calls that may have acted; they go on for the retry
// policy's window, like any call's retries.
const createKeyTries = 3

// UnknownOutcomeError is a create whose outcome could not be settled: the answer was lost and the
// keys could not be read back. The user may hold a key nobody has the secret of.
type UnknownOutcomeError struct {
	User string
	Err  error
}

func (e *UnknownOutcomeError) Error() string {
	return fmt.Sprintf("iam CreateAccessKey %s: the outcome is unknown (%v): list the user's keys and delete any key created now, whose secret nobody holds", e.User, e.Err)
}

func (e *UnknownOutcomeError) Unwrap() error { return e.Err }

// createKeyCarefully creates one key for user. wait is the pause before another try; refusals go
// on for window at most. Like every
// live change, each call (a try, or deleting a key a lost answer made) asks the guard first. The
// keys lost answers made, and that were deleted, are in the returned key's Orphans even when the
// create failed in the end.
func (c *liveChanges) createKeyCarefully(ctx context.Context, user string, wait func(try int) time.Duration, window time.Duration) (NewKey, error) {
	// The guard first: a refused change must not even be read for.
	if err := c.a.guard.AllowChange(); err != nil {
		return NewKey{}, err
	}
	read := c.a.IAM()
	known, err := keyIDs(ctx, read, user)
	if err != nil {
		return NewKey{}, fmt.Errorf("iam CreateAccessKey %s: reading the keys it has first: %w", user, err)
	}
	var orphans []string
	var last error
	tries, refusals := 0, 0
	var refusedSince time.Time
	for try := 1; ; try++ {
		api, err := c.send()
		if err != nil {
			return NewKey{Orphans: orphans}, err
		}
		out, err := api.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: sdk.String(user)}, noRetries)
		if err == nil {
			k := out.AccessKey
			return NewKey{ID: sdk.ToString(k.AccessKeyId), Created: sdk.ToTime(k.CreateDate).UTC(),
				secret: sdk.ToString(k.SecretAccessKey), Orphans: orphans}, nil
		}
		last = err
		switch {
		case ctx.Err() != nil:
			return NewKey{Orphans: orphans}, &UnknownOutcomeError{User: user, Err: err}
		case isThrottle(err):
			if refusals == 0 {
				refusedSince = time.Now()
			}
			refusals++
		case !outcomeUnknown(err):
			return NewKey{Orphans: orphans}, fmt.Errorf("iam CreateAccessKey %s: %w", user, err)
		default:
			tries++
			lost, rerr := newKeys(ctx, read, user, known)
			if rerr != nil {
				return NewKey{Orphans: orphans}, &UnknownOutcomeError{User: user, Err: errors.Join(err, rerr)}
			}
			for _, id := range lost {
				api, serr := c.send()
				if serr != nil {
					return NewKey{Orphans: orphans}, serr
				}
				if _, derr := api.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: sdk.String(user), AccessKeyId: sdk.String(id)}); derr != nil && !IsNoSuchEntity(derr) {
					return NewKey{Orphans: orphans}, fmt.Errorf("iam CreateAccessKey %s: its answer was lost and the key it made, %s, whose secret nobody holds, could not be deleted: %w", user, id, derr)
				}
				orphans = append(orphans, id)
			}
		}
		if tries >= createKeyTries || refusals > 0 && time.Since(refusedSince) >= window {
			break
		}
		select {
		case <-time.After(wait(try)):
		case <-ctx.Done():
			return NewKey{Orphans: orphans}, fmt.Errorf("iam CreateAccessKey %s: %w", user, ctx.Err())
		}
	}
	return NewKey{Orphans: orphans}, fmt.Errorf("iam CreateAccessKey %s: still failing after %d tries (%d throttled; keys made by lost answers, deleted: %s): %w",
		user, tries+refusals, refusals, orDash(orphans), last)
}

// noRetries sends a call once: the caller decides what a failure means.
func noRetries(o *iam.Options) { o.RetryMaxAttempts = 1 }

func keyIDs(ctx context.Context, api KeyReadAPI, user string) ([]string, error) {
	keys, err := ListAccessKeys(ctx, api, user, false)
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		ids = append(ids, k.ID)
	}
	return ids, err
}

// newKeys lists the user's keys that are not in known.
func newKeys(ctx context.Context, api KeyReadAPI, user string, known []string) ([]string, error) {
	now, err := keyIDs(ctx, api, user)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, id := range now {
		if !slices.Contains(known, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// OutcomeUnknown reports whether a change's failed call may still have been carried out by AWS: a
// create whose outcome could not be settled, or a call that was sent and got no answer or a server
// error. A refusal by the guard or the SDK before sending, and any 4xx answer, changed nothing.
func OutcomeUnknown(err error) bool {
	var unknown *UnknownOutcomeError
	if errors.As(err, &unknown) {
		return true
	}
	var op *smithy.OperationError
	return errors.As(err, &op) && outcomeUnknown(err)
}

// outcomeUnknown reports whether a failed call may still have been carried out: no answer at all
// (a dropped connection, a timeout) or a server error. A 4xx answer is the server refusing.
func outcomeUnknown(err error) bool {
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) && resp.HTTPStatusCode() > 0 {
		return resp.HTTPStatusCode() >= 500
	}
	return true
}

func isThrottle(err error) bool {
	return retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == sdk.TrueTernary
}

func orDash(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}
