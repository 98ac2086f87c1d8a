package main

import "runtime/debug"

// VersionCmd prints the version.
type VersionCmd struct{}

// Run prints the module version, or the VCS revision of a development build.
func (VersionCmd) Run(g *Globals) error {
	g.printf("lockdown %s\n", version())
	return nil
}

func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev-" + s.Value[:12]
		}
	}
	return "dev"
}
