package aws

import (
	"context"
	"fmt"
	"time"
)

// KeyCreation is CloudTrail's record of the call that made an access key: when, and by whom.
type KeyCreation struct {
	Time time.Time `json:"time"`
	// Principal is the caller's ARN; Credential the access key it signed with.
	Principal  string `json:"principal"`
	Credential string `json:"credential,omitempty"`
	EventID    string `json:"event_id"`
}

// WhoCreatedKey asks CloudTrail for the CreateAccessKey event that made keyID: it is recorded in
// us-east-1, with the key among its resources. It returns nil, without an error, when the event
// history holds none — which, for a key made minutes ago, may only mean CloudTrail has not
// delivered it yet.
func (r *ReadOnly) WhoCreatedKey(ctx context.Context, keyID string) (*KeyCreation, error) {
	t := &tracer{client: r.a.CloudTrail, home: r.a.HomeRegion(), now: time.Now}
	events, _, err := t.lookupAll(ctx, globalRegion, lookup{key: "ResourceName", value: keyID}, t.now().Add(-HistoryRetention))
	if err != nil {
		return nil, fmt.Errorf("CloudTrail LookupEvents in %s: %w", globalRegion, err)
	}
	for _, e := range events {
		for _, c := range e.created() {
			if e.EventName == "CreateAccessKey" && c.ID == keyID {
				return &KeyCreation{Time: e.Time, Principal: e.Principal, Credential: e.Credential, EventID: e.EventID}, nil
			}
		}
	}
	return nil, nil
}

// Confirmed is who the credentials were last confirmed to act as (WhoAmI), or the zero Identity.
func (r *ReadOnly) Confirmed() Identity { return r.a.confirmedIdentity() }
