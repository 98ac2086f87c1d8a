package aws

import "context"

// EnterGate takes one of the gate's slots for account, for tests of the caps.
func EnterGate(ctx context.Context, g *CallGate, account string) (func(), error) {
	return g.enter(ctx, account)
}
