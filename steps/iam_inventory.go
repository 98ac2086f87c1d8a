package steps

import (
	"context"
	"fmt"
	"strings"
	"time"

	"lockdown/aws"
)

// CredentialInventory is the action iam.inventory: every user's ways into the account, with what
// appeared or was used after T0 flagged.
type CredentialInventory struct{}

// Spec describes iam.inventory.
func (CredentialInventory) Spec() Spec {
	return Spec{
		Name:    "iam.inventory",
		Summary: "List every IAM user's keys, password, MFA, groups and policies; flag what changed after T0",
		Params: []Param{
			{Name: "workers", Type: TypeInt, Doc: "users read at once (default 8)"},
		},
		ReadOnly: true,
	}
}

// Inspect reads the whole inventory and shows it as a table grouped by user.
func (CredentialInventory) Inspect(ctx context.Context, env *Env, report func(Progress)) (*Inspection, error) {
	inv, err := takeInventory(ctx, env, report)
	if err != nil {
		return nil, err
	}
	rep := NewKeysReport(inv, env.Account.Guard().Account(), env.Since)
	insp := &Inspection{
		Summary: inventorySummary(rep),
		Facts:   inventoryFacts(rep, env.Since),
		Table:   inventoryTable(rep),
		Data:    rep,
	}
	for _, u := range rep.Users {
		state := Done
		if u.Error != "" {
			state, insp.Failed = Failed, insp.Failed+1
		}
		insp.Progress = append(insp.Progress, Progress{Key: u.Name, State: state, Count: len(u.Keys), Err: u.Error})
	}
	return insp, nil
}

// takeInventory runs the inventory engine, reporting each user as it finishes.
func takeInventory(ctx context.Context, env *Env, report func(Progress)) (*aws.Inventory, error) {
	done := func(u aws.UserCredentials) {
		if report == nil {
			return
		}
		p := Progress{Key: u.Name, State: Done, Count: len(u.Keys)}
		if u.Err != nil {
			p.State, p.Code, p.Err = Failed, aws.ErrorCode(u.Err), aws.ErrorMessage(u.Err)
		}
		report(p)
	}
	inv, err := aws.TakeInventory(ctx, env.Account.IAM(), env.Params.Int("workers", aws.DefaultInventoryWorkers), done)
	if err != nil {
		return nil, err
	}
	env.Logger().Info("iam inventory taken", "users", len(inv.Users))
	return inv, nil
}

// responderAndInventory is who lockdown acts as and the inventory flagged against T0: what every
// step that picks among users or keys starts from.
func responderAndInventory(ctx context.Context, env *Env, report func(Progress)) (aws.Identity, *KeysReport, error) {
	me, err := responder(ctx, env)
	if err != nil {
		return aws.Identity{}, nil, err
	}
	inv, err := takeInventory(ctx, env, report)
	if err != nil {
		return aws.Identity{}, nil, err
	}
	rep := NewKeysReport(inv, env.Account.Guard().Account(), env.Since)
	if env.Trace != nil {
		// A user or key a colleague made after T0 is not the attacker's: CloudTrail says who made it.
		rep.NoteCreators(env.Trace)
	}
	return me, rep, nil
}

func inventorySummary(rep *KeysReport) string {
	flagged := 0
	for _, u := range rep.Users {
		if u.Flagged() {
			flagged++
		}
	}
	return fmt.Sprintf("%s, %d with something flagged", plural(len(rep.Users), "IAM user"), flagged)
}

func inventoryFacts(rep *KeysReport, since time.Time) []Fact {
	t0 := "not set: nothing is flagged by time"
	if !since.IsZero() {
		t0 = when(since)
	}
	facts := []Fact{{Label: "T0", Value: t0}, {Label: "Users", Value: fmt.Sprint(len(rep.Users))}}
	if rep.RootError != "" {
		return append(facts, Fact{Label: "Root user", Value: "unknown: " + rep.RootError, Tone: ToneWarning})
	}
	keys := Fact{Label: "Root access keys", Value: "none", Tone: ToneOK}
	if rep.Root.AccessKeysPresent {
		keys = Fact{Label: "Root access keys", Value: "PRESENT: delete them (root keys cannot be restricted)", Tone: ToneRogue}
	}
	mfa := Fact{Label: "Root MFA", Value: "on", Tone: ToneOK}
	if !rep.Root.MFAEnabled {
		mfa = Fact{Label: "Root MFA", Value: "OFF: enable it", Tone: ToneWarning}
	}
	return append(facts, keys, mfa)
}

