package aws

import (
	"context"
	"fmt"
	"sort"
	"sync"
)

// RegionKeyPair is one EC2 key pair and the region it lives in.
type RegionKeyPair struct {
	Region string `json:"region"`
	KeyPair
}

// KeyPairSurvey is every enabled region's key pairs, and the regions read.
type KeyPairSurvey struct {
	KeyPairs []RegionKeyPair `json:"key_pairs"`
	Regions  []RegionRead    `json:"regions"`
}

// SurveyKeyPairs reads the key pairs of every enabled region.
func (a *Account) SurveyKeyPairs(ctx context.Context, opts RegionReadOptions) (*KeyPairSurvey, error) {
	var mu sync.Mutex
	var found []RegionKeyPair
	regions, err := a.readRegions(ctx, opts, func(ctx context.Context, region string) error {
		keys, err := listKeyPairs(ctx, a.EC2(region))
		mu.Lock()
		defer mu.Unlock()
		for _, k := range keys {
			found = append(found, RegionKeyPair{Region: region, KeyPair: k})
		}
		return err
	})
	if regions == nil {
		return nil, err
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].Region != found[j].Region {
			return found[i].Region < found[j].Region
		}
		return found[i].Name < found[j].Name
	})
	return &KeyPairSurvey{KeyPairs: found, Regions: regions}, err
}

// SurveyKeyPairs reads every region's key pairs (see Account.SurveyKeyPairs).
func (r *ReadOnly) SurveyKeyPairs(ctx context.Context, opts RegionReadOptions) (*KeyPairSurvey, error) {
	return r.a.SurveyKeyPairs(ctx, opts)
}

// KeyPairExists reads whether a key pair is still there: the read-back of deleting it.
func (a *Account) KeyPairExists(ctx context.Context, region, id string) (bool, error) {
	_, found, err := a.keyPairName(ctx, region, id)
	return found, err
}

// keyPairName finds a key pair by id in the region's whole list (EC2 does not page it), so the
// answer does not depend on how an endpoint filters by id.
func (a *Account) keyPairName(ctx context.Context, region, id string) (string, bool, error) {
	keys, err := listKeyPairs(ctx, a.EC2(region))
	if err != nil {
		return "", false, fmt.Errorf("in %s: %w", region, err)
	}
	for _, k := range keys {
		if k.ID == id {
			return k.Name, true, nil
		}
	}
	return "", false, nil
}

// KeyPairExists reads whether a key pair is still there (see Account.KeyPairExists).
func (r *ReadOnly) KeyPairExists(ctx context.Context, region, id string) (bool, error) {
	return r.a.KeyPairExists(ctx, region, id)
}
