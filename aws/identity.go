package aws

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Identity is who the responder's credentials act as.
type Identity struct {
	Account string `json:"account"`
	Alias   string `json:"alias,omitempty"`
	ARN     string `json:"arn"`
	UserID  string `json:"user_id"`
	// AccessKeyID is the key the responder signs with, when known (static or profile keys).
	AccessKeyID string `json:"access_key_id,omitempty"`
}

// UserName is the IAM user name when the identity is an IAM user, else "".
func (id Identity) UserName() string {
	const marker = ":user/"
	i := strings.Index(id.ARN, marker)
	if i < 0 {
		return ""
	}
	name := id.ARN[i+len(marker):]
	if j := strings.LastIndex(name, "/"); j >= 0 {
		name = name[j+1:]
	}
	return name
}

// IdentityAPI is what WhoAmI needs from STS and IAM.
type IdentityAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// AliasAPI lists the account alias.
type AliasAPI interface {
	iam.ListAccountAliasesAPIClient
}

// WhoAmI confirms the account with STS GetCallerIdentity and IAM ListAccountAliases, and records the
// account in the guard. A missing alias (or no permission to read it) is not an error.
// Confirming is one phase with its own bound: an STS endpoint that never answers must not hold
// the whole run.
func (a *Account) WhoAmI(ctx context.Context) (Identity, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, a.phaseBound(), ErrIdentityTimeout)
	defer cancel()
	id, err := whoAmI(ctx, a.STS(), a.IAM())
	if err != nil {
		switch {
		case context.Cause(ctx) == ErrIdentityTimeout:
			err = fmt.Errorf("sts GetCallerIdentity: %w after %s", ErrIdentityTimeout, a.phaseBound())
		case isAttemptTimeout(err):
			err = fmt.Errorf("sts GetCallerIdentity: %w: %s", ErrIdentityTimeout, ErrorMessage(err))
		}
		return id, err
	}
	if creds, cerr := a.cfg.Credentials.Retrieve(ctx); cerr == nil {
		id.AccessKeyID = creds.AccessKeyID
	}
	a.guard.confirm(id.Account)
	a.mu.Lock()
	a.me = id
	a.mu.Unlock()
	return id, nil
}

// confirmedIdentity is who WhoAmI last found the credentials act as, or the zero Identity.
func (a *Account) confirmedIdentity() Identity {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.me
}

// ErrIdentityTimeout is STS not answering within the identity phase's bound.
var ErrIdentityTimeout = errors.New("the account could not be confirmed: STS did not answer")

func whoAmI(ctx context.Context, st IdentityAPI, im AliasAPI) (Identity, error) {
	out, err := st.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil && strings.Contains(err.Error(), "get credentials") {
		return Identity{}, fmt.Errorf("no usable AWS credentials: give them as for the AWS CLI (--profile NAME, AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): %w", err)
	}
	if err != nil {
		return Identity{}, fmt.Errorf("sts GetCallerIdentity: %w", err)
	}
	id := Identity{Account: deref(out.Account), ARN: deref(out.Arn), UserID: deref(out.UserId)}
	aliases, err := im.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
	if err == nil && len(aliases.AccountAliases) > 0 {
		id.Alias = aliases.AccountAliases[0]
	}
	return id, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