// inventoryTable has one row per user and one per key, grouped by user, so the operator can filter
// on a flag and drill into a user.
func inventoryTable(rep *KeysReport) *Table {
	t := &Table{Columns: []Column{{Title: "User / key"}, {Title: "Status", Width: 9}, {Title: "Created", Width: 17},
		{Title: "Last used", Width: 17}, {Title: "Where"}, {Title: "Console / MFA"}, {Title: "Flags"}}}
	for _, u := range rep.Users {
		t.Rows = append(t.Rows, userRow(u))
		for _, k := range u.Keys {
			t.Rows = append(t.Rows, Row{ID: "key:" + k.ID, Group: u.Name, Tone: toneFor(k.Flags, false), Reasons: words(k.Flags),
				Cells: []string{"  " + k.ID, k.Status, when(k.Created), when(k.LastUsed.Date), where(k.LastUsed), "", strings.Join(k.Flags, " ")}})
		}
	}
	return t
}

func userRow(u UserReport) Row {
	console := "no password"
	if u.HasConsolePassword {
		console = "password, last " + when(timeOr(u.PasswordLastUsed))
	}
	console += fmt.Sprintf(", %d MFA", len(u.MFADevices))
	status := "" // a user has no status of its own; the severity column says how it looks
	if u.Error != "" {
		status = "unread"
	}
	reasons := words(u.Flags)
	if u.Error != "" {
		reasons = append(reasons, "could not be read completely: "+u.Error)
	}
	return Row{ID: "user:" + u.Name, Group: u.Name, Tone: toneFor(u.Flags, u.Error != ""), Reasons: reasons,
		Cells:   []string{u.Name, status, when(u.Created), "", strings.Join(u.Groups, ","), console, strings.Join(u.Flags, " ")},
		Details: userDetails(u)}
}

// userDetails is what the operator sees on opening a user: every credential and permission.
func userDetails(u UserReport) []string {
	out := []string{"ARN: " + u.ARN, "Created: " + when(u.Created)}
	if u.HasConsolePassword {
		out = append(out, "Console password: created "+when(timeOr(u.PasswordCreated))+", last used "+when(timeOr(u.PasswordLastUsed)))
	}
	for _, d := range u.MFADevices {
		out = append(out, "MFA device "+d.Serial+": enabled "+when(d.Enabled))
	}
	for _, k := range u.Keys {
		out = append(out, fmt.Sprintf("Access key %s: %s, created %s, last used %s %s", k.ID, k.Status, when(k.Created), when(k.LastUsed.Date), where(k.LastUsed)))
	}
	if len(u.Groups) > 0 {
		out = append(out, "Groups: "+strings.Join(u.Groups, ", "))
	}
	for _, p := range u.Policies {
		line := "Policy " + p.Name
		switch {
		case p.Inline:
			line += " (inline)"
		case p.ARN != "":
			line += " (" + p.ARN + ")"
		}
		if p.Via != "" {
			line += " through group " + p.Via
		}
		out = append(out, line)
	}
	return out
}

func toneFor(flags []string, failed bool) Tone {
	switch {
	case failed:
		return ToneFailed
	case contains(flags, FlagUserCreatedAfterT0) || contains(flags, FlagKeyCreatedAfterT0):
		return ToneRogue
	case len(flags) > 0:
		return ToneSuspicious
	}
	return ToneNone
}

func where(u aws.KeyUse) string {
	if !u.Used() {
		return ""
	}
	return u.Service + " " + u.Region
}

func words(codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = FlagWords(c)
	}
	return out
}

func timeOr(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// Plan has nothing to plan: the inventory is read-only.
func (CredentialInventory) Plan(context.Context, *Env, *Inspection, []string) (*Plan, error) {
	return nil, fmt.Errorf("iam.inventory is read-only: there is nothing to plan")
}

// Apply has nothing to apply.
func (CredentialInventory) Apply(context.Context, *Env, aws.Changes, *Plan, func(Progress)) (*Outcome, error) {
	return nil, fmt.Errorf("iam.inventory is read-only: there is nothing to apply")
}
