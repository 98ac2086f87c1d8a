package ui

import (
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"lockdown/review"
	"lockdown/runbooks"
	"lockdown/steps"
)

// secretRecorder journals that the secrets of keys are kept (how: saved to path, or stored
// elsewhere on the operator's word). It names the keys, never the secrets.
type secretRecorder func(keys []string, how, path string) error

// secretDialog shows new credentials once: masked until the operator reveals them, all saved to a
// private file with one key, and wiped from memory when the dialog closes. It does not close while
// a secret is neither saved nor acknowledged as stored elsewhere: the old key it replaces is
// switched off only once its secret is kept, and a secret lost here is lost for good.
type secretDialog struct {
	ctx     *Context
	secrets []steps.Secret
	// kept says, per secret, where it is kept ("saved to …", "stored elsewhere"); empty while it
	// is kept nowhere.
	kept     []string
	cursor   int
	revealed bool
	// seen is true once the secrets were revealed: only a secret the operator has seen can have
	// been stored elsewhere.
	seen   bool
	asking bool
	path   textinput.Model
	notice string
	// saving is true while a file write or a journal entry is under way; the dialog does not
	// close meanwhile.
	saving bool
	record secretRecorder
	width  int
}

func newSecretDialog(ctx *Context, secrets []steps.Secret, record secretRecorder) *secretDialog {
	return &secretDialog{ctx: ctx, secrets: secrets, kept: make([]string, len(secrets)), record: record,
		path: newInput(ctx, "file path, e.g. ./new-keys.ini")}
}

func (d *secretDialog) SetSize(width, _ int) {
	d.width = width
	d.path.SetWidth(max(10, width-10))
}

// Wipe overwrites every secret and forgets them; nothing of them survives the dialog.
func (d *secretDialog) Wipe() {
	for _, s := range d.secrets {
		s.Wipe()
	}
	d.secrets = nil
	d.revealed = false
}

// unkept lists the key ids of the secrets kept nowhere yet.
func (d *secretDialog) unkept() []string {
	var out []string
	for i, s := range d.secrets {
		if d.kept[i] == "" {
			out = append(out, s.AccessKeyID)
		}
	}
	return out
}

// Update returns cancelled when the operator closes the dialog, which only happens once every
// secret is kept; the caller must then Wipe it.
func (d *secretDialog) Update(msg tea.Msg) (verdict, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return undecided, nil
	}
	k := d.ctx.Keys
	if d.asking {
		return d.updatePath(kp)
	}
	switch {
	case key.Matches(kp, k.Back, k.Enter, k.Quit, k.Interrupt):
		return d.close()
	case key.Matches(kp, k.Reveal):
		d.revealed = !d.revealed
		d.seen = true
	case key.Matches(kp, k.Up):
		d.cursor = max(0, d.cursor-1)
	case key.Matches(kp, k.Down):
		d.cursor = min(len(d.secrets)-1, d.cursor+1)
	case key.Matches(kp, k.Write):
		d.asking = true
		d.notice = ""
		return undecided, d.path.Focus()
	case key.Matches(kp, k.StoredElsewhere):
		return undecided, d.acknowledge()
	}
	return undecided, nil
}

// close closes the dialog only when nothing is under way and every secret is kept.
func (d *secretDialog) close() (verdict, tea.Cmd) {
	if d.saving {
		d.notice = "still saving: the dialog closes once the file is written and recorded, or says why it was not"
		return undecided, nil
	}
	if missing := d.unkept(); len(missing) > 0 {
		d.notice = fmt.Sprintf("Not closed: the secret of %s is neither saved nor stored elsewhere, and cannot be shown again. "+
			"w writes every secret to a new file; e records that the one under the cursor is stored elsewhere. "+
			"Until then rotation leaves its old key as it is (switched off only once the new secret is kept).", strings.Join(missing, ", "))
		return undecided, nil
	}
	return cancelled, nil
}

// acknowledge records the operator's word that the secret under the cursor is stored elsewhere
// (a password manager, the service's own configuration). The word is journaled, the secret not.
func (d *secretDialog) acknowledge() tea.Cmd {
	switch {
	case d.saving:
		d.notice = "still saving: wait for it"
		return nil
	case !d.seen:
		d.notice = "Reveal the secrets first (r): a secret you have not seen cannot be stored elsewhere."
		return nil
	case d.kept[d.cursor] != "":
		d.notice = d.secrets[d.cursor].AccessKeyID + " is already " + d.kept[d.cursor]
		return nil
	}
	d.saving = true
	index, keyID, record := d.cursor, d.secrets[d.cursor].AccessKeyID, d.record
	return func() tea.Msg {
		return secretAckMsg{index: index, key: keyID, err: record([]string{keyID}, runbooks.SecretStoredElsewhere, "")}
	}
}

