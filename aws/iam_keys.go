package aws

import (
	"context"
	"errors"
	"fmt"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// KeyReadAPI reads access keys and their last use.
type KeyReadAPI interface {
	iam.ListAccessKeysAPIClient
	GetAccessKeyLastUsed(ctx context.Context, in *iam.GetAccessKeyLastUsedInput, optFns ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error)
}

// KeyAPI is what the access-key changes need from IAM.
type KeyAPI interface {
	KeyReadAPI
	UpdateAccessKey(ctx context.Context, in *iam.UpdateAccessKeyInput, optFns ...func(*iam.Options)) (*iam.UpdateAccessKeyOutput, error)
	CreateAccessKey(ctx context.Context, in *iam.CreateAccessKeyInput, optFns ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error)
	DeleteAccessKey(ctx context.Context, in *iam.DeleteAccessKeyInput, optFns ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error)
}

// Access key states as IAM spells them.
const (
	KeyActive   = string(types.StatusTypeActive)
	KeyInactive = string(types.StatusTypeInactive)
)

// KeyUse is when, for which service and in which region a key was last used; a zero Date means
// never (IAM then reports the service and region as "N/A").
type KeyUse struct {
	Date    time.Time `json:"date,omitzero"`
	Service string    `json:"service,omitempty"`
	Region  string    `json:"region,omitempty"`
}

// Used reports whether the key was ever used.
func (u KeyUse) Used() bool { return !u.Date.IsZero() }

// AccessKey is one access key of a user, without its secret.
type AccessKey struct {
	ID       string
	User     string
	Status   string
	Created  time.Time
	LastUsed KeyUse
}

// Effect is what a change did, or would do in a dry run.
type Effect string

const (
	Changed     Effect = "changed"
	AlreadyDone Effect = "already-done"
	// WouldChange: a dry run checked the current state and the change would be made.
	WouldChange Effect = "would-change"
)

// ErrNoSuchEntity marks a lookup of something IAM does not have.
var ErrNoSuchEntity = errors.New("no such entity")

// KeyLastUsed returns the owner of any access key in the account, and its last use.
func KeyLastUsed(ctx context.Context, api KeyReadAPI, keyID string) (string, KeyUse, error) {
	out, err := api.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: sdk.String(keyID)})
	if err != nil {
		return "", KeyUse{}, fmt.Errorf("iam GetAccessKeyLastUsed %s: %w", keyID, err)
	}
	return sdk.ToString(out.UserName), keyUse(out.AccessKeyLastUsed), nil
}

func keyUse(u *types.AccessKeyLastUsed) KeyUse {
	if u == nil || u.LastUsedDate == nil {
		return KeyUse{}
	}
	return KeyUse{Date: u.LastUsedDate.UTC(), Service: sdk.ToString(u.ServiceName), Region: sdk.ToString(u.Region)}
}

// ListAccessKeys returns every key of user, with its last use when withUse is set.
func ListAccessKeys(ctx context.Context, api KeyReadAPI, user string, withUse bool) ([]AccessKey, error) {
	var keys []AccessKey
	p := iam.NewListAccessKeysPaginator(api, &iam.ListAccessKeysInput{UserName: sdk.String(user)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListAccessKeys %s: %w", user, err)
		}
		for _, m := range out.AccessKeyMetadata {
			keys = append(keys, AccessKey{ID: sdk.ToString(m.AccessKeyId), User: user, Status: string(m.Status), Created: sdk.ToTime(m.CreateDate).UTC()})
		}
	}
	if !withUse {
		return keys, nil
	}
	for i := range keys {
		_, use, err := KeyLastUsed(ctx, api, keys[i].ID)
		if err != nil {
			return nil, err
		}
		keys[i].LastUsed = use
	}
	return keys, nil
}

// findKey returns the key id of user as IAM lists it now, or ErrNoSuchEntity.
func findKey(ctx context.Context, api KeyReadAPI, user, keyID string) (AccessKey, error) {
	keys, err := ListAccessKeys(ctx, api, user, false)
	if err != nil {
		return AccessKey{}, err
	}
	for _, k := range keys {
		if k.ID == keyID {
			return k, nil
		}
	}
	return AccessKey{}, fmt.Errorf("access key %s of user %s: %w", keyID, user, ErrNoSuchEntity)
}

