package aws

import (
	"context"

	"github.com/aws/smithy-go/middleware"
)

type middlewareStack = middleware.Stack

// gateMiddleware holds one of the gate's slots for each attempt of a call. It sits right after
// the retry loop, so a retry's backoff holds no slot, and before the attempt's deadline, so waiting
// for a slot never counts as the attempt taking too long.
type gateMiddleware struct {
	gate    *CallGate
	account string
}

func (gateMiddleware) ID() string { return "lockdown.CallGate" }

func (m gateMiddleware) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	leave, err := m.gate.enter(ctx, m.account)
	if err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, err
	}
	defer leave()
	return next.HandleFinalize(ctx, in)
}

// middleware installs the gate on every client of one account.
func (g *CallGate) middleware(account string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Finalize.Insert(gateMiddleware{gate: g, account: account}, "Retry", middleware.After)
	}
}
