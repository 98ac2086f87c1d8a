package ui

// The panel's input fields: when they have the keyboard, and what they hold.

import (
	tea "charm.land/bubbletea/v2"
)

// capturing reports whether keys belong to a text field, so global letter keys must not fire.
func (p *panel) capturing() bool {
	return p.filtering() || p.action && p.phase == phaseStart && len(p.inputs) > 0 && p.inputs[p.focus].Focused()
}

// filtering reports whether the findings table takes every key (a filter is typed, a row is open).
func (p *panel) filtering() bool {
	return p.phase == phaseFound && p.table != nil && p.table.Capturing()
}

// focusInputs gives the keyboard to the first input, if the step has any and is at its start.
func (p *panel) focusInputs() tea.Cmd {
	if p.action && p.phase == phaseStart && len(p.inputs) > 0 {
		return p.inputs[p.focus].Focus()
	}
	return nil
}

func (p *panel) blurInputs() {
	for i := range p.inputs {
		p.inputs[i].Blur()
	}
}

// inputValues returns the operator's inputs if every one validates.
func (p *panel) inputValues() (map[string]string, bool) {
	values := map[string]string{}
	ok := true
	for i, in := range p.spec.Inputs {
		v := p.inputs[i].Value()
		p.inputErr[i] = ""
		if in.Validate != nil {
			if err := in.Validate(v); err != nil {
				p.inputErr[i] = err.Error()
				ok = false
			}
		}
		values[in.Name] = v
	}
	return values, ok
}

// editInput gives a key or a paste to the focused field and validates what it now holds, so a
// wrong key id is explained while it is typed.
func (p *panel) editInput(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	p.inputs[p.focus], cmd = p.inputs[p.focus].Update(msg)
	if v := p.spec.Inputs[p.focus].Validate; v != nil {
		p.inputErr[p.focus] = ""
		if err := v(p.inputs[p.focus].Value()); err != nil {
			p.inputErr[p.focus] = err.Error()
		}
	}
	return cmd
}

// hasKnownInput reports whether a field was filled in from what the run already knew.
func (p *panel) hasKnownInput() bool { return p.known }

// wantsInput reports whether the step is waiting for the operator to type its inputs.
func (p *panel) wantsInput() bool {
	return p.action && p.phase == phaseStart && len(p.inputs) > 0
}
