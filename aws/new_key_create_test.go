package aws_test

import (
	"context"
	"slices"
	"testing"

	"lockdown/aws"
	"lockdown/aws/sim"
	"lockdown/aws/wiretest"
)

const rotatedUser = "ci-deploy" // holds one key, the leaked one

// liveChanges confirms the account and returns its changes.
func liveChanges(t *testing.T, acct *aws.Account) aws.Changes {
	t.Helper()
	if _, err := acct.WhoAmI(context.Background()); err != nil {
		t.Fatal(err)
	}
	ch, err := acct.Changes()
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// keysOf lists the user's keys as IAM has them now.
func keysOf(t *testing.T, acct *aws.Account, user string) []string {
	t.Helper()
	keys, err := aws.ListAccessKeys(context.Background(), acct.IAM(), user, false)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range keys {
		ids = append(ids, k.ID)
	}
	return ids
}

func TestALostCreateAccessKeyAnswerLeavesNoOrphanAndTheKeyIsMadeAgain(t *testing.T) {
	acct, proxy, _ := openThroughProxy(t, aws.Drill, wiretest.Rule{Action: "CreateAccessKey", Fault: wiretest.DropAnswer(), Times: 1})
	ch := liveChanges(t, acct)
	key, _, err := ch.CreateKey(context.Background(), rotatedUser, 0)
	if err != nil {
		t.Fatalf("the second try should make the key: %v", err)
	}
	keys := keysOf(t, acct, rotatedUser)
	if len(keys) != 2 || !slices.Contains(keys, key.ID) || key.Secret() == "" {
		t.Fatalf("the user has keys %v; lockdown holds the secret of %s only", keys, key.ID)
	}
	if len(key.Orphans) != 1 || slices.Contains(keys, key.Orphans[0]) {
		t.Fatalf("the key made by the lost answer (%v) was not deleted: keys %v", key.Orphans, keys)
	}
	creates, deletes := len(proxy.ChangesOf("CreateAccessKey")), len(proxy.ChangesOf("DeleteAccessKey"))
	if creates != 2 || deletes != 1 {
		t.Fatalf("on the wire: %d CreateAccessKey and %d DeleteAccessKey, want 2 and 1", creates, deletes)
	}
}

func TestCreateAccessKeyWhoseAnswersAreAlwaysLostFailsWithoutAnOrphan(t *testing.T) {
	acct, proxy, s := openThroughProxy(t, aws.Drill)
	if err := s.Server.AddFault(sim.Fault{Service: "iam", Action: "CreateAccessKey", LoseAnswer: "error"}); err != nil {
		t.Fatal(err)
	}
	ch := liveChanges(t, acct)
	failed, _, err := ch.CreateKey(context.Background(), rotatedUser, 0)
	if err == nil {
		t.Fatal("every answer was lost, yet CreateKey reported a key")
	}
	if keys := keysOf(t, acct, rotatedUser); len(keys) != 1 {
		t.Fatalf("the user was left with keys %v: an orphan nobody holds the secret of", keys)
	}
	if len(failed.Orphans) != 3 || failed.ID != "" || failed.Secret() != "" {
		t.Errorf("a failed create names the keys its lost answers made and that were deleted, and no key: %v %v", failed.Orphans, failed)
	}
	if n := len(proxy.ChangesOf("CreateAccessKey")); n != 3 {
		t.Fatalf("%d CreateAccessKey on the wire, want 3 tries each read back, not the SDK's blind retries", n)
	}
}

func TestThrottledCreateAccessKeyTriesDoNotUseUpTheTriesThatMayHaveActed(t *testing.T) {
	// Throttling refuses four tries, a lost answer makes a key: the fifth or sixth call succeeds.
	acct, proxy, _ := openThroughProxy(t, aws.Drill,
		wiretest.Rule{Action: "CreateAccessKey", Fault: wiretest.Throttle(), Times: 4},
		wiretest.Rule{Action: "CreateAccessKey", Fault: wiretest.DropAnswer(), Times: 1},
		wiretest.Rule{Action: "CreateAccessKey", Fault: wiretest.ServerError(500), Times: 1})
	key, _, err := liveChanges(t, acct).CreateKey(context.Background(), rotatedUser, 0)
	if err != nil {
		t.Fatalf("refusals that changed nothing used up the tries: %v", err)
	}
	if keys := keysOf(t, acct, rotatedUser); len(keys) != 2 || !slices.Contains(keys, key.ID) || len(key.Orphans) != 1 {
		t.Fatalf("keys %v, new %s, orphans %v", keys, key.ID, key.Orphans)
	}
	if n := len(proxy.ChangesOf("CreateAccessKey")); n != 7 {
		t.Errorf("%d CreateAccessKey on the wire, want 7 (4 throttled, 1 lost, 1 failed, 1 made)", n)
	}
}
