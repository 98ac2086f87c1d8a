package steps

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"lockdown/aws"
)

// protectionReaders bounds the DescribeInstanceAttribute calls a plan makes at once.
const protectionReaders = 8

// readProtection reads the termination protection of every chosen instance, so the plan shows the
// protected ones with the change they need (disable protection, then terminate) instead of a
// termination that a DryRun would call fine and the real call would refuse. An instance whose
// protection cannot be read keeps a plain termination and a note: if protection is on, apply leaves
// it running and offers disabling it as its own plan.
func readProtection(ctx context.Context, env *Env, list []plannedInstance) (notes []string) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, protectionReaders)
	for i := range list {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			in := &list[i]
			on, err := aws.TerminationProtected(ctx, env.Account.EC2(in.Region), in.ID)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				notes = append(notes, fmt.Sprintf("The termination protection of %s in %s could not be read (%s): if it is on, the termination is refused and offered again as its own plan.",
					in.ID, in.Region, orNA(aws.ErrorCode(err))))
				return
			}
			in.Protected = on
		})
	}
	wg.Wait()
	slices.Sort(notes) // workers finish in any order; the plan reads the same every time
	return notes
}

// protectionWarnings name the protected instances of a plan: someone may have protected them on
// purpose, and the plan disables that.
func protectionWarnings(list []plannedInstance) []string {
	var out []string
	for _, in := range list {
		if in.Protected {
			out = append(out, fmt.Sprintf("%s in %s has termination protection on (someone may have set it on purpose): this plan disables it, then terminates the instance.", in.ID, in.Region))
		}
	}
	return out
}
