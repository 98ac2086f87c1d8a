package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/viewport"
	"charm.land/glamour/v2"
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
func renderMarkdown(markdown string, width int, noColor bool) string {
	style := "dark"
	if noColor {
		style = "notty"
	}
	r, err := glamour.NewTermRenderer(glamour.WithStandardStyle(style), glamour.WithWordWrap(max(20, width-2)))
	if err != nil {
		return markdown
	}
	out, err := r.Render(markdown)
	if err != nil {
		return markdown
	}
	return strings.Trim(out, "\n")
}
