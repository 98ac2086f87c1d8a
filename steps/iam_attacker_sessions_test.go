package steps

import (
	"context"
	"strings"
	"testing"

	"lockdown/aws/sim"
)

// sessionState is what the simulated account says of a role session now: active, revoked, expired.
func sessionState(d *drill, id string) string {
	for _, h := range d.srv.Holdings() {
		if h.Kind == sim.HoldingSession && h.ID == id {
			return h.State
		}
	}
	return "absent"
}

// In crypto-miner the attacker assumed deploy-role with the leaked key before anyone noticed: the
// session outlives the key. Traced, the revocation step preselects the role naming the session,
// the verification fails until it is revoked, and passes after; a second look proposes nothing.
func TestTheAttackersRoleSessionIsRevokedAndVerifiedGone(t *testing.T) {
	d := startDrill(t, Drill)
	d.env.Inputs["access_key_id"] = "AKIAEXAMPLELEAKED001"
	_, found := traceNow(t, d.env)
	d.env.Trace = found.Evidence
	const session = "ASIAEXAMPLESESSION01"
	if got := sessionState(d, session); got != "active" {
		t.Fatalf("the scenario's attacker session is %s before the response", got)
	}
	before := checkAttackerSessions(context.Background(), d.env)
	if len(before) != 1 || before[0].Result != VerifyFail || before[0].Item != "deploy-role/"+session || before[0].HandledBy != byRevoke {
		t.Fatalf("before revocation the verification must fail on the session, got %+v", before)
	}

	insp, _, out := d.run(t, RevokeSessions{})
	row, ok := rowByID(insp, "deploy-role")
	if !ok || !row.Selected || row.Tone != ToneRogue || !strings.Contains(strings.Join(row.Reasons, "\n"), session) {
		t.Fatalf("deploy-role must be preselected, naming the attacker's session: %+v", row)
	}
	for _, r := range out.Results {
		if r.Status != StatusApplied {
			t.Errorf("%s: %s %s", r.ChangeID, r.Status, r.Message)
		}
	}
	if got := sessionState(d, session); got != "revoked" {
		t.Errorf("after the step the attacker's session is %s, want revoked", got)
	}
	after := checkAttackerSessions(context.Background(), d.env)
	if len(after) != 1 || after[0].Result != VerifyPass {
		t.Errorf("after revocation the verification must pass, got %+v", after)
	}
	again, err := RevokeSessions{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := rowByID(again, "deploy-role"); !ok || r.Selected {
		t.Errorf("a revoked session is proposed again: %+v", r)
	}
}

// Without a trace nothing says which sessions are the attacker's: the check adds nothing, and the
// verification's trace warning names role sessions among what it cannot see.
func TestWithoutATraceRoleSessionsAreNamedAsUnseen(t *testing.T) {
	d := startDrill(t, Drill)
	if got := checkAttackerSessions(context.Background(), d.env); got != nil {
		t.Errorf("untraced: %+v", got)
	}
	if w := traceWarning(nil); !strings.Contains(w, "role sessions") {
		t.Errorf("the trace warning does not say role sessions go unseen: %q", w)
	}
}
