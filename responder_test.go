package main

import (
	"io"

	"lockdown/aws/sim"
	"lockdown/aws/wiretest"
)

// responder is the simulator's responder key pair, for commands run in-process: tests run side
// by side, so none of them may point the process-wide AWS credential chain at its own simulator.
func responder(srv *sim.Server) staticCredentials {
	id, secret := srv.ResponderCredentials()
	return staticCredentials{accessKeyID: id, secretAccessKey: secret}
}

// runAsResponder runs the command line in-process with the simulator's responder credentials.
func runAsResponder(srv *sim.Server, args []string, stdout, stderr io.Writer) int {
	return runWith(args, stdout, stderr, func(g *Globals) { g.credentials, g.transport = responder(srv), inProcessWire })
}

// inProcessWire carries the requests of commands run in-process: one addressed to a test's
// watching proxy is recorded by it and sent on without a second loopback hop.
var inProcessWire = wiretest.Shortcut(nil)
