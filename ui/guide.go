package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/viewport"
	"charm.land/glamour/v2"
	"github.com/charmbracelet/x/ansi"
)

// guide shows a step's Markdown guide, rendered for the current width and scrollable.
type guide struct {
	ctx   *Context
	view  viewport.Model
	cache map[string]string
	shown string
}

func newGuide(ctx *Context) *guide {
	return &guide{ctx: ctx, view: viewport.New(), cache: map[string]string{}}
}

func (g *guide) SetSize(width, height int) {
	g.view.SetWidth(width)
	g.view.SetHeight(height)
}

// Show renders markdown for the viewport's width, reusing an earlier rendering when it can.
func (g *guide) Show(id, markdown string) {
	width := g.view.Width()
	key := fmt.Sprintf("%s@%d", id, width)
	if key == g.shown {
		return
	}
	out, ok := g.cache[key]
	if !ok {
		out = renderMarkdown(markdown, width, g.ctx.NoColor)
		g.cache[key] = out
	}
	g.shown = key
	g.view.SetContent(out)
	g.view.GotoTop()
}

func (g *guide) View() string { return g.view.View() }

// renderMarkdown falls back to the raw text if the renderer fails: the guide must always be readable.
// Without colour the rendering is stripped to plain text: emphasis markers such as ** would
// otherwise be printed as they are.
func renderMarkdown(markdown string, width int, noColor bool) string {
	out := renderStyled(markdown, width)
	if noColor {
		return ansi.Strip(out)
	}
	return out
}

func renderStyled(markdown string, width int) string {
	r, err := glamour.NewTermRenderer(glamour.WithStandardStyle("dark"), glamour.WithWordWrap(max(20, width-6)))
	if err != nil {
		return markdown
	}
	out, err := r.Render(unwrapParagraphs(markdown))
	if err != nil {
		return markdown
	}
	return strings.Trim(out, "\n")
}

// unwrapParagraphs joins the hard-wrapped lines of a paragraph or list item, so the renderer wraps
// text to the width of the pane instead of keeping the author's line breaks. Code blocks, headings,
// tables, list items and blank lines are left as they are.
func unwrapParagraphs(markdown string) string {
	var out []string
	inFence, joinable := false, false
	for _, line := range strings.Split(markdown, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			inFence = !inFence
			out, joinable = append(out, line), false
			continue
		}
		if inFence || trimmed == "" || startsBlock(line, trimmed) || !joinable {
			out = append(out, line)
			joinable = !inFence && trimmed != "" && !strings.HasPrefix(trimmed, "#") && !strings.HasPrefix(trimmed, "|")
			continue
		}
		out[len(out)-1] += " " + trimmed
	}
	return strings.Join(out, "\n")
}

// startsBlock reports whether a line opens its own block: a heading, list item, quote, table row,
// rule or indented code.
func startsBlock(line, trimmed string) bool {
	if strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t") {
		return true
	}
	for _, p := range []string{"#", "- ", "* ", "+ ", "> ", "|", "---"} {
		if strings.HasPrefix(trimmed, p) {
			return true
		}
	}
	// Ordered list items: "1. ", "12) ".
	i := 0
	for i < len(trimmed) && trimmed[i] >= '0' && trimmed[i] <= '9' {
		i++
	}
	return i > 0 && i+1 < len(trimmed) && (trimmed[i] == '.' || trimmed[i] == ')') && trimmed[i+1] == ' '
}
