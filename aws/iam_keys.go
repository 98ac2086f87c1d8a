package aws

import (
	"context"
	"errors"
	"fmt"
	"sync"
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
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() { _, keys[i].LastUsed, errs[i] = KeyLastUsed(ctx, api, keys[i].ID) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
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

// checkDeactivate reads the key: AlreadyDone when it is Inactive, WouldChange when it must be
// deactivated. Deactivating does not delete it: an inactive key stops authenticating at once, can be
// reactivated after a mistake, and keeps its id for the investigation.
func checkDeactivate(ctx context.Context, api KeyReadAPI, user, keyID string) (Effect, error) {
	k, err := findKey(ctx, api, user, keyID)
	if err != nil {
		return "", err
	}
	if k.Status == KeyInactive {
		return AlreadyDone, nil
	}
	return WouldChange, nil
}

// checkDeleteKey reads the key: a key that is already gone is AlreadyDone.
func checkDeleteKey(ctx context.Context, api KeyReadAPI, user, keyID string) (Effect, error) {
	if _, err := findKey(ctx, api, user, keyID); errors.Is(err, ErrNoSuchEntity) || IsNoSuchEntity(err) {
		return AlreadyDone, nil
	} else if err != nil {
		return "", err
	}
	return WouldChange, nil
}

// checkCreateKey reads the user's keys and refuses when IAM's limit leaves no room; freed counts
// keys the same plan deletes first.
func checkCreateKey(ctx context.Context, api KeyReadAPI, user string, freed int) (Effect, error) {
	keys, err := ListAccessKeys(ctx, api, user, false)
	if err != nil {
		return "", err
	}
	if len(keys)-freed >= MaxKeysPerUser {
		return "", fmt.Errorf("user %s already has %d access keys, IAM's limit: one must go first", user, len(keys))
	}
	return WouldChange, nil
}

// MaxKeysPerUser is IAM's limit of access keys per user.
const MaxKeysPerUser = 2

// IsNoSuchEntity reports whether IAM said the thing does not exist.
func IsNoSuchEntity(err error) bool {
	return err != nil && (ErrorCode(err) == "NoSuchEntity" || errors.Is(err, ErrNoSuchEntity))
}
