package ui

import "charm.land/bubbles/v2/key"

// keys are the action panel's keys in its current phase, each described by what it does here.
func (p *panel) keys() []key.Binding {
	k := p.ctx.Keys
	if !p.action {
		own := []key.Binding{named(k.Toggle, "tick/untick item"), k.Complete}
		if len(p.step.Verify) > 0 {
			own = append(own, k.Verify)
		}
		return append(own, named(k.Up, "previous item"), named(k.Down, "next item"), k.Skip)
	}
	switch p.phase {
	case phaseStart:
		if p.capturing() {
			own := []key.Binding{named(k.Enter, "inspect (read-only)")}
			if len(p.inputs) > 1 {
				own = append(own, k.FieldUp, k.FieldDown)
			}
			return append(own, k.esc("leave the field"), k.Focus, k.Interrupt)
		}
		own := []key.Binding{named(k.Inspect, "inspect (read-only)")}
		if len(p.inputs) > 0 {
			own = append(own, named(k.Enter, "type into the field"))
		}
		return append(own, k.Skip)
	case phaseFound:
		return p.foundKeys()
	case phasePlan:
		return append(append([]key.Binding{k.Apply, k.esc("back to the findings")}, k.scrollKeys()...), k.Skip)
	}
	var own []key.Binding
	if p.outcome != nil && p.outcome.FollowUp != nil {
		own = append(own, named(k.Apply, "review the follow-up plan…"))
	}
	own = append(own, named(k.Inspect, "inspect again"), k.esc("back to the findings"))
	return append(append(own, k.scrollKeys()...), k.Skip)
}

// foundKeys are the keys over the findings: a filter being typed and an opened row take them all.
func (p *panel) foundKeys() []key.Binding {
	k := p.ctx.Keys
	t := p.table
	switch {
	case t != nil && t.typing:
		return []key.Binding{named(k.Enter, "keep the filter"), k.esc("clear and leave the filter"), k.Erase, k.Interrupt}
	case t != nil && t.open:
		return append([]key.Binding{k.esc("close the row"), named(k.Enter, "close the row")}, k.scrollKeys()...)
	}
	var own []key.Binding
	if t != nil && t.table.Selectable {
		own = append(own, k.Toggle, k.All, k.None)
	}
	if !p.spec.ReadOnly {
		own = append(own, k.Plan)
	}
	if _, ok := p.keepable(); ok {
		own = append(own, k.Keep)
	}
	if t != nil {
		own = append(own, k.Open, k.Filter)
		if t.filter != "" {
			own = append(own, k.esc("clear the filter"))
		}
		own = append(own, k.Up, k.Down, k.PageUp, k.PageDown)
	}
	skip := k.Skip
	if _, ok := p.unreadRegion(); ok {
		skip = named(k.Skip, "skip this region in every step…")
	}
	return append(own, named(k.Inspect, "inspect again"), skip)
}

// stepKeys are the panel's keys that also work from the step list: starting work, not moving
// inside the panel.
func (p *panel) stepKeys() []key.Binding {
	var out []key.Binding
	k := p.ctx.Keys
	for _, b := range p.keys() {
		switch {
		case key.Matches(keyOf(b), k.Up, k.Down, k.PageUp, k.PageDown, k.Enter, k.Back, k.FieldUp, k.FieldDown):
		default:
			out = append(out, b)
		}
	}
	return out
}
