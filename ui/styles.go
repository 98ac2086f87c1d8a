package ui

import (
	"charm.land/lipgloss/v2"

	"lockdown/steps"
)

// Styles names every look by what it means to the operator; views never pick raw colours.
type Styles struct {
	Title       lipgloss.Style
	Subtle      lipgloss.Style
	OK          lipgloss.Style
	Warning     lipgloss.Style
	Destructive lipgloss.Style
	Error       lipgloss.Style
	Selected    lipgloss.Style
	// Focus marks the title of the pane that has the keyboard.
	Focus  lipgloss.Style
	Border lipgloss.Style
	Dialog lipgloss.Style

	// Mode badges.
	Live   lipgloss.Style
	DryRun lipgloss.Style
	Drill  lipgloss.Style

	// Finding tones.
	Rogue      lipgloss.Style
	Suspicious lipgloss.Style
	Protected  lipgloss.Style
	Failed     lipgloss.Style
}

// NewStyles returns the palette; with noColor every style is colourless and meaning is carried by
// text, brackets, bold and reverse video alone.
func NewStyles(noColor bool) Styles {
	plain := lipgloss.NewStyle()
	if noColor {
		return Styles{
			Title:       plain.Bold(true),
			Subtle:      plain,
			OK:          plain,
			Warning:     plain.Bold(true),
			Destructive: plain.Bold(true),
			Error:       plain.Bold(true),
			Selected:    plain.Reverse(true),
			Focus:       plain.Bold(true).Underline(true),
			Border:      plain,
			Dialog:      plain.Border(lipgloss.NormalBorder()).Padding(0, 1),
			Live:        plain.Bold(true).Reverse(true),
			DryRun:      plain.Bold(true),
			Drill:       plain.Bold(true),
			Rogue:       plain.Bold(true),
			Suspicious:  plain,
			Protected:   plain,
			Failed:      plain.Bold(true),
		}
	}
	red := lipgloss.Color("#ff5f5f")
	amber := lipgloss.Color("#ffaf00")
	green := lipgloss.Color("#5fd75f")
	grey := lipgloss.Color("#8a8a8a")
	blue := lipgloss.Color("#5fafff")
	return Styles{
		Title:       plain.Bold(true),
		Subtle:      plain.Foreground(grey),
		OK:          plain.Foreground(green),
		Warning:     plain.Foreground(amber).Bold(true),
		Destructive: plain.Foreground(red).Bold(true),
		Error:       plain.Foreground(red),
		Selected:    plain.Reverse(true),
		Focus:       plain.Bold(true).Foreground(blue),
		Border:      plain.Foreground(grey),
		Dialog:      plain.Border(lipgloss.RoundedBorder()).BorderForeground(amber).Padding(0, 1),
		Live:        plain.Bold(true).Foreground(lipgloss.Color("#ffffff")).Background(lipgloss.Color("#d70000")),
		DryRun:      plain.Bold(true).Foreground(lipgloss.Color("#000000")).Background(green),
		Drill:       plain.Bold(true).Foreground(lipgloss.Color("#000000")).Background(blue),
		Rogue:       plain.Foreground(red).Bold(true),
		Suspicious:  plain.Foreground(amber),
		Protected:   plain.Foreground(blue),
		Failed:      plain.Foreground(red),
	}
}

// Tone returns the style for a finding, fact or result tone.
func (s Styles) Tone(t steps.Tone) lipgloss.Style {
	switch t {
	case steps.ToneOK:
		return s.OK
	case steps.ToneWarning:
		return s.Warning
	case steps.ToneRogue:
		return s.Rogue
	case steps.ToneSuspicious:
		return s.Suspicious
	case steps.ToneProtected:
		return s.Protected
	case steps.ToneFailed:
		return s.Failed
	}
	return lipgloss.NewStyle()
}

// Badge renders the always-visible mode badge.
func (s Styles) Badge(m steps.Mode) string {
	switch m {
	case steps.Live:
		return s.Live.Render(" LIVE ")
	case steps.Drill:
		return s.Drill.Render(" DRILL ")
	}
	return s.DryRun.Render(" DRY-RUN ")
}
