package main

// ApplyCmd is `lockdown apply`.
type ApplyCmd struct{}

func (c *ApplyCmd) Run(g *Globals) error { return nil }
