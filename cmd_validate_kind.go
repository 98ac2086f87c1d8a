package main

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"lockdown/aws/sim"
	"lockdown/input"
)

// fileKind is the loader validate reads a file with.
type fileKind int

const (
	kindRunbook fileKind = iota
	kindScenario
	kindPlan
	kindJournal
)

// kindOf tells what a file is from its name and first bytes, never by parsing it: a file built to
// exhaust a parser must meet the loader's limits before anything parses it. A plan (.json) is one
// JSON document, a journal (.jsonl) a JSON object per line; a YAML file is a scenario when more of
// its top-level keys are the scenario format's than the runbook format's. What cannot be told is
// read as a runbook, whose loader reports it with its place. Only a regular file is opened.
func kindOf(path string) (fileKind, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl":
		return kindJournal, nil
	case ".json":
		return kindPlan, nil
	}
	f, err := input.Open(path, "file to check")
	if errors.Is(err, fs.ErrNotExist) {
		return kindRunbook, errors.New("no such file")
	}
	if err != nil {
		return kindRunbook, err
	}
	defer f.Close()
	head, err := io.ReadAll(io.LimitReader(f, sim.MaxScenarioBytes))
	if err != nil {
		return kindRunbook, err
	}
	if text := bytes.TrimLeft(head, " \t\r\n"); len(text) > 0 && text[0] == '{' {
		return jsonKind(text), nil
	}
	if keysLeanScenario(input.TopLevelKeys(head)) {
		return kindScenario, nil
	}
	return kindRunbook, nil
}

// jsonKind tells a journal, whose first line is a whole JSON object, from a plan, whose document
// spans lines.
func jsonKind(text []byte) fileKind {
	first := text
	if i := bytes.IndexAny(text, "\r\n"); i >= 0 {
		first = text[:i]
	}
	if first = bytes.TrimRight(first, " \t"); len(first) > 1 && first[len(first)-1] == '}' {
		return kindJournal
	}
	return kindPlan
}
