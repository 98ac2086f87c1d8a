package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"lockdown/review"
	"lockdown/steps"
)

// secretDialog shows new credentials once: masked until the operator reveals them, savable to a
// private file, and wiped from memory when the dialog closes.
type secretDialog struct {
	ctx      *Context
	secrets  []steps.Secret
	cursor   int
	revealed bool
	asking   bool
	path     textinput.Model
	notice   string
	// kept is true once the operator revealed or saved a secret; closing before that asks twice,
	// because a secret that was never seen is lost for good.
	kept   bool
	warned bool
	// saving is true while a file write is under way; the dialog does not close meanwhile.
	saving bool
	width  int
}

func newSecretDialog(ctx *Context, secrets []steps.Secret) *secretDialog {
	return &secretDialog{ctx: ctx, secrets: secrets, path: newInput(ctx, "file path, e.g. ./new-key.ini")}
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

// Update returns cancelled when the operator closes the dialog; the caller must then Wipe it.
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
		if d.saving {
			d.notice = "still saving: the dialog closes once the file is written, or says why it was not"
			return undecided, nil
		}
		if !d.kept && !d.warned {
			d.warned = true
			d.notice = "You have not revealed or saved the secret, and it cannot be shown again. Press esc again to close anyway."
			return undecided, nil
		}
		return cancelled, nil
	case key.Matches(kp, k.Reveal):
		d.revealed = !d.revealed
		d.kept = true
	case key.Matches(kp, k.Up):
		d.cursor = max(0, d.cursor-1)
	case key.Matches(kp, k.Down):
		d.cursor = min(len(d.secrets)-1, d.cursor+1)
	case key.Matches(kp, k.Write):
		d.asking = true
		d.notice = ""
		return undecided, d.path.Focus()
	}
	return undecided, nil
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
		d.asking = false
		d.path.Blur()
		d.path.SetValue("") // the next save starts from an empty field, not this path
		d.saving = true
		// The write works on its own copy, wiped when written, so closing the dialog (which
		// wipes the original) can never race with it.
		s := d.secrets[d.cursor]
		own := steps.NewSecret(s.Label, s.AccessKeyID, s.Reveal())
		return undecided, func() tea.Msg {
			defer own.Wipe()
			return secretWrittenMsg{path: path, err: review.WriteSecretsFile(path, own)}
		}
	}
	var cmd tea.Cmd
	d.path, cmd = d.path.Update(kp)
	return undecided, cmd
}

// written records the result of saving a secret.
func (d *secretDialog) written(msg secretWrittenMsg) {
	d.saving = false
	if msg.err != nil {
		d.notice = "not saved: " + msg.err.Error()
		return
	}
	d.notice = "saved to " + msg.path + " (mode 0600)"
	d.kept = true
}

func (d *secretDialog) View() string {
	s := d.ctx.Styles
	lines := []string{
		s.Warning.Render("New credentials — shown once, never saved by lockdown"),
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
		lines = append(lines, mark+sec.Label, "    access key id:     "+sec.AccessKeyID, "    secret access key: "+value)
	}
	lines = append(lines, "")
	if d.asking {
		lines = append(lines, "Write to a new file (0600, never overwrites):", d.path.View(), s.Subtle.Render("enter saves · esc goes back"))
	} else {
		lines = append(lines, s.Subtle.Render("r reveal/hide · w write to file · esc/enter close (wipes the secret)"))
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
