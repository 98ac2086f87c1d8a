package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// Activity is something happening in the account outside the operator's hands — in a drill, the
// simulated attacker's latest call. Alarming activity (a call that worked) is shown loudly.
type Activity struct {
	At       time.Time
	Text     string
	Alarming bool
}

type activityMsg Activity

// listenActivity waits for the next activity, or for the interface to end.
func listenActivity(feed <-chan Activity, stop <-chan struct{}) tea.Cmd {
	if feed == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case a, ok := <-feed:
			if !ok {
				return nil
			}
			return activityMsg(a)
		case <-stop:
			return nil
		}
	}
}

// activityView is the latest activity as the header shows it, with how long ago it happened.
func (m *Model) activityView() string {
	a := m.activity
	if a == nil {
		return ""
	}
	ago := m.ctx.accountNow().Sub(a.At).Truncate(time.Second)
	text := a.Text + " · " + ago.String() + " ago"
	if a.Alarming {
		return m.ctx.Styles.Destructive.Render(text)
	}
	return m.ctx.Styles.Subtle.Render(text)
}