// acknowledged records the result of journaling an acknowledgement.
func (d *secretDialog) acknowledged(msg secretAckMsg) {
	d.saving = false
	if msg.err != nil {
		d.notice = "not recorded, so " + msg.key + " still counts as kept nowhere: " + msg.err.Error()
		return
	}
	if msg.index < len(d.kept) && d.secrets[msg.index].AccessKeyID == msg.key {
		d.kept[msg.index] = "stored elsewhere (your word, journaled)"
	}
	d.notice = msg.key + ": recorded as stored elsewhere"
}

// paste puts pasted text into the file path while the dialog asks for one; elsewhere it is ignored.
func (d *secretDialog) paste(msg tea.PasteMsg) tea.Cmd {
	if !d.asking {
		return nil
	}
	var cmd tea.Cmd
	d.path, cmd = d.path.Update(msg)
	return cmd
}

func (d *secretDialog) updatePath(kp tea.KeyPressMsg) (verdict, tea.Cmd) {
	switch {
	case key.Matches(kp, d.ctx.Keys.Back):
		d.asking = false
		d.path.Blur()
		return undecided, nil
	case key.Matches(kp, d.ctx.Keys.Enter):
		path := strings.TrimSpace(d.path.Value())
		if path == "" {
			d.notice = "type a file path first"
			return undecided, nil
		}
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		d.asking = false
		d.path.Blur()
		d.path.SetValue("") // the next save starts from an empty field, not this path
		d.saving = true
		return undecided, d.writeAll(path)
	}
	var cmd tea.Cmd
	d.path, cmd = d.path.Update(kp)
	return undecided, cmd
}

// writeAll writes every secret to one new file, then journals that each is kept there. The write
// works on its own copies, wiped once written, so closing the dialog (which wipes the originals)
// can never race with it.
func (d *secretDialog) writeAll(path string) tea.Cmd {
	own := make([]steps.Secret, len(d.secrets))
	keys := make([]string, len(d.secrets))
	for i, s := range d.secrets {
		own[i] = steps.NewSecret(s.Label, s.AccessKeyID, s.Reveal())
		keys[i] = s.AccessKeyID
	}
	record := d.record
	return func() tea.Msg {
		defer func() {
			for _, s := range own {
				s.Wipe()
			}
		}()
		if err := review.WriteSecretsFile(path, own...); err != nil {
			return secretWrittenMsg{path: path, err: err}
		}
		return secretWrittenMsg{path: path, keys: keys, journalErr: record(keys, runbooks.SecretSavedToFile, path)}
	}
}

// written records the result of saving the secrets.
func (d *secretDialog) written(msg secretWrittenMsg) {
	d.saving = false
	if msg.err != nil {
		d.notice = "not saved: " + msg.err.Error()
		return
	}
	for i, s := range d.secrets {
		for _, k := range msg.keys {
			if s.AccessKeyID == k && d.kept[i] == "" {
				d.kept[i] = "saved to " + msg.path
			}
		}
	}
	d.notice = fmt.Sprintf("%d secrets saved to %s (mode 0600)", len(msg.keys), msg.path)
	if msg.journalErr != nil {
		d.notice += "; but the journal could not record it, so their old keys stay active: " + msg.journalErr.Error()
	}
}

func (d *secretDialog) View() string {
	s := d.ctx.Styles
	lines := []string{
		s.Warning.Render("New credentials — shown once, never saved by lockdown unless you say where"),
		"",
	}
	for i, sec := range d.secrets {
		value := strings.Repeat("•", min(sec.Len(), 40))
		if d.revealed {
			value = sec.Reveal()
		}
		mark := "  "
		if i == d.cursor {
			mark = "> "
		}
		status := s.Warning.Render("NOT SAVED: rotation will not switch its old key off until it is")
		if d.kept[i] != "" {
			status = s.OK.Render(d.kept[i])
		}
		lines = append(lines, mark+sec.Label+" — "+status, "    access key id:     "+sec.AccessKeyID, "    secret access key: "+value)
	}
	lines = append(lines, "")
	switch {
	case d.asking:
		lines = append(lines, fmt.Sprintf("Write all %d secrets to a new file (0600, never overwrites):", len(d.secrets)), d.path.View(),
			s.Subtle.Render("enter saves · esc goes back"))
	case len(d.unkept()) > 0:
		lines = append(lines, s.Subtle.Render("r reveal/hide · w write all to a file · e stored elsewhere (the one under the cursor) · closes once every secret is kept"))
	default:
		lines = append(lines, s.Subtle.Render("r reveal/hide · w write all to another file · esc/enter close (wipes the secrets)"))
	}
	if d.notice != "" {
		lines = append(lines, s.Warning.Render(d.notice))
	}
	return s.Dialog.Width(max(30, d.width)).Render(strings.Join(lines, "\n"))
}

// newInput builds a text field styled for the context, without colour under NO_COLOR.
func newInput(ctx *Context, placeholder string) textinput.Model {
	in := textinput.New()
	in.Placeholder = placeholder
	st := in.Styles()
	st.Cursor.Blink = false
	if ctx.NoColor {
		st.Focused = textinput.StyleState{}
		st.Blurred = textinput.StyleState{}
		st.Cursor.Color = nil
	}
	in.SetStyles(st)
	return in
}
