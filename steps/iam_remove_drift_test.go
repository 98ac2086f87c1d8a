package steps

import (
	"context"
	"slices"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func TestUserRemovalRemovesOnlyTheReviewedPartsAndKeepsAPartAddedSince(t *testing.T) {
	d := startDrill(t, Drill)
	ctx := context.Background()
	insp, err := RemoveBackdoorUsers{}.Inspect(ctx, d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := RemoveBackdoorUsers{}.Plan(ctx, d.env, insp, []string{"support-sync"})
	if err != nil {
		t.Fatal(err)
	}
	// After the review, the attacker gives the backdoor user a second key.
	id, secret := d.srv.ResponderCredentials()
	added, err := sdkIAM(d.env.Account.Endpoint(), id, secret).CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: sdk.String("support-sync")})
	if err != nil {
		t.Fatal(err)
	}
	addedID := sdk.ToString(added.AccessKey.AccessKeyId)
	out, err := RemoveBackdoorUsers{}.Apply(ctx, d.env, changesOf(d.env), plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(out.Results, func(r Result) bool { return r.Code == "Drift" && r.Status == StatusFailed }) {
		t.Fatalf("the part added since review should be reported as drift: %+v", out.Results)
	}
	if got := keyStatuses(t, d, "support-sync"); len(got) != 1 || got[addedID] == "" {
		t.Fatalf("only the key added since review should be left, got %v", got)
	}
	for _, r := range out.Results {
		if r.ChangeID == "user/support-sync" && r.Status != StatusSkipped {
			t.Errorf("the user was %s although a part nobody reviewed is still attached", r.Status)
		}
	}
}