// KeyStatus reads back the status of one key of user.
func KeyStatus(ctx context.Context, api KeyReadAPI, user, keyID string) (string, error) {
	k, err := findKey(ctx, api, user, keyID)
	return k.Status, err
}

// DeactivateKey sets a key Inactive. It does not delete it: an inactive key stops authenticating
// at once, can be reactivated after a mistake, and keeps its id for the investigation.
func DeactivateKey(ctx context.Context, g *Guard, api KeyAPI, user, keyID string) (Effect, error) {
	k, err := findKey(ctx, api, user, keyID)
	if err != nil {
		return "", err
	}
	if k.Status == KeyInactive {
		return AlreadyDone, nil
	}
	if eff, err := allow(g); eff != "" || err != nil {
		return eff, err
	}
	_, err = api.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: sdk.String(user), AccessKeyId: sdk.String(keyID), Status: types.StatusTypeInactive})
	if err != nil {
		return "", fmt.Errorf("iam UpdateAccessKey %s Inactive: %w", keyID, err)
	}
	return Changed, nil
}

// DeleteKey deletes a key; a key that is already gone is AlreadyDone.
func DeleteKey(ctx context.Context, g *Guard, api KeyAPI, user, keyID string) (Effect, error) {
	if _, err := findKey(ctx, api, user, keyID); errors.Is(err, ErrNoSuchEntity) || IsNoSuchEntity(err) {
		return AlreadyDone, nil
	} else if err != nil {
		return "", err
	}
	if eff, err := allow(g); eff != "" || err != nil {
		return eff, err
	}
	_, err := api.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: sdk.String(user), AccessKeyId: sdk.String(keyID)})
	if IsNoSuchEntity(err) {
		return AlreadyDone, nil
	}
	if err != nil {
		return "", fmt.Errorf("iam DeleteAccessKey %s: %w", keyID, err)
	}
	return Changed, nil
}

// NewKey is a freshly created access key. The secret leaves this package once, to the caller,
// which must hand it to the operator and nowhere else.
type NewKey struct {
	ID      string
	Created time.Time
	secret  string
}

// Secret returns the secret access key.
func (k NewKey) Secret() string { return k.secret }

// CreateKey creates an access key for user. In a dry run it checks the two-key limit and returns
// WouldChange without a key; dryRunFreed counts keys the same plan deletes first, which a dry run
// did not really delete.
func CreateKey(ctx context.Context, g *Guard, api KeyAPI, user string, dryRunFreed int) (NewKey, Effect, error) {
	keys, err := ListAccessKeys(ctx, api, user, false)
	if err != nil {
		return NewKey{}, "", err
	}
	if err := g.AllowChange(); err != nil {
		if errors.Is(err, ErrDryRun) {
			if len(keys)-dryRunFreed >= MaxKeysPerUser {
				return NewKey{}, "", fmt.Errorf("user %s already has %d access keys, IAM's limit: one must go first", user, len(keys))
			}
			return NewKey{}, WouldChange, nil
		}
		return NewKey{}, "", err
	}
	out, err := api.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: sdk.String(user)})
	if err != nil {
		return NewKey{}, "", fmt.Errorf("iam CreateAccessKey %s: %w", user, err)
	}
	k := out.AccessKey
	return NewKey{ID: sdk.ToString(k.AccessKeyId), Created: sdk.ToTime(k.CreateDate).UTC(), secret: sdk.ToString(k.SecretAccessKey)}, Changed, nil
}

// MaxKeysPerUser is IAM's limit of access keys per user.
const MaxKeysPerUser = 2

// allow asks the guard; a dry run becomes WouldChange, a refusal an error.
func allow(g *Guard) (Effect, error) {
	err := g.AllowChange()
	if errors.Is(err, ErrDryRun) {
		return WouldChange, nil
	}
	return "", err
}

// IsNoSuchEntity reports whether IAM said the thing does not exist.
func IsNoSuchEntity(err error) bool {
	return err != nil && (ErrorCode(err) == "NoSuchEntity" || errors.Is(err, ErrNoSuchEntity))
}
