package ui

import (
	"context"
	"errors"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
)

// Run shows the interface until the operator quits or ctx ends. Cancelling ctx also cancels any
// action that is running.
func Run(ctx context.Context, m *Model, opts ...tea.ProgramOption) error {
	m.base = ctx
	opts = append([]tea.ProgramOption{tea.WithContext(ctx)}, opts...)
	_, err := tea.NewProgram(m, opts...).Run()
	m.release()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// IsTerminal reports whether f is a terminal; the interface cannot run on a pipe.
func IsTerminal(f *os.File) bool {
	return f != nil && term.IsTerminal(f.Fd())
}
